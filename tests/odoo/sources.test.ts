import {
  fetchCustomers,
  fetchInvoices,
  fetchSaleOrders,
  productsByCode,
  readCustomers,
  readInvoices,
  readProducts,
  readSaleOrders,
  type CompanyScope,
} from '../../src/systems/odoo/sources/index.js';
import type { OdooClient } from '../../src/systems/odoo/client.js';
import { clientFor, exec, startSim, type RunningOdoo } from './helpers.js';

const ALL = { since: null, until: new Date(Date.now() + 3600_000) };
const FIRST: CompanyScope = { company: 1, shared: true };
const SECOND: CompanyScope = { company: 2, shared: false };

async function collect<T>(gen: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of gen) out.push(...page);
  return out;
}

/** The second company's customer, contact, confirmed order and a posted invoice in each company. */
async function seedSales(sim: RunningOdoo): Promise<{ eu: number; person: number; so2: number }> {
  await exec(sim, 'res.users', 'write', [[3], { company_ids: [[6, 0, [1, 2]]] }]);
  const ctx2 = { context: { allowed_company_ids: [2] } };
  const eu = (await exec(
    sim,
    'res.partner',
    'create',
    [[{ name: 'Lumen Möbel GmbH', is_company: true, customer_rank: 1, company_id: 2, city: 'Berlin' }]],
    ctx2,
  )) as number[];
  const person = (await exec(
    sim,
    'res.partner',
    'create',
    [[{ name: 'Jonas Keller', parent_id: eu[0], company_id: 2, email: 'jonas@lumen.example' }]],
    ctx2,
  )) as number[];
  const [desk] = (await exec(sim, 'product.product', 'search', [
    [['default_code', '=', 'FURN-002']],
  ])) as number[];
  const [chair] = (await exec(sim, 'product.product', 'search', [
    [['default_code', '=', 'FURN-001']],
  ])) as number[];
  const so2 = (await exec(
    sim,
    'sale.order',
    'create',
    [
      [
        {
          partner_id: eu[0],
          company_id: 2,
          date_order: '2026-11-20 10:00:00',
          order_line: [
            [0, 0, { product_id: chair, name: 'Chair', product_uom_qty: 3, price_unit: 118 }],
            [0, 0, { display_type: 'line_note', name: 'Deliver to the back door' }],
            [0, 0, { product_id: desk, name: 'Desk', product_uom_qty: 1, price_unit: 440 }],
          ],
        },
      ],
    ],
    ctx2,
  )) as number[];
  await exec(sim, 'sale.order', 'action_confirm', [so2], ctx2);
  const [deco] = (await exec(sim, 'res.partner', 'search', [[['name', '=', 'Deco Addict']]])) as number[];
  for (const [partner, company] of [
    [deco, 1],
    [eu[0], 2],
  ] as const) {
    const ctx = { context: { allowed_company_ids: [company] } };
    const move = (await exec(
      sim,
      'account.move',
      'create',
      [
        [
          {
            move_type: 'out_invoice',
            partner_id: partner,
            company_id: company,
            invoice_date: '2026-11-21',
            invoice_origin: company === 1 ? 'S00001' : 'S00001',
            invoice_line_ids: [
              [0, 0, { display_type: 'product', name: 'Desk', quantity: 1, price_unit: 450 }],
            ],
          },
        ],
      ],
      ctx,
    )) as number[];
    await exec(sim, 'account.move', 'action_post', [move], ctx);
  }
  return { eu: eu[0] as number, person: person[0] as number, so2: so2[0] as number };
}

