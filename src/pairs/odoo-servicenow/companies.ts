import { ConfigError } from '../../errors.js';
import type { OdooClient } from '../../systems/odoo/client.js';
import { ids, m2o, text } from '../values.js';
import type { OdooServiceNowOptions } from './options.js';

/**
 * The Odoo companies a pass covers and how each reaches ServiceNow (api notes §9: document numbers
 * are unique per company, account codes are company-dependent).
 */
export interface CompanyScope {
  id: number;
  name: string;
  /** The lowest company id the user may use: its records keep single-company ids and references. */
  primary: boolean;
  /** Put in front of the company's document numbers in ServiceNow ('' for the first company). */
  prefix: string;
  legalEntity: string;
  glAccountMap: Record<string, string>;
  costCenterMap: Record<string, string>;
}

const PAIR_PATH = 'pairs.odoo-servicenow';

/**
 * Pure: the covered companies from the options, the bot user's allowed companies and their names.
 * The first company is the lowest id the user may use: it keeps unprefixed references, so a state
 * file and a ServiceNow instance filled by a single-company setup see the same references.
 */
export function resolveCompanies(
  options: Pick<OdooServiceNowOptions, 'companies' | 'legalEntity' | 'glAccounts' | 'costCenters'>,
  allowed: Array<{ id: number; name: string }>,
): CompanyScope[] {
  if (allowed.length === 0) {
    throw new ConfigError('The Odoo bot user is allowed into no company', {
      code: 'config.odoo_no_company',
      hint: 'grant the user at least one company (Settings > Users > Allowed Companies)',
    });
  }
  const first = Math.min(...allowed.map((c) => c.id));
  const configured = options.companies;
  const byKey = new Map<string, { id: number; name: string }>();
  for (const c of allowed) {
    byKey.set(c.name, c);
    byKey.set(String(c.id), c);
  }
  const scopes: CompanyScope[] = [];
  const make = (
    c: { id: number; name: string },
    entry: NonNullable<OdooServiceNowOptions['companies']>[string] | undefined,
  ): CompanyScope => {
    const legalEntity = entry?.legalEntity ?? (c.id === first ? options.legalEntity : undefined);
    if (legalEntity === undefined) {
      throw new ConfigError(
        `Odoo company "${c.name}" (id ${c.id}) has no ServiceNow legal entity: set ${PAIR_PATH}.companies."${c.name}".legalEntity`,
        {
          code: 'config.odoo_company_unmapped',
          hint: `add ${PAIR_PATH}.companies."${c.name}".legalEntity, or list only the companies to sync under ${PAIR_PATH}.companies`,
          data: { company: c.name, companyId: c.id },
        },
      );
    }
    return {
      id: c.id,
      name: c.name,
      primary: c.id === first,
      prefix: entry?.referencePrefix ?? (c.id === first ? '' : `C${c.id}-`),
      legalEntity,
      glAccountMap: { ...options.glAccounts.map, ...(entry?.glAccounts?.map ?? {}) },
      costCenterMap: { ...options.costCenters.map, ...(entry?.costCenters?.map ?? {}) },
    };
  };
  if (configured && Object.keys(configured).length > 0) {
    for (const [key, entry] of Object.entries(configured)) {
      const c = byKey.get(key);
      if (!c) {
        throw new ConfigError(
          `Odoo company "${key}" (${PAIR_PATH}.companies) is not one the bot user may use (allowed: ${allowed.map((a) => `"${a.name}"`).join(', ')})`,
          {
            code: 'config.odoo_company_not_allowed',
            hint: 'add the company to the user in Odoo (Allowed Companies) or fix its name in the config',
            data: { company: key },
          },
        );
      }
      scopes.push(make(c, entry));
    }
  } else {
    for (const c of [...allowed].sort((a, b) => a.id - b.id)) scopes.push(make(c, undefined));
  }
  const prefixes = new Map<string, string>();
  for (const s of scopes) {
    const other = prefixes.get(s.prefix);
    if (other !== undefined) {
      throw new ConfigError(
        `Odoo companies "${other}" and "${s.name}" would share the reference prefix "${s.prefix}": their documents would overwrite each other in ServiceNow`,
        {
          code: 'config.odoo_company_prefix',
          hint: `give each a distinct ${PAIR_PATH}.companies.<name>.referencePrefix`,
        },
      );
    }
    prefixes.set(s.prefix, s.name);
  }
  return scopes;
}

/** The bot user's allowed companies (res.users company_ids) with their names. */
export async function allowedCompanies(odoo: OdooClient): Promise<Array<{ id: number; name: string }>> {
  const uid = await odoo.authenticate();
  const [user] = await odoo.read('res.users', [uid], ['id', 'company_id', 'company_ids']);
  const companyIds = ids(user?.company_ids);
  const main = m2o(user?.company_id)?.id;
  const wanted = companyIds.length > 0 ? companyIds : main === undefined ? [] : [main];
  if (wanted.length === 0) return [];
  const rows = await odoo.read('res.company', wanted, ['id', 'name']);
  return rows.map((r) => ({ id: r.id, name: text(r.name) ?? `company ${r.id}` }));
}

/** Resolved once per pass (the flows share it). */
export class Companies {
  private resolved: Promise<Map<number, CompanyScope>> | undefined;

  constructor(
    private readonly odoo: OdooClient,
    private readonly options: OdooServiceNowOptions,
  ) {}

  all(): Promise<Map<number, CompanyScope>> {
    this.resolved ??= allowedCompanies(this.odoo)
      .then((allowed) => new Map(resolveCompanies(this.options, allowed).map((s) => [s.id, s])))
      .catch((err: unknown) => {
        this.resolved = undefined;
        throw err;
      });
    return this.resolved;
  }

  async ids(): Promise<number[]> {
    return [...(await this.all()).keys()];
  }

  /** The scope of a document's company; documents of an uncovered company never get here. */
  async of(companyId: number | null): Promise<CompanyScope> {
    const all = await this.all();
    const found = companyId === null ? undefined : all.get(companyId);
    if (found) return found;
    // A record without a company (shared) belongs to the first covered company.
    if (companyId === null) return [...all.values()][0] as CompanyScope;
    throw new ConfigError(`Odoo company ${companyId} is not covered by this pair`, {
      code: 'config.odoo_company_unmapped',
    });
  }
}
