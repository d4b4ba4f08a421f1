/**
 * Pure mappings between Odoo records (as the Odoo sources read them) and Salesforce records. No I/O,
 * no clock: table-tested in tests/e2e/odoo-salesforce.mappers.test.ts.
 */
import { RecordError } from '../../errors.js';
import type {
  OdooCustomer,
  OdooInvoice,
  OdooProduct,
  OdooSaleOrder,
} from '../../systems/odoo/sources/index.js';
import type { DimensionRef, MapResult } from '../../sync/types.js';

/** The custom fields of the org (options `fields`). */
export interface FieldNames {
  externalId: string;
  lineExternalId: string;
  company: string;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

// ---- products -----------------------------------------------------------------------------------

/** A product as both sides hold it; the product code is the key. */
export interface ProductPayload {
  code: string;
  name: string;
  price: number;
  active: boolean;
  /** Salesforce only: the Odoo record, for the external id of a product created from Odoo. */
  odooRef?: string;
  companyCode?: string;
}

/** What both directions hash: a product written one way is unchanged seen from the other. */
export function productCanonical(p: ProductPayload): unknown {
  return { code: p.code.trim(), name: p.name.trim(), price: round2(p.price), active: p.active };
}

export function mapProductToSalesforce(p: OdooProduct, companyCode: string): MapResult<ProductPayload> {
  if (!p.code)
    return { kind: 'skip', reason: 'product without an internal reference (the key both sides share)' };
  return {
    kind: 'write',
    payload: {
      code: p.code,
      name: p.name,
      price: round2(p.listPrice),
      active: p.active,
      odooRef: `product.product:${p.id}`,
      companyCode,
    },
  };
}

/** A Salesforce product with its standard price (absent when it has no standard price book entry). */
export interface SfProductData {
  id: string;
  code: string | null;
  name: string;
  active: boolean;
  price: number | null;
}

export function mapProductToOdoo(p: SfProductData): MapResult<ProductPayload> {
  if (!p.code)
    return { kind: 'skip', reason: 'Salesforce product without a product code (the key both sides share)' };
  if (p.price === null) return { kind: 'skip', reason: `product ${p.code} has no standard price yet` };
  return { kind: 'write', payload: { code: p.code, name: p.name, price: round2(p.price), active: p.active } };
}

// ---- customers ----------------------------------------------------------------------------------

export type SfValues = Record<string, unknown>;

export function mapAccount(c: OdooCustomer, companyCode: string, f: FieldNames): MapResult<SfValues> {
  if (c.kind !== 'company') return { kind: 'skip', reason: 'a person is a Contact, not an Account' };
  if (c.name.trim() === '')
    throw new RecordError(`Odoo customer ${c.ref} has no name`, { code: 'odoo_salesforce.no_name' });
  return {
    kind: 'write',
    payload: {
      [f.externalId]: c.ref,
      Name: c.name,
      AccountNumber: c.code,
      Phone: c.phone,
      BillingStreet: c.street,
      BillingCity: c.city,
      BillingPostalCode: c.zip,
      BillingCountry: c.country,
      [f.company]: companyCode,
    },
  };
}

/** Odoo keeps one name; Salesforce a first and a required last name. */
export function splitName(name: string): { first: string | null; last: string } {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length <= 1) return { first: null, last: parts[0] ?? '' };
  return { first: parts.slice(0, -1).join(' '), last: parts[parts.length - 1] as string };
}

/** A contact as both directions hash it. */
export function contactCanonical(c: {
  first: string | null;
  last: string;
  email: string | null;
  phone: string | null;
  account: string | null;
}): unknown {
  return {
    name: [c.first, c.last].filter(Boolean).join(' ').trim(),
    email: (c.email ?? '').trim().toLowerCase(),
    phone: (c.phone ?? '').trim(),
    account: c.account ?? '',
  };
}

/** Contacts born in Salesforce carry this Odoo reference (`ref`) once written to Odoo. */
export const SF_BORN = 'salesforce:';

export interface ContactPayload {
  /** Upsert key: the external id, or `Id` for a contact that came from Salesforce. */
  key: { field: string; value: string };
  values: SfValues;
  canonical: unknown;
}

