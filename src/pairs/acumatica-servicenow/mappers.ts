import { RecordError } from '../../errors.js';
import type { DimensionRef, MapResult } from '../../sync/types.js';
import { uniqueDimensions, type DocumentPayload, type StagingRow } from '../s2p.js';

/**
 * Pure mappers of the acumatica-servicenow pair: enriched source record -> Import Set staging rows
 * (ServiceNow) or a plain PurchaseOrder record (Acumatica; the client wraps values). No I/O, no clock:
 * replay re-applies them exactly. Every ServiceNow value is a string.
 */

export interface MapOptions {
  erpSource: string;
  legalEntity: string;
  costCenterSource: 'Subaccount' | 'Branch';
  costCenterMap: Record<string, string>;
  glAccountMap: Record<string, string>;
  glAccountTypes: readonly string[];
}

// ---- source shapes (built by the flows' readers) ---------------------------------------------

export interface AccountData {
  code: string;
  description: string;
  type: string;
  active: boolean;
  currency: string | null;
}

export interface CostCenterData {
  code: string;
  name: string;
  active: boolean;
}

export interface VendorData {
  vendorId: string;
  name: string;
  legalName: string | null;
  status: string;
  currency: string | null;
  terms: string | null;
  vendorClass: string | null;
  taxId: string | null;
  /** The main contact's e-mail and address; null when empty in Acumatica. */
  email: string | null;
  city: string | null;
  country: string | null;
}

export interface PoLineData {
  lineNbr: string;
  inventoryId: string | null;
  description: string;
  quantity: number;
  unitCost: number;
  extendedCost: number;
  account: string | null;
  subaccount: string | null;
  branch: string | null;
}

export interface PoData {
  type: string;
  number: string;
  status: string;
  vendorId: string | null;
  vendorName: string | null;
  vendorRef: string | null;
  date: string | null;
  description: string | null;
  branch: string | null;
  currency: string | null;
  total: number;
  lines: PoLineData[];
}

export interface BillLineData {
  id: string;
  description: string;
  quantity: number;
  unitCost: number;
  amount: number;
  account: string | null;
  accountName: string | null;
  subaccount: string | null;
  branch: string | null;
  poOrderNbr: string | null;
  poLine: string | null;
}

export interface BillData {
  type: string;
  number: string;
  status: string;
  vendorId: string | null;
  vendorName: string | null;
  vendorRef: string | null;
  date: string | null;
  dueDate: string | null;
  currency: string | null;
  amount: number;
  taxTotal: number;
  description: string | null;
  branch: string | null;
  lines: BillLineData[];
}

export interface CheckData {
  type: string;
  number: string;
  status: string;
  vendorId: string | null;
  vendorName: string | null;
  paymentMethod: string | null;
  cashAccount: string | null;
  paymentRef: string | null;
  date: string | null;
  currency: string | null;
  amount: number;
  description: string | null;
  applications: Array<{ docType: string; referenceNbr: string; amountPaid: number }>;
}

/** An approved ServiceNow request with its items, the supplier and cost center resolved to codes. */
export interface RequestData {
  sysId: string;
  number: string;
  description: string;
  approval: string;
  /** Date the request was opened (YYYY-MM-DD) or null. */
  opened: string | null;
  /** Acumatica VendorID: the ERP company code of the request's supplier, when it came from this ERP. */
  vendorId: string | null;
  supplierName: string | null;
  costCenter: string | null;
  items: Array<{
    number: string;
    description: string;
    quantity: number;
    price: number;
    inventoryId: string | null;
  }>;
}

export interface RequestMapOptions {
  orderType: string;
  branch: string;
  hold: boolean;
  inventoryId: string;
  account: string;
  refField: string;
  /** VendorID for requests whose requisition names no supplier from this ERP ('' = such requests fail). */
  defaultVendor: string;
  costCenterSource: 'Subaccount' | 'Branch';
  costCenterMap: Record<string, string>;
}

/** The Acumatica PurchaseOrder a request becomes (plain values; `Details` are its lines). */
export type PoRecord = Record<string, unknown> & { Details: Array<Record<string, unknown>> };

export type { DocumentPayload, StagingRow };

// ---- helpers ----------------------------------------------------------------------------------

