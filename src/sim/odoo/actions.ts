/**
 * Business actions of the simulated Odoo (`button_confirm`, `button_cancel`, `action_post`…) and the
 * stored computes of documents (purchase order, sale order and bill amounts).
 */
import { microsToNaive } from './domain.js';
import { OdooException } from './exceptions.js';
import { isEmpty, round2, type Env, type Rec } from './store-base.js';
import { createPayments } from './payment-register.js';
import { StoreWrites } from './writes.js';

/** States of a confirmed payment (18+: in_process/paid; 17: posted). */
const DONE = ['in_process', 'paid', 'posted'];

export abstract class StoreActions extends StoreWrites {
  recomputePurchase(po: Rec, stamp: number, uid: number): void {
    const lineModel = this.model('purchase.order.line');
    let untaxed = 0;
    let tax = 0;
    let planned: string | undefined;
    for (const id of this.children('purchase.order.line', 'order_id', po.id)) {
      const line = this.get('purchase.order.line', id);
      if (!line || !isEmpty(line.v.display_type)) continue;
      untaxed += this.raw(lineModel, line, 'price_subtotal') as number;
      tax += this.raw(lineModel, line, 'price_tax') as number;
      const d = line.v.date_planned;
      if (typeof d === 'string' && (planned === undefined || d < planned)) planned = d;
    }
    this.touch(po);
    po.v.amount_untaxed = round2(untaxed);
    po.v.amount_tax = round2(tax);
    po.v.amount_total = round2(untaxed + tax);
    po.v.date_planned = planned ?? false;
    po.writeUs = stamp;
    po.writeUid = uid;
    this.mutation += 1;
  }

  recomputeSale(so: Rec, stamp: number, uid: number): void {
    const lineModel = this.model('sale.order.line');
    let untaxed = 0;
    for (const id of this.children('sale.order.line', 'order_id', so.id)) {
      const line = this.get('sale.order.line', id);
      if (line) untaxed += this.raw(lineModel, line, 'price_subtotal') as number;
    }
    this.touch(so);
    so.v.amount_untaxed = round2(untaxed);
    so.v.amount_total = round2(untaxed);
    so.writeUs = stamp;
    so.writeUid = uid;
    this.mutation += 1;
  }

  /** Amounts of a bill and its payment-term line on the payable account (211000). */
  recomputeMove(move: Rec, stamp: number, uid: number, amounts = true): void {
    this.touch(move);
    move.writeUs = stamp;
    move.writeUid = uid;
    this.mutation += 1;
    if (!amounts) return;
    const lineModel = this.model('account.move.line');
    let untaxed = 0;
    let tax = 0;
    let termLine: Rec | undefined;
    const incoming = String(move.v.move_type ?? '').startsWith('in_');
    for (const id of this.children('account.move.line', 'move_id', move.id)) {
      const line = this.get('account.move.line', id);
      if (!line) continue;
      if (line.v.display_type === 'payment_term') {
        termLine = line;
        continue;
      }
      if (line.v.display_type !== 'product') continue;
      const sub = this.raw(lineModel, line, 'price_subtotal') as number;
      untaxed += sub;
      tax += this.raw(lineModel, line, 'price_tax') as number;
      const debit = incoming ? sub : 0;
      const credit = incoming ? 0 : sub;
      if (line.v.debit !== debit || line.v.credit !== credit) {
        this.touch(line);
        line.v.debit = debit;
        line.v.credit = credit;
      }
    }
    const total = round2(untaxed + tax);
    move.v.amount_untaxed = round2(untaxed);
    move.v.amount_tax = round2(tax);
    move.v.amount_total = total;
    move.v.amount_residual =
      move.v.payment_state === 'paid' ? 0 : round2(Math.max(0, total - this.paidOn(move)));
    if (!String(move.v.move_type ?? '').includes('invoice')) return;
    const payable = this.all('account.account').find((a) => a.v.code === (incoming ? '211000' : '121000'));
    if (!payable) return;
    const vals = { debit: incoming ? 0 : total, credit: incoming ? total : 0 };
    if (termLine) {
      if (termLine.v.debit !== vals.debit || termLine.v.credit !== vals.credit) {
        this.touch(termLine);
        Object.assign(termLine.v, vals);
        termLine.writeUs = stamp;
      }
    } else if (total !== 0) {
      this.insertRaw(
        'account.move.line',
        {
          move_id: move.id,
          display_type: 'payment_term',
          account_id: payable.id,
          name: false,
          partner_id: move.v.partner_id ?? false,
          quantity: 1,
          price_unit: 0,
          ...vals,
        },
        stamp,
        uid,
        move.txn,
      );
    }
  }

  /** What the confirmed payments reconciled with an invoice or bill have paid of it. */
  paidOn(move: Rec): number {
    const field = String(move.v.move_type ?? '').startsWith('in_')
      ? 'reconciled_bill_ids'
      : 'reconciled_invoice_ids';
    let paid = 0;
    for (const p of this.all('account.payment')) {
      const ids = p.v[field];
      if (Array.isArray(ids) && ids.includes(move.id) && DONE.includes(String(p.v.state)))
        paid += Number(p.v.amount ?? 0);
    }
    return round2(paid);
  }

