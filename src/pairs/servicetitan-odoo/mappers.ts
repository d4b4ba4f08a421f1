/**
 * Pure mappings of ServiceTitan rows (money as canonical decimal strings, api notes §3.3) to the
 * Odoo sinks' items. No I/O and no clock: Odoo ids that only the target knows (the vendor's partner,
 * the analytic account) travel as references and are looked up at write time.
 */
import { RecordError } from '../../errors.js';
import type { StRow } from '../../systems/servicetitan/index.js';
import type { DimensionRef, MapResult } from '../../sync/types.js';
import { stRef, type Scope } from './refs.js';

export interface AnalyticPayload {
  ref: string;
  name: string;
  active: boolean;
}

export interface PartnerPayload {
  ref: string;
  role: 'customer' | 'supplier';
  vals: Record<string, unknown>;
  children: Array<{ ref: string; vals: Record<string, unknown> }>;
}

export interface LinePayload {
  /** The item's SKU code: the Odoo product with this internal reference (`default_code`), if any. */
  code?: string;
  name: string;
  quantity: number;
  price: number;
}

export interface DocumentPayload {
  ref: string;
  /** Reference of the partner (vendor or customer) the document names. */
  partnerRef: string;
  /** Reference of the business unit's analytic account, when the document names one. */
  analyticRef: string | null;
  /** Reference of the purchase order a bill is for. */
  orderRef: string | null;
  vals: Record<string, unknown>;
  lines: LinePayload[];
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const rows = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(obj) : []);

/** A decimal string or number as a number; anything else is the record's error. */
export function amount(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n))
    throw new RecordError(`${what} is ${JSON.stringify(v)}, not an amount`, {
      code: 'servicetitan.bad_amount',
    });
  return n;
}

/** `2026-11-01T00:00:00Z` -> `2026-11-01` (Odoo date). */
export function odooDay(iso: unknown): string | null {
  if (typeof iso !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(iso)) return null;
  return new Date(iso).toISOString().slice(0, 10);
}

/** ISO UTC -> Odoo's naive UTC datetime `YYYY-MM-DD HH:MM:SS` (api notes §8: no zone suffix). */
export function odooDatetime(iso: unknown): string | null {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return null;
  return new Date(iso).toISOString().slice(0, 19).replace('T', ' ');
}

function addressVals(a: unknown): Record<string, unknown> {
  const x = obj(a);
  const street = str(x.street);
  return {
    street: street || false,
    street2: str(x.unit) || false,
    city: str(x.city) || false,
    zip: str(x.zip) || false,
  };
}

function dim(kind: string, key: string, describe: string, hint: string): DimensionRef {
  return { kind, key, describe, hint };
}

const replayHint = (flow: string): string =>
  `the ${flow} flow writes it to Odoo; once it is there (its own replay, or the next pass), run \`mlc replay <audit id>\``;

export function vendorDim(scope: Scope, vendorId: unknown, name: unknown): DimensionRef {
  return dim(
    'vendor',
    stRef(scope, 'VEND', str(vendorId)),
    str(name)
      ? `vendor "${str(name)}" (ServiceTitan vendor ${str(vendorId)})`
      : `ServiceTitan vendor ${str(vendorId)}`,
    replayHint('vendors'),
  );
}

export function customerDim(scope: Scope, customerId: unknown, name: unknown): DimensionRef {
  return dim(
    'customer',
    stRef(scope, 'CUST', str(customerId)),
    str(name)
      ? `customer "${str(name)}" (ServiceTitan customer ${str(customerId)})`
      : `ServiceTitan customer ${str(customerId)}`,
    replayHint('customers'),
  );
}

export function analyticDim(scope: Scope, buId: unknown, name?: unknown): DimensionRef {
  return dim(
    'analytic',
    stRef(scope, 'BU', str(buId)),
    `business unit ${name ? `"${str(name)}" ` : ''}(ServiceTitan business unit ${str(buId)}) as an analytic account`,
    replayHint('business_units'),
  );
}

// ---------------------------------------------------------------------------------- reference data

export function mapBusinessUnit(row: StRow, scope: Scope): MapResult<AnalyticPayload> {
  const name = str(row.name);
  if (!name) throw new RecordError(`business unit ${row.id} has no name`, { code: 'servicetitan.no_name' });
  return { kind: 'write', payload: { ref: stRef(scope, 'BU', row.id), name, active: row.active !== false } };
}

export function mapVendor(row: StRow, scope: Scope): MapResult<PartnerPayload> {
  const name = str(row.name);
  if (!name) throw new RecordError(`vendor ${row.id} has no name`, { code: 'servicetitan.no_name' });
  const contact = obj(row.contactInfo);
  return {
    kind: 'write',
    payload: {
      ref: stRef(scope, 'VEND', row.id),
      role: 'supplier',
      vals: {
        name,
        is_company: true,
        active: row.active !== false,
        email: str(contact.email) || false,
        phone: str(contact.phone) || false,
        ...addressVals(row.address),
      },
      children: [],
    },
  };
}

