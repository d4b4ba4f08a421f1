import { ConfigError, RecordError } from '../../src/errors.js';
import type { OdooClient } from '../../src/systems/odoo/client.js';
import { customerInvoiceSink, paymentSink } from '../../src/systems/odoo/sinks/index.js';
import { clientFor, exec, expectRejects, fault, startSim, type RunningOdoo } from './helpers.js';

/**
 * paymentSink.register against the simulator over both transports: an invoice paid through the
 * Register Payment wizard once per memo, read back rather than paid twice, never changed once
 * registered, into the journal asked for.
 */
describe.each(['json2', 'xmlrpc'] as const)('paymentSink.register over %s', (transport) => {
  let sim: RunningOdoo;
  let odoo: OdooClient;
  let invoice: number;
  beforeEach(async () => {
    sim = await startSim({ version: 19, seed: 'demo' });
    odoo = clientFor(sim, transport);
    const [partner] = (await exec(sim, 'res.partner', 'create', [[{ name: 'Jane Doe' }]])) as number[];
    const [r] = await customerInvoiceSink(odoo, { company: 1, post: true }).write([
      {
        ref: 'ST1000001.C1.INV.70',
        vals: { partner_id: partner, invoice_date: '2026-11-10' },
        lines: [{ name: 'Service', quantity: 1, price_unit: 125.78 }],
      },
    ]);
    invoice = (r as { id: number }).id;
  });
  afterEach(async () => {
    await odoo.close();
    await sim.close();
  });

  const item = (ref: string, amount: number, date = '2026-11-12') => ({ ref, invoice, amount, date });
  const paymentsOf = () =>
    exec(sim, 'account.payment', 'search_read', [[['reconciled_invoice_ids', 'in', [invoice]]]], {
      fields: ['memo', 'amount', 'journal_id', 'state'],
      order: 'id asc',
    }) as Promise<any[]>;

  test('pays once per memo; the same payment again is found, not paid twice; the invoice ends in payment', async () => {
    const sink = paymentSink(odoo, { company: 1, post: true });
    const first = await sink.register([
      item('ST1000001.C1.PAY.5-70', 62.75),
      item('ST1000001.C1.PAY.6-70', 63.03),
    ]);
    expect(first).toEqual([
      { ok: true, id: expect.any(Number), created: true },
      { ok: true, id: expect.any(Number), created: true },
    ]);
    const again = await paymentSink(odoo, { company: 1, post: true }).register([
      item('ST1000001.C1.PAY.5-70', 62.75),
    ]);
    expect(again).toEqual([{ ok: true, id: (first[0] as { id: number }).id, created: false }]);
    const payments = await paymentsOf();
    expect(payments.map((p) => [p.memo, p.amount, p.state])).toEqual([
      ['ST1000001.C1.PAY.5-70', 62.75, 'in_process'],
      ['ST1000001.C1.PAY.6-70', 63.03, 'in_process'],
    ]);
    const [move] = await odoo.read('account.move', [invoice], ['amount_residual', 'payment_state']);
    expect(move).toMatchObject({ amount_residual: 0, payment_state: 'in_payment' });
  });

  test('a registered payment whose amount changed at the source is refused, and left as it is', async () => {
    const sink = paymentSink(odoo, { company: 1, post: true });
    await sink.register([item('ST1000001.C1.PAY.5-70', 62.75)]);
    const [changed] = await sink.register([item('ST1000001.C1.PAY.5-70', 60)]);
    expect(changed?.ok).toBe(false);
    const error = (changed as { error: RecordError }).error;
    expect(error).toBeInstanceOf(RecordError);
    expect(error.code).toBe('odoo.payment_changed');
    expect(error.message).toContain('is in Odoo for 62.75 on 2026-11-12');
    expect(error.hint).toMatch(/fix the payment in Odoo/);
    expect((await paymentsOf()).map((p) => p.amount)).toEqual([62.75]);
  });

  test('Odoo refusing the payment fails the record alone, in its words', async () => {
    const sink = paymentSink(odoo, { company: 1, post: true });
    const [draft] = await customerInvoiceSink(odoo, { company: 1, post: false }).write([
      {
        ref: 'ST1000001.C1.INV.71',
        vals: { partner_id: 3 },
        lines: [{ name: 'x', quantity: 1, price_unit: 5 }],
      },
    ]);
    const results = await sink.register([
      { ref: 'ST1000001.C1.PAY.7-71', invoice: (draft as { id: number }).id, amount: 5, date: '2026-11-12' },
      item('ST1000001.C1.PAY.8-70', 10),
    ]);
    expect(results[0]).toMatchObject({ ok: false });
    expect((results[0] as { error: RecordError }).error.message).toContain(
      'You can only register payment for posted journal entries.',
    );
    expect(results[1]).toMatchObject({ ok: true, created: true });
  });

  if (transport === 'json2')
    test('a payment whose answer was lost is read back on the next try, not paid twice', async () => {
      const slow = clientFor(sim, transport, { timeoutMs: 400 });
      fault(sim, {
        kind: 'lost_response',
        delayMs: 1200,
        match: '^POST /json/2/account.payment.register/action_create_payments',
      });
      const lost = await expectRejects(
        paymentSink(slow, { company: 1, post: true }).register([item('ST1000001.C1.PAY.5-70', 62.75)]),
      );
      expect(lost.kind).toBe('transient');
      await slow.close();
      await new Promise((r) => setTimeout(r, 900));
      const [next] = await paymentSink(odoo, { company: 1, post: true }).register([
        item('ST1000001.C1.PAY.5-70', 62.75),
      ]);
      expect(next).toMatchObject({ ok: true, created: false });
      expect(await paymentsOf()).toHaveLength(1);
    });

  test('the journal named by code is used; an unknown journal is a configuration error', async () => {
    await paymentSink(odoo, { company: 1, post: true, journal: 'CSH1' }).register([item('M1', 1)]);
    const [payment] = await paymentsOf();
    expect(payment.journal_id[1]).toBe('Cash');
    const err = await expectRejects(
      paymentSink(odoo, { company: 1, post: true, journal: 'Nope' }).register([item('M2', 1)]),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('no bank or cash journal named or coded "Nope"');
  });
});
