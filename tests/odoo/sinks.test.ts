import { RecordError } from '../../src/errors.js';
import type { OdooClient } from '../../src/systems/odoo/client.js';
import {
  analyticAccountSink,
  customerInvoiceSink,
  orderLines,
  partnerSink,
  paymentSink,
  purchaseOrderSink,
  saleOrderSink,
  sourceRef,
  vendorBillSink,
} from '../../src/systems/odoo/sinks/index.js';
import { clientFor, control, exec, startSim, type RunningOdoo } from './helpers.js';

/** The Odoo sinks against the simulator over both transports: once per reference, in the right company. */
const BOT_UID = 3;

describe.each(['json2', 'xmlrpc'] as const)('Odoo sinks over %s', (transport) => {
  let sim: RunningOdoo;
  let odoo: OdooClient;
  beforeEach(async () => {
    sim = await startSim({ version: 19, seed: 'demo' });
    odoo = clientFor(sim, transport);
  });
  afterEach(async () => {
    await odoo.close();
    await sim.close();
  });

  const rows = (model: string, domain: unknown[], fields: string[]): Promise<any[]> =>
    exec(sim, model, 'search_read', [domain], { fields, order: 'id asc' }) as Promise<any[]>;

  test('a customer with its contacts is one partner with child partners, written once', async () => {
    const sink = partnerSink(odoo, { company: 1 });
    const ref = sourceRef('ST', '1000001', 1, 'CUST', 7);
    const item = {
      ref,
      role: 'customer' as const,
      vals: { name: 'Jane Doe', is_company: true, city: 'Austin' },
      children: [{ ref: `${ref}.E1`, vals: { name: 'Jane Doe', email: 'jane@example.com' } }],
    };
    const [first] = await sink.write([item]);
    expect(first).toMatchObject({ ok: true, created: true });
    const [again] = await sink.write([{ ...item, vals: { ...item.vals, city: 'Dallas' } }]);
    expect(again).toMatchObject({ ok: true, created: false });
    const parents = await rows('res.partner', [['ref', '=', ref]], ['city', 'customer_rank', 'company_id']);
    expect(parents).toHaveLength(1);
    expect(parents[0]).toMatchObject({
      city: 'Dallas',
      customer_rank: 1,
      company_id: [1, expect.any(String)],
    });
    const kids = await rows('res.partner', [['parent_id', '=', parents[0].id]], ['email', 'ref']);
    expect(kids).toEqual([expect.objectContaining({ email: 'jane@example.com', ref: `${ref}.E1` })]);
  });

  test('analytic accounts land in the configured plan; a missing plan is a configuration error', async () => {
    const sink = analyticAccountSink(odoo, { company: 1, plan: 'Cost Centers' });
    const [r] = await sink.write([{ ref: 'ST1000001.C1.BU.1', name: 'HVAC Residential', active: true }]);
    expect(r).toMatchObject({ ok: true, created: true });
    const [acc] = await rows('account.analytic.account', [['code', '=', 'ST1000001.C1.BU.1']], ['plan_id']);
    expect(acc.plan_id[1]).toBe('Cost Centers');
    const bad = analyticAccountSink(odoo, { company: 1, plan: 'No Such Plan' });
    await expect(bad.write([{ ref: 'X', name: 'x', active: true }])).rejects.toThrow(
      /no analytic plan named/,
    );
  });

  test('a purchase order is created with its lines, confirmed, and not created twice; its bill links to it and posts', async () => {
    const [vendor] = await partnerSink(odoo, { company: 1 }).write([
      { ref: 'ST1000001.C1.VEND.1', role: 'supplier', vals: { name: 'Ferguson', is_company: true } },
    ]);
    if (!vendor?.ok) throw new Error('vendor not written');
    const po = purchaseOrderSink(odoo, { company: 1 });
    const item = {
      ref: 'ST1000001.C1.PO.9',
      vals: { partner_id: vendor.id, partner_ref: 'PO-100' },
      lines: [
        { name: 'CAP-45', product_qty: 3, price_unit: 19.99 },
        { name: 'COIL-2T', product_qty: 1, price_unit: 1234.56 },
      ],
    };
    const [first] = await po.write([item]);
    const [second] = await po.write([item]);
    expect(first).toMatchObject({ ok: true, created: true });
    expect(second).toMatchObject({ ok: true, created: false });
    const orders = await rows(
      'purchase.order',
      [['origin', '=', item.ref]],
      ['state', 'amount_total', 'company_id'],
    );
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ state: 'purchase', amount_total: 1294.53 });
    // A confirmed order whose source lines changed fails with a hint instead of being rewritten.
    const [changed] = await po.write([{ ...item, lines: item.lines.slice(0, 1) }]);
    expect(changed).toMatchObject({
      ok: false,
      error: expect.objectContaining({ code: 'odoo.order_confirmed' }),
    });

    const lines = await orderLines(odoo, 'purchase.order.line', orders[0].id, { company: 1 });
    const bills = vendorBillSink(odoo, { company: 1, post: true });
    const bill = {
      ref: 'ST1000001.C1.BILL.4',
      vals: {
        partner_id: vendor.id,
        invoice_origin: 'P00001',
        payment_reference: 'INV-4',
        invoice_date: '2026-11-05',
      },
      lines: item.lines.map((l, i) => ({
        name: l.name,
        quantity: l.product_qty,
        price_unit: l.price_unit,
        purchase_line_id: lines[i]?.id,
      })),
    };
    expect((await bills.write([bill]))[0]).toMatchObject({ ok: true, created: true });
    const [move] = await rows(
      'account.move',
      [['ref', '=', bill.ref]],
      ['state', 'move_type', 'amount_total', 'invoice_line_ids'],
    );
    expect(move).toMatchObject({ state: 'posted', move_type: 'in_invoice', amount_total: 1294.53 });
    const linked = await rows(
      'account.move.line',
      [
        ['move_id', '=', move.id],
        ['purchase_line_id', '!=', false],
      ],
      ['id'],
    );
    expect(linked).toHaveLength(2);
    // The same bill sent again (a retry, a replay after a crash) is already there: nothing to do.
    expect((await bills.write([bill]))[0]).toMatchObject({ ok: true, id: move.id, created: false });
    // A posted bill is not rewritten with other content.
    const otherBill = { ...bill, lines: bill.lines.map((l, i) => (i === 0 ? { ...l, price_unit: 1 } : l)) };
    expect((await bills.write([otherBill]))[0]).toMatchObject({
      ok: false,
      error: expect.objectContaining({ code: 'odoo.move_not_draft' }),
    });
  });

  test('sale orders, customer invoices and payments: one per reference', async () => {
    const [cust] = await partnerSink(odoo, { company: 1 }).write([
      { ref: 'ST1000001.C1.CUST.1', role: 'customer', vals: { name: 'Jane' } },
    ]);
    if (!cust?.ok) throw new Error('customer not written');
    const so = saleOrderSink(odoo, { company: 1, confirm: true });
    const order = {
      ref: 'ST1000001.C1.JOB.5',
      vals: { partner_id: cust.id },
      lines: [{ name: 'Repair', product_uom_qty: 1, price_unit: 125.5 }],
    };
    expect((await so.write([order]))[0]).toMatchObject({ ok: true, created: true });
    expect((await so.write([order]))[0]).toMatchObject({ ok: true, created: false });
    expect(await rows('sale.order', [['client_order_ref', '=', order.ref]], ['state'])).toEqual([
      expect.objectContaining({ state: 'sale' }),
    ]);
    const inv = customerInvoiceSink(odoo, { company: 1, post: false });
    const invoice = {
      ref: 'ST1000001.C1.INV.7',
      vals: { partner_id: cust.id },
      lines: [{ name: 'Service', quantity: 1, price_unit: 125.5 }],
    };
    await inv.write([invoice]);
    await inv.write([invoice]);
    const moves = await rows(
      'account.move',
      [['ref', '=', invoice.ref]],
      ['state', 'move_type', 'invoice_line_ids'],
    );
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ state: 'draft', move_type: 'out_invoice' });
    expect(moves[0].invoice_line_ids).toHaveLength(1);
    const pay = paymentSink(odoo, { company: 1, post: true });
    const p = {
      ref: 'ST1000001.C1.PAY.3',
      vals: {
        payment_type: 'inbound',
        partner_type: 'customer',
        partner_id: cust.id,
        amount: 62.75,
        date: '2026-11-12',
      },
    };
    expect((await pay.write([p]))[0]).toMatchObject({ ok: true, created: true });
    expect(await rows('account.payment', [['memo', '=', p.ref]], ['state'])).toEqual([
      expect.objectContaining({ state: 'in_process' }),
    ]);
  });

  test('a model the bot user may not create is one audited failure per record, not a crash', async () => {
    await control(sim, 'access', { model: 'res.partner', deny: ['create'] });
    const results = await partnerSink(odoo, { company: 1 }).write([
      { ref: 'A', role: 'supplier', vals: { name: 'A' } },
      { ref: 'B', role: 'supplier', vals: { name: 'B' } },
    ]);
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toBeInstanceOf(RecordError);
        expect(r.error.code).toBe('odoo.access_denied');
        expect(r.error.message).toMatch(/res\.partner/);
      }
    }
  });

  test('the second company: records carry it, its own PO numbering; refused until the bot user is let in', async () => {
    const vendorIn = (company: number) =>
      partnerSink(odoo, { company }).write([
        { ref: `ST1000002.C${company}.VEND.1`, role: 'supplier', vals: { name: 'Hughes' } },
      ]);
    const [refused] = await vendorIn(2);
    expect(refused).toMatchObject({
      ok: false,
      error: expect.objectContaining({ code: 'odoo.access_denied' }),
    });
    await exec(sim, 'res.users', 'write', [[BOT_UID], { company_ids: [[6, 0, [1, 2]]] }]);
    const [vendor] = await vendorIn(2);
    if (!vendor?.ok) throw new Error('vendor not written');
    await purchaseOrderSink(odoo, { company: 2 }).write([
      {
        ref: 'ST1000002.C2.PO.1',
        vals: { partner_id: vendor.id },
        lines: [{ name: 'PIPE', product_qty: 2, price_unit: 7.33 }],
      },
    ]);
    const [po] = await rows(
      'purchase.order',
      [['origin', '=', 'ST1000002.C2.PO.1']],
      ['company_id', 'name', 'state'],
    );
    expect(po.company_id[0]).toBe(2);
    expect(po.state).toBe('purchase');
  });
});