/**
 * A customer and its contacts (email, phone) as child partners. A merged customer is skipped: its
 * documents go to the customer that absorbed it (`survivorId`, followed to the end of the chain).
 */
export function mapCustomer(
  row: StRow & { survivorId?: number; contacts?: StRow[] },
  scope: Scope,
): MapResult<PartnerPayload> {
  if (row.survivorId !== undefined && row.survivorId !== row.id)
    return { kind: 'skip', reason: `merged into ServiceTitan customer ${row.survivorId}` };
  const name = str(row.name);
  if (!name) throw new RecordError(`customer ${row.id} has no name`, { code: 'servicetitan.no_name' });
  const ref = stRef(scope, 'CUST', row.id);
  const children = [...(row.contacts ?? [])]
    .sort((a, b) => a.id - b.id)
    .flatMap((c) => {
      const value = str(c.value);
      if (!value) return [];
      const kind = str(c.type);
      const field = kind === 'Email' ? 'email' : ['Phone', 'MobilePhone'].includes(kind) ? 'phone' : null;
      if (!field) return [];
      return [{ ref: `${ref}.K${c.id}`, vals: { name: `${name} (${kind})`, [field]: value } }];
    });
  return {
    kind: 'write',
    payload: {
      ref,
      role: 'customer',
      vals: {
        name,
        is_company: str(row.type) === 'Commercial',
        active: row.active !== false,
        ...addressVals(row.address),
      },
      children,
    },
  };
}

// ---------------------------------------------------------------------------------------- documents

/** Tax and shipping, which ServiceTitan keeps as header amounts, as lines of their own. */
function extraLines(tax: unknown, shipping: unknown, what: string): LinePayload[] {
  const out: LinePayload[] = [];
  const t = amount(tax ?? '0', `${what} tax`);
  const s = amount(shipping ?? '0', `${what} shipping`);
  if (t !== 0) out.push({ name: 'Tax (ServiceTitan)', quantity: 1, price: t });
  if (s !== 0) out.push({ name: 'Shipping', quantity: 1, price: s });
  return out;
}

/** A purchase order against its vendor, its lines carrying the business unit's analytic account. */
export function mapPurchaseOrder(row: StRow, scope: Scope): MapResult<DocumentPayload> {
  const number = str(row.number) || String(row.id);
  if (str(row.status) === 'Canceled') return { kind: 'skip', reason: `purchase order ${number} is canceled` };
  const items = rows(row.items);
  if (items.length === 0)
    throw new RecordError(`purchase order ${number} has no items`, { code: 'servicetitan.no_items' });
  const dimensions = [vendorDim(scope, row.vendorId, row.vendorName ?? row.vendorId)];
  if (row.businessUnitId !== null && row.businessUnitId !== undefined)
    dimensions.push(analyticDim(scope, row.businessUnitId));
  const lines: LinePayload[] = items.map((it, i) => ({
    ...(str(it.skuCode) ? { code: str(it.skuCode) } : {}),
    name: [str(it.skuCode), str(it.description)].filter(Boolean).join(' ') || `line ${i + 1}`,
    quantity: amount(it.quantity, `purchase order ${number} item ${i + 1} quantity`),
    price: amount(it.cost, `purchase order ${number} item ${i + 1} cost`),
  }));
  return {
    kind: 'write',
    dimensions,
    payload: {
      ref: stRef(scope, 'PO', row.id),
      partnerRef: dimensions[0]?.key as string,
      analyticRef: dimensions[1]?.key ?? null,
      orderRef: null,
      vals: {
        partner_ref: number,
        ...(odooDatetime(row.date) ? { date_order: odooDatetime(row.date) } : {}),
      },
      lines: [...lines, ...extraLines(row.tax, row.shipping, `purchase order ${number}`)],
    },
  };
}

/**
 * An inventory bill as a vendor bill linked to its purchase order (which must be in Odoo: bills
 * are sent for received orders that were sent first). A deleted bill is skipped.
 */
