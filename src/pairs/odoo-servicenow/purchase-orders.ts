import type { OdooRow } from '../../systems/odoo/client.js';
import type { ReadWindow } from '../../systems/types.js';
import type { Flow, SourceRecord } from '../../sync/types.js';
import { S2P_ORDER_TARGET, s2pDocumentReconcile, importDocuments, type DocumentPayload } from '../s2p.js';
import { isoUtc, m2o, maxIso, naive, num, text } from '../values.js';
import { mapPurchaseOrder, type PoData } from './mappers.js';
import { type CompanyScope } from './companies.js';
import type { FlowContext } from './context.js';
import { f } from './fields.js';
import { pushTo } from './lookups.js';

/** Confirmed purchase orders with lines -> ServiceNow order staging. */
export function purchaseOrderFlows(ctx: FlowContext): Flow[] {
  const { odoo, sn, t, opts, options, lookups, companies, companyDomain, odooTime, batchSize } = ctx;
  const flows: Flow[] = [];

  // ---- purchase orders with lines ----------------------------------------------------------------
  const poDomain = [['state', 'in', options.purchaseOrders.states]];
  const enrichPos = async (headers: OdooRow[]): Promise<SourceRecord<PoData>[]> => {
    if (headers.length === 0) return [];
    const lineRows = await odoo.searchRead(
      'purchase.order.line',
      [['order_id', 'in', headers.map((h) => h.id)]],
      { fields: f('purchase.order.line'), order: 'sequence asc, id asc' },
    );
    const products = await lookups.productTypesOf(
      lineRows.flatMap((l) => (m2o(l.product_id) ? [m2o(l.product_id)!.id] : [])),
    );
    const costCentersOf = await lookups.costCenters();
    const scopes = await Promise.all(headers.map((h) => companies.of(m2o(h.company_id)?.id ?? null)));
    const byOrder = new Map<number, OdooRow[]>();
    for (const l of lineRows) {
      if (text(l.display_type)) continue; // sections and notes are not order lines
      const oid = m2o(l.order_id)?.id;
      if (oid !== undefined) pushTo(byOrder, oid, l);
    }
    return headers.map((h, i) => {
      const lines = byOrder.get(h.id) ?? [];
      const partner = m2o(h.partner_id);
      const company = scopes[i] as CompanyScope;
      return {
        id: String(h.id),
        modified: maxIso([isoUtc(h.write_date), ...lines.map((l) => isoUtc(l.write_date))]),
        label: `${company.prefix}${text(h.name) ?? `PO ${h.id}`}`,
        data: {
          id: h.id,
          name: text(h.name) ?? String(h.id),
          company,
          state: text(h.state) ?? '',
          supplierId: partner?.id ?? null,
          supplierName: partner?.name ?? null,
          partnerRef: text(h.partner_ref),
          dateOrder: naive(h.date_order),
          currency: m2o(h.currency_id)?.name ?? null,
          amountTotal: num(h.amount_total),
          paymentTerm: m2o(h.payment_term_id)?.name ?? null,
          lines: lines.map((l) => {
            const product = m2o(l.product_id);
            return {
              id: l.id,
              description: text(l.name) ?? '',
              product: product?.name ?? null,
              productType: product ? (products.get(product.id) ?? null) : null,
              quantity: num(l.product_qty),
              priceUnit: num(l.price_unit),
              subtotal: num(l.price_subtotal),
              datePlanned: naive(l.date_planned),
              costCenters: costCentersOf(l.analytic_distribution),
            };
          }),
        },
      };
    });
  };
  if (options.purchaseOrders.enabled) {
    flows.push({
      name: 'purchase_orders',
      entity: 'purchase_order',
      direction: 'odoo -> servicenow',
      description: `Odoo purchase orders (${options.purchaseOrders.states.join(', ')}) with lines -> ${t.orderStaging} + ${t.orderLineStaging}`,
      serverTime: odooTime,
      async *read(window: ReadWindow) {
        const domain = [...poDomain, ...(await companyDomain())];
        // A line-description edit does not bump the order's write_date: lines are polled on their
        // own, alongside the order pages (it only collects order ids), and the orders it finds that
        // the pages did not hold are read at the end.
        let stopped = false;
        const lineOrders = new Set<number>();
        const linePoll = (async () => {
          for await (const page of odoo.readChanged('purchase.order.line', {
            fields: ['id', 'order_id', 'write_date'],
            window,
          })) {
            for (const l of page) {
              const oid = m2o(l.order_id)?.id;
              if (oid !== undefined) lineOrders.add(oid);
            }
            if (stopped) return;
          }
        })();
        linePoll.catch(() => undefined);
        const seen = new Set<number>();
        try {
          for await (const page of odoo.readChanged('purchase.order', {
            fields: f('purchase.order'),
            window,
            domain,
          })) {
            for (const h of page) seen.add(h.id);
            yield await enrichPos(page);
          }
          await linePoll;
        } finally {
          stopped = true;
        }
        const extra = [...lineOrders].filter((id) => !seen.has(id));
        for (let i = 0; i < extra.length; i += batchSize) {
          const headers = await odoo.searchRead(
            'purchase.order',
            [...domain, ['id', 'in', extra.slice(i, i + batchSize)]],
            { fields: f('purchase.order'), order: 'id asc' },
          );
          yield await enrichPos(headers);
        }
      },
      async fetch(idList) {
        return enrichPos(
          await odoo.searchRead(
            'purchase.order',
            [...poDomain, ...(await companyDomain()), ['id', 'in', idList.map(Number)]],
            { fields: f('purchase.order') },
          ),
        );
      },
      map: (r) => mapPurchaseOrder(r.data, opts),
      write: (items) => importDocuments(sn, t.orderStaging, t.orderLineStaging, items as never),
      reconcile: s2pDocumentReconcile(sn, S2P_ORDER_TARGET),
    } satisfies Flow<PoData, DocumentPayload> as Flow);
  }

  return flows;
}
