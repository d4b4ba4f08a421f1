import type { OdooClient } from '../../systems/odoo/client.js';
import type { SalesforceClient } from '../../systems/salesforce/client.js';
import type { Companies, Company } from './companies.js';
import type { SfLookups } from './lookups.js';
import type { FieldNames } from './mappers.js';
import type { OdooSalesforceOptions } from './options.js';

/** What every flow builder of the pair shares for one pass. */
export interface PairContext {
  odoo: OdooClient;
  sf: SalesforceClient;
  options: OdooSalesforceOptions;
  f: FieldNames;
  companies: Companies;
  sfLookups: SfLookups;
  odooTime: () => Promise<Date>;
  sfTime: () => Promise<Date>;
  batchSize: number;
}

/** Records of every covered company, company by company. */
export async function* eachCompany<T>(
  companies: Companies,
  read: (c: Company) => AsyncIterable<T[]>,
): AsyncGenerator<T[]> {
  for (const c of await companies.all()) yield* read(c);
}

/** Fetches in every covered company (each record is found in its own only). */
export async function inEachCompany<T>(
  companies: Companies,
  fetch: (c: Company) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  for (const c of await companies.all()) out.push(...(await fetch(c)));
  return out;
}
