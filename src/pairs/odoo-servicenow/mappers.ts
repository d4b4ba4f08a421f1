import { RecordError } from '../../errors.js';
import type { DimensionRef, MapResult } from '../../sync/types.js';
import { uniqueDimensions, type DocumentPayload, type StagingRow } from '../s2p.js';
import type { CompanyScope } from './companies.js';

/**
 * Pure mappers of the odoo-servicenow pair: enriched source record -> staging rows (ServiceNow) or
 * ORM values (Odoo). No I/O, no clock: replay re-applies them exactly. Every ServiceNow value is a
 * string (the Import Set API stringifies anyway; sending strings keeps the hash stable).
 */

export interface MapOptions {
  erpSource: string;
  legalEntity: string;
  costCenterMap: Record<string, string>;
  glAccountMap: Record<string, string>;
  /** Put in front of document numbers sent to ServiceNow (the company's, see companies.ts). */
  referencePrefix?: string;
}

/** The options a document of company `c` is mapped with: its legal entity, code maps and prefix. */
export function forCompany(opts: MapOptions, c: CompanyScope): MapOptions {
  return {
    ...opts,
    legalEntity: c.legalEntity,
    glAccountMap: c.glAccountMap,
    costCenterMap: c.costCenterMap,
    referencePrefix: c.prefix,
  };
}

/** A document number as ServiceNow knows it: unique across the covered companies. */
export function documentRef(opts: MapOptions, name: string): string {
  return `${opts.referencePrefix ?? ''}${name}`;
}

// ---- source shapes (built by the flows' readers from Odoo / ServiceNow rows) --------------------

export interface CostCenterData {
  code: string | null;
  name: string;
  active: boolean;
  /** The owning company's code map, for an analytic account of one company. */
  companyMap?: Record<string, string>;
}

export interface SupplierData {
  id: number;
  name: string;
  ref: string | null;
  vat: string | null;
  email: string | null;
  city: string | null;
  country: string | null;
  active: boolean;
}

export interface AccountData {
  id: number;
  code: string;
  name: string;
  type: string;
  /** The owning company's code map (over the pair's). */
  glAccountMap?: Record<string, string>;
}

export interface PoLineData {
  id: number;
  description: string;
  product: string | null;
  productType: string | null;
  quantity: number;
  priceUnit: number;
  subtotal: number;
  datePlanned: string | null;
  /** Cost center codes from analytic_distribution, with their share. */
  costCenters: Array<{ code: string; share: number }>;
}

export interface PoData {
  id: number;
  name: string;
  company: CompanyScope;
  state: string;
  supplierId: number | null;
  supplierName: string | null;
  partnerRef: string | null;
  dateOrder: string | null;
  currency: string | null;
  amountTotal: number;
  paymentTerm: string | null;
  lines: PoLineData[];
}

export interface BillLineData {
  id: number;
  description: string;
  quantity: number;
  priceUnit: number;
  subtotal: number;
  total: number;
  accountCode: string | null;
  accountName: string | null;
  costCenters: Array<{ code: string; share: number }>;
  purchaseLineId: number | null;
}

export interface BillData {
  id: number;
  name: string | null;
  company: CompanyScope;
  ref: string | null;
  state: string;
  supplierId: number | null;
  supplierName: string | null;
  invoiceDate: string | null;
  currency: string | null;
  amountTotal: number;
  amountTax: number;
  origin: string | null;
  paymentTerm: string | null;
  lines: BillLineData[];
}

export type { DocumentPayload, StagingRow };

// ---- helpers ----------------------------------------------------------------------------------

const money = (n: number): string => n.toFixed(2);
const qty = (n: number): string => String(Math.round(n * 10_000) / 10_000);
const str = (v: string | null | undefined): string => v ?? '';

function mapCode(map: Record<string, string>, code: string): string {
  return map[code] ?? code;
}

/** The one cost center of a line; a split across several cannot be carried by one S2P line field. */
function lineCostCenter(
  label: string,
  lineNo: number,
  costCenters: Array<{ code: string; share: number }>,
  opts: MapOptions,
): string | null {
  if (costCenters.length === 0) return null;
  if (costCenters.length > 1) {
    throw new RecordError(
      `${label} line ${lineNo} splits its cost across ${costCenters.map((c) => `${c.code} (${c.share}%)`).join(', ')}; a ServiceNow line carries one cost center`,
      {
        code: 'mapping.split_cost_center',
        hint: 'split the line in Odoo so each line has one cost center, then run `mlc replay <audit id>`',
      },
    );
  }
  return mapCode(opts.costCenterMap, (costCenters[0] as { code: string }).code);
}

