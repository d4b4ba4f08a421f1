import type { z } from 'zod';
import { InternalError } from '../errors.js';
import type { ClientContext, PingCheck, PingResult } from './types.js';

/**
 * What the engine knows of a system. Adding a system adds one folder and one line in `LOADERS`.
 * `P` is what a pair may ask `ping` to verify (tables, fields, coalesce keys).
 */
export interface SystemAdapter<C = unknown, Client = unknown, P = unknown> {
  system: string;
  /** zod schema of a connection of this system in mlc.yaml. */
  schema: z.ZodType<C>;
  /** Dotted paths of credential fields: `secret:` or `${ENV}` only. */
  secretFields: string[];
  /** Builds a client; `conn` has its secrets already resolved. */
  connect(conn: C, ctx: ClientContext, hooks: ConnectHooks): Client;
  ping(client: Client, requirements: P[]): Promise<PingResult>;
  /**
   * The checks of `ping` that a pass repeats at its start, cheaply (cached where the system has a
   * change stamp): answers the failed ones only, with ping's own names and texts. A pass refuses to
   * run what ping would refuse.
   */
  preflight?(client: Client, requirements: P[]): Promise<PingCheck[]>;
  close(client: Client): Promise<void>;
}

export interface ConnectHooks {
  /** Loads and stores rotating credentials (e.g. refresh tokens) encrypted under the connection. */
  rotating: {
    load(what: string): Promise<string | undefined>;
    save(what: string, value: string): Promise<void>;
  };
}

type AnyAdapter = SystemAdapter<unknown, unknown, unknown>;

/**
 * Every system mlc knows, loaded on demand: a run loads the systems its config names and no
 * others, which keeps start-up (a cron pass that finds nothing to do) short.
 */
const LOADERS: Record<string, () => Promise<unknown>> = {
  odoo: async () => (await import('./odoo/adapter.js')).odooAdapter,
  servicenow: async () => (await import('./servicenow/adapter.js')).serviceNowAdapter,
  acumatica: async () => (await import('./acumatica/adapter.js')).acumaticaAdapter,
  salesforce: async () => (await import('./salesforce/adapter.js')).salesforceAdapter,
  netsuite: async () => (await import('./netsuite/adapter.js')).netSuiteAdapter,
  servicetitan: async () => (await import('./servicetitan/adapter.js')).serviceTitanAdapter,
};

export const SYSTEM_NAMES: readonly string[] = Object.keys(LOADERS);

const loaded = new Map<string, AnyAdapter>();

/** Loads the named systems' adapters (unknown names are left to the caller to report). */
export async function loadSystems(names: Iterable<string>): Promise<void> {
  // One after the other: module loading is CPU-bound, so concurrency gains nothing.
  for (const n of new Set(names)) {
    if (!Object.hasOwn(LOADERS, n) || loaded.has(n)) continue;
    const adapter = (await LOADERS[n]!()) as AnyAdapter;
    if (adapter.system !== n)
      throw new InternalError(`system ${n} loaded an adapter of ${adapter.system}`, {
        code: 'internal.registry',
      });
    loaded.set(n, adapter);
  }
}

/** A system's adapter, once loaded (the config load loads every system it names). */
export function systemAdapter(system: string): AnyAdapter {
  const found = loaded.get(system);
  if (!found) {
    throw new InternalError(
      Object.hasOwn(LOADERS, system)
        ? `system ${system} used before it was loaded`
        : `unknown system ${system}`,
      { code: 'internal.registry' },
    );
  }
  return found;
}
