import { nextSecond, startPairEnv, type PairEnv, odooExec } from '../helpers/pair.js';

/**
 * odoo-salesforce orders end to end over HTTP: the Order status under answers slower than the
 * client's timeout (the slow write is applied after the client gave up and retried), a status
 * changed behind the pair's back, the Order name. Two Odoo companies; the org starts with its
 * standard price book only.
 */
const PAIR = 'odoo-salesforce';
const BOT_UID = 3;
const ORDER_WRITES = '^(POST|PATCH) /services/data/v[0-9.]+/composite/sobjects';

const odoo = odooExec;

async function sfState(e: PairEnv, sobject: string): Promise<Array<Record<string, any>>> {
  return (
    (await e.control('salesforce', 'GET', `state?name=${sobject}`)) as Array<Record<string, any>>
  ).filter((r) => r.IsDeleted !== true);
}

async function sync(e: PairEnv): Promise<{ exitCode: number; flows: any[] }> {
  await nextSecond();
  const r = await e.cli('--json', 'sync', PAIR);
  const body = JSON.parse(r.stdout);
  return { exitCode: r.code, flows: body.data?.outcomes?.[0]?.flows ?? [] };
}

/** Passes until one exits 0 (a pass stopped by a lost answer exits 4 and leaves its cursor). */
async function syncUntilClean(e: PairEnv): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await sync(e);
    codes.push(r.exitCode);
    if (r.exitCode === 0) break;
  }
  return codes;
}

const lateWrite = (): Promise<void> => new Promise((r) => setTimeout(r, 1800));

async function productId(e: PairEnv, code: string): Promise<number> {
  const [id] = (await odoo(e, 'product.product', 'search', [[['default_code', '=', code]]])) as number[];
  return id as number;
}

/** A customer of each company, sent by the first pass: an order's first write is then its own. */
const customers = new Map<number, number>();

async function newCustomer(e: PairEnv, company: 1 | 2): Promise<void> {
  const ctx = { context: { allowed_company_ids: [company] } };
  const [partner] = await odoo(
    e,
    'res.partner',
    'create',
    [[{ name: `Buyer of company ${company}`, is_company: true, customer_rank: 1, company_id: company }]],
    ctx,
  );
  customers.set(company, partner as number);
}

async function newOrder(e: PairEnv, company: 1 | 2): Promise<{ id: number; name: string }> {
  const ctx = { context: { allowed_company_ids: [company] } };
  const partner = customers.get(company);
  const [id] = await odoo(
    e,
    'sale.order',
    'create',
    [
      [
        {
          partner_id: partner,
          company_id: company,
          date_order: '2026-11-24 10:00:00',
          order_line: [
            [
              0,
              0,
              {
                product_id: await productId(e, 'FURN-001'),
                name: 'Chair',
                product_uom_qty: 2,
                price_unit: 100,
              },
            ],
            [
              0,
              0,
              {
                product_id: await productId(e, 'SRV-001'),
                name: 'Freight',
                product_uom_qty: 1,
                price_unit: 40,
              },
            ],
          ],
        },
      ],
    ],
    ctx,
  );
  await odoo(e, 'sale.order', 'action_confirm', [[id]], ctx);
  const [row] = (await odoo(e, 'sale.order', 'read', [[id]], { fields: ['name'], ...ctx })) as Array<{
    name: string;
  }>;
  return { id, name: row?.name ?? '' };
}

const ordersOf = async (e: PairEnv, so: number): Promise<Array<Record<string, any>>> =>
  (await sfState(e, 'Order')).filter((o) => o.Odoo_Id__c === `sale.order:${so}`);

