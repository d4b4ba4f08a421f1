import { RecordError } from '../../errors.js';
import type { DimensionRef, MapResult } from '../../sync/types.js';
import { uniqueDimensions, type DocumentPayload, type StagingRow } from '../s2p.js';

/**
 * Pure mappers of the netsuite-servicenow pair: NetSuite rows (as the readers assemble them) ->
 * Import Set staging rows, and ServiceNow cost centers -> NetSuite department bodies. No I/O, no
 * clock: replay re-applies them exactly. Every ServiceNow value is a string.
 */
export interface MapOptions {
  erpSource: string;
  subsidiaries: Record<string, { legalEntity: string; prefix?: string | undefined }>;
  glAccountMap: Record<string, string>;
  glAccountTypes: readonly string[];
  /** Subsidiary ids of departments created from ServiceNow. */
  departmentSubsidiaries: readonly string[];
  codePrefix: string;
}

export interface SubsidiaryRef {
  id: string;
  name: string | null;
}

export interface AccountData {
  number: string;
  name: string;
  type: string;
  active: boolean;
  currency: string | null;
  subsidiary: SubsidiaryRef | null;
}

export interface CostCenterData {
  code: string;
  name: string;
  active: boolean;
}

export interface VendorData {
  entityId: string;
  name: string;
  active: boolean;
  email: string | null;
  terms: string | null;
}

export interface LineData {
  /** Line id, unique inside its transaction. */
  lineId: string;
  item: string | null;
  description: string;
  quantity: number | null;
  rate: number | null;
  amount: number;
  /** GL account number and name, or null when the line has none. */
  account: { number: string; name: string } | null;
  costCenter: string | null;
  expected: string | null;
}

export interface DocumentData {
  id: string;
  tranId: string;
  type: string;
  status: string;
  statusText: string;
  subsidiary: SubsidiaryRef;
  vendor: { entityId: string; name: string } | null;
  date: string | null;
  dueDate: string | null;
  currency: string | null;
  total: number;
  memo: string | null;
  vendorInvoice: string | null;
  lines: LineData[];
}

export interface PostingData {
  transactionId: string;
  tranId: string;
  type: string;
  line: string;
  subsidiary: SubsidiaryRef;
  date: string | null;
  currency: string | null;
  account: { number: string; name: string } | null;
  costCenter: string | null;
  debit: number;
  credit: number;
  memo: string | null;
}

export type { DocumentPayload, StagingRow };

const money = (n: number): string => n.toFixed(2);
const qty = (n: number): string => String(Math.round(n * 10_000) / 10_000);
const str = (v: string | null | undefined): string => v ?? '';

/** The NetSuite reference a document is known by in ServiceNow: subsidiary prefix + document number. */
export function documentRef(subsidiary: string, tranId: string, opts: MapOptions): string {
  return `${opts.subsidiaries[subsidiary]?.prefix ?? `S${subsidiary}`}-${tranId}`;
}

/** The ServiceNow legal entity of a subsidiary; a subsidiary without one fails its documents, naming it. */
export function legalEntityOf(sub: SubsidiaryRef, what: string, opts: MapOptions): string {
  const entry = opts.subsidiaries[sub.id];
  if (entry) return entry.legalEntity;
  const mapped = Object.keys(opts.subsidiaries);
  throw new RecordError(
    `${what} belongs to NetSuite subsidiary ${sub.id}${sub.name ? ` "${sub.name}"` : ''}, which has no ServiceNow legal entity`,
    {
      code: 'mapping.subsidiary_unmapped',
      hint: `add it under pairs.netsuite-servicenow.subsidiaries in mlc.yaml, e.g. "${sub.id}": { legalEntity: "<ServiceNow legal entity name>" } (mapped now: ${mapped.length ? mapped.join(', ') : 'none'}), then run \`mlc replay --failed\``,
      data: { subsidiary: sub.id },
    },
  );
}

function supplierRef(vendor: DocumentData['vendor'], label: string): DimensionRef {
  if (!vendor)
    throw new RecordError(`${label} has no vendor`, {
      code: 'mapping.no_supplier',
      hint: 'set the vendor on the transaction in NetSuite',
    });
  return {
    kind: 'supplier',
    key: vendor.entityId,
    describe: `supplier ${vendor.entityId} "${vendor.name}"`,
    hint: 'the vendors flow sends NetSuite vendors first; check its audit entry, then run `mlc replay <audit id>`',
  };
}

