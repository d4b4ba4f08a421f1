import { sourceRef } from '../../systems/odoo/sinks/index.js';

/** Where a pass writes: the ServiceTitan tenant read and the Odoo company it maps to. */
export interface Scope {
  tenant: string;
  company: number;
  /** The company's name, for messages. */
  companyName?: string;
}

export type RefKind = 'BU' | 'VEND' | 'CUST' | 'PO' | 'BILL' | 'JOB' | 'INV';

/** The Odoo reference of a ServiceTitan record (see the scheme in the Odoo sinks). */
export function stRef(scope: Scope, kind: RefKind, id: number | string): string {
  return sourceRef('ST', scope.tenant, scope.company, kind, id);
}

/** The prefix every reference of one kind of this scope starts with (dimension look-ups). */
export function stRefPrefix(scope: Scope, kind: RefKind): string {
  return sourceRef('ST', scope.tenant, scope.company, kind, '');
}
