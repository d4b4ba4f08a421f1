import type { OdooClient } from '../../src/systems/odoo/client.js';
import { customerInvoiceSink } from '../../src/systems/odoo/sinks/index.js';
import { clientFor, control, exec, expectRejects, startSim, type RunningOdoo } from './helpers.js';

/**
 * The simulated "Register Payment" wizard (account.payment.register) over both transports: the
 * payment it makes, the invoice's amount due and payment status after it, and its refusals in
 * Odoo's words.
 */
const BOT_UID = 3;

async function postedInvoice(
  sim: RunningOdoo,
  odoo: OdooClient,
  company: number,
  ref: string,
  price = 100,
): Promise<number> {
  // A partner shared by both companies, made by the admin.
  const [partner] = (await exec(sim, 'res.partner', 'create', [
    [{ name: `Customer ${ref}`, company_id: false }],
  ])) as number[];
  const [r] = await customerInvoiceSink(odoo, { company, post: true }).write([
    {
      ref,
      vals: { partner_id: partner, invoice_date: '2026-11-10' },
      lines: [{ name: 'Service', quantity: 1, price_unit: price }],
    },
  ]);
  if (!r?.ok) throw new Error(`invoice not written: ${JSON.stringify(r)}`);
  return r.id;
}

const rows = (sim: RunningOdoo, model: string, domain: unknown[], fields: string[]): Promise<any[]> =>
  exec(sim, model, 'search_read', [domain], { fields, order: 'id asc' }) as Promise<any[]>;

