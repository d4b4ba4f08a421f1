import type { AcumaticaClient, AcuRow } from '../../systems/acumatica/client.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';
import { isoUtc, text } from '../values.js';
import type { MapOptions } from './mappers.js';
import type { AcumaticaServiceNowOptions } from './options.js';
import type { acumaticaQueries } from './queries.js';

/** What the flows of one pass share: the clients, the options, the queries and the look-ups. */
export interface FlowContext {
  acu: AcumaticaClient;
  sn: ServiceNowClient;
  options: AcumaticaServiceNowOptions;
  t: AcumaticaServiceNowOptions['tables'];
  opts: MapOptions;
  q: ReturnType<typeof acumaticaQueries>;
  lookups: AcumaticaLookups;
  acuTime: () => Promise<Date>;
  snTime: () => Promise<Date>;
  batchSize: number;
  /** POs written by the return path in this pass, sent to ServiceNow by the PO flow of the same pass. */
  createdPos: Set<string>;
}

/** Epoch stamp of entities without LastModifiedDateTime (full scan, diffed by content hash). */
export const NO_STAMP = new Date(0).toISOString();

/** Acumatica master data the readers enrich documents with, loaded once per pass. */
export class AcumaticaLookups {
  private vendors: Promise<Map<string, string>> | undefined;
  private accounts: Promise<Map<string, string>> | undefined;

  constructor(
    private readonly acu: AcumaticaClient,
    private readonly q: ReturnType<typeof acumaticaQueries>,
  ) {}

  vendorNames(): Promise<Map<string, string>> {
    const { entity, ...query } = this.q.vendorNames;
    return (this.vendors ??= this.acu
      .list(entity, query)
      .then((rows) => new Map(rows.map((r) => [upper(r.VendorID), text(r.VendorName) ?? '']))));
  }

  accountNames(): Promise<Map<string, string>> {
    const { entity, ...query } = this.q.accountNames;
    return (this.accounts ??= this.acu
      .list(entity, query)
      .then((rows) => new Map(rows.map((r) => [upper(r.AccountCD), text(r.Description) ?? '']))));
  }
}

export function upper(v: unknown): string {
  return String(v ?? '')
    .trim()
    .toUpperCase();
}

export function lines(r: AcuRow, field = 'Details'): AcuRow[] {
  const v = r[field];
  return Array.isArray(v) ? (v as AcuRow[]) : [];
}

/** A linked entity (`$expand`ed), or null when the server sent none. */
export function linked(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function stamp(r: AcuRow): string {
  return isoUtc(r.LastModifiedDateTime) ?? NO_STAMP;
}