function costCenterRef(code: string): DimensionRef {
  return {
    kind: 'cost_center',
    key: code,
    describe: `cost center ${code}`,
    hint: `create cost center ${code} in ServiceNow (or in Odoo's cost-center plan, from where mlc sends it), or map it under costCenters.map, then run \`mlc replay <audit id>\``,
  };
}

function supplierRef(id: number | null, name: string | null, label: string): DimensionRef {
  if (id === null) {
    throw new RecordError(`${label} has no vendor`, {
      code: 'mapping.no_supplier',
      hint: 'set the vendor in Odoo',
    });
  }
  return {
    kind: 'supplier',
    key: String(id),
    describe: `supplier ${JSON.stringify(name ?? String(id))} (Odoo partner ${id})`,
    hint: 'the supplier flow sends vendors (partners with a supplier rank) first; check its audit entry, then run `mlc replay <audit id>`',
  };
}

const PO_STATUS: Record<string, string> = {
  purchase: 'Open',
  done: 'Closed',
  cancel: 'Canceled',
  'to approve': 'Pending Approval',
  sent: 'Pending',
  draft: 'Draft',
};

// ---- mappers ----------------------------------------------------------------------------------

/** An archived analytic account ends the cost center's validity on the day it was archived. */
export function mapCostCenterToServiceNow(
  cc: CostCenterData,
  label: string,
  modified: string,
  opts: MapOptions,
): MapResult<StagingRow> {
  if (!cc.code)
    return {
      kind: 'skip',
      reason: `analytic account ${label} has no code; cost centers are matched by code`,
    };
  return {
    kind: 'write',
    payload: {
      u_code: mapCode({ ...opts.costCenterMap, ...cc.companyMap }, cc.code),
      u_name: cc.name,
      u_erp_source: opts.erpSource,
      u_valid_to: cc.active ? '' : modified.slice(0, 10),
    },
  };
}

/** The content both directions of the cost-center flow compare: what is shared, not where it came from. */
export function costCenterCanonical(code: string, name: string, active: boolean): Record<string, unknown> {
  return { code: code.trim().toLowerCase(), name: name.trim(), active };
}

export function mapCostCenterToOdoo(
  cc: CostCenterData,
  label: string,
  opts: MapOptions,
): MapResult<{ code: string; name: string; active: boolean }> {
  if (!cc.code)
    return { kind: 'skip', reason: `cost center ${label} has no code; cost centers are matched by code` };
  const reverse = Object.entries(opts.costCenterMap).find(([, sn]) => sn === cc.code)?.[0];
  return { kind: 'write', payload: { code: reverse ?? cc.code, name: cc.name, active: cc.active } };
}

export function mapSupplier(s: SupplierData, opts: MapOptions): MapResult<StagingRow> {
  return {
    kind: 'write',
    payload: {
      u_erp_company_code: String(s.id),
      u_erp_source: opts.erpSource,
      u_legal_name: s.name,
      u_tax_id: str(s.vat),
      u_status: s.active ? 'Active' : 'Inactive',
      u_email: str(s.email),
      u_city: str(s.city),
      u_country: str(s.country),
    },
  };
}

export function mapGlAccount(
  a: AccountData,
  opts: MapOptions,
  types: readonly string[],
): MapResult<{ code: string }> {
  if (!types.includes(a.type))
    return { kind: 'skip', reason: `account type ${a.type} is not checked (glAccounts.types)` };
  const code = mapCode(a.glAccountMap ?? opts.glAccountMap, a.code);
  return {
    kind: 'write',
    payload: { code },
    dimensions: [glAccountRef(code, a.code, a.name)],
  };
}

function glAccountRef(code: string, odooCode: string, name: string | null): DimensionRef {
  return {
    kind: 'gl_account',
    key: code,
    describe: `GL account ${code}${name ? ` "${name}"` : ''}${code === odooCode ? '' : ` (Odoo ${odooCode})`}`,
    hint: `create GL account ${code} in ServiceNow (sn_fin_gl_account), or map Odoo ${odooCode} to an existing one under glAccounts.map, then run \`mlc replay <audit id>\``,
  };
}