describe.each(['xmlrpc', 'json2'] as const)('Odoo sources over %s', (transport) => {
  let sim: RunningOdoo;
  let odoo: OdooClient;
  let ids: { eu: number; person: number; so2: number };
  beforeAll(async () => {
    sim = await startSim({ version: 19, seed: 'demo' });
    ids = await seedSales(sim);
    odoo = clientFor(sim, transport, { pageSize: 2 } as never);
  });
  afterAll(async () => {
    await odoo.close();
    await sim.close();
  });

  test('customers: companies with a customer rank and their people, each in its own company', async () => {
    const first = await collect(readCustomers(odoo, { window: ALL, scope: FIRST, pageSize: 1 }));
    expect(first.map((c) => c.name)).toContain('Deco Addict');
    expect(first.every((c) => c.company === 1)).toBe(true);
    expect(first.map((c) => c.name)).not.toContain('Lumen Möbel GmbH');
    // Vendors without a customer rank are not customers.
    expect(first.map((c) => c.name)).not.toContain('Wood Corner');
    const second = await collect(readCustomers(odoo, { window: ALL, scope: SECOND }));
    expect(second.map((c) => [c.ref, c.kind, c.company, c.parentRef])).toEqual([
      [`res.partner:${ids.eu}`, 'company', 2, null],
      [`res.partner:${ids.person}`, 'person', 2, `res.partner:${ids.eu}`],
    ]);
    expect(second[1]?.email).toBe('jonas@lumen.example');
    const again = await fetchCustomers(odoo, [`res.partner:${ids.person}`, 'sale.order:1'], SECOND);
    expect(again.map((c) => c.id)).toEqual([ids.person]);
  });

  test('customers: a window leaves out what changed before it', async () => {
    const later = { since: new Date(Date.now() + 60_000), until: new Date(Date.now() + 3600_000) };
    expect(await collect(readCustomers(odoo, { window: later, scope: SECOND }))).toEqual([]);
  });

  test('products: code, name and list price, shared products once (first company)', async () => {
    const first = await collect(readProducts(odoo, { window: ALL, scope: FIRST, pageSize: 2 }));
    const desk = first.find((p) => p.code === 'FURN-002');
    expect(desk).toMatchObject({ name: 'Desk', listPrice: 450, active: true, company: 1 });
    expect(first.length).toBeGreaterThanOrEqual(4);
    expect(await collect(readProducts(odoo, { window: ALL, scope: SECOND }))).toEqual([]);
    expect((await productsByCode(odoo, ['FURN-001'], FIRST)).map((p) => p.listPrice)).toEqual([120]);
  });

  test('sales orders: confirmed ones with their product lines, in their company', async () => {
    const first = await collect(readSaleOrders(odoo, { window: ALL, scope: FIRST, states: ['sale'] }));
    expect(first.map((o) => o.company)).toEqual([1]);
    expect(first[0]?.lines.map((l) => [l.productCode, l.quantity, l.priceUnit])).toEqual([
      ['FURN-002', 2, 450],
    ]);
    const second = await collect(readSaleOrders(odoo, { window: ALL, scope: SECOND, states: ['sale'] }));
    expect(second).toHaveLength(1);
    const so = second[0];
    expect(so).toMatchObject({
      ref: `sale.order:${ids.so2}`,
      company: 2,
      customerRef: `res.partner:${ids.eu}`,
    });
    // The note line is left out; lines keep their order.
    expect(so?.lines.map((l) => [l.productCode, l.quantity])).toEqual([
      ['FURN-001', 3],
      ['FURN-002', 1],
    ]);
    // Both companies number their orders from S00001: the reference is the id, never the name.
    expect(first[0]?.ref).not.toBe(so?.ref);
    expect(await collect(readSaleOrders(odoo, { window: ALL, scope: SECOND, states: ['draft'] }))).toEqual(
      [],
    );
    const fetched = await fetchSaleOrders(odoo, [`sale.order:${ids.so2}`], { ...SECOND, states: ['sale'] });
    expect(fetched[0]?.lines).toHaveLength(2);
  });

  test('invoices: posted customer invoices only, one company at a time', async () => {
    const first = await collect(readInvoices(odoo, { window: ALL, scope: FIRST }));
    const second = await collect(readInvoices(odoo, { window: ALL, scope: SECOND }));
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(first[0]).toMatchObject({ company: 1, amountTotal: 450, invoiceDate: '2026-11-21' });
    expect(second[0]).toMatchObject({ company: 2, customerRef: `res.partner:${ids.eu}` });
    // Vendor bills are not customer invoices.
    expect([...first, ...second].every((i) => i.number.startsWith('INV'))).toBe(true);
    expect((await fetchInvoices(odoo, [second[0]?.ref ?? ''], FIRST)).length).toBe(0);
    expect((await fetchInvoices(odoo, [second[0]?.ref ?? ''], SECOND)).length).toBe(1);
  });
});
