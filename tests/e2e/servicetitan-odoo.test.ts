import { createHmac } from 'node:crypto';
import { runServe, type ServeHandle } from '../../src/commands/serve.js';
import { createLogger } from '../../src/log.js';
import { serviceTitanOdoo } from '../../src/pairs/servicetitan-odoo/index.js';
import { connect, openRuntime, type Runtime } from '../../src/runtime.js';
import type { ServiceTitanClient } from '../../src/systems/servicetitan/index.js';
import { finished, startPairEnv, type PairEnv } from '../helpers/pair.js';

/**
 * servicetitan-odoo end to end over HTTP, through the real CLI, against the ServiceTitan and Odoo
 * simulators (Odoo over both transports): passes, webhook events through the receiver, the request
 * budget, token renewal, a missing vendor replayed, and two tenants in two Odoo companies.
 */
const PAIR = 'servicetitan-odoo';
const HMAC_KEY = 'st-webhook-hmac-key-0123456789abcdef';
const BOT_UID = 3;

async function odoo(
  e: PairEnv,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
): Promise<any> {
  const answer = (await e.control('odoo', 'POST', 'exec', { model, method, args, kwargs })) as {
    result: any;
  };
  return answer.result;
}

const rows = (e: PairEnv, model: string, domain: unknown[], fields: string[]): Promise<any[]> =>
  odoo(e, model, 'search_read', [domain], { fields, order: 'id asc' });

function flowsOf(stdout: string): Record<string, any> {
  const pass = JSON.parse(stdout).data.outcomes[0];
  return Object.fromEntries((pass.flows as any[]).map((f) => [f.flow, f]));
}

