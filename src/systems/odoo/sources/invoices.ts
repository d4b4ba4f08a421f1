import type { OdooClient } from '../client.js';
import { m2oId, m2oName, odooDate, odooDay, odooNumber, odooText } from '../schemas.js';
import type { OdooRow } from '../types.js';
import {
  companyContext,
  companyDomain,
  idOfRef,
  odooRef,
  owner,
  type CompanyScope,
  type SourceRead,
} from './scope.js';

/**
 * Posted customer invoices (account.move `out_invoice`). `origin` is the sales order name Odoo puts
 * in `invoice_origin` when it invoices an order; numbers are unique per company only (§9).
 */
export interface OdooInvoice {
  id: number;
  /** `account.move:<id>`. */
  ref: string;
  number: string;
  company: number;
  customerRef: string | null;
  invoiceDate: string | null;
  dueDate: string | null;
  origin: string | null;
  currency: string | null;
  amountUntaxed: number;
  amountTotal: number;
  amountResidual: number;
  paymentState: string | null;
  modified: Date;
}

export const INVOICE_FIELDS = [
  'id',
  'name',
  'move_type',
  'state',
  'partner_id',
  'invoice_date',
  'invoice_date_due',
  'invoice_origin',
  'currency_id',
  'amount_untaxed',
  'amount_total',
  'amount_residual',
  'payment_state',
  'company_id',
  'write_date',
] as const;

const POSTED_CUSTOMER: unknown[] = [
  ['move_type', '=', 'out_invoice'],
  ['state', '=', 'posted'],
];

export function toInvoice(r: OdooRow, scope: CompanyScope): OdooInvoice {
  const partner = m2oId(r.partner_id);
  return {
    id: r.id,
    ref: odooRef('account.move', r.id),
    number: odooText(r.name) ?? `account.move ${r.id}`,
    company: owner(r, scope),
    customerRef: partner === null ? null : odooRef('res.partner', partner),
    invoiceDate: odooDay(r.invoice_date),
    dueDate: odooDay(r.invoice_date_due),
    origin: odooText(r.invoice_origin),
    currency: m2oName(r.currency_id),
    amountUntaxed: odooNumber(r.amount_untaxed),
    amountTotal: odooNumber(r.amount_total),
    amountResidual: odooNumber(r.amount_residual),
    paymentState: odooText(r.payment_state),
    modified: odooDate(r.write_date) ?? new Date(0),
  };
}

/** Changed posted customer invoices of one company, in keyset pages. */
export async function* readInvoices(odoo: OdooClient, read: SourceRead): AsyncGenerator<OdooInvoice[]> {
  for await (const page of odoo.readChanged('account.move', {
    fields: [...INVOICE_FIELDS],
    window: read.window,
    domain: [...POSTED_CUSTOMER, ...(await companyDomain(odoo, 'account.move', read.scope))],
    context: companyContext(read.scope),
    ...(read.pageSize === undefined ? {} : { pageSize: read.pageSize }),
  }))
    yield page.map((r) => toInvoice(r, read.scope));
}

/** Posted customer invoices by reference (`account.move:<id>`) as they are now. */
export async function fetchInvoices(
  odoo: OdooClient,
  refs: string[],
  scope: CompanyScope,
): Promise<OdooInvoice[]> {
  const ids = refs.map((r) => idOfRef('account.move', r)).filter((n): n is number => n !== undefined);
  if (ids.length === 0) return [];
  const rows = await odoo.searchRead(
    'account.move',
    [...POSTED_CUSTOMER, ['id', 'in', ids], ...(await companyDomain(odoo, 'account.move', scope))],
    { fields: [...INVOICE_FIELDS], order: 'id asc', context: companyContext(scope) },
  );
  return rows.map((r) => toInvoice(r, scope));
}
