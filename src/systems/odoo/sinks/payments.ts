/**
 * Payments (account.payment) keyed by their memo (`memo` on 18+, `ref` before: resolved with
 * `fields_get`). Two ways in:
 *
 * - `write`: plain payments, created (and posted with `action_post` by option) or, while still in
 *   draft, updated; a payment no longer in draft is not changed;
 * - `register`: the payment of one posted invoice, made as Odoo's UI and API make it, through the
 *   "Register Payment" wizard: `account.payment.register.create({payment_date, amount, journal_id,
 *   payment_method_line_id, communication})` with context `{active_model: 'account.move',
 *   active_ids: [invoice]}`, then `action_create_payments`, which creates the payment (memo =
 *   communication), confirms it and reconciles it with the invoice, whose amount due and payment
 *   status follow (https://www.odoo.com/documentation/19.0/applications/finance/accounting/payments.html;
 *   Odoo's `account/wizard/account_payment_register.py`). The payment is looked up by its memo
 *   first: one already there with the same amount is the same payment (a replay, or a pass after a
 *   lost answer); one with another amount is never changed, the record fails asking for a fix in
 *   Odoo.
 */
import { ConfigError, RecordError } from '../../../errors.js';
import type { OdooClient } from '../client.js';
import {
  companyContext,
  existingByRef,
  fromUpsert,
  method,
  refusedAsRecords,
  type SinkResult,
  type SinkScope,
} from './common.js';

export interface PaymentItem {
  ref: string;
  /** payment_type, partner_type, partner_id, amount, date, … */
  vals: Record<string, unknown>;
}

/** The payment of one invoice through the register wizard. */
export interface RegisterItem {
  /** The payment's memo (its reference). */
  ref: string;
  /** The posted account.move to pay. */
  invoice: number;
  amount: number;
  /** YYYY-MM-DD */
  date: string;
}

export interface PaymentSinkScope extends SinkScope {
  post: boolean;
  /** The journal `register` pays into (its name or code, in the company); default the company's first bank journal. */
  journal?: string;
}

const cents = (n: unknown): number => Math.round(Number(n) * 100);

export function paymentSink(odoo: OdooClient, scope: PaymentSinkScope) {
  let journal: Promise<{ journal: number; method: number }> | undefined;
  /** The journal and its first inbound payment method, resolved once. */
  const paymentJournal = (): Promise<{ journal: number; method: number }> => {
    journal ??= resolveJournal(odoo, scope);
    journal.catch(() => (journal = undefined));
    return journal;
  };
  return {
    model: 'account.payment',
    async write(items: PaymentItem[]): Promise<SinkResult[]> {
      return refusedAsRecords(items.length, 'payments (account.payment)', async () => {
        const refField = await odoo.fieldName('account.payment', 'memo');
        const existing = await existingByRef(
          odoo,
          'account.payment',
          refField,
          items.map((i) => i.ref),
          scope,
        );
        const out: Array<SinkResult | undefined> = items.map((i) => {
          const had = existing.get(i.ref);
          if (!had || had.state === 'draft') return undefined;
          return {
            ok: false,
            error: new RecordError(
              `payment ${i.ref} is ${String(had.state)} in Odoo and cannot take the change`,
              {
                code: 'odoo.payment_not_draft',
                hint: 'reset the payment to draft in Odoo, then replay the record',
              },
            ),
          };
        });
        const todo = items.filter((_, n) => out[n] === undefined);
        const written = (
          await odoo.upsertByRef(
            'account.payment',
            refField,
            // The payment's company is its journal's; the call runs in the sink's company.
            todo.map((i) => ({ ref: i.ref, vals: i.vals })),
          )
        ).map(fromUpsert);
        let k = 0;
        for (let n = 0; n < out.length; n += 1) {
          if (out[n] !== undefined) continue;
          let result = written[k++] as SinkResult;
          if (result.ok && result.created && scope.post) {
            const error = await method(odoo, 'account.payment', 'action_post', result.id, scope);
            if (error) result = { ok: false, error };
          }
          out[n] = result;
        }
        return out as SinkResult[];
      });
    },

    async register(items: RegisterItem[]): Promise<SinkResult[]> {
      return refusedAsRecords(items.length, 'invoice payments (account.payment.register)', async () => {
        const refField = await odoo.fieldName('account.payment', 'memo');
        const existing = await existingByRef(
          odoo,
          'account.payment',
          refField,
          items.map((i) => i.ref),
          scope,
          ['state', 'amount', 'date'],
        );
        const out: SinkResult[] = [];
        for (const item of items) {
          const had = existing.get(item.ref);
          if (had) {
            out.push(
              cents(had.amount) === cents(item.amount) && had.date === item.date
                ? { ok: true, id: had.id, created: false }
                : {
                    ok: false,
                    error: new RecordError(
                      `payment ${item.ref} is in Odoo for ${Number(had.amount).toFixed(2)} on ${String(had.date)} (${String(had.state)}), and the source now says ${item.amount.toFixed(2)} on ${item.date}; mlc does not change a payment once registered`,
                      {
                        code: 'odoo.payment_changed',
                        hint: 'fix the payment in Odoo (cancel it, or reset it to draft and correct the amount), then replay the record',
                        data: { id: had.id },
                      },
                    ),
                  },
            );
            continue;
          }
          out.push(await registerOne(odoo, scope, refField, item, await paymentJournal()));
        }
        return out;
      });
    },
  };
}

