import type { MlcError } from '../errors.js';
import type { IdMapEntry } from '../state/store.js';
import type { Logger, ReadWindow } from '../systems/types.js';

/**
 * One record version read from a source. `modified` is the source's own change stamp (ISO UTC);
 * the engine derives the version token from it and a hash of `data`, so a record re-read in the
 * overlap window with identical content is recognised, while a change committed late inside the
 * same second is not mistaken for it.
 */
export interface SourceRecord<D = unknown> {
  id: string;
  modified: string;
  /** Human reference for messages and `mlc audit` (e.g. "P00012", "BILL/2026/0004"). */
  label: string;
  data: D;
}

/** A reference dimension a document names and that must exist in the target before it is written. */
export interface DimensionRef {
  kind: string;
  key: string;
  /** Sentence fragment naming it for people: `GL account 630000 "Freight In"`. */
  describe: string;
  /** What to do when it is missing. */
  hint?: string;
}

export type MapResult<P> =
  { kind: 'write'; payload: P; dimensions?: DimensionRef[] } | { kind: 'skip'; reason: string };

export interface WriteItem<P> {
  record: SourceRecord;
  /** The record's version token (see versionOf), computed once when the page was read. */
  version?: string;
  payload: P;
  hash: string;
  existing: IdMapEntry | undefined;
}

export type WriteResult =
  | { ok: true; targetId: string | null; response?: unknown }
  | { ok: false; error: MlcError; response?: unknown };

/** Target-side dimension sets, loaded once per pass (or per replay) and extended by earlier flows. */
export interface Dimensions {
  has(kind: string, key: string): Promise<boolean>;
  get(kind: string, key: string): Promise<string | undefined>;
  add(kind: string, key: string, targetId: string): void;
}

export interface FlowContext {
  pair: string;
  log: Logger;
  dims: Dimensions;
  /** Id-map look-ups of other flows of the same pair (e.g. supplier source id -> target id). */
  targetIdOf(entity: string, sourceId: string): string | undefined;
  dryRun: boolean;
}

/**
 * A flow: stream -> pure mapping -> dimension checks -> idempotent sink. Flows are declarations the
 * engine runs; they hold no cursor or audit logic of their own.
 */
export interface Flow<D = unknown, P = unknown> {
  name: string;
  /** Id-map namespace. Two flows of a two-way pair share one so that neither echoes the other. */
  entity: string;
  /** `odoo -> servicenow`, for people. */
  direction: string;
  description: string;
  /** Source server time (never the local clock) for the window end. */
  serverTime(): Promise<Date>;
  read(window: ReadWindow, ctx: FlowContext): AsyncIterable<SourceRecord<D>[]>;
  /** Re-reads given source ids as they are now (replay). Missing ids are left out. */
  fetch(ids: string[], ctx: FlowContext): Promise<SourceRecord<D>[]>;
  /** Pure: no I/O, no clock. Throws RecordError when the record cannot be mapped. */
  map(record: SourceRecord<D>, ctx: FlowContext): MapResult<P>;
  /**
   * Content compared with the id map's hash to skip unchanged records. Two-way flows return the
   * canonical shared content here so that a write by the other direction is seen as unchanged.
   */
  hashOf?(payload: P): unknown;
  /** Writes a batch; one result per item, in order. Throws only TransientError/AuthError/ConfigError. */
  write(items: WriteItem<P>[], ctx: FlowContext): Promise<WriteResult[]>;
  /** Dimension kind this flow's records provide on the target (e.g. `cost_center`), keyed by `dimensionKey`. */
  provides?: { kind: string; key(payload: P): string };
  /** Check-only flows audit what they find and write nothing. */
  checkOnly?: boolean;
  batchSize?: number;
  /** How `mlc reconcile` sees this flow's records beyond counts and hashes (see ReconcileSpec). */
  reconcile?: ReconcileSpec<D, P>;
}

/** The money of a record in its currency, as a decimal string or number. */
export interface Money {
  amount: string | number;
  currency: string;
}

/**
 * What a flow tells `mlc reconcile`. Without it a flow is reconciled by counts and by the payload
 * hashes the sync stores; with it, totals are grouped by company and money, and the target itself is
 * asked which records it holds.
 */
export interface ReconcileSpec<D = unknown, P = unknown> {
  /** The company (legal entity, subsidiary) of a record and its money, for the totals. */
  facts?(record: SourceRecord<D>, payload: P): { company?: string; money?: Money };
  /**
   * Which of these records the target holds, by source id, with the money it holds for each: one or a
   * few cheap reads by source reference (no full payloads).
   */
  target?(
    items: Array<{ record: SourceRecord<D>; payload: P }>,
    ctx: FlowContext,
  ): Promise<Map<string, { targetId: string; money?: Money }>>;
}

export interface FlowStats {
  flow: string;
  read: number;
  written: number;
  unchanged: number;
  failed: number;
  skipped: number;
  /** Records re-read in the overlap window with identical content: not audited again. */
  alreadyHandled: number;
  status: 'ok' | 'stopped' | 'not_run';
  window?: { since: string | null; until: string };
  error?: Record<string, unknown>;
  wouldWrite?: Array<{ sourceId: string; label: string; payload: unknown }>;
}