const money = (n: number): string => n.toFixed(2);
const qty = (n: number): string => String(Math.round(n * 10_000) / 10_000);
const str = (v: string | null | undefined): string => v ?? '';
const mapCode = (map: Record<string, string>, code: string): string => map[code] ?? code;

function supplierRef(vendorId: string | null, name: string | null, label: string): DimensionRef {
  if (!vendorId) {
    throw new RecordError(`${label} has no vendor`, {
      code: 'mapping.no_supplier',
      hint: 'set the vendor on the document in Acumatica',
    });
  }
  return {
    kind: 'supplier',
    key: vendorId,
    describe: `supplier ${vendorId}${name ? ` "${name}"` : ''}`,
    hint: 'the vendors flow sends Acumatica vendors first; check its audit entry, then run `mlc replay <audit id>`',
  };
}

function costCenterRef(code: string, acumatica: string, source: string): DimensionRef {
  return {
    kind: 'cost_center',
    key: code,
    describe: `cost center ${code}${code === acumatica ? '' : ` (Acumatica ${source} ${acumatica})`}`,
    hint: `create cost center ${code} in ServiceNow (cmn_cost_center), or map Acumatica ${source} ${acumatica} under costCenters.map, then run \`mlc replay <audit id>\``,
  };
}

function glAccountRef(code: string, acumatica: string, name: string | null): DimensionRef {
  return {
    kind: 'gl_account',
    key: code,
    describe: `GL account ${code}${name ? ` "${name}"` : ''}${code === acumatica ? '' : ` (Acumatica ${acumatica})`}`,
    hint: `create GL account ${code} in ServiceNow (sn_fin_gl_account), add its Acumatica type to glAccounts.types and run \`mlc sync --full --flow gl_accounts\`, or map Acumatica ${acumatica} under glAccounts.map; then run \`mlc replay <audit id>\``,
  };
}

/** The cost center a line names: its Subaccount, or its branch (line branch, else the document's). */
function lineCostCenter(
  opts: MapOptions,
  subaccount: string | null,
  branch: string | null,
): { code: string; ref: DimensionRef } | null {
  const raw = opts.costCenterSource === 'Subaccount' ? subaccount : branch;
  if (!raw) return null;
  const code = mapCode(opts.costCenterMap, raw);
  return { code, ref: costCenterRef(code, raw, opts.costCenterSource) };
}

/** Date part of an Acumatica date-time (`2025-03-02T00:00:00+00:00` -> `2025-03-02`). */
export function dateOnly(v: string | null): string {
  return v ? v.slice(0, 10) : '';
}

/** AP document numbers are unique per type; a Bill keeps its number, other types carry a prefix. */
export function documentNumber(type: string, ref: string): string {
  const prefix: Record<string, string> = {
    Bill: '',
    'Credit Adj.': 'ACR-',
    'Debit Adj.': 'ADR-',
    Prepayment: 'PPM-',
    Payment: '',
    Refund: 'REF-',
    'Voided Payment': 'VCK-',
  };
  return `${prefix[type] ?? `${type.replace(/[^A-Za-z]/g, '').toUpperCase()}-`}${ref}`;
}

// ---- Acumatica -> ServiceNow ------------------------------------------------------------------

export function mapGlAccount(a: AccountData, opts: MapOptions): MapResult<StagingRow> {
  if (!opts.glAccountTypes.includes(a.type))
    return {
      kind: 'skip',
      reason: `account type ${a.type} is not sent (glAccounts.types: ${opts.glAccountTypes.join(', ')})`,
    };
  return {
    kind: 'write',
    payload: {
      u_number: mapCode(opts.glAccountMap, a.code),
      u_account_name: a.description,
      u_account_currency: str(a.currency),
      u_category: a.type,
      u_type: a.type,
      u_inactive: a.active ? 'false' : 'true',
      u_erp_source: opts.erpSource,
    },
  };
}

/**
 * Cost centers (subaccounts or branches). Those entities carry no change stamp, so an inactive one is
 * not given a validity end date (that would need a clock); it is audited as skipped instead.
 */
