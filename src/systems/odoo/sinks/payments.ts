/**
 * Payments (account.payment) keyed by their memo (`memo` on 18+, `ref` before: resolved with
 * `fields_get`), posted with `action_post` by option. A payment no longer in draft is not changed.
 */
import { RecordError } from '../../../errors.js';
import type { OdooClient } from '../client.js';
import {
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

export function paymentSink(odoo: OdooClient, scope: SinkScope & { post: boolean }) {
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
  };
}
