import type { OdooClient } from '../client.js';
import { m2oId, odooDate, odooNumber, odooText } from '../schemas.js';
import type { OdooRow } from '../types.js';
import { companyContext, companyDomain, owner, type CompanyScope, type SourceRead } from './scope.js';

/**
 * Products: product.product variants with their internal reference (`default_code`, the key both
 * sides share) and sales price (`list_price`, the template's price as the variant shows it).
 */
export interface OdooProduct {
  id: number;
  code: string | null;
  name: string;
  listPrice: number;
  active: boolean;
  templateId: number | null;
  company: number;
  modified: Date;
}

export const PRODUCT_FIELDS = [
  'id',
  'default_code',
  'name',
  'list_price',
  'active',
  'product_tmpl_id',
  'write_date',
] as const;

export function toProduct(r: OdooRow, scope: CompanyScope): OdooProduct {
  return {
    id: r.id,
    code: odooText(r.default_code),
    name: odooText(r.name) ?? '',
    listPrice: odooNumber(r.list_price),
    active: r.active !== false,
    templateId: m2oId(r.product_tmpl_id),
    company: owner(r, scope),
    modified: odooDate(r.write_date) ?? new Date(0),
  };
}

async function fieldsFor(odoo: OdooClient): Promise<string[]> {
  const known = await odoo.fieldsGet('product.product');
  return [...PRODUCT_FIELDS, ...('company_id' in known ? ['company_id'] : [])];
}

/** Changed products of one company (and shared ones when the scope takes them), in keyset pages. */
export async function* readProducts(odoo: OdooClient, read: SourceRead): AsyncGenerator<OdooProduct[]> {
  const fields = await fieldsFor(odoo);
  for await (const page of odoo.readChanged('product.product', {
    fields,
    window: read.window,
    domain: await companyDomain(odoo, 'product.product', read.scope),
    activeTest: false,
    context: companyContext(read.scope),
    ...(read.pageSize === undefined ? {} : { pageSize: read.pageSize }),
  }))
    yield page.map((r) => toProduct(r, read.scope));
}

/** Products by internal reference as they are now (archived included). */
export async function productsByCode(
  odoo: OdooClient,
  codes: string[],
  scope: CompanyScope,
): Promise<OdooProduct[]> {
  if (codes.length === 0) return [];
  const rows = await odoo.searchRead(
    'product.product',
    [['default_code', 'in', codes], ...(await companyDomain(odoo, 'product.product', scope))],
    {
      fields: await fieldsFor(odoo),
      order: 'id asc',
      context: companyContext(scope, { active_test: false }),
    },
  );
  return rows.map((r) => toProduct(r, scope));
}

/** id -> internal reference of products, archived included (sale and invoice lines name products by id). */
export async function productCodes(odoo: OdooClient, ids: number[]): Promise<Map<number, string | null>> {
  const out = new Map<number, string | null>();
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return out;
  const rows = await odoo.searchRead('product.product', [['id', 'in', wanted]], {
    fields: ['id', 'default_code'],
    context: { active_test: false },
  });
  for (const r of rows) out.set(r.id, odooText(r.default_code));
  return out;
}