export function mapCostCenter(cc: CostCenterData, opts: MapOptions): MapResult<StagingRow> {
  if (!cc.active)
    return { kind: 'skip', reason: `${opts.costCenterSource} ${cc.code} is inactive; not sent` };
  return {
    kind: 'write',
    payload: {
      u_code: mapCode(opts.costCenterMap, cc.code),
      u_name: cc.name,
      u_erp_source: opts.erpSource,
      u_valid_to: '',
    },
  };
}

const INACTIVE_VENDOR = new Set(['Inactive']);

export function mapVendor(v: VendorData, opts: MapOptions): MapResult<StagingRow> {
  return {
    kind: 'write',
    payload: {
      u_erp_company_code: v.vendorId,
      u_erp_source: opts.erpSource,
      u_legal_name: v.legalName ?? v.name,
      u_status: INACTIVE_VENDOR.has(v.status) ? 'Inactive' : 'Active',
      u_payment_term: str(v.terms),
      // A value cleared in Acumatica is sent as '' (never left out), so the target clears it too.
      u_tax_id: str(v.taxId),
      u_email: str(v.email),
      u_city: str(v.city),
      u_country: str(v.country),
    },
  };
}

export function mapPurchaseOrder(po: PoData, opts: MapOptions): MapResult<DocumentPayload> {
  const dims: DimensionRef[] = [supplierRef(po.vendorId, po.vendorName, po.number)];
  const lines = po.lines.map((l) => {
    const cc = lineCostCenter(opts, l.subaccount, l.branch ?? po.branch);
    if (cc) dims.push(cc.ref);
    return {
      u_erp_source: opts.erpSource,
      u_erp_po_number: po.number,
      u_erp_po_line_number: l.lineNbr,
      u_product_name: l.inventoryId ?? l.description,
      u_product_type: 'Good',
      u_quantity: qty(l.quantity),
      u_unit_price: money(l.unitCost),
      u_line_amount: money(l.extendedCost),
      u_cost_center: cc?.code ?? '',
      u_expected_delivery: '',
    };
  });
  const headerCc = [...new Set(lines.map((l) => l.u_cost_center).filter((c) => c !== ''))];
  return {
    kind: 'write',
    payload: {
      header: {
        u_erp_po_number: po.number,
        u_erp_source: opts.erpSource,
        u_supplier_company_name: str(po.vendorName),
        u_supplier_erp_code: str(po.vendorId),
        u_legal_entity: opts.legalEntity,
        u_cost_center: headerCc.length === 1 ? (headerCc[0] as string) : '',
        u_po_amount: money(po.total),
        u_po_amount_currency: str(po.currency),
        u_po_status: po.status,
        u_order_type: po.type === 'Blanket' ? 'Blanket' : 'Standard',
        u_payment_term: '',
        u_order_date: dateOnly(po.date),
      },
      lines,
    },
    dimensions: uniqueDimensions(dims),
  };
}

export function mapBill(bill: BillData, opts: MapOptions): MapResult<DocumentPayload> {
  const number = documentNumber(bill.type, bill.number);
  const dims: DimensionRef[] = [supplierRef(bill.vendorId, bill.vendorName, number)];
  const lines = bill.lines.map((l, i) => {
    if (!l.account) {
      throw new RecordError(`bill ${number} line ${i + 1} has no GL account`, {
        code: 'mapping.no_account',
        hint: 'set the account on the bill line in Acumatica',
      });
    }
    const gl = mapCode(opts.glAccountMap, l.account);
    dims.push(glAccountRef(gl, l.account, l.accountName));
    const cc = lineCostCenter(opts, l.subaccount, l.branch ?? bill.branch);
    if (cc) dims.push(cc.ref);
    return {
      u_external_invoice_number: number,
      u_external_invoice_source: opts.erpSource,
      u_erp_line_number: l.id,
      u_erp_source: opts.erpSource,
      u_line_description: l.description,
      u_line_quantity: qty(l.quantity),
      u_line_unit_price: money(l.unitCost),
      u_subtotal: money(l.amount),
      u_cost_center: cc?.code ?? '',
      u_gl_account: gl,
      u_tax_amount: '0.00',
      u_purchase_order_line: l.poOrderNbr && l.poLine ? `${l.poOrderNbr}/${l.poLine}` : '',
    };
  });
  const orders = [...new Set(bill.lines.map((l) => l.poOrderNbr).filter((o): o is string => !!o))];
  return {
    kind: 'write',
    payload: {
      header: {
        u_external_invoice_number: number,
        u_external_invoice_source: opts.erpSource,
        u_erp_source: opts.erpSource,
        u_invoice_date: dateOnly(bill.date),
        u_other_charges: '0.00',
        u_amount_invoiced: money(bill.amount),
        u_currency: str(bill.currency),
        u_supplier: str(bill.vendorId),
        u_supplier_invoice_number: str(bill.vendorRef),
        u_purchase_order: orders.length === 1 ? (orders[0] as string) : '',
        u_legal_entity: opts.legalEntity,
        u_payment_terms: '',
        u_final_tax: money(bill.taxTotal),
        u_invoice_type: bill.type === 'Credit Adj.' ? 'Credit' : 'Invoice',
      },
      lines,
    },
    dimensions: uniqueDimensions(dims),
  };
}

