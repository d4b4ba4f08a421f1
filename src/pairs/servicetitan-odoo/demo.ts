import chalk from 'chalk';
import type { OdooClient } from '../../systems/odoo/client.js';
import type { ServiceTitanClient } from '../../systems/servicetitan/index.js';
import type { DemoStory } from '../types.js';

/**
 * A first pass (every business unit, vendor, customer, purchase order, bill, job and invoice of the
 * tenant lands in its Odoo company), a second that moves nothing, then a purchase order created in
 * ServiceTitan and carried over by the next pass, once. (`mlc serve servicetitan-odoo` carries it as
 * soon as ServiceTitan's webhook arrives; the story keeps to passes.)
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
    try {
      kit.say(chalk.bold('3. A purchase order is created in ServiceTitan'));
      const [vendor] = await st.client.getByIds('vendors', [await firstId(st.client, 'vendors')]);
      const bu = await firstId(st.client, 'business_units');
      const created = await st.client.createPurchaseOrder({
        ref: 'demo-po-1',
        vendorId: vendor?.id ?? 0,
        typeId: 1,
        businessUnitId: bu,
        inventoryLocationId: 1,
        shipTo: {
          description: 'Warehouse',
          address: {
            street: '1 Main St',
            unit: '',
            city: 'Austin',
            state: 'TX',
            zip: '78701',
            country: 'USA',
          },
        },
        impactsTechnicianPayroll: false,
        date: new Date().toISOString(),
        requiredOn: new Date().toISOString(),
        tax: '0.00',
        shipping: '0.00',
        items: [
          {
            skuId: 500,
            description: 'Capacitor 45/5',
            vendorPartNumber: 'CAP-45',
            quantity: '4',
            cost: '19.99',
          },
        ],
      });
      // A pass leaves the last seconds' changes to settle (settleSeconds) before it reads them.
      kit.say(`   ${String(created.id)} created; waiting for it to settle`);
      await new Promise((r) => setTimeout(r, 3_000));
      const third = await kit.sync();
      kit.say(chalk.bold('4. The next pass carries it to Odoo, confirmed'));
      kit.sayPass(third);
      const fourth = await kit.sync();
      const orders = await odoo.client.searchRead(
        'purchase.order',
        [['origin', '=like', `ST%.PO.${created.id}`]],
        {
          fields: ['name', 'state', 'amount_total'],
        },
      );
      for (const o of orders)
        kit.say(`   Odoo ${String(o.name)}: ${String(o.state)}, ${String(o.amount_total)}`);
      return kit.finish(
        kit.written(second) === 0 &&
          kit.written(fourth) === 0 &&
          orders.length === 1 &&
          orders[0]?.state === 'purchase',
        'mlc sim --write-config mlc.yaml   (then, in another shell) mlc sync servicetitan-odoo',
      );
    } finally {
      await st.close();
      await odoo.close();
    }
  },
};

async function firstId(st: ServiceTitanClient, entity: 'vendors' | 'business_units'): Promise<number> {
  const until = await st.serverTime();
  for await (const page of st.readChanged(entity, { window: { since: null, until } })) {
    const row = page.find((r) => r.active !== false);
    if (row) return row.id;
  }
  throw new Error(`the ServiceTitan tenant has no active ${entity}`);
}
