/**
 * Odoo sinks: one per kind of record mlc writes into Odoo, each `write(items) -> one result per
 * item`, all on the client's idempotent `upsertByRef`, each writing in one company (every record
 * carries `company_id`, every call runs with `allowed_company_ids` = that company). A record Odoo
 * refuses (validation, access rights) fails alone with a RecordError; only transient, auth and
 * configuration errors stop the batch.
 *
 * Reference scheme: one reference field per model, holding a key that names the source system,
 * its scope (tenant, company…), the Odoo company and the record, so that two tenants or two
 * companies never meet on one Odoo record: `sourceRef('ST', '1000001', 1, 'PO', 42)` =
 * `ST1000001.C1.PO.42`.
 *
 * | model                    | reference field      | why this field                                      |
 * |--------------------------|----------------------|-----------------------------------------------------|
 * | res.partner              | `ref`                | the partner's "Reference", free text, searchable    |
 * | account.analytic.account | `code`               | the account's "Reference"                           |
 * | purchase.order           | `origin`             | "Source Document"; `partner_ref` stays the vendor's |
 * | account.move (bills, invoices) | `ref`          | "Bill Reference"; the vendor's number goes to `payment_reference` |
 * | sale.order               | `client_order_ref`   | "Customer Reference"                                |
 * | account.payment          | `memo` (18+) / `ref` | resolved with fields_get                            |
 * | project.task             | external id `__mlc__.<ref, dots as _>` | no free reference field: `ir.model.data`, written by `load` |
 *
 * Odoo has no unique constraint on these fields: the pair lock keeps two writers apart, and the
 * upsert reads back by reference before it repeats a create whose answer was lost. Tasks are keyed
 * by external id instead (`ST1000001.C1.JOB.42` -> `__mlc__.ST1000001_C1_JOB_42`, tasks.ts):
 * `ir.model.data` is unique on (module, name) and `load` updates the task an id names, so a
 * repeated write is an update by construction.
 */
export { analyticAccountSink, type AnalyticItem } from './analytic.js';
export { companyContext, type SinkResult, type SinkScope } from './common.js';
export { customerInvoiceSink, vendorBillSink, type MoveItem } from './moves.js';
export { orderLines, purchaseOrderSink, saleOrderSink, type OrderItem } from './orders.js';
export { partnerSink, type PartnerItem } from './partners.js';
export { paymentSink, type PaymentItem } from './payments.js';
export { TASK_MODULE, projectTaskSink, taskXmlIdName, type TaskItem } from './tasks.js';

/** The reference of a source record in Odoo (see the scheme above). */
export function sourceRef(
  system: string,
  scope: string,
  company: number,
  kind: string,
  id: string | number,
): string {
  return `${system}${scope}.C${company}.${kind}.${id}`;
}