describe.each(['json2', 'xmlrpc'] as const)('account.payment.register over %s', (transport) => {
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

  const register = async (invoice: number, vals: Record<string, unknown>, company = 1) => {
    const context = { allowed_company_ids: [company], active_model: 'account.move', active_ids: [invoice] };
    const [wizard] = await odoo.create('account.payment.register', [vals], { context });
    return odoo.callMethod('account.payment.register', 'action_create_payments', [wizard as number], {
      context,
    });
  };

  test('a payment of part of an invoice, then of the rest: partial, then in_payment, memo = communication', async () => {
    const invoice = await postedInvoice(sim, odoo, 1, 'INV-A', 100);
    const action = (await register(invoice, {
      payment_date: '2026-11-12',
      amount: 40,
      communication: 'ST1000001.C1.PAY.1-2',
    })) as { res_model: string; res_id: number };
    expect(action).toMatchObject({ type: 'ir.actions.act_window', res_model: 'account.payment' });
    const [payment] = await rows(
      sim,
      'account.payment',
      [['id', '=', action.res_id]],
      [
        'memo',
        'amount',
        'date',
        'state',
        'payment_type',
        'partner_type',
        'partner_id',
        'journal_id',
        'payment_method_line_id',
        'company_id',
        'reconciled_invoice_ids',
      ],
    );
    expect(payment).toMatchObject({
      memo: 'ST1000001.C1.PAY.1-2',
      amount: 40,
      date: '2026-11-12',
      state: 'in_process',
      payment_type: 'inbound',
      partner_type: 'customer',
      journal_id: [expect.any(Number), 'Bank'],
      payment_method_line_id: [expect.any(Number), 'Manual Payment'],
      company_id: [1, 'Acme Distribution'],
      reconciled_invoice_ids: [invoice],
    });
    const [half] = await odoo.read('account.move', [invoice], ['amount_residual', 'payment_state']);
    expect(half).toMatchObject({ amount_residual: 60, payment_state: 'partial' });
    await register(invoice, { payment_date: '2026-11-13', amount: 60, communication: 'rest' });
    const [paid] = await odoo.read('account.move', [invoice], ['amount_residual', 'payment_state']);
    expect(paid).toMatchObject({ amount_residual: 0, payment_state: 'in_payment' });
    // Nothing left to pay.
    const err = await expectRejects(register(invoice, { payment_date: '2026-11-14', amount: 1 }));
    expect(err.message).toContain(
      "You can't register a payment because there is nothing left to pay on the selected journal items.",
    );
  });

  test('the wizard defaults to the amount due, today and the invoice number; pays into the company of the invoice', async () => {
    await exec(sim, 'res.users', 'write', [[BOT_UID], { company_ids: [[6, 0, [1, 2]]] }]);
    const invoice = await postedInvoice(sim, odoo, 2, 'INV-B', 80);
    await register(invoice, {}, 2);
    const [payment] = await rows(
      sim,
      'account.payment',
      [['reconciled_invoice_ids', 'in', [invoice]]],
      ['amount', 'memo', 'company_id', 'journal_id'],
    );
    const [move] = await odoo.read('account.move', [invoice], ['name', 'payment_state']);
    expect(payment).toMatchObject({ amount: 80, memo: move?.name, company_id: [2, 'Acme Services'] });
    const [journal] = await rows(
      sim,
      'account.journal',
      [['id', '=', payment.journal_id[0]]],
      ['company_id'],
    );
    expect(journal.company_id[0]).toBe(2);
    expect(move?.payment_state).toBe('in_payment');
  });

  test('refusals: a draft entry, a negative amount, a company the bot may not use', async () => {
    const [draft] = await customerInvoiceSink(odoo, { company: 1, post: false }).write([
      { ref: 'INV-D', vals: { partner_id: 3 }, lines: [{ name: 'x', quantity: 1, price_unit: 5 }] },
    ]);
    const e1 = await expectRejects(register((draft as { id: number }).id, { amount: 5 }));
    expect(e1.message).toContain('You can only register payment for posted journal entries.');
    expect(e1.code).toMatch(/^odoo\./);

    const invoice = await postedInvoice(sim, odoo, 1, 'INV-N', 10);
    const e2 = await expectRejects(register(invoice, { amount: -3 }));
    expect(e2.message).toContain('The payment amount cannot be negative.');
    const [untouched] = await odoo.read('account.move', [invoice], ['amount_residual', 'payment_state']);
    expect(untouched).toMatchObject({ amount_residual: 10, payment_state: 'not_paid' });

    // An invoice of company 2, which the bot user may not enter.
    await control(sim, 'exec', {
      model: 'res.users',
      method: 'write',
      args: [[BOT_UID], { company_ids: [[6, 0, [1, 2]]] }],
    });
    const other = await postedInvoice(sim, odoo, 2, 'INV-O', 10);
    await exec(sim, 'res.users', 'write', [[BOT_UID], { company_ids: [[6, 0, [1]]] }]);
    const e3 = await expectRejects(register(other, { amount: 5 }));
    expect(e3.code).toMatch(/odoo\.(access_error|company_not_allowed)/);
    const e4 = await expectRejects(register(other, { amount: 5 }, 1));
    expect(e4.message).toContain('top-secret records');
  });
});

test('on Odoo 17 the payment is posted and a fully paid invoice is paid (memo field `ref`)', async () => {
  const sim = await startSim({ version: 17, seed: 'demo' });
  const odoo = clientFor(sim, 'xmlrpc');
  try {
    const invoice = await postedInvoice(sim, odoo, 1, 'INV-17', 30);
    const context = { allowed_company_ids: [1], active_model: 'account.move', active_ids: [invoice] };
    const [wizard] = await odoo.create('account.payment.register', [{ amount: 30, communication: 'X' }], {
      context,
    });
    await odoo.callMethod('account.payment.register', 'action_create_payments', [wizard as number], {
      context,
    });
    const [payment] = await rows(sim, 'account.payment', [['ref', '=', 'X']], ['state', 'amount']);
    expect(payment).toMatchObject({ state: 'posted', amount: 30 });
    const [move] = await odoo.read('account.move', [invoice], ['amount_residual', 'payment_state']);
    expect(move).toMatchObject({ amount_residual: 0, payment_state: 'paid' });
  } finally {
    await odoo.close();
    await sim.close();
  }
});
