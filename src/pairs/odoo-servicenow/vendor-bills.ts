import type { OdooRow } from '../../systems/odoo/client.js';
import type { Flow, SourceRecord } from '../../sync/types.js';
import { S2P_INVOICE_TARGET, importDocuments, s2pDocumentReconcile, type DocumentPayload } from '../s2p.js';
import { date, isoUtc, m2o, maxIso, num, text } from '../values.js';
import { mapVendorBill, type BillData } from './mappers.js';
import { type CompanyScope } from './companies.js';
import type { FlowContext } from './context.js';
import { f } from './fields.js';
import { pushTo } from './lookups.js';

/** Posted vendor bills with lines -> ServiceNow invoice staging. */
export function vendorBillFlows(ctx: FlowContext): Flow[] {
  const { odoo, sn, t, opts, options, lookups, companies, companyDomain, odooTime } = ctx;
  const flows: Flow[] = [];

  // ---- vendor bills with lines -------------------------------------------------------------------
  const billDomain = [
    ['move_type', '=', 'in_invoice'],
    ['state', '=', 'posted'],
  ];
  const enrichBills = async (headers: OdooRow[]): Promise<SourceRecord<BillData>[]> => {
    if (headers.length === 0) return [];
    const lineRows = await odoo.searchRead(
      'account.move.line',
      [
        ['move_id', 'in', headers.map((h) => h.id)],
        ['display_type', '=', 'product'],
      ],
      { fields: f('account.move.line'), order: 'sequence asc, id asc' },
    );
    const costCentersOf = await lookups.costCenters();
    const scopes = await Promise.all(headers.map((h) => companies.of(m2o(h.company_id)?.id ?? null)));
    // Each bill's account codes as its own company sees them (§9).
    const codes = new Map<number, Map<number, { code: string; name: string }>>();
    for (const c of new Set(scopes.map((s) => s.id))) codes.set(c, await lookups.accountCodes(c));
    const byMove = new Map<number, OdooRow[]>();
    for (const l of lineRows) {
      const mid = m2o(l.move_id)?.id;
      if (mid !== undefined) pushTo(byMove, mid, l);
    }
    return headers.map((h, i) => {
      const lines = byMove.get(h.id) ?? [];
      const partner = m2o(h.partner_id);
      const company = scopes[i] as CompanyScope;
      const accounts = codes.get(company.id) as Map<number, { code: string; name: string }>;
      return {
        id: String(h.id),
        modified: maxIso([isoUtc(h.write_date), ...lines.map((l) => isoUtc(l.write_date))]),
        label: `${company.prefix}${text(h.name) ?? `bill ${h.id}`}`,
        data: {
          id: h.id,
          name: text(h.name) === '/' ? null : text(h.name),
          company,
          ref: text(h.ref),
          state: text(h.state) ?? '',
          supplierId: partner?.id ?? null,
          supplierName: partner?.name ?? null,
          invoiceDate: date(h.invoice_date),
          currency: m2o(h.currency_id)?.name ?? null,
          amountTotal: num(h.amount_total),
          amountTax: num(h.amount_tax),
          origin: text(h.invoice_origin),
          paymentTerm: m2o(h.invoice_payment_term_id)?.name ?? null,
          lines: lines.map((l) => {
            const acc = m2o(l.account_id);
            const known = acc ? accounts.get(acc.id) : undefined;
            return {
              id: l.id,
              description: text(l.name) ?? '',
              quantity: num(l.quantity),
              priceUnit: num(l.price_unit),
              subtotal: num(l.price_subtotal),
              total: num(l.price_total),
              accountCode: known?.code ?? null,
              accountName: known?.name ?? acc?.name ?? null,
              costCenters: costCentersOf(l.analytic_distribution),
              purchaseLineId: m2o(l.purchase_line_id)?.id ?? null,
            };
          }),
        },
      };
    });
  };
  if (options.vendorBills.enabled) {
    flows.push({
      name: 'vendor_bills',
      entity: 'vendor_bill',
      direction: 'odoo -> servicenow',
      description: `Odoo posted vendor bills (account.move in_invoice) with lines -> ${t.invoiceStaging} + ${t.invoiceLineStaging}`,
      serverTime: odooTime,
      async *read(window) {
        const domain = [...billDomain, ...(await companyDomain())];
        for await (const page of odoo.readChanged('account.move', {
          fields: f('account.move'),
          window,
          domain,
        }))
          yield await enrichBills(page);
      },
      async fetch(idList) {
        return enrichBills(
          await odoo.searchRead(
            'account.move',
            [...billDomain, ...(await companyDomain()), ['id', 'in', idList.map(Number)]],
            { fields: f('account.move') },
          ),
        );
      },
      map: (r) => mapVendorBill(r.data, r.label, opts),
      write: (items) => importDocuments(sn, t.invoiceStaging, t.invoiceLineStaging, items as never),
      reconcile: s2pDocumentReconcile(sn, S2P_INVOICE_TARGET),
    } satisfies Flow<BillData, DocumentPayload> as Flow);
  }

  return flows;
}
