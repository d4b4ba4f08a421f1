/**
 * The "Register Payment" wizard of the simulated Odoo (`account.payment.register`, transient), for
 * one customer invoice or vendor bill, as Odoo's `account/wizard/account_payment_register.py` and
 * its UI behave
 * (https://www.odoo.com/documentation/19.0/applications/finance/accounting/payments.html):
 *
 * - `create(vals)` with context `{active_model: 'account.move', active_ids: [move]}` reads the move:
 *   it must be posted and have something left to pay; partner, company and currency come from it,
 *   the journal defaults to the company's first bank journal, the payment method to that journal's
 *   first inbound (outbound for a bill) method, the amount to what is due, the date to today and the
 *   memo (`communication`) to the invoice's payment reference or number;
 * - `action_create_payments()` creates the account.payment (memo = communication), confirms it
 *   (`in_process` from 18, `posted` on 17), reconciles it with the move (`reconciled_invoice_ids`)
 *   and lowers the move's amount due, and answers the window action opening the payment.
 */
import { OdooException } from './exceptions.js';
import { microsToNaive } from './domain.js';
import { isEmpty, round2, type Env, type Rec } from './store-base.js';

/** The store's public surface the wizard uses. */
interface WizardStore {
  readonly version: number;
  readonly scope: { allowed: number[]; current: number } | undefined;
  get(model: string, id: number): Rec | undefined;
  all(model: string): Rec[];
  journalOf(type: string, company: unknown): Rec | undefined;
  create(model: string, valsList: unknown[], env: Env): Rec[];
}

const today = (env: Env): string => microsToNaive(env.now).slice(0, 10);

/** The move the wizard is opened on, from the call's context. */
function activeMove(store: WizardStore, env: Env): Rec {
  const ctx = env.context;
  const ids = Array.isArray(ctx.active_ids) ? ctx.active_ids : [];
  if (ctx.active_model !== 'account.move' || ids.length === 0)
    throw new OdooException(
      'user_error',
      'The register payment wizard should only be called on account.move or account.move.line records.',
    );
  if (ids.length > 1)
    throw new OdooException('user_error', 'The simulator registers the payment of one entry at a time.');
  const move = typeof ids[0] === 'number' ? store.get('account.move', ids[0]) : undefined;
  if (!move)
    throw new OdooException(
      'missing',
      `Record does not exist or has been deleted.\n(Record: account.move(${String(ids[0])},), User: ${env.uid})`,
    );
  return payable(store, move, env);
}

/** The move, if the user may use its company and it has something left to pay. */
function payable(store: WizardStore, move: Rec, env: Env): Rec {
  const company = move.v.company_id;
  if (store.scope && typeof company === 'number' && !store.scope.allowed.includes(company)) {
    const user = store.get('res.users', env.uid);
    throw new OdooException(
      'access_error',
      `Uh-oh! Looks like you have stumbled upon some top-secret records.\n\nSorry, ${String(user?.v.name ?? '')} (id=${env.uid}) doesn't have 'read' access to:\n- Journal Entry, '${String(move.v.name ?? '')}' (account.move: ${move.id}, company=${String(store.get('res.company', company)?.v.name ?? company)})\n\nIf you really, really need access, perhaps you can win over your friendly administrator with a batch of freshly baked cookies.`,
    );
  }
  if (move.v.state !== 'posted')
    throw new OdooException('user_error', 'You can only register payment for posted journal entries.');
  if (Number(move.v.amount_residual ?? 0) <= 0 || move.v.payment_state === 'paid')
    throw new OdooException(
      'user_error',
      "You can't register a payment because there is nothing left to pay on the selected journal items.",
    );
  return move;
}

