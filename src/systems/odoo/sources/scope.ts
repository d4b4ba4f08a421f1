import type { OdooClient } from '../client.js';
import type { ReadWindow } from '../../types.js';

/**
 * One company a source reads in (api notes §9: document numbers are unique per company and
 * company-dependent values answer for the first company of `allowed_company_ids`). `shared` also
 * takes the records that belong to no company (partners and products usually), so that exactly one
 * covered company owns them.
 */
export interface CompanyScope {
  company: number;
  shared: boolean;
}

export interface SourceRead {
  window: ReadWindow;
  scope: CompanyScope;
  pageSize?: number;
}

/** `model:id`: the reference a record is known by outside Odoo (ids are unique per database). */
export function odooRef(model: string, id: number): string {
  return `${model}:${id}`;
}

/** The id in an `odooRef`, or undefined when the reference is of another model. */
export function idOfRef(model: string, ref: string): number | undefined {
  if (!ref.startsWith(`${model}:`)) return undefined;
  const n = Number(ref.slice(model.length + 1));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The company condition of a read in `scope`, on models that have a company (others: none). */
export async function companyDomain(
  odoo: OdooClient,
  model: string,
  scope: CompanyScope,
): Promise<unknown[]> {
  const fields = await odoo.fieldsGet(model);
  // A model without a company field holds shared records only: the shared scope reads them.
  if (!('company_id' in fields)) return scope.shared ? [] : [['id', '=', 0]];
  return [['company_id', 'in', scope.shared ? [false, scope.company] : [scope.company]]];
}

/** Context that makes `scope.company` the current company of the call. */
export function companyContext(
  scope: CompanyScope,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { allowed_company_ids: [scope.company], ...extra };
}

/** The owning company of a record: its own, or the scope's when it has none (shared). */
export function owner(row: Record<string, unknown>, scope: CompanyScope): number {
  const v = row.company_id;
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  if (typeof v === 'number') return v;
  return scope.company;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
