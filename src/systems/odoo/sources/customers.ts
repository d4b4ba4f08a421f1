import type { OdooClient } from '../client.js';
import { m2oId, m2oName, odooDate, odooText } from '../schemas.js';
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
 * Customers: res.partner companies with a customer rank, and their contact people (partners whose
 * parent is such a company). Read in one company at a time; shared partners (no company) belong to
 * the scope marked `shared`.
 */
export interface OdooCustomer {
  id: number;
  /** `res.partner:<id>`. */
  ref: string;
  company: number;
  kind: 'company' | 'person';
  /** The company a person works for (its `ref`), null for companies. */
  parentRef: string | null;
  name: string;
  code: string | null;
  vat: string | null;
  email: string | null;
  phone: string | null;
  street: string | null;
  city: string | null;
  zip: string | null;
  country: string | null;
  active: boolean;
  modified: Date;
}

export const CUSTOMER_FIELDS = [
  'id',
  'name',
  'is_company',
  'parent_id',
  'ref',
  'vat',
  'email',
  'phone',
  'street',
  'city',
  'zip',
  'country_id',
  'company_id',
  'active',
  'customer_rank',
  'write_date',
] as const;

const COMPANIES: unknown[] = [
  ['is_company', '=', true],
  ['customer_rank', '>', 0],
];
const PEOPLE: unknown[] = [
  ['is_company', '=', false],
  ['parent_id.is_company', '=', true],
  ['parent_id.customer_rank', '>', 0],
];

export function toCustomer(r: OdooRow, scope: CompanyScope): OdooCustomer {
  const parent = m2oId(r.parent_id);
  const isCompany = r.is_company === true;
  return {
    id: r.id,
    ref: odooRef('res.partner', r.id),
    company: owner(r, scope),
    kind: isCompany ? 'company' : 'person',
    parentRef: !isCompany && parent !== null ? odooRef('res.partner', parent) : null,
    name: odooText(r.name) ?? '',
    code: odooText(r.ref),
    vat: odooText(r.vat),
    email: odooText(r.email),
    phone: odooText(r.phone),
    street: odooText(r.street),
    city: odooText(r.city),
    zip: odooText(r.zip),
    country: m2oName(r.country_id),
    active: r.active !== false,
    modified: odooDate(r.write_date) ?? new Date(0),
  };
}

/** Changed customer companies, then changed contact people, of one company, in keyset pages. */
export async function* readCustomers(
  odoo: OdooClient,
  read: SourceRead & { kinds?: Array<'company' | 'person'> },
): AsyncGenerator<OdooCustomer[]> {
  const scopeDomain = await companyDomain(odoo, 'res.partner', read.scope);
  const kinds = read.kinds ?? ['company', 'person'];
  for (const kind of kinds) {
    for await (const page of odoo.readChanged('res.partner', {
      fields: [...CUSTOMER_FIELDS],
      window: read.window,
      domain: [...(kind === 'company' ? COMPANIES : PEOPLE), ...scopeDomain],
      activeTest: false,
      context: companyContext(read.scope),
      ...(read.pageSize === undefined ? {} : { pageSize: read.pageSize }),
    }))
      yield page.map((r) => toCustomer(r, read.scope));
  }
}

/** The customers among `refs` (`res.partner:<id>`) as they are now; others are left out. */
export async function fetchCustomers(
  odoo: OdooClient,
  refs: string[],
  scope: CompanyScope,
): Promise<OdooCustomer[]> {
  const ids = refs.map((r) => idOfRef('res.partner', r)).filter((n): n is number => n !== undefined);
  if (ids.length === 0) return [];
  const scopeDomain = await companyDomain(odoo, 'res.partner', scope);
  const out: OdooCustomer[] = [];
  for (const kind of [COMPANIES, PEOPLE]) {
    const rows = await odoo.searchRead('res.partner', [...kind, ...scopeDomain, ['id', 'in', ids]], {
      fields: [...CUSTOMER_FIELDS],
      order: 'id asc',
      context: companyContext(scope, { active_test: false }),
    });
    out.push(...rows.map((r) => toCustomer(r, scope)));
  }
  return out;
}
