import { sourceRef } from '../../systems/odoo/sinks/index.js';

/** Where a pass writes: the ServiceTitan tenant read and the Odoo company it maps to. */
export interface Scope {
  tenant: string;
  company: number;
  /** The company's name, for messages. */
  companyName?: string;
}

export type RefKind = 'BU' | 'VEND' | 'CUST' | 'PO' | 'BILL' | 'JOB' | 'INV' | 'PAY';

/** The Odoo reference of a ServiceTitan record (see the scheme in the Odoo sinks). */
export function stRef(scope: Scope, kind: RefKind, id: number | string): string {
  return sourceRef('ST', scope.tenant, scope.company, kind, id);
}

/** The prefix every reference of one kind of this scope starts with (dimension look-ups). */
export function stRefPrefix(scope: Scope, kind: RefKind): string {
  return sourceRef('ST', scope.tenant, scope.company, kind, '');
}

/**
 * The memo of an Odoo payment registered from one split of a ServiceTitan payment:
 * `ST<tenant>.C<company>.PAY.<paymentId>-<invoiceId>` (collections.ts).
 */
export function collectionRef(scope: Scope, paymentId: number, invoiceId: number): string {
  return stRef(scope, 'PAY', `${paymentId}-${invoiceId}`);
}

/** Whether an Odoo payment's memo is a `collectionRef` of any tenant and company: mlc wrote it from ServiceTitan. */
export function isCollectionRef(memo: unknown): boolean {
  return typeof memo === 'string' && /^ST\d+\.C\d+\.PAY\.\d+-\d+$/.test(memo.trim());
}

/** The exportId of a ServiceTitan payment created from an Odoo payment (payments.ts). */
export function odooPaymentExportId(company: number, odooPaymentId: number): string {
  return `ODOO.C${company}.PAY.${odooPaymentId}`;
}

/**
 * Whether a ServiceTitan payment's memo carries the marker of an Odoo payment of any company,
 * `[ODOO.C<company>.PAY.<id>]` (the payment list shows the memo, not the exportId): mlc created it.
 */
export function isOdooPaymentMemo(memo: unknown): boolean {
  return typeof memo === 'string' && /\[ODOO\.C\d+\.PAY\.\d+\]/.test(memo);
}
