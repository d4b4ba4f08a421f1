import { InternalError } from '../errors.js';
import type { PairDefinition } from './types.js';

/**
 * Every pair mlc knows, loaded on demand: a run loads the pairs its config names and no others.
 * Adding a pair adds one folder and one line here.
 */
const LOADERS: Record<string, () => Promise<unknown>> = {
  'odoo-servicenow': async () => (await import('./odoo-servicenow/index.js')).odooServiceNow,
  'acumatica-servicenow': async () => (await import('./acumatica-servicenow/index.js')).acumaticaServiceNow,
  'netsuite-servicenow': async () => (await import('./netsuite-servicenow/index.js')).netSuiteServiceNow,
  'servicetitan-odoo': async () => (await import('./servicetitan-odoo/index.js')).serviceTitanOdoo,
  'odoo-salesforce': async () => (await import('./odoo-salesforce/index.js')).odooSalesforce,
};

/** The pair types, in the order help texts list them. */
export const PAIR_NAMES: readonly string[] = Object.keys(LOADERS);

const loaded = new Map<string, PairDefinition>();

export function isPairName(name: unknown): name is string {
  return typeof name === 'string' && Object.hasOwn(LOADERS, name);
}

/** Loads the named pairs (unknown names are left to the caller to report). */
export async function loadPairs(names: Iterable<string> = PAIR_NAMES): Promise<PairDefinition[]> {
  const wanted = [...new Set(names)].filter(isPairName);
  // One after the other: module loading is CPU-bound, so concurrency gains nothing.
  for (const n of wanted.filter((w) => !loaded.has(w))) {
    const def = (await LOADERS[n]!()) as PairDefinition;
    if (def.name !== n)
      throw new InternalError(`pair ${n} loaded the definition of ${def.name}`, {
        code: 'internal.registry',
      });
    loaded.set(n, def);
  }
  return wanted.map((n) => loaded.get(n)!);
}

/** A pair's definition, once loaded (the config load loads every pair it names). */
export function loadedPair(name: string): PairDefinition | undefined {
  const found = loaded.get(name);
  if (!found && isPairName(name))
    throw new InternalError(`pair ${name} used before it was loaded`, { code: 'internal.registry' });
  return found;
}
