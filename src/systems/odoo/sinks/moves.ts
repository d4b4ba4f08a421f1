/**
 * Invoices (account.move) keyed by `ref`: vendor bills (`in_invoice`, linked to their purchase order
 * by `invoice_origin` and per line by `purchase_line_id`) and customer invoices (`out_invoice`),
 * posted with `action_post` or left in draft by option. A draft move's lines are replaced as a
 * whole; a posted move is not changed: a later change in the source fails the record with a hint.
 */
import { RecordError } from '../../../errors.js';
import type { OdooClient } from '../client.js';
import {
  existingByRef,
  fromUpsert,
  method,
  refusedAsRecords,
  replaceLines,
  type SinkResult,
  type SinkScope,
} from './common.js';

/** A posted move holds this item's content already: same partner, same untaxed total of its lines. */
function sameContent(had: Record<string, unknown> & { id: number }, item: MoveItem): boolean {
  const partner = Array.isArray(had.partner_id) ? Number(had.partner_id[0]) : Number(had.partner_id);
  if (item.vals.partner_id !== undefined && Number(item.vals.partner_id) !== partner) return false;
  const cents = (n: number): number => Math.round(n * 100);
  const incoming = item.lines.reduce(
    (sum, l) => sum + cents(Number(l.quantity ?? 1) * Number(l.price_unit ?? 0)),
    0,
  );
  return incoming === cents(Number(had.amount_untaxed ?? NaN));
}

export interface MoveItem {
  ref: string;
  /** Header values (partner_id, invoice_date, invoice_origin, payment_reference, …). */
  vals: Record<string, unknown>;
  lines: Record<string, unknown>[];
}

function moveSink(
  odoo: OdooClient,
  moveType: 'in_invoice' | 'out_invoice',
  scope: SinkScope & { post: boolean },
) {
  return {
    model: 'account.move',
    refField: 'ref',
    async write(items: MoveItem[]): Promise<SinkResult[]> {
      return refusedAsRecords(items.length, `invoices (account.move ${moveType})`, async () => {
        const existing = await existingByRef(
          odoo,
          'account.move',
          'ref',
          items.map((i) => i.ref),
          scope,
          ['state', 'move_type', 'amount_untaxed', 'partner_id'],
        );
        const out: Array<SinkResult | undefined> = items.map((i) => {
          const had = existing.get(i.ref);
          if (!had || had.state === 'draft') return undefined;
          // The same invoice sent again (a retry, a replay, a pass re-run after a crash) is already
          // there as it is: nothing to change.
          if (sameContent(had, i)) return { ok: true, id: had.id, created: false };
          return {
            ok: false,
            error: new RecordError(`${i.ref} is ${String(had.state)} in Odoo and cannot take the change`, {
              code: 'odoo.move_not_draft',
              hint: 'reset the entry to draft in Odoo, then replay the record',
              data: { id: had.id },
            }),
          };
        });
        const todo = items.filter((_, n) => out[n] === undefined);
        const written = (
          await odoo.upsertByRef(
            'account.move',
            'ref',
            todo.map((i) => ({
              ref: i.ref,
              vals: {
                ...i.vals,
                move_type: moveType,
                company_id: scope.company,
                invoice_line_ids: replaceLines(i.lines, existing.has(i.ref)),
              },
            })),
          )
        ).map(fromUpsert);
        let k = 0;
        for (let n = 0; n < out.length; n += 1) {
          if (out[n] !== undefined) continue;
          let result = written[k++] as SinkResult;
          if (result.ok && scope.post) {
            const error = await method(odoo, 'account.move', 'action_post', result.id, scope);
            if (error) result = { ok: false, error };
          }
          out[n] = result;
        }
        return out as SinkResult[];
      });
    },
  };
}

export function vendorBillSink(odoo: OdooClient, scope: SinkScope & { post: boolean }) {
  return moveSink(odoo, 'in_invoice', scope);
}

export function customerInvoiceSink(odoo: OdooClient, scope: SinkScope & { post: boolean }) {
  return moveSink(odoo, 'out_invoice', scope);
}
