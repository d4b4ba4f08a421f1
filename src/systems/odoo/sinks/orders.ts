/**
 * Orders with lines: purchase orders (purchase.order keyed by `origin`, confirmed with
 * `button_confirm`) and sale orders (sale.order keyed by `client_order_ref`, confirmed with
 * `action_confirm` when asked). Lines of an order still in draft are replaced as a whole; a
 * confirmed order keeps its lines (Odoo ties them to receipts and bills) and only its header is
 * written: a later change of lines in the source fails the record with a hint instead.
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

export interface OrderItem {
  ref: string;
  /** Header values (partner_id, date_order, …); the reference and company are added. */
  vals: Record<string, unknown>;
  lines: Record<string, unknown>[];
}

interface OrderKind {
  model: 'purchase.order' | 'sale.order';
  refField: string;
  lineModel: string;
  draftStates: string[];
  confirm: string;
}

const KINDS: Record<'purchase' | 'sale', OrderKind> = {
  purchase: {
    model: 'purchase.order',
    refField: 'origin',
    lineModel: 'purchase.order.line',
    draftStates: ['draft', 'sent'],
    confirm: 'button_confirm',
  },
  sale: {
    model: 'sale.order',
    refField: 'client_order_ref',
    lineModel: 'sale.order.line',
    draftStates: ['draft', 'sent'],
    confirm: 'action_confirm',
  },
};

function orderSink(odoo: OdooClient, kind: OrderKind, scope: SinkScope & { confirm: boolean }) {
  return {
    model: kind.model,
    refField: kind.refField,
    async write(items: OrderItem[]): Promise<SinkResult[]> {
      return refusedAsRecords(items.length, `orders (${kind.model})`, async () => {
        const existing = await existingByRef(
          odoo,
          kind.model,
          kind.refField,
          items.map((i) => i.ref),
          scope,
          ['state', 'order_line'],
        );
        const lineCount = new Map<string, number>();
        const rows = items.map((i) => {
          const had = existing.get(i.ref);
          const draft = !had || kind.draftStates.includes(String(had.state));
          if (had) lineCount.set(i.ref, Array.isArray(had.order_line) ? had.order_line.length : 0);
          return {
            ref: i.ref,
            vals: {
              ...i.vals,
              company_id: scope.company,
              ...(draft ? { order_line: replaceLines(i.lines, had !== undefined) } : {}),
            },
          };
        });
        const written = (await odoo.upsertByRef(kind.model, kind.refField, rows)).map(fromUpsert);
        const out: SinkResult[] = [];
        for (const [n, result] of written.entries()) {
          const item = items[n] as OrderItem;
          const had = existing.get(item.ref);
          if (!result.ok) {
            out.push(result);
            continue;
          }
          if (had && !kind.draftStates.includes(String(had.state))) {
            const count = lineCount.get(item.ref) ?? 0;
            out.push(
              count === item.lines.length
                ? result
                : {
                    ok: false,
                    error: new RecordError(
                      `${kind.model} ${item.ref} is confirmed in Odoo with ${count} line(s); the source now has ${item.lines.length}`,
                      {
                        code: 'odoo.order_confirmed',
                        hint: 'change the confirmed order in Odoo by hand, or cancel and reset it to draft and replay',
                      },
                    ),
                  },
            );
            continue;
          }
          if (scope.confirm) {
            const error = await method(odoo, kind.model, kind.confirm, result.id, scope);
            out.push(error ? { ok: false, error } : result);
          } else out.push(result);
        }
        return out;
      });
    },
  };
}

export function purchaseOrderSink(odoo: OdooClient, scope: SinkScope & { confirm?: boolean }) {
  return orderSink(odoo, KINDS.purchase, { ...scope, confirm: scope.confirm ?? true });
}

export function saleOrderSink(odoo: OdooClient, scope: SinkScope & { confirm?: boolean }) {
  return orderSink(odoo, KINDS.sale, { ...scope, confirm: scope.confirm ?? false });
}

/** Ids of an order's lines, in order (to link bill lines to the purchase order's lines). */
export async function orderLines(
  odoo: OdooClient,
  model: 'purchase.order.line' | 'sale.order.line',
  orderId: number,
  scope: SinkScope,
): Promise<Array<{ id: number; sequence: number }>> {
  const rows = await odoo.searchRead(model, [['order_id', '=', orderId]], {
    fields: ['id', 'sequence'],
    order: 'sequence asc, id asc',
    context: { allowed_company_ids: [scope.company] },
  });
  return rows.map((r) => ({ id: r.id, sequence: Number(r.sequence ?? 0) }));
}