function costCenterRef(code: string): DimensionRef {
  return {
    kind: 'cost_center',
    key: code,
    describe: `cost center ${code}`,
    hint: `the department behind cost center ${code} has not reached ServiceNow (cmn_cost_center); check the cost_centers_to_servicenow audit, then run \`mlc replay <audit id>\``,
  };
}

function glAccountRef(code: string, account: { number: string; name: string }): DimensionRef {
  return {
    kind: 'gl_account',
    key: code,
    describe: `GL account ${code} "${account.name}"${code === account.number ? '' : ` (NetSuite ${account.number})`}`,
    hint: `create GL account ${code} in ServiceNow (sn_fin_gl_account), or add its NetSuite type to glAccounts.types and run \`mlc sync --full --flow gl_accounts\`, or map NetSuite ${account.number} under glAccounts.map; then run \`mlc replay <audit id>\``,
  };
}

const glCode = (opts: MapOptions, number: string): string => opts.glAccountMap[number] ?? number;

export function mapGlAccount(a: AccountData, opts: MapOptions): MapResult<StagingRow> {
  if (!opts.glAccountTypes.includes(a.type))
    return {
      kind: 'skip',
      reason: `account type ${a.type} is not sent (glAccounts.types: ${opts.glAccountTypes.join(', ')})`,
    };
  return {
    kind: 'write',
    payload: {
      u_number: glCode(opts, a.number),
      u_account_name: a.name,
      u_account_currency: str(a.currency),
      u_category: a.type,
      u_type: a.type,
      u_inactive: a.active ? 'false' : 'true',
      u_erp_source: opts.erpSource,
    },
  };
}

/** An inactive department ends the cost center's validity on the day of its last change. */
export function mapDepartment(cc: CostCenterData, modified: string, opts: MapOptions): MapResult<StagingRow> {
  return {
    kind: 'write',
    payload: {
      u_code: cc.code,
      u_name: cc.name,
      u_erp_source: opts.erpSource,
      u_valid_to: cc.active ? '' : modified.slice(0, 10),
    },
  };
}

/** What both directions of the department flow compare: shared content, not where it came from. */
export function costCenterCanonical(code: string, name: string, active: boolean): Record<string, unknown> {
  return { code: code.trim().toLowerCase(), name: name.trim(), active };
}

/** The department a ServiceNow cost center becomes: PATCH by id for a NetSuite-born one, else PUT eid:. */
export interface DepartmentWrite {
  code: string;
  name: string;
  active: boolean;
  /** Internal id when the code is `<codePrefix><id>`, else null (upsert by external id = code). */
  internalId: string | null;
  subsidiaries: string[];
}

export function mapCostCenterToDepartment(cc: CostCenterData, opts: MapOptions): MapResult<DepartmentWrite> {
  if (!cc.code)
    return { kind: 'skip', reason: 'the cost center has no code; departments are matched by code' };
  const own =
    opts.codePrefix !== '' && cc.code.startsWith(opts.codePrefix)
      ? cc.code.slice(opts.codePrefix.length)
      : '';
  const internalId = /^\d+$/.test(own) ? own : null;
  const subsidiaries = opts.departmentSubsidiaries.length
    ? [...opts.departmentSubsidiaries]
    : Object.keys(opts.subsidiaries);
  if (internalId === null && subsidiaries.length === 0)
    throw new RecordError(
      `cost center ${cc.code} cannot become a NetSuite department: no subsidiary to give it`,
      {
        code: 'mapping.department_subsidiary',
        hint: 'list subsidiaries under pairs.netsuite-servicenow.subsidiaries (or costCenters.subsidiaries), then run `mlc replay --failed`',
      },
    );
  return {
    kind: 'write',
    payload: { code: cc.code, name: cc.name, active: cc.active, internalId, subsidiaries },
  };
}

export function mapVendor(v: VendorData, opts: MapOptions): MapResult<StagingRow> {
  return {
    kind: 'write',
    payload: {
      u_erp_company_code: v.entityId,
      u_erp_source: opts.erpSource,
      u_legal_name: v.name,
      u_status: v.active ? 'Active' : 'Inactive',
      u_payment_term: str(v.terms),
      u_email: str(v.email),
    },
  };
}

