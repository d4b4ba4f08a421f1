import { randomBytes, randomUUID } from 'node:crypto';
import chalk from 'chalk';
import { DEFAULT_SIGNATURE_HEADER, signBody } from '../../serve/index.js';
import type { OdooClient } from '../../systems/odoo/client.js';
import type { ServiceTitanClient } from '../../systems/servicetitan/index.js';
import type { SyncResult } from '../../commands/sync.js';
import type { EventsResult } from '../../sync/events.js';
import type { DemoStory } from '../types.js';
import { serviceTitanOdooWebhooks } from './webhooks.js';

/**
 * A first pass (every business unit, vendor, customer, purchase order, bill, job and invoice of the
 * tenant lands in its Odoo company), a second that moves nothing; then `mlc serve` listens, a post
 * signed with another key is refused, and a purchase order created in ServiceTitan reaches Odoo by
 * ServiceTitan's signed webhook, without a pass; the next pass reads it and writes nothing.
 */
export const serviceTitanOdooDemo: DemoStory = {
  systems: ['servicetitan', 'odoo'],
  async play(kit) {
    const first = await kit.sync();
    kit.say(chalk.bold('1. First pass: ServiceTitan -> Odoo'));
    kit.sayPass(first);
    const second = await kit.sync();
    kit.say(chalk.bold('2. Second pass: nothing changed, so nothing moves'));
    kit.sayPass(second);

    const st = kit.connect<ServiceTitanClient>('servicetitan');
    const odoo = kit.connect<OdooClient>('odoo');
    const receiver = await kit.serve();
    try {
      const url = `${receiver.url}${serviceTitanOdooWebhooks.routes[0]?.path ?? ''}`;
      kit.say(chalk.bold(`3. mlc serve listens on ${url}; ServiceTitan's webhooks are pointed at it`));
      await kit.simControl('servicetitan', 'webhooks', {
        url,
        hmacKey: receiver.hmacKey,
        encoding: 'hex',
        timeScale: 0.01,
      });
      const forged = await postForged(url);
      kit.say(`   a post signed with another key is refused: ${forged}`);

      kit.say(chalk.bold('4. A purchase order is created in ServiceTitan; its webhook carries it to Odoo'));
      const created = await newPurchaseOrder(st.client);
      kit.say(`   ServiceTitan purchase order ${created.id} created; ServiceTitan signs and posts its event`);
      const events = await receiver.settled(1);
      kit.sayEvents(events);
      const orders = await odoo.client.searchRead(
        'purchase.order',
        [['origin', '=like', `ST%.PO.${created.id}`]],
        { fields: ['name', 'state', 'amount_total'] },
      );
      for (const o of orders)
        kit.say(
          `   arrived by webhook, no pass run: Odoo ${String(o.name)}: ${String(o.state)}, ${String(o.amount_total)}`,
        );
      kit.say(`   Odoo holds ${orders.length} purchase order(s) for ServiceTitan ${created.id}`);

      // A pass leaves the last seconds' changes to settle (settleSeconds) before it reads them.
      await new Promise((r) => setTimeout(r, 3_000));
      const third = await kit.sync();
      kit.say(chalk.bold('5. The next pass reads it and writes nothing: the webhook already did'));
      kit.sayPass(third);
      const after = await odoo.client.searchRead(
        'purchase.order',
        [['origin', '=like', `ST%.PO.${created.id}`]],
        { fields: ['name'] },
      );
      kit.say(`   Odoo still holds ${after.length} purchase order(s) for ServiceTitan ${created.id}`);
      return kit.finish(
        kit.written(second) === 0 &&
          forged === 401 &&
          writtenBy(events, 'purchase_orders') === 1 &&
          orders.length === 1 &&
          orders[0]?.state === 'purchase' &&
          kit.written(third) === 0 &&
          readBy(third, 'purchase_orders') >= 1 &&
          after.length === 1,
        'mlc sim --write-config mlc.yaml, then mlc sync servicetitan-odoo; for webhooks, mlc secret set servicetitan.webhook_key, serve: { hmacKey: secret:servicetitan.webhook_key } under the pair, and mlc serve servicetitan-odoo',
      );
    } finally {
      await receiver.close();
      await st.close();
      await odoo.close();
    }
  },
};

function readBy(pass: SyncResult, flow: string): number {
  let n = 0;
  for (const o of pass.outcomes)
    if (o.kind === 'pass') for (const f of o.flows) if (f.flow === flow) n += f.read;
  return n;
}

function writtenBy(events: EventsResult, flow: string): number {
  return events.flows.filter((f) => f.flow === flow).reduce((n, f) => n + f.written, 0);
}

/** A purchase order event signed with a key that is not the receiver's: answers the HTTP status. */
async function postForged(url: string): Promise<number> {
  const body = JSON.stringify({
    eventId: randomUUID(),
    eventType: 'purchaseorder.created',
    tenantId: 1000001,
    createdOn: new Date().toISOString(),
    data: { id: 1 },
  });
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [DEFAULT_SIGNATURE_HEADER]: signBody(randomBytes(24).toString('hex'), body, 'hex'),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

async function newPurchaseOrder(st: ServiceTitanClient): Promise<{ id: number }> {
  const [vendor] = await st.getByIds('vendors', [await firstId(st, 'vendors')]);
  const bu = await firstId(st, 'business_units');
  const created = await st.createPurchaseOrder({
    ref: 'demo-po-1',
    vendorId: vendor?.id ?? 0,
    typeId: 1,
    businessUnitId: bu,
    inventoryLocationId: 1,
    shipTo: {
      description: 'Warehouse',
      address: { street: '1 Main St', unit: '', city: 'Austin', state: 'TX', zip: '78701', country: 'USA' },
    },
    impactsTechnicianPayroll: false,
    date: new Date().toISOString(),
    requiredOn: new Date().toISOString(),
    tax: '0.00',
    shipping: '0.00',
    items: [
      { skuId: 500, description: 'Capacitor 45/5', vendorPartNumber: 'CAP-45', quantity: '4', cost: '19.99' },
    ],
  });
  return { id: created.id };
}

async function firstId(st: ServiceTitanClient, entity: 'vendors' | 'business_units'): Promise<number> {
  const until = await st.serverTime();
  for await (const page of st.readChanged(entity, { window: { since: null, until } })) {
    const row = page.find((r) => r.active !== false);
    if (row) return row.id;
  }
  throw new Error(`the ServiceTitan tenant has no active ${entity}`);
}
