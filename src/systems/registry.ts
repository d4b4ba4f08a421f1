import type { z } from 'zod';
import { acumaticaAdapter } from './acumatica/adapter.js';
import { netSuiteAdapter } from './netsuite/adapter.js';
import { odooAdapter } from './odoo/adapter.js';
import { serviceNowAdapter } from './servicenow/adapter.js';
import { salesforceAdapter } from './salesforce/adapter.js';
import type { ClientContext, PingCheck, PingResult } from './types.js';
import { serviceTitanAdapter } from './servicetitan/adapter.js';

/**
 * What the engine knows of a system. Adding a system adds one folder and one line below.
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

export const SYSTEMS: readonly SystemAdapter<never, never, never>[] = [
  odooAdapter,
  serviceNowAdapter,
  acumaticaAdapter,
  salesforceAdapter,
  netSuiteAdapter,
  serviceTitanAdapter,
] as unknown as SystemAdapter<never, never, never>[];

export function systemAdapter(system: string): SystemAdapter<unknown, unknown, unknown> {
  const found = SYSTEMS.find((s) => s.system === system);
  if (!found) throw new Error(`unknown system ${system}`);
  return found as unknown as SystemAdapter<unknown, unknown, unknown>;
}