export function mapPurchaseOrder(po: DocumentData, opts: MapOptions): MapResult<DocumentPayload> {
  const ref = documentRef(po.subsidiary.id, po.tranId, opts);
  const legalEntity = legalEntityOf(po.subsidiary, `purchase order ${ref}`, opts);
  const dims: DimensionRef[] = [supplierRef(po.vendor, `purchase order ${ref}`)];
  const lines = po.lines.map((l) => {
    if (l.costCenter) dims.push(costCenterRef(l.costCenter));
    return {
      u_erp_source: opts.erpSource,
      u_erp_po_number: ref,
      u_erp_po_line_number: l.lineId,
      u_product_name: l.item ?? l.description,
      u_product_type: 'Good',
      u_quantity: qty(l.quantity ?? 1),
      u_unit_price: money(l.rate ?? l.amount),
      u_line_amount: money(l.amount),
      u_cost_center: str(l.costCenter),
      u_expected_delivery: str(l.expected),
    };
  });
  const centers = [...new Set(lines.map((l) => l.u_cost_center).filter((c) => c !== ''))];
  return {
    kind: 'write',
    payload: {
      header: {
        u_erp_po_number: ref,
        u_erp_source: opts.erpSource,
        u_supplier_company_name: str(po.vendor?.name),
        u_supplier_erp_code: str(po.vendor?.entityId),
        u_legal_entity: legalEntity,
        u_cost_center: centers.length === 1 ? centers[0]! : '',
        u_po_amount: money(po.total),
        u_po_amount_currency: str(po.currency),
        u_po_status: po.statusText,
        u_order_type: 'Standard',
        u_payment_term: '',
        u_order_date: str(po.date),
      },
      lines,
    },
    dimensions: uniqueDimensions(dims),
  };
}

/** Vendor bills with expense and item lines, each with its GL account and department. */
export function mapBill(bill: DocumentData, opts: MapOptions): MapResult<DocumentPayload> {
  const ref = documentRef(bill.subsidiary.id, bill.tranId, opts);
  const legalEntity = legalEntityOf(bill.subsidiary, `vendor bill ${ref}`, opts);
  const dims: DimensionRef[] = [supplierRef(bill.vendor, `vendor bill ${ref}`)];
  const lines = bill.lines.map((l) => {
    if (!l.account)
      throw new RecordError(`vendor bill ${ref} line ${l.lineId} has no GL account`, {
        code: 'mapping.no_account',
        hint: 'set the account on the expense line (or the expense account of the item) in NetSuite',
      });
    const gl = glCode(opts, l.account.number);
    dims.push(glAccountRef(gl, l.account));
    if (l.costCenter) dims.push(costCenterRef(l.costCenter));
    return {
      u_external_invoice_number: ref,
      u_external_invoice_source: opts.erpSource,
      u_erp_line_number: l.lineId,
      u_erp_source: opts.erpSource,
      u_line_description: l.description || l.item || `line ${l.lineId}`,
      u_line_quantity: qty(l.quantity ?? 1),
      u_line_unit_price: money(l.rate ?? l.amount),
      u_subtotal: money(l.amount),
      u_cost_center: str(l.costCenter),
      u_gl_account: gl,
      u_tax_amount: '0.00',
      u_purchase_order_line: '',
    };
  });
  return {
    kind: 'write',
    payload: {
      header: {
        u_external_invoice_number: ref,
        u_external_invoice_source: opts.erpSource,
        u_erp_source: opts.erpSource,
        u_invoice_date: str(bill.date),
        u_other_charges: '0.00',
        u_amount_invoiced: money(bill.total),
        u_currency: str(bill.currency),
        u_supplier: str(bill.vendor?.entityId),
        u_supplier_invoice_number: str(bill.vendorInvoice),
        u_purchase_order: '',
        u_legal_entity: legalEntity,
        u_payment_terms: '',
        u_final_tax: '0.00',
        u_invoice_type: 'Invoice',
      },
      lines,
    },
    dimensions: uniqueDimensions(dims),
  };
}

/** One posted GL line; stored as read (codes as text), so no dimension is checked. */
export function mapPosting(p: PostingData, opts: MapOptions): MapResult<StagingRow> {
  const ref = documentRef(p.subsidiary.id, p.tranId, opts);
  return {
    kind: 'write',
    payload: {
      u_posting_key: `${ref}/${p.line}`,
      u_erp_source: opts.erpSource,
      u_legal_entity: legalEntityOf(p.subsidiary, `GL posting ${ref}/${p.line}`, opts),
      u_document_number: ref,
      u_document_type: p.type,
      u_posting_date: str(p.date),
      u_gl_account: p.account ? glCode(opts, p.account.number) : '',
      u_cost_center: str(p.costCenter),
      u_debit: money(p.debit),
      u_credit: money(p.credit),
      u_currency: str(p.currency),
      u_description: str(p.memo),
    },
  };
}
