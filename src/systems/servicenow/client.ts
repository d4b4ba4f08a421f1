import type { PingCheck, PingResult } from '../types.js';
import { SnWriter } from './importset.js';
import { pingServiceNow, preflight, type ServiceNowRequirement, type StagingRequirement } from './ping.js';

export { classifyServiceNow } from './errors.js';
export type { ImportOutcome } from './importset.js';
export { splitQuery, type SnRow } from './readers.js';
export type { StagingInfo, TransformMapInfo } from './staging.js';
export type { ServiceNowAuth, ServiceNowConnection } from './transport.js';

/**
 * ServiceNow client: OAuth 2.0 (client credentials, password + refresh) or Basic auth
 * (`transport.ts`); Table API reads with a window on `sys_updated_on` and a `sys_id` keyset
 * (`readers.ts`); Import Set API writes into staging tables, whose transform maps coalesce on the
 * source reference so a re-sent row updates (`importset.ts`, metadata in `staging.ts`); ping and
 * the per-pass preflight (`ping.ts`).
 */
export class ServiceNowClient extends SnWriter {
  /** Staging columns and transform maps (coalesce keys, copy-empty), fresh when their stamps moved. */
  async describeStaging(staging: string) {
    const [info] = await this.refreshStaging([staging]);
    return info!;
  }

  /** See `pingServiceNow`: auth, reachability, version, then every requirement. */
  ping(
    staging: StagingRequirement[] = [],
    tables: Array<string | Extract<ServiceNowRequirement, { table: string }>> = [],
  ): Promise<PingResult> {
    return pingServiceNow(
      this,
      [...tables.map((t) => (typeof t === 'string' ? { table: t } : t)), ...staging],
      { connection: this.ctx.connection, url: this.conn.url, authKind: this.conn.auth.kind },
    );
  }

  /** See `preflight`: the refusals ping would print, for the start of a pass. */
  preflight(requirements: ServiceNowRequirement[]): Promise<PingCheck[]> {
    return preflight(this, requirements);
  }
}
