import type { Money, ReconcileSpec, SourceRecord } from '../../sync/types.js';
import type { PairContext } from './context.js';
import type { OrderPayload } from './mappers.js';
import type { OrderData } from './orders.js';

/**
 * What `mlc reconcile` compares for orders: per company, the total the Order should hold (the sum of
 * its items as sent: quantity × unit price) against the Order's TotalAmount, which Salesforce rolls up
 * from its order products. The org is taken as single-currency (no CurrencyIsoCode on Orders): both
 * sides are counted in the Odoo order's currency.
 */
export function orderReconcile(ctx: PairContext): ReconcileSpec<OrderData, OrderPayload> {
  const currencyOf = (r: SourceRecord<OrderData>): string => r.data.currency ?? '?';
  return {
    facts: (record, payload) => ({
      company: payload.companyCode,
      money: { amount: orderTotal(payload), currency: currencyOf(record) },
    }),
    target: async (items) => {
      const { f, sfLookups } = ctx;
      const byRef = new Map(items.map((i) => [i.payload.ref, i.record]));
      const held = new Map<string, { targetId: string; money?: Money }>();
      const rows = await sfLookups.where('Order', [f.externalId, 'TotalAmount'], f.externalId, [
        ...byRef.keys(),
      ]);
      for (const row of rows) {
        const record = byRef.get(String(row[f.externalId]));
        if (!record) continue;
        held.set(record.id, {
          targetId: row.Id,
          money: { amount: Number(row.TotalAmount ?? 0).toFixed(2), currency: currencyOf(record) },
        });
      }
      return held;
    },
  };
}

/** The total an Order holds once its items are in, rounded to the cent as Salesforce rolls it up. */
export function orderTotal(p: OrderPayload): string {
  const sum = p.items.reduce((s, i) => s + i.quantity * i.unitPrice, 0);
  return (Math.round(sum * 100) / 100).toFixed(2);
}