describe('odoo-salesforce orders: the status survives late writes and is repaired', () => {
  let e: PairEnv;
  beforeAll(async () => {
    e = await startPairEnv({ systems: ['odoo', 'salesforce'], seed: 'demo' });
    await e.control('salesforce', 'POST', 'seed', { seed: 'volume:0' });
    await odoo(e, 'res.users', 'write', [[BOT_UID], { company_ids: [[6, 0, [1, 2]]] }]);
    await newCustomer(e, 1);
    await newCustomer(e, 2);
    e.editConfig((c) => {
      c.connections.salesforce.timeoutMs = 1000;
    });
    const first = await sync(e);
    expect(first.exitCode).toBe(0);
  });
  afterAll(() => e.close());

  test('a new order whose first write answers after the timeout ends Activated, once', async () => {
    const so = await newOrder(e, 2);
    // The pass's first Salesforce write is this order's: it is applied 1.6 s later, after the client gave up.
    await e.control('salesforce', 'POST', 'faults', { kind: 'slow', delayMs: 1600, match: ORDER_WRITES });
    // The create is not repeated (its late arrival would meet the repeat's order): the pass stops.
    const first = await sync(e);
    expect(first.exitCode).toBe(4);
    await lateWrite();
    const codes = await syncUntilClean(e);
    expect(codes.at(-1)).toBe(0);
    const orders = await ordersOf(e, so.id);
    expect(orders).toHaveLength(1);
    expect(orders[0]?.Status).toBe('Activated');
    // Sales people see the Odoo order's name.
    expect(orders[0]?.Name).toBe(so.name);
    expect(so.name).toMatch(/^S\d+/);
    expect((await sfState(e, 'OrderItem')).filter((i) => i.OrderId === orders[0]?.Id)).toHaveLength(2);
  });

  test.each([
    // Not repeated: the pass stops (4), the late Draft lands, the next pass writes the order again.
    ['the move back to Draft', 0, 4],
    // Repeated, and harmless when it lands late: it carries no status.
    ['the order header', 1, 0],
  ])(
    'a changed activated order whose %s answers after the timeout ends Activated',
    async (_what, skip, exit) => {
      const so = await newOrder(e, 1);
      expect((await sync(e)).exitCode).toBe(0);
      expect((await ordersOf(e, so.id))[0]?.Status).toBe('Activated');
      const [line] = (await odoo(e, 'sale.order', 'read', [[so.id]], { fields: ['order_line'] })) as Array<{
        order_line: number[];
      }>;
      await odoo(e, 'sale.order', 'write', [
        [so.id],
        { order_line: [[1, line?.order_line[0], { product_uom_qty: 7 }]] },
      ]);
      await e.control('salesforce', 'POST', 'faults', {
        kind: 'slow',
        delayMs: 1600,
        match: ORDER_WRITES,
        skip,
      });
      const first = await sync(e);
      expect(first.exitCode).toBe(exit);
      await lateWrite();
      if (exit === 0) expect((await ordersOf(e, so.id))[0]?.Status).toBe('Activated');
      const codes = await syncUntilClean(e);
      expect(codes.at(-1)).toBe(0);
      const [order] = await ordersOf(e, so.id);
      expect(order?.Status).toBe('Activated');
      const items = (await sfState(e, 'OrderItem')).filter((i) => i.OrderId === order?.Id);
      expect(items.map((i) => i.Quantity).sort()).toEqual([1, 7]);
    },
  );

  test('an order set back to Draft behind the pair is activated again by the next pass, then left alone', async () => {
    const so = await newOrder(e, 2);
    expect((await sync(e)).exitCode).toBe(0);
    const [order] = await ordersOf(e, so.id);
    await e.control('salesforce', 'POST', 'exec', {
      sobject: 'Order',
      id: order?.Id,
      record: { Status: 'Draft' },
    });
    const r = await sync(e);
    expect(r.exitCode).toBe(0);
    expect(r.flows.find((f) => f.flow === 'orders')?.written).toBe(0);
    expect(r.flows.find((f) => f.flow === 'order_activation')?.written).toBe(1);
    expect((await ordersOf(e, so.id))[0]?.Status).toBe('Activated');
    const idle = await sync(e);
    expect(idle.flows.reduce((s: number, f: any) => s + (f.written ?? 0), 0)).toBe(0);
  });

  test('reconcile compares order totals per company; --repair restores a deleted Order and an altered one; then it is clean', async () => {
    const gone = await newOrder(e, 1);
    const altered = await newOrder(e, 2);
    // An invoice of the first order, recorded on its Order.
    const [move] = await odoo(e, 'account.move', 'create', [
      [
        {
          move_type: 'out_invoice',
          partner_id: customers.get(1),
          company_id: 1,
          invoice_date: '2026-11-25',
          invoice_origin: gone.name,
          invoice_line_ids: [
            [0, 0, { display_type: 'product', name: 'Goods', quantity: 2, price_unit: 120 }],
          ],
        },
      ],
    ]);
    await odoo(e, 'account.move', 'action_post', [[move]]);
    expect((await sync(e)).exitCode).toBe(0);
    const reconcile = async (...args: string[]): Promise<{ code: number; data: any }> => {
      const r = await e.cli('--json', 'reconcile', PAIR, '--since', '2h', ...args);
      return { code: r.code, data: JSON.parse(r.stdout).data.report };
    };
    const clean = await reconcile();
    expect(clean.code).toBe(0);
    const orders = clean.data.flows.find((f: any) => f.flow === 'orders');
    expect(orders.compared).toBe('target');
    // 2 × 100 + 1 × 40 per order, in each company's group.
    expect(orders.target).toEqual(orders.source);
    expect(new Set(orders.groups.map((g: any) => g.company)).size).toBe(2);
    const invoices = clean.data.flows.find((f: any) => f.flow === 'invoices');
    expect(invoices.compared).toBe('target');
    expect(invoices.target).toEqual(invoices.source);
    expect(invoices.source.count).toBeGreaterThanOrEqual(1);

    const [a] = await ordersOf(e, gone.id);
    await e.control('salesforce', 'POST', 'exec', { sobject: 'Order', id: a?.Id, record: {}, delete: true });
    const [b] = await ordersOf(e, altered.id);
    const item = (await sfState(e, 'OrderItem')).find((i) => i.OrderId === b?.Id && i.Quantity === 2);
    await e.control('salesforce', 'POST', 'exec', {
      sobject: 'Order',
      id: b?.Id,
      record: { Status: 'Draft' },
    });
    await e.control('salesforce', 'POST', 'exec', {
      sobject: 'OrderItem',
      id: item?.Id,
      record: { Quantity: 5 },
    });
    await e.control('salesforce', 'POST', 'exec', {
      sobject: 'Order',
      id: b?.Id,
      record: { Status: 'Activated' },
    });

    const found = await reconcile();
    expect(found.code).toBe(3);
    const report = found.data.flows.find((f: any) => f.flow === 'orders');
    expect(report.missing.map((m: any) => [m.sourceId, m.reason])).toEqual([
      [`sale.order:${gone.id}`, 'written once, but not in the target now'],
    ]);
    expect(report.different.map((m: any) => m.sourceId)).toEqual([`sale.order:${altered.id}`]);
    expect(report.different[0].reason).toMatch(/amount differs: 240\.00 \S+ in the source, 540\.00/);
    // The deleted Order took the invoice's line with it.
    const lost = found.data.flows.find((f: any) => f.flow === 'invoices');
    expect(lost.missing.map((m: any) => m.sourceId)).toEqual([`account.move:${move}`]);

    const repaired = await reconcile('--repair');
    expect(repaired.code).toBe(0);
    expect(repaired.data.flows.find((f: any) => f.flow === 'orders').repaired).toEqual({
      written: 2,
      unchanged: 0,
      failed: 0,
    });
    expect(repaired.data.flows.find((f: any) => f.flow === 'invoices').repaired).toMatchObject({
      written: 1,
    });
    const [back] = await ordersOf(e, gone.id);
    expect(back?.Description).toMatch(/^Invoice \S+ \(2026-11-25\): 240\.00/);
    expect(back?.Status).toBe('Activated');
    expect(back?.TotalAmount).toBe(240);
    expect((await ordersOf(e, altered.id))[0]?.TotalAmount).toBe(240);
    expect((await reconcile()).code).toBe(0);
  });
});