  /**
   * An invoice's amount due and payment status after a payment is reconciled with it: `partial`
   * while something is due; else `in_payment` from 18 (the payment waits for its bank statement
   * line; `paid` comes with bank reconciliation), `paid` on 17.
   */
  settleInvoice(move: Rec, stamp: number, uid: number): void {
    const paid = this.paidOn(move);
    const residual = round2(Math.max(0, Number(move.v.amount_total ?? 0) - paid));
    this.touch(move);
    move.v.amount_residual = residual;
    move.v.payment_state =
      residual > 0 ? (paid > 0 ? 'partial' : 'not_paid') : this.version >= 18 ? 'in_payment' : 'paid';
    move.writeUs = stamp;
    move.writeUid = uid;
    this.mutation += 1;
  }

  // ---------------------------------------------------------------- business actions

  action(modelName: string, method: string, recs: Rec[], env: Env): unknown {
    const model = this.model(modelName);
    // §9: some actions return None (XML-RPC cannot marshal it; JSON-2 answers null).
    let none = false;
    for (const rec of recs) {
      const v = rec.v;
      const bump = (vals: Record<string, unknown>): void => this.write(modelName, [rec], vals, env);
      switch (`${modelName}.${method}`) {
        case 'purchase.order.button_confirm':
          if (v.state === 'draft' || v.state === 'sent')
            bump({ state: 'purchase', date_approve: microsToNaive(env.now) });
          break;
        case 'purchase.order.button_cancel':
          bump({ state: 'cancel' });
          none = true;
          break;
        case 'purchase.order.button_draft':
          bump({ state: 'draft' });
          break;
        case 'sale.order.action_confirm':
          bump({ state: 'sale' });
          break;
        case 'sale.order.action_cancel':
          bump({ state: 'cancel' });
          break;
        case 'account.move.action_post': {
          if (v.state === 'posted')
            throw new OdooException(
              'user_error',
              `The entry ${String(v.name)} (id ${rec.id}) is already posted.`,
            );
          const lines = this.children('account.move.line', 'move_id', rec.id);
          if (lines.length === 0)
            throw new OdooException('user_error', 'You need to add a line before posting.');
          if (String(v.move_type).includes('invoice') && isEmpty(v.partner_id)) {
            throw new OdooException(
              'user_error',
              "The field 'Vendor' is required, please complete it to validate the Vendor Bill.",
            );
          }
          const date =
            typeof v.invoice_date === 'string' && v.invoice_date
              ? v.invoice_date
              : microsToNaive(env.now).slice(0, 10);
          const year = date.slice(0, 4);
          const prefix =
            v.move_type === 'in_invoice'
              ? 'BILL'
              : v.move_type === 'out_invoice'
                ? 'INV'
                : v.move_type === 'in_refund'
                  ? 'RBILL'
                  : 'MISC';
          // Bill numbers come from each company's journal sequence (§9: both companies have a BILL/…/0001).
          const name =
            isEmpty(v.name) || v.name === '/'
              ? `${prefix}/${year}/${String(this.nextSequence(this.companyKey(`${prefix}/${year}`, v.company_id))).padStart(4, '0')}`
              : v.name;
          // §9: posting a vendor bill raises the vendor's supplier_rank (confirming a PO does not).
          if (v.move_type === 'in_invoice' && typeof v.partner_id === 'number') {
            const partner = this.get('res.partner', v.partner_id);
            // Odoo raises it with plain SQL: the partner's write_date does not move.
            if (partner) {
              this.touch(partner);
              partner.v.supplier_rank = Number(partner.v.supplier_rank ?? 0) + 1;
            }
          }
          bump({
            state: 'posted',
            name,
            ...(isEmpty(v.invoice_date) && String(v.move_type).includes('invoice')
              ? { invoice_date: date }
              : {}),
          });
          break;
        }
        case 'account.move.button_draft':
          bump({ state: 'draft' });
          break;
        case 'account.move.button_cancel':
          bump({ state: 'cancel' });
          break;
        case 'account.payment.action_post': {
          const year = String(v.date ?? microsToNaive(env.now)).slice(0, 4);
          const name = isEmpty(v.name)
            ? `PBNK1/${year}/${String(this.nextSequence(this.companyKey(`PBNK1/${year}`, v.company_id))).padStart(5, '0')}`
            : v.name;
          bump({ state: this.version >= 18 ? 'in_process' : 'posted', name });
          for (const id of [
            ...((v.reconciled_invoice_ids as number[] | undefined) ?? []),
            ...((v.reconciled_bill_ids as number[] | undefined) ?? []),
          ]) {
            const move = this.get('account.move', id);
            if (move) this.settleInvoice(move, env.now, env.uid);
          }
          break;
        }
        case 'account.payment.register.action_create_payments':
          return createPayments(this, rec, env);
        case 'account.payment.action_draft':
          bump({ state: 'draft' });
          break;
        case 'account.payment.action_cancel':
          bump({ state: this.version >= 18 ? 'canceled' : 'cancel' });
          break;
        default:
          throw new OdooException('unknown_method', `The method '${model.name}.${method}' does not exist`);
      }
    }
    return none ? null : true;
  }
}