export function mapPurchaseOrder(po: PoData, base: MapOptions): MapResult<DocumentPayload> {
  const opts = forCompany(base, po.company);
  const number = documentRef(opts, po.name);
  const dims: DimensionRef[] = [supplierRef(po.supplierId, po.supplierName, po.name)];
  const lines = po.lines.map((l, i) => {
    const cc = lineCostCenter(po.name, i + 1, l.costCenters, opts);
    if (cc) dims.push(costCenterRef(cc));
    return {
      u_erp_source: opts.erpSource,
      u_erp_po_number: number,
      u_erp_po_line_number: String(l.id),
      u_product_name: l.product ?? l.description,
      u_product_type: l.productType === 'service' ? 'Service' : 'Good',
      u_quantity: qty(l.quantity),
      u_unit_price: money(l.priceUnit),
      u_line_amount: money(l.subtotal),
      u_cost_center: cc ?? '',
      u_expected_delivery: str(l.datePlanned),
    };
  });
  const headerCc = [...new Set(lines.map((l) => l.u_cost_center).filter((c) => c !== ''))];
  return {
    kind: 'write',
    payload: {
      header: {
        u_erp_po_number: number,
        u_erp_source: opts.erpSource,
        u_supplier_company_name: str(po.supplierName),
        u_supplier_erp_code: String(po.supplierId),
        u_legal_entity: opts.legalEntity,
        u_cost_center: headerCc.length === 1 ? (headerCc[0] as string) : '',
        u_po_amount: money(po.amountTotal),
        u_po_amount_currency: str(po.currency),
        u_po_status: PO_STATUS[po.state] ?? po.state,
        u_order_type: 'Standard',
        u_payment_term: str(po.paymentTerm),
        u_order_date: str(po.dateOrder),
      },
      lines,
    },
    dimensions: uniqueDimensions(dims),
  };
}

export function mapVendorBill(bill: BillData, label: string, base: MapOptions): MapResult<DocumentPayload> {
  if (!bill.name) return { kind: 'skip', reason: `bill ${label} has no number yet (draft)` };
  const opts = forCompany(base, bill.company);
  const number = documentRef(opts, bill.name);
  const dims: DimensionRef[] = [supplierRef(bill.supplierId, bill.supplierName, bill.name)];
  const lines = bill.lines.map((l, i) => {
    if (!l.accountCode) {
      throw new RecordError(`${bill.name} line ${i + 1} has no GL account`, {
        code: 'mapping.no_account',
        hint: 'set the account on the bill line in Odoo',
      });
    }
    const gl = mapCode(opts.glAccountMap, l.accountCode);
    dims.push(glAccountRef(gl, l.accountCode, l.accountName));
    const cc = lineCostCenter(bill.name as string, i + 1, l.costCenters, opts);
    if (cc) dims.push(costCenterRef(cc));
    return {
      u_external_invoice_number: number,
      u_external_invoice_source: opts.erpSource,
      u_erp_line_number: String(l.id),
      u_erp_source: opts.erpSource,
      u_line_description: l.description,
      u_line_quantity: qty(l.quantity),
      u_line_unit_price: money(l.priceUnit),
      u_subtotal: money(l.subtotal),
      u_cost_center: cc ?? '',
      u_gl_account: gl,
      u_tax_amount: money(l.total - l.subtotal),
      u_purchase_order_line: l.purchaseLineId === null ? '' : String(l.purchaseLineId),
    };
  });
  return {
    kind: 'write',
    payload: {
      header: {
        u_external_invoice_number: number,
        u_external_invoice_source: opts.erpSource,
        u_erp_source: opts.erpSource,
        u_invoice_date: str(bill.invoiceDate),
        u_other_charges: '0.00',
        u_amount_invoiced: money(bill.amountTotal),
        u_currency: str(bill.currency),
        u_supplier: String(bill.supplierId),
        u_supplier_invoice_number: str(bill.ref),
        u_purchase_order: bill.origin === null ? '' : documentRef(opts, bill.origin),
        u_legal_entity: opts.legalEntity,
        u_payment_terms: str(bill.paymentTerm),
        u_final_tax: money(bill.amountTax),
        u_invoice_type: 'Invoice',
      },
      lines,
    },
    dimensions: uniqueDimensions(dims),
  };
}