function written(stdout: string): number {
  return Object.values(flowsOf(stdout)).reduce((n, f) => n + (f.written as number), 0);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function newPurchaseOrder(st: ServiceTitanClient, vendorId: number, businessUnitId: number) {
  return st.createPurchaseOrder({
    ref: `e2e-${Date.now()}`,
    vendorId,
    typeId: 1,
    businessUnitId,
    inventoryLocationId: 1,
    shipTo: {
      description: 'Warehouse',
      address: { street: '1 Main St', unit: '', city: 'Austin', state: 'TX', zip: '78701', country: 'USA' },
    },
    impactsTechnicianPayroll: false,
    date: '2026-11-20T00:00:00Z',
    requiredOn: '2026-11-27T00:00:00Z',
    tax: '0.00',
    shipping: '0.00',
    items: [
      { skuId: 500, description: 'Capacitor', vendorPartNumber: 'CAP-45', quantity: '4', cost: '19.99' },
    ],
  });
}

describe.each(['json2', 'xmlrpc'] as const)('servicetitan-odoo, Odoo over %s', (transport) => {
  let e: PairEnv;
  const start = async (seed = 'demo'): Promise<PairEnv> => {
    const env = await startPairEnv({
      systems: ['servicetitan', 'odoo'],
      seed,
      pairOptions: { [PAIR]: { ...serviceTitanOdoo.simSettings } },
    });
    env.editConfig((c) => {
      c.connections.odoo.transport = transport;
    });
    return env;
  };
  afterEach(async () => {
    await e?.close();
  });

  it('a full pass writes the tenant into its company, documents linked; an idle pass writes nothing', async () => {
    e = await start();
    // One SKU is a product in Odoo (by internal reference); the other lines take the fallback product.
    const [capacitor] = await odoo(e, 'product.product', 'create', [
      [{ name: 'Capacitor 45/5', default_code: 'CAP-45', uom_id: 1 }],
    ]);
    const first = await e.cli('sync', PAIR, '--json');
    expect(first.code).toBe(0);
    const flows = flowsOf(first.stdout);
    expect(flows.business_units.written).toBe(3);
    expect(flows.vendors.written).toBe(2);
    // Two customers merged into others are skipped; their survivors are written.
    expect(flows.customers).toMatchObject({ written: 2, skipped: 2 });
    expect(flows.purchase_orders.written).toBe(2);
    // The deleted inventory bill is skipped.
    expect(flows.vendor_bills).toMatchObject({ written: 1, skipped: 1 });

    const pos = await rows(
      e,
      'purchase.order',
      [['origin', '=like', 'ST1000001.C1.PO.%']],
      ['state', 'company_id', 'partner_ref', 'amount_total', 'order_line', 'name'],
    );
    expect(pos).toHaveLength(2);
    for (const po of pos)
      expect(po).toMatchObject({ state: 'purchase', company_id: [1, expect.any(String)] });
    const po100 = pos.find((p) => p.partner_ref === 'PO-100');
    // 3 × 19.99 + 10 × 0.10 + 1234.56 + tax 4.80 + shipping 12.35 = 1312.68
    expect(po100.amount_total).toBeCloseTo(1312.68, 2);
    const poLines = await rows(
      e,
      'purchase.order.line',
      [['order_id', '=', po100.id]],
      ['analytic_distribution', 'product_id', 'product_uom_id', 'date_planned'],
    );
    const [bu] = await rows(
      e,
      'account.analytic.account',
      [['name', '=', 'HVAC Residential']],
      ['id', 'code', 'plan_id'],
    );
    expect(bu.plan_id[1]).toBe('Cost Centers');
    expect(poLines[0].analytic_distribution).toEqual({ [String(bu.id)]: 100 });
    expect(poLines.map((l) => l.product_id[0])).toEqual([
      capacitor,
      ...Array.from({ length: 4 }, () => expect.any(Number)),
    ]);
    expect(new Set(poLines.slice(1).map((l) => l.product_id[1]))).toEqual(new Set(['[SRV-001] Freight']));
    expect(poLines.every((l) => l.product_uom_id?.[0] === 1 && typeof l.date_planned === 'string')).toBe(
      true,
    );

    const [bill] = await rows(
      e,
      'account.move',
      [['ref', '=like', 'ST1000001.C1.BILL.%']],
      ['state', 'move_type', 'invoice_origin', 'amount_total', 'partner_id'],
    );
    expect(bill).toMatchObject({ state: 'posted', move_type: 'in_invoice', invoice_origin: po100.name });
    expect(bill.amount_total).toBeCloseTo(1312.68, 2);
    const linked = await rows(
      e,
      'account.move.line',
      [
        ['move_id', '=', bill.id],
        ['purchase_line_id', '!=', false],
      ],
      ['id'],
    );
    // Every bill line (three items, tax, shipping) on its purchase order line.
    expect(linked).toHaveLength(5);

    // Jobs as quotations of the surviving customer; invoices marked exported in ServiceTitan.
    expect(
      await rows(e, 'sale.order', [['client_order_ref', '=like', 'ST1000001.C1.JOB.%']], ['state']),
    ).toHaveLength(2);
    expect(await rows(e, 'account.move', [['ref', '=like', 'ST1000001.C1.INV.%']], ['state'])).toHaveLength(
      2,
    );
    const invoices = (await e.control('servicetitan', 'GET', 'state?name=invoices:1000001')) as any[];
    expect(invoices.filter((i) => i.syncStatus === 'Exported')).toHaveLength(2);
    const customers = await rows(
      e,
      'res.partner',
      [['ref', '=like', 'ST1000001.C1.CUST.%']],
      ['name', 'parent_id', 'email'],
    );
    expect(
      customers
        .filter((c) => !c.parent_id)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['Doe Holdings', 'Jane Doe']);
    expect(
      customers
        .filter((c) => c.parent_id)
        .map((c) => c.email)
        .sort(),
    ).toEqual(['doe.holdings@example.com', 'jane.doe@example.com']);

    const second = await e.cli('sync', PAIR, '--json');
    expect(second.code).toBe(0);
    expect(written(second.stdout)).toBe(0);
    expect(await rows(e, 'purchase.order', [['origin', '=like', 'ST1000001.%']], ['id'])).toHaveLength(2);
  });

  describe('webhooks through the receiver', () => {
    let rt: Runtime;
    let served: ServeHandle;
    afterEach(async () => {
      await served?.close();
      rt?.close();
    });
    const serve = async (): Promise<string> => {
      e.env.MLC_E2E_HMAC = HMAC_KEY;
      e.editConfig((c) => {
        c.pairs[PAIR].serve = { port: 0, hmacKey: '${MLC_E2E_HMAC}' };
      });
      rt = await openRuntime(
        e.config,
        createLogger({ verbose: false, json: false }, () => undefined),
        e.env,
      );
      served = await runServe(rt, PAIR);
      return `${served.receiver.url}/webhooks/servicetitan`;
    };

    it('a purchase order created in ServiceTitan arrives in Odoo once by webhook, and the next pass does not write it again', async () => {
      e = await start();
      expect((await e.cli('sync', PAIR)).code).toBe(0);
      const url = await serve();
      await e.control('servicetitan', 'POST', 'webhooks', {
        url,
        hmacKey: HMAC_KEY,
        encoding: 'hex',
        timeScale: 0.01,
      });
      const st = connect(rt, 'servicetitan');
      const [vendor] = (await rows(e, 'res.partner', [['ref', '=like', 'ST1000001.C1.VEND.%']], ['ref'])).map(
        (r) => Number(String(r.ref).split('.').pop()),
      );
      const [bu] = (
        await rows(e, 'account.analytic.account', [['code', '=like', 'ST1000001.C1.BU.%']], ['code'])
      ).map((r) => Number(String(r.code).split('.').pop()));
      const created = await newPurchaseOrder(st.client as ServiceTitanClient, vendor as number, bu as number);
      await st.close();
      const ref = `ST1000001.C1.PO.${created.id}`;
      const [po] = await until('the purchase order in Odoo', async () => {
        await served.drain();
        const found = await rows(e, 'purchase.order', [['origin', '=', ref]], ['state', 'amount_total']);
        return found.length > 0 ? found : undefined;
      });
      expect(po).toMatchObject({ state: 'purchase', amount_total: 79.96 });
      await served.close();
      const pass = await e.cli('sync', PAIR, '--json');
      expect(pass.code).toBe(0);
      expect(flowsOf(pass.stdout).purchase_orders.written).toBe(0);
      expect(await rows(e, 'purchase.order', [['origin', '=', ref]], ['id'])).toHaveLength(1);
    });

    it('mlc serve in its own process carries an event from the simulator to Odoo', async () => {
      e = await start();
      expect((await e.cli('sync', PAIR)).code).toBe(0);
      e.env.MLC_E2E_HMAC = HMAC_KEY;
      e.editConfig((c) => {
        c.pairs[PAIR].serve = { port: 0, hmacKey: '${MLC_E2E_HMAC}' };
      });
      const child = e.spawnCli(['serve', PAIR]);
      const exit = finished(child);
      try {
        let err = '';
        child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        const base = await until(
          'the receiver to listen',
          async () => /listening on (http:\/\/\S+)/.exec(err)?.[1],
        );
        await e.control('servicetitan', 'POST', 'webhooks', {
          url: `${base}/webhooks/servicetitan`,
          hmacKey: HMAC_KEY,
          encoding: 'base64',
          timeScale: 0.01,
        });
        // A vendor renamed in ServiceTitan: its event reaches Odoo without a pass.
        const [vendor] = await rows(e, 'res.partner', [['ref', '=like', 'ST1000001.C1.VEND.%']], ['ref']);
        const vendorId = Number(String(vendor.ref).split('.').pop());
        await e.control('servicetitan', 'POST', 'touch', {
          tenant: '1000001',
          entity: 'vendors',
          id: vendorId,
          changes: { name: 'Ferguson Enterprises' },
        });
        await until('the renamed vendor in Odoo', async () => {
          const [v] = await rows(e, 'res.partner', [['ref', '=', vendor.ref]], ['name']);
          return v?.name === 'Ferguson Enterprises' ? v : undefined;
        });
      } finally {
        child.kill('SIGTERM');
        await exit;
      }
    });

    it("another tenant's event names no record of this instance and writes nothing", async () => {
      e = await start();
      const url = await serve();
      await e.control('servicetitan', 'POST', 'webhooks', { url, hmacKey: HMAC_KEY, timeScale: 0.01 });
      const plumbingVendors = (await e.control(
        'servicetitan',
        'GET',
        'state?name=vendors:1000002',
      )) as Array<{ id: number }>;
      await e.control('servicetitan', 'POST', 'webhooks/emit', {
        eventType: 'vendor.updated',
        tenant: '1000002',
        data: { id: plumbingVendors[0]?.id },
      });
      await until('the event to be handled', async () => {
        await served.drain();
        const events = rt.db.prepare('SELECT status FROM webhook_events').all() as Array<{ status: string }>;
        return events.length > 0 && events.every((ev) => ev.status === 'done') ? events : undefined;
      });
      expect(await rows(e, 'res.partner', [['ref', '=like', 'ST%']], ['id'])).toHaveLength(0);
    });

    it('a webhook with a bad signature is refused with 401 and writes nothing', async () => {
      e = await start();
      const url = await serve();
      const body = JSON.stringify({
        eventId: 'forged-1',
        eventType: 'purchaseorder.updated',
        tenantId: 1000001,
        data: { id: 1 },
      });
      const forged = createHmac('sha256', 'not-the-key-not-the-key-not-the-key').update(body).digest('hex');
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-servicetitan-signature': forged },
        body,
      });
      expect(res.status).toBe(401);
      const good = createHmac('sha256', HMAC_KEY).update(body).digest('hex');
      expect(good).not.toBe(forged);
      await served.drain();
      expect(await rows(e, 'purchase.order', [['origin', '=like', 'ST%']], ['id'])).toHaveLength(0);
      expect(await rows(e, 'res.partner', [['ref', '=like', 'ST%']], ['id'])).toHaveLength(0);
    });
  });

  it('a bill naming a vendor missing in Odoo fails with a clear audit entry, and replays once the vendor is there', async () => {
    e = await start();
    await e.control('odoo', 'POST', 'access', { model: 'res.partner', deny: ['create'] });
    const first = await e.cli('sync', PAIR, '--json');
    expect(first.code).toBe(3);
    const audit = JSON.parse(
      (await e.cli('audit', '--json', '--outcome', 'failed', '--limit', '100')).stdout,
    ).data;
    const entries = (audit.entries ?? audit) as any[];
    const bill = entries.find((a) => a.flow === 'vendor_bills');
    expect(bill.message).toMatch(
      /^vendor "Ferguson HVAC Supply" \(ServiceTitan vendor \d+\).* do not exist in the target$/,
    );
    const vendor = entries.find((a) => a.flow === 'vendors' && a.label === 'Ferguson HVAC Supply');
    expect(vendor.message).toMatch(/refused to write partners/);
    const po = entries.find((a) => a.flow === 'purchase_orders' && a.label === 'PO-100');

    const tooEarly = await e.cli('replay', String(bill.id), '--json');
    expect(tooEarly.code).toBe(3);
    await e.control('odoo', 'POST', 'access', { reset: true });
    for (const id of [vendor.id, po.id, bill.id]) expect((await e.cli('replay', String(id))).code).toBe(0);
    const [move] = await rows(
      e,
      'account.move',
      [['ref', '=like', 'ST1000001.C1.BILL.%']],
      ['state', 'partner_id'],
    );
    expect(move.state).toBe('posted');
    expect(move.partner_id[1]).toBe('Ferguson HVAC Supply');
  });

  it('an Odoo payment of an invoice from ServiceTitan is created there once, applied to that invoice', async () => {
    e = await start();
    const [type] = (await e.control('servicetitan', 'GET', 'state?name=payment_types:1000001')) as Array<{
      id: number;
    }>;
    e.editConfig((c) => {
      c.pairs[PAIR].payments = { typeId: type?.id };
    });
    expect((await e.cli('sync', PAIR)).code).toBe(0);
    const [invoice] = await rows(
      e,
      'account.move',
      [['ref', '=like', 'ST1000001.C1.INV.%']],
      ['ref', 'partner_id'],
    );
    const stInvoiceId = Number(String(invoice.ref).split('.').pop());
    const [paymentId] = await odoo(e, 'account.payment', 'create', [
      [
        {
          payment_type: 'inbound',
          partner_type: 'customer',
          partner_id: invoice.partner_id[0],
          amount: 50.5,
          date: '2026-11-20',
          reconciled_invoice_ids: [[6, 0, [invoice.id]]],
        },
      ],
    ]);
    await odoo(e, 'account.payment', 'action_post', [[paymentId]]);
    // Another payment, of no invoice from ServiceTitan, is left alone.
    await odoo(e, 'account.payment', 'action_post', [
      await odoo(e, 'account.payment', 'create', [
        [
          {
            payment_type: 'inbound',
            partner_type: 'customer',
            partner_id: invoice.partner_id[0],
            amount: 5,
            date: '2026-11-20',
          },
        ],
      ]),
    ]);
    await new Promise((r) => setTimeout(r, 1100));
    const pass = await e.cli('sync', PAIR, '--json');
    expect(pass.code).toBe(0);
    // Skipped: the payment of no invoice, and the three the seed's field payments made in Odoo
    // (registered from ServiceTitan, never sent back).
    expect(flowsOf(pass.stdout).payments).toMatchObject({ written: 1, skipped: 4, failed: 0 });
    const payments = (await e.control('servicetitan', 'GET', 'state?name=payments:1000001')) as any[];
    const created = payments.filter((p) => JSON.stringify(p).includes(`ODOO.C1.PAY.${paymentId}`));
    expect(created).toHaveLength(1);
    expect(JSON.stringify(created[0])).toContain(String(stInvoiceId));
    const again = await e.cli('sync', PAIR, '--full', '--json');
    expect(flowsOf(again.stdout).payments.written).toBe(0);
    const after = (await e.control('servicetitan', 'GET', 'state?name=payments:1000001')) as any[];
    expect(after).toHaveLength(payments.length);
  });

  it('a tenant mapped to no Odoo company stops the pass before anything is written, naming the tenant', async () => {
    e = await start();
    e.editConfig((c) => {
      c.pairs[PAIR].companies = { '1000002': 'Acme Services' };
    });
    const r = await e.cli('sync', PAIR);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tenant 1000001 is mapped to no Odoo company/);
    expect(await rows(e, 'res.partner', [['ref', '=like', 'ST%']], ['id'])).toHaveLength(0);
  });

  it('ping checks every ServiceTitan endpoint and Odoo model the flows use, and the write rights', async () => {
    e = await start();
    const st = await e.cli('ping', 'servicetitan', '--json');
    const od = await e.cli('ping', 'odoo', '--json');
    expect([st.code, od.code]).toEqual([0, 0]);
    const text = st.stdout + od.stdout;
    for (const name of [
      'customer_contacts',
      'inventory_bills',
      'purchase.order',
      'account.analytic.account',
      'sale.order',
    ])
      expect(text).toContain(name);
    await e.control('odoo', 'POST', 'access', { model: 'purchase.order', deny: ['create'] });
    const refused = await e.cli('ping', 'odoo', '--json');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/purchase\.order/);
  });

  it('a token revoked mid-pass is renewed without a failed record', async () => {
    e = await start();
    await e.control('servicetitan', 'POST', 'faults', {
      kind: 'revoke',
      match: 'GET /inventory/v2/tenant/1000001/purchase-orders',
      times: 1,
    });
    const pass = await e.cli('sync', PAIR, '--json');
    expect(pass.code).toBe(0);
    const flows = flowsOf(pass.stdout);
    for (const f of Object.values(flows)) expect(f.failed).toBe(0);
    expect(flows.purchase_orders.written).toBe(2);
    const stats = (await e.control('servicetitan', 'GET', 'stats')) as {
      faults: number;
      tokensIssued?: number;
    };
    expect(stats.faults).toBe(1);
    // The revoked token was replaced by a new one.
    const state = (await e.control('servicetitan', 'GET', 'state')) as { tokensIssued: number };
    expect(state.tokensIssued).toBeGreaterThanOrEqual(2);
  });

  it('two tenants write into two Odoo companies and never meet', async () => {
    e = await start();
    await odoo(e, 'res.users', 'write', [[BOT_UID], { company_ids: [[6, 0, [1, 2]]] }]);
    e.env.MLC_E2E_ST2_SECRET = 'cs1.sim-secret-plumbing-0002';
    e.env.MLC_E2E_ST2_APP_KEY = String((e.sims.servicetitan?.credentials as { appKey: string }).appKey);
    e.editConfig((c) => {
      c.connections.plumbing = {
        ...c.connections.servicetitan,
        tenantId: '1000002',
        clientId: 'cid.sim1000002',
        clientSecret: '${MLC_E2E_ST2_SECRET}',
        appKey: '${MLC_E2E_ST2_APP_KEY}',
      };
      c.pairs.plumbing = { ...c.pairs[PAIR], type: PAIR, source: 'plumbing' };
    });
    expect((await e.cli('sync', PAIR)).code).toBe(0);
    const plumbing = await e.cli('sync', 'plumbing');
    expect(plumbing.stderr).toBe('');
    expect(plumbing.code).toBe(0);
    const pos = await rows(
      e,
      'purchase.order',
      [['origin', '=like', 'ST%']],
      ['origin', 'company_id', 'partner_id', 'name'],
    );
    const byCompany = (c: number) => pos.filter((p) => p.company_id[0] === c);
    expect(byCompany(1).map((p) => p.origin.slice(0, 13))).toEqual(['ST1000001.C1.', 'ST1000001.C1.']);
    expect(byCompany(2).map((p) => p.origin.slice(0, 13))).toEqual(['ST1000002.C2.', 'ST1000002.C2.']);
    const vendors = await rows(
      e,
      'res.partner',
      [
        ['ref', '=like', 'ST%.VEND.%'],
        ['active', 'in', [true, false]],
      ],
      ['name', 'company_id'],
    );
    expect(
      vendors
        .filter((v) => v.company_id[0] === 2)
        .map((v) => v.name)
        .sort(),
    ).toEqual(['Hughes Plumbing Supply', 'Winsupply']);
    // Each company's documents name its own partners only.
    for (const p of byCompany(2))
      expect(vendors.find((v) => v.id === p.partner_id[0])?.company_id[0] ?? 2).toBe(2);
    expect(written((await e.cli('sync', 'plumbing', '--json')).stdout)).toBe(0);
  });
});

describe('servicetitan-odoo under load', () => {
  let e: PairEnv;
  afterEach(async () => {
    await e?.close();
  });

  it('a burst of 500 changes stays under 60 requests per second at the simulator and finishes', async () => {
    e = await startPairEnv({
      systems: ['servicetitan', 'odoo'],
      seed: 'volume:500',
      pairOptions: { [PAIR]: { ...serviceTitanOdoo.simSettings } },
    });
    e.editConfig((c) => {
      c.connections.servicetitan.pageSize = 20;
    });
    const pass = await e.cli('sync', PAIR, '--json');
    expect(pass.code).toBe(0);
    const flows = flowsOf(pass.stdout);
    expect(flows.customers.written).toBe(500);
    expect(flows.purchase_orders.written).toBe(500);
    const stats = (await e.control('servicetitan', 'GET', 'stats')) as {
      system: { requests: number; maxPerSecondByTenant: Record<string, number> };
    };
    expect(stats.system.requests).toBeGreaterThan(60);
    expect(stats.system.maxPerSecondByTenant['1000001']).toBeLessThanOrEqual(60);
  }, 120_000);
});
