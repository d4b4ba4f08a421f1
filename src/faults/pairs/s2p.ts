import type { FaultEnv } from '../env.js';
import { simRows } from '../oracle.js';
import type { ActualRecord } from '../types.js';

/**
 * What a ServiceNow Source-to-Pay instance holds for one ERP source, as records keyed by the source
 * reference each row carries, read from the simulator's own tables (references resolved to the codes
 * and numbers they point at). Shared by every pair that targets ServiceNow.
 */
export async function s2pTarget(e: FaultEnv, erpSource: string): Promise<ActualRecord[]> {
  const sn = e.pair.target;
  const table = (name: string): Promise<Array<Record<string, unknown>>> => simRows(e, sn, name);
  const [suppliers, orders, orderLines, invoices, invoiceLines, costCenters, glAccounts, payments] =
    await Promise.all([
      table('sn_fin_supplier'),
      table('sn_shop_purchase_order'),
      table('sn_shop_purchase_order_line'),
      table('sn_shop_invoice'),
      table('sn_shop_invoice_line'),
      table('cmn_cost_center'),
      table('sn_fin_gl_account'),
      table('sn_fin_supplier_payment'),
    ]);
  const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
  const index = (rows: Array<Record<string, unknown>>, field: string): Map<string, string> =>
    new Map(rows.map((r) => [s(r.sys_id), s(r[field])]));
  const ccCode = index(costCenters, 'code');
  const glCode = index(glAccounts, 'code');
  const poNumber = index(orders, 'erp_number');
  const invNumber = index(invoices, 'external_invoice_number');
  const ours = (r: Record<string, unknown>): boolean => s(r.erp_source) === erpSource;
  const out: ActualRecord[] = [];
  for (const r of suppliers.filter(ours))
    out.push({ kind: 'supplier', key: s(r.erp_company_code), fields: { name: s(r.legal_name) } });
  for (const r of orders.filter(ours))
    out.push({ kind: 'order', key: s(r.erp_number), fields: { amount: s(r.total_amount) } });
  for (const r of orderLines.filter(ours))
    out.push({
      kind: 'order line',
      key: `${poNumber.get(s(r.purchase_order)) ?? `?${s(r.purchase_order)}`}/${s(r.erp_line_number)}`,
      fields: {
        amount: s(r.total_amount),
        unit: s(r.unit_price),
        costCenter: ccCode.get(s(r.cost_center)) ?? '',
      },
    });
  for (const r of invoices.filter((i) => s(i.external_invoice_source) === erpSource))
    out.push({
      kind: 'invoice',
      key: s(r.external_invoice_number),
      fields: { amount: s(r.amount_invoiced) },
    });
  for (const r of invoiceLines.filter(ours))
    out.push({
      kind: 'invoice line',
      key: `${invNumber.get(s(r.invoice)) ?? `?${s(r.invoice)}`}/${s(r.erp_line_number)}`,
      fields: {
        amount: s(r.subtotal),
        gl: glCode.get(s(r.gl_account)) ?? '',
        costCenter: ccCode.get(s(r.cost_center)) ?? '',
      },
    });
  // Cost centers and GL accounts are matched by code, whoever created them.
  for (const r of costCenters)
    if (s(r.code)) out.push({ kind: 'cost center', key: s(r.code), fields: { name: s(r.name) } });
  for (const r of glAccounts)
    if (s(r.code)) out.push({ kind: 'gl account', key: s(r.code), fields: { name: s(r.name) } });
  for (const r of payments.filter(ours))
    out.push({ kind: 'payment', key: s(r.payment_number), fields: { amount: s(r.amount) } });
  return out;
}
