import { ConfigError } from '../../errors.js';
import type { OdooClient } from '../../systems/odoo/client.js';
import type { CompanyScope } from '../../systems/odoo/sources/index.js';
import { allowedCompanies } from '../odoo-servicenow/companies.js';
import type { OdooSalesforceOptions } from './options.js';

/** A covered Odoo company: where its records are read and how Salesforce names it. */
export interface Company extends CompanyScope {
  name: string;
  /** Written in the company field of its Salesforce records. */
  code: string;
  /** The Salesforce price book its Orders use, by name; null: the standard price book. */
  priceBook: string | null;
}

/**
 * Pure: the covered companies from the options and the bot user's allowed companies. The lowest id
 * the user may use also owns the records that belong to no company (shared partners, products).
 */
export function resolveCompanies(
  configured: OdooSalesforceOptions['companies'],
  allowed: Array<{ id: number; name: string }>,
  priceBooks: OdooSalesforceOptions['priceBooks'] = {},
): Company[] {
  if (allowed.length === 0) {
    throw new ConfigError('The Odoo bot user is allowed into no company', {
      code: 'config.odoo_no_company',
      hint: 'grant the user at least one company (Settings > Users > Allowed Companies)',
    });
  }
  const byKey = new Map<string, { id: number; name: string }>();
  for (const c of allowed) {
    byKey.set(c.name, c);
    byKey.set(String(c.id), c);
  }
  const picked: Array<{ c: { id: number; name: string }; code: string }> = [];
  if (configured && Object.keys(configured).length > 0) {
    for (const [key, entry] of Object.entries(configured)) {
      const c = byKey.get(key);
      if (!c) {
        throw new ConfigError(
          `Odoo company "${key}" (pairs.odoo-salesforce.companies) is not one the bot user may use (allowed: ${allowed.map((a) => `"${a.name}"`).join(', ')})`,
          { code: 'config.odoo_company_not_allowed', data: { company: key } },
        );
      }
      picked.push({ c, code: entry.code });
    }
  } else {
    for (const c of allowed) picked.push({ c, code: c.name });
  }
  picked.sort((a, b) => a.c.id - b.c.id);
  const codes = new Set<string>();
  for (const p of picked) {
    if (codes.has(p.code)) {
      throw new ConfigError(`Two Odoo companies would share the Salesforce company value "${p.code}"`, {
        code: 'config.odoo_company_code',
        hint: 'give each company a distinct pairs.odoo-salesforce.companies.<name>.code',
      });
    }
    codes.add(p.code);
  }
  const bookOf = new Map<number, string>();
  for (const [key, book] of Object.entries(priceBooks)) {
    const p = picked.find((x) => x.c.name === key || String(x.c.id) === key);
    if (!p) {
      throw new ConfigError(
        `pairs.odoo-salesforce.priceBooks names Odoo company "${key}", which the pair does not cover (covered: ${picked.map((x) => `"${x.c.name}"`).join(', ')})`,
        { code: 'config.odoo_company_price_book', data: { company: key } },
      );
    }
    bookOf.set(p.c.id, book);
  }
  return picked.map((p, i) => ({
    company: p.c.id,
    shared: i === 0,
    name: p.c.name,
    code: p.code,
    priceBook: bookOf.get(p.c.id) ?? null,
  }));
}

/** Resolved once per pass; the flows share it. */
export class Companies {
  private resolved: Promise<Company[]> | undefined;

  constructor(
    private readonly odoo: OdooClient,
    private readonly configured: OdooSalesforceOptions['companies'],
    private readonly priceBooks: OdooSalesforceOptions['priceBooks'] = {},
  ) {}

  all(): Promise<Company[]> {
    this.resolved ??= allowedCompanies(this.odoo)
      .then((allowed) => resolveCompanies(this.configured, allowed, this.priceBooks))
      .catch((err: unknown) => {
        this.resolved = undefined;
        throw err;
      });
    return this.resolved;
  }

  async byId(id: number): Promise<Company | undefined> {
    return (await this.all()).find((c) => c.company === id);
  }

  async byCode(code: string): Promise<Company | undefined> {
    return (await this.all()).find((c) => c.code === code);
  }
}