export function mapCheck(c: CheckData, opts: MapOptions): MapResult<StagingRow> {
  const number = documentNumber(c.type, c.number);
  return {
    kind: 'write',
    payload: {
      u_payment_number: number,
      u_erp_source: opts.erpSource,
      u_supplier: str(c.vendorId),
      u_amount: money(c.amount),
      u_currency: str(c.currency),
      u_payment_date: dateOnly(c.date),
      u_status: c.status,
      u_invoice_number: c.applications
        .map((a) => documentNumber(a.docType, a.referenceNbr))
        .sort()
        .join(','),
      u_payment_method: str(c.paymentMethod),
    },
    dimensions: [supplierRef(c.vendorId, c.vendorName, `payment ${number}`)],
  };
}

// ---- ServiceNow -> Acumatica ------------------------------------------------------------------

/**
 * An approved request becomes one Acumatica purchase order, found again by `refField` (the request
 * number) so that a re-read, a replay or a re-run after a crash updates it instead of adding one.
 */
export function mapRequestToPo(r: RequestData, opts: RequestMapOptions): MapResult<PoRecord> {
  if (r.approval !== 'approved')
    return { kind: 'skip', reason: `request ${r.number} is ${r.approval || 'not approved'}` };
  const vendorId = r.vendorId ?? (opts.defaultVendor || null);
  if (!vendorId) {
    throw new RecordError(
      `request ${r.number} names no supplier known to Acumatica${r.supplierName ? ` (supplier "${r.supplierName}" has no Acumatica vendor code)` : ''}`,
      {
        code: 'mapping.no_vendor',
        hint: "choose a supplier that came from Acumatica (its ERP company code is the Acumatica VendorID) on the request's requisition, or set requests.defaultVendor; then run `mlc replay <audit id>`",
      },
    );
  }
  if (r.items.length === 0) {
    throw new RecordError(`request ${r.number} has no items`, {
      code: 'mapping.no_items',
      hint: 'add the requested items in ServiceNow, then run `mlc replay <audit id>`',
    });
  }
  const reverse = (code: string): string =>
    Object.entries(opts.costCenterMap).find(([, sn]) => sn === code)?.[0] ?? code;
  const acuCostCenter = r.costCenter ? reverse(r.costCenter) : null;
  const branch =
    opts.costCenterSource === 'Branch' && acuCostCenter ? acuCostCenter : opts.branch || undefined;
  const record: PoRecord = {
    Type: opts.orderType,
    VendorID: vendorId,
    [opts.refField]: r.number,
    Description: `ServiceNow ${r.number}${r.description ? `: ${r.description}` : ''}`.slice(0, 255),
    Hold: opts.hold,
    ...(r.opened ? { Date: `${r.opened}T00:00:00+00:00` } : {}),
    ...(branch ? { Branch: branch } : {}),
    Details: r.items.map((item) => ({
      InventoryID: item.inventoryId ?? opts.inventoryId,
      LineDescription: `${item.number} ${item.description}`.trim().slice(0, 255),
      OrderQty: item.quantity,
      UnitCost: item.price,
      ...(opts.account ? { Account: opts.account } : {}),
      ...(opts.costCenterSource === 'Subaccount' && acuCostCenter ? { Subaccount: acuCostCenter } : {}),
    })),
  };
  return { kind: 'write', payload: record };
}