async function registerOne(
  odoo: OdooClient,
  scope: PaymentSinkScope,
  refField: string,
  item: RegisterItem,
  journal: { journal: number; method: number },
): Promise<SinkResult> {
  const context = { ...companyContext(scope), active_model: 'account.move', active_ids: [item.invoice] };
  try {
    const [wizard] = await odoo.create(
      'account.payment.register',
      [
        {
          payment_date: item.date,
          amount: item.amount,
          journal_id: journal.journal,
          payment_method_line_id: journal.method,
          communication: item.ref,
        },
      ],
      { context },
    );
    await odoo.callMethod('account.payment.register', 'action_create_payments', [wizard as number], {
      context,
    });
  } catch (err) {
    // Anything else stops the batch. A lost answer to action_create_payments may have made the
    // payment: the next try (the next pass, a replay) reads it back by its memo before anything is
    // sent again (the pair lock keeps a second writer away meanwhile).
    if (err instanceof RecordError) return { ok: false, error: err };
    throw err;
  }
  const made = await existingByRef(odoo, 'account.payment', refField, [item.ref], scope, ['state']);
  const found = made.get(item.ref);
  if (!found)
    return {
      ok: false,
      error: new RecordError(`Odoo registered the payment ${item.ref} but it cannot be read back`, {
        code: 'odoo.not_written',
      }),
    };
  return { ok: true, id: found.id, created: true };
}

/** The journal to pay into (by name or code, else the company's first bank journal) and its first inbound method. */
async function resolveJournal(
  odoo: OdooClient,
  scope: PaymentSinkScope,
): Promise<{ journal: number; method: number }> {
  const context = companyContext(scope);
  const base = [
    ['type', 'in', ['bank', 'cash']],
    ['company_id', '=', scope.company],
  ];
  const wanted = scope.journal;
  const domain =
    wanted === undefined
      ? [...base, ['type', '=', 'bank']]
      : [...base, '|', ['name', '=', wanted], ['code', '=', wanted]];
  const [journal] = await odoo.searchRead('account.journal', domain, {
    fields: ['id', 'name'],
    order: 'sequence asc, id asc',
    limit: 1,
    context,
  });
  if (!journal)
    throw new ConfigError(
      wanted === undefined
        ? `Odoo company ${scope.company} has no bank journal to register payments in`
        : `Odoo company ${scope.company} has no bank or cash journal named or coded ${JSON.stringify(wanted)}`,
      {
        code: 'odoo.payment_journal_missing',
        hint: 'name a bank or cash journal of the company (its name or short code) in the option `collections.journal`',
      },
    );
  const [line] = await odoo.searchRead(
    'account.payment.method.line',
    [
      ['journal_id', '=', journal.id],
      ['payment_type', '=', 'inbound'],
    ],
    { fields: ['id', 'name'], order: 'sequence asc, id asc', limit: 1, context },
  );
  if (!line)
    throw new ConfigError(`the Odoo journal ${String(journal.name)} has no incoming payment method`, {
      code: 'odoo.payment_method_missing',
      hint: 'add an incoming payment method (e.g. Manual) to the journal in Accounting > Configuration > Journals',
    });
  return { journal: journal.id, method: line.id };
}