/** Fills the wizard's values at create (the defaults and computes of the real wizard). */
export function registerDefaults(store: WizardStore, v: Record<string, unknown>, env: Env): void {
  const move = activeMove(store, env);
  const incoming = String(move.v.move_type ?? '').startsWith('in_');
  v.payment_type = incoming ? 'outbound' : 'inbound';
  v.partner_type = incoming ? 'supplier' : 'customer';
  v.partner_id = move.v.partner_id ?? false;
  v.company_id = move.v.company_id ?? false;
  // The wizard pays the move's receivable (payable) line, as Odoo's `line_ids`.
  const lines = store.all('account.move.line').filter((l) => l.v.move_id === move.id);
  const term = lines.filter((l) => l.v.display_type === 'payment_term');
  v.line_ids = (term.length > 0 ? term : lines).map((l) => l.id);
  if (isEmpty(v.currency_id)) v.currency_id = move.v.currency_id ?? false;
  if (isEmpty(v.payment_date)) v.payment_date = today(env);
  if (isEmpty(v.communication))
    v.communication = isEmpty(move.v.payment_reference) ? (move.v.name ?? false) : move.v.payment_reference;
  if (v.amount === undefined) v.amount = move.v.amount_residual;
  if (isEmpty(v.journal_id)) {
    const journal = store.journalOf('bank', move.v.company_id) ?? store.journalOf('cash', move.v.company_id);
    if (!journal)
      throw new OdooException(
        'user_error',
        'No journal could be found in company for any of those types: bank, cash, credit',
      );
    v.journal_id = journal.id;
  }
  const journal = store.get('account.journal', v.journal_id as number);
  if (!journal || !['bank', 'cash'].includes(String(journal.v.type)))
    throw new OdooException('validation', 'The journal of a payment must be a bank or cash journal.');
  if (typeof journal.v.company_id === 'number' && journal.v.company_id !== move.v.company_id)
    throw new OdooException(
      'user_error',
      `Incompatible companies on records:\n- 'Pay' belongs to company '${String(store.get('res.company', move.v.company_id as number)?.v.name ?? '')}' and 'Journal' (journal_id: '${String(journal.v.name ?? '')}') belongs to another company.`,
    );
  const methods = store
    .all('account.payment.method.line')
    .filter((m) => m.v.journal_id === journal.id && m.v.payment_type === v.payment_type)
    .sort((a, b) => Number(a.v.sequence ?? 0) - Number(b.v.sequence ?? 0) || a.id - b.id);
  if (isEmpty(v.payment_method_line_id)) v.payment_method_line_id = methods[0]?.id ?? false;
  else if (!methods.some((m) => m.id === v.payment_method_line_id))
    throw new OdooException(
      'user_error',
      `The payment method is not available on the journal ${String(journal.v.name ?? '')}.`,
    );
  if (isEmpty(v.payment_method_line_id))
    throw new OdooException(
      'user_error',
      `Please define a payment method line on your payment (journal ${String(journal.v.name ?? '')}).`,
    );
}

/** `action_create_payments` of one wizard: the payment, confirmed and reconciled; the window action. */
export function createPayments(
  store: WizardStore & { action(model: string, method: string, recs: Rec[], env: Env): unknown },
  wizard: Rec,
  env: Env,
): unknown {
  const w = wizard.v;
  const lineId = Array.isArray(w.line_ids) ? (w.line_ids[0] as number | undefined) : undefined;
  const line = lineId === undefined ? undefined : store.get('account.move.line', lineId);
  const found = typeof line?.v.move_id === 'number' ? store.get('account.move', line.v.move_id) : undefined;
  if (!found) throw new OdooException('user_error', 'The entry to pay is no longer there.');
  // Checked again: the entry may have been paid since the wizard was opened.
  const move = payable(store, found, env);
  const amount = round2(Number(w.amount ?? 0));
  if (amount < 0) throw new OdooException('validation', 'The payment amount cannot be negative.');
  if (amount === 0)
    throw new OdooException('user_error', "You can't register a payment with an amount of zero.");
  const memo = store.version >= 18 ? 'memo' : 'ref';
  const incoming = w.payment_type === 'outbound';
  const [payment] = store.create(
    'account.payment',
    [
      {
        payment_type: w.payment_type,
        partner_type: w.partner_type,
        partner_id: w.partner_id,
        amount,
        date: w.payment_date,
        journal_id: w.journal_id,
        payment_method_line_id: w.payment_method_line_id,
        company_id: w.company_id,
        currency_id: w.currency_id,
        [memo]: w.communication ?? false,
        [incoming ? 'reconciled_bill_ids' : 'reconciled_invoice_ids']: [[6, 0, [move.id]]],
      },
    ],
    env,
  );
  if (!payment) throw new OdooException('validation', 'The payment could not be created.');
  // Confirming the payment reconciles it: the move's amount due and status follow (actions.ts).
  store.action('account.payment', 'action_post', [payment], env);
  if (env.context.dont_redirect_to_payments) return true;
  return {
    name: 'Payments',
    type: 'ir.actions.act_window',
    res_model: 'account.payment',
    context: { create: false },
    view_mode: 'form',
    res_id: payment.id,
  };
}