export function mapInventoryBill(row: StRow, scope: Scope): MapResult<DocumentPayload> {
  const label = str(row.referenceNumber) || String(row.id);
  if (row.active === false || row._deleted === true)
    return { kind: 'skip', reason: `inventory bill ${label} is deleted in ServiceTitan` };
  const vendor = obj(row.vendor);
  const dimensions = [vendorDim(scope, vendor.id, vendor.name)];
  const poId = row.purchaseOrderId;
  if (poId !== null && poId !== undefined)
    dimensions.push(
      dim(
        'purchase_order',
        stRef(scope, 'PO', str(poId)),
        `purchase order ${str(poId)} of this bill`,
        replayHint('purchase_orders'),
      ),
    );
  const bu = obj(row.businessUnit);
  if (bu.id !== undefined && bu.id !== null) dimensions.push(analyticDim(scope, bu.id, bu.name));
  const items = rows(row.items).sort((a, b) => Number(a.order ?? 0) - Number(b.order ?? 0));
  if (items.length === 0)
    throw new RecordError(`inventory bill ${label} has no items`, { code: 'servicetitan.no_items' });
  const lines: LinePayload[] = items.map((it, i) => ({
    ...(str(it.skuCode) ? { code: str(it.skuCode) } : {}),
    name: [str(it.name), str(it.description)].filter(Boolean).join(' ') || `line ${i + 1}`,
    quantity: amount(it.quantity, `bill ${label} item ${i + 1} quantity`),
    price: amount(it.cost, `bill ${label} item ${i + 1} cost`),
  }));
  return {
    kind: 'write',
    dimensions,
    payload: {
      ref: stRef(scope, 'BILL', row.id),
      partnerRef: dimensions[0]?.key as string,
      orderRef: poId === null || poId === undefined ? null : stRef(scope, 'PO', str(poId)),
      analyticRef: bu.id === undefined || bu.id === null ? null : stRef(scope, 'BU', str(bu.id)),
      vals: {
        payment_reference: str(row.vendorNumber) || label,
        ...(odooDay(row.billDate) ? { invoice_date: odooDay(row.billDate) } : {}),
        ...(odooDay(row.dueDate) ? { invoice_date_due: odooDay(row.dueDate) } : {}),
      },
      lines: [...lines, ...extraLines(row.taxAmount, row.shippingAmount, `bill ${label}`)],
    },
  };
}

/** A job as a sale order of its (surviving) customer; canceled jobs are skipped. */
export function mapJob(
  row: StRow & { customerSurvivorId?: number },
  scope: Scope,
): MapResult<DocumentPayload> {
  const number = str(row.jobNumber) || String(row.id);
  if (str(row.jobStatus) === 'Canceled') return { kind: 'skip', reason: `job ${number} is canceled` };
  const customerId = row.customerSurvivorId ?? row.customerId;
  const dimensions = [customerDim(scope, customerId, undefined)];
  if (row.businessUnitId !== null && row.businessUnitId !== undefined)
    dimensions.push(analyticDim(scope, row.businessUnitId));
  return {
    kind: 'write',
    dimensions,
    payload: {
      ref: stRef(scope, 'JOB', row.id),
      partnerRef: dimensions[0]?.key as string,
      analyticRef: dimensions[1]?.key ?? null,
      orderRef: null,
      vals: odooDatetime(row.createdOn) ? { date_order: odooDatetime(row.createdOn) } : {},
      lines: [
        {
          name: `${number} ${str(row.summary)}`.trim(),
          quantity: 1,
          price: amount(row.total ?? '0', `job ${number} total`),
        },
      ],
    },
  };
}

/** An invoice as an Odoo customer invoice of its (surviving) customer. */
export function mapInvoice(
  row: StRow & { customerSurvivorId?: number },
  scope: Scope,
): MapResult<DocumentPayload> {
  const label = str(row.referenceNumber) || String(row.id);
  if (row.active === false) return { kind: 'skip', reason: `invoice ${label} is inactive in ServiceTitan` };
  const customer = obj(row.customer);
  const dimensions = [customerDim(scope, row.customerSurvivorId ?? customer.id, customer.name)];
  const bu = obj(row.businessUnit);
  if (bu.id !== undefined && bu.id !== null) dimensions.push(analyticDim(scope, bu.id, bu.name));
  const items = rows(row.items).sort((a, b) => Number(a.order ?? 0) - Number(b.order ?? 0));
  const lines: LinePayload[] = items.map((it, i) => ({
    ...(str(it.skuName) ? { code: str(it.skuName) } : {}),
    name: [str(it.skuName), str(it.description)].filter(Boolean).join(' ') || `line ${i + 1}`,
    quantity: amount(it.quantity, `invoice ${label} item ${i + 1} quantity`),
    price: amount(it.price, `invoice ${label} item ${i + 1} price`),
  }));
  const tax = amount(row.salesTax ?? '0', `invoice ${label} sales tax`);
  if (tax !== 0) lines.push({ name: 'Sales tax (ServiceTitan)', quantity: 1, price: tax });
  if (lines.length === 0)
    throw new RecordError(`invoice ${label} has no items`, { code: 'servicetitan.no_items' });
  return {
    kind: 'write',
    dimensions,
    payload: {
      ref: stRef(scope, 'INV', row.id),
      partnerRef: dimensions[0]?.key as string,
      analyticRef: dimensions[1]?.key ?? null,
      orderRef: null,
      vals: {
        payment_reference: label,
        ...(odooDay(row.invoiceDate) ? { invoice_date: odooDay(row.invoiceDate) } : {}),
        ...(odooDay(row.dueDate) ? { invoice_date_due: odooDay(row.dueDate) } : {}),
      },
      lines,
    },
  };
}