export function mapContact(c: OdooCustomer, companyCode: string, f: FieldNames): MapResult<ContactPayload> {
  if (c.kind !== 'person' || c.parentRef === null)
    return { kind: 'skip', reason: 'not a contact person of a customer company' };
  const { first, last } = splitName(c.name);
  if (last === '')
    throw new RecordError(`Odoo contact ${c.ref} has no name`, { code: 'odoo_salesforce.no_name' });
  const sfId = c.code?.startsWith(SF_BORN) ? c.code.slice(SF_BORN.length) : null;
  const values: SfValues = {
    FirstName: first,
    LastName: last,
    Email: c.email,
    Phone: c.phone,
    Account: { [f.externalId]: c.parentRef },
    [f.company]: companyCode,
    // A contact from Salesforce learns its Odoo reference, so that later edits in Odoo find it.
    [f.externalId]: c.ref,
  };
  return {
    kind: 'write',
    payload: {
      key: sfId ? { field: 'Id', value: sfId } : { field: f.externalId, value: c.ref },
      values,
      canonical: contactCanonical({ first, last, email: c.email, phone: c.phone, account: c.parentRef }),
    },
    dimensions: [account(c.parentRef, c.ref)],
  };
}

function account(ref: string, of: string): DimensionRef {
  return {
    kind: 'account',
    key: ref,
    describe: `Salesforce Account of Odoo customer ${ref}`,
    hint: `the customer's company must reach Salesforce first (it does when it has a customer rank); ${of} is sent again by mlc replay`,
  };
}

/** A Salesforce contact as read for Odoo. */
export interface SfContactData {
  id: string;
  odooRef: string | null;
  first: string | null;
  last: string;
  email: string | null;
  phone: string | null;
  accountRef: string | null;
  companyCode: string | null;
}

export interface OdooContactPayload {
  /** The partner to write, when the contact came from Odoo. */
  partnerRef: string | null;
  /** `salesforce:<Id>`: the Odoo `ref` of a contact born in Salesforce. */
  sfRef: string;
  name: string;
  email: string | null;
  phone: string | null;
  parentRef: string;
  companyCode: string | null;
  canonical: unknown;
}

export function mapContactToOdoo(c: SfContactData): MapResult<OdooContactPayload> {
  if (!c.accountRef)
    throw new RecordError(`Salesforce contact ${c.id} belongs to no Account that came from Odoo`, {
      code: 'odoo_salesforce.contact_without_odoo_account',
      hint: 'only contacts of Accounts synced from Odoo flow back',
    });
  return {
    kind: 'write',
    payload: {
      partnerRef: c.odooRef,
      sfRef: `${SF_BORN}${c.id}`,
      name: [c.first, c.last].filter(Boolean).join(' '),
      email: c.email,
      phone: c.phone,
      parentRef: c.accountRef,
      companyCode: c.companyCode,
      canonical: contactCanonical({
        first: c.first,
        last: c.last,
        email: c.email,
        phone: c.phone,
        account: c.accountRef,
      }),
    },
  };
}

// ---- sales orders -------------------------------------------------------------------------------

/** The `pricebook_entry` dimension key of a product in a price book (the standard one: null). */
export function entryKey(code: string, book: string | null): string {
  return book === null ? code : `${code} @ ${book}`;
}

export interface OrderItemPayload {
  ref: string;
  code: string;
  quantity: number;
  unitPrice: number;
  description: string;
}

/**
 * Order.Name holds at most 80 characters
 * (https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-order.html).
 */
export const ORDER_NAME_MAX = 80;

export interface OrderPayload {
  ref: string;
  /** The Odoo order's name (`S00042`), sent as the Order's Name, cut to ORDER_NAME_MAX. */
  name: string;
  companyCode: string;
  /** The company's price book by name; null: the standard one. */
  priceBook: string | null;
  accountRef: string;
  effectiveDate: string;
  activate: boolean;
  items: OrderItemPayload[];
  /**
   * Written again because the Salesforce Order was found Draft (its SystemModstamp then) while it
   * should be Activated.
   */
  draftSince?: string;
}

export function mapOrder(
  o: OdooSaleOrder,
  companyCode: string,
  opts: { activate: boolean; draftSince?: string; priceBook?: string | null },
): MapResult<OrderPayload> {
  const book = opts.priceBook ?? null;
  const bookName = book === null ? 'the Salesforce standard price book' : `Salesforce price book "${book}"`;
  if (o.customerRef === null)
    throw new RecordError(`Odoo sales order ${o.name} has no customer`, {
      code: 'odoo_salesforce.no_customer',
    });
  if (o.orderDate === null)
    throw new RecordError(`Odoo sales order ${o.name} has no order date`, {
      code: 'odoo_salesforce.no_date',
    });
  if (o.lines.length === 0) return { kind: 'skip', reason: `sales order ${o.name} has no product lines` };
  const items = o.lines.map((l): OrderItemPayload => {
    if (!l.productCode) {
      throw new RecordError(
        `Odoo sales order ${o.name}: line "${l.description}" names ${l.productId === null ? 'no product' : `product ${l.productId} without an internal reference`}`,
        {
          code: 'odoo_salesforce.line_without_product_code',
          hint: 'give the product an internal reference (the product code Salesforce knows it by)',
        },
      );
    }
    return {
      ref: l.ref,
      code: l.productCode,
      quantity: l.quantity,
      unitPrice: round2(l.priceUnit * (1 - l.discount / 100)),
      description: l.description.slice(0, 255),
    };
  });
  const codes = [...new Set(items.map((i) => i.code))];
  return {
    kind: 'write',
    payload: {
      ref: o.ref,
      name: o.name.slice(0, ORDER_NAME_MAX),
      companyCode,
      priceBook: book,
      accountRef: o.customerRef,
      effectiveDate: o.orderDate,
      activate: opts.activate && o.state === 'sale',
      items,
      ...(opts.draftSince === undefined ? {} : { draftSince: opts.draftSince }),
    },
    dimensions: [
      account(o.customerRef, o.name),
      ...codes.map((code): DimensionRef => ({
        kind: 'pricebook_entry',
        key: entryKey(code, book),
        describe: `product ${code} (no active entry in ${bookName})`,
        hint:
          book === null
            ? `create product ${code} with a standard price in Salesforce (or let the products flow send it), then mlc replay`
            : `let the products flow send product ${code} (mlc replay of the product, or mlc sync --full after adding the price book), or add it to "${book}" in Salesforce, then mlc replay`,
      })),
    ],
  };
}

// ---- invoices -----------------------------------------------------------------------------------

export interface InvoicePayload {
  number: string;
  orderRef: string;
  /** The line the invoice leaves on its order's Description. */
  line: string;
}

/** The invoice line on an order: `Invoice <number> …`, one per invoice, replaced when it changes. */
export function invoiceLine(i: OdooInvoice): string {
  const amount = i.amountTotal.toFixed(2);
  return (
    `Invoice ${i.number} (${i.invoiceDate ?? 'undated'}): ${amount} ${i.currency ?? ''}`.trim() +
    `, ${i.paymentState ?? 'not_paid'}, due ${i.dueDate ?? i.invoiceDate ?? '-'}`
  );
}

export function mapInvoice(i: OdooInvoice & { orderRef: string | null }): MapResult<InvoicePayload> {
  if (i.orderRef === null)
    return {
      kind: 'skip',
      reason: `invoice ${i.number} does not come from a sales order sent to Salesforce`,
    };
  return {
    kind: 'write',
    payload: { number: i.number, orderRef: i.orderRef, line: invoiceLine(i) },
    dimensions: [
      {
        kind: 'order',
        key: i.orderRef,
        describe: `Salesforce Order of ${i.origin ?? i.orderRef}`,
        hint: 'the sales order reaches Salesforce first; mlc replay sends the invoice again',
      },
    ],
  };
}

/** The amount and currency an Order's Description records for an invoice (its line), if any. */
export function invoiceLineAmount(
  description: string | null,
  number: string,
): { amount: string; currency: string | null } | undefined {
  const prefix = `Invoice ${number} (`;
  const line = (description ?? '').split('\n').find((l) => l.startsWith(prefix));
  const m =
    line === undefined ? null : /^\([^)]*\): (-?\d+\.\d+)(?: (\S+))?,/.exec(line.slice(prefix.length - 1));
  if (!m) return undefined;
  return { amount: m[1] as string, currency: m[2] ?? null };
}

/** The Description with this invoice's line put in (replacing an older line of the same invoice). */
export function withInvoiceLine(description: string | null, number: string, line: string): string {
  const prefix = `Invoice ${number} `;
  const kept = (description ?? '').split('\n').filter((l) => l !== '' && !l.startsWith(prefix));
  return [...kept, line].join('\n');
}
