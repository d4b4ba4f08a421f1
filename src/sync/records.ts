import { RecordError, isMlcError, type MlcError } from '../errors.js';
import { withWriteGuard } from '../http/write-guard.js';
import type { AuditInput, StateStore } from '../state/store.js';
import { contentHash } from './hash.js';
import type {
  DimensionRef,
  Flow,
  FlowContext,
  FlowStats,
  SourceRecord,
  WriteItem,
  WriteResult,
} from './types.js';

/**
 * The one record path. Every way a record enters the pipeline — a pass's page, a replay, a webhook's
 * event — goes through `prepareRecords` (map, check dimensions, hash, and the outcomes that need no
 * write) and `writeRecords` (write in batches, store each outcome with its audit row in one
 * transaction). Callers differ only in where records come from and what they do with the outcomes.
 */
export interface RecordRun {
  store: StateStore;
  pair: string;
  flow: Flow;
  ctx: FlowContext;
  stats: FlowStats;
  dryRun: boolean;
  /**
   * A pass skips a version it already handled (re-read in the overlap window, or with an unchanged
   * hash); a replay handles the record again whatever was seen before.
   */
  skipSeen: boolean;
  /**
   * Write even when the payload hash equals the one last written: reconcile found the target does not
   * hold what the id map says it was sent (a record removed or changed there).
   */
  rewrite?: boolean;
  batchSize: number;
  /** Stores one audit row of this run and flow and answers its id (undefined when nothing is stored). */
  audit: AuditFn;
  /** Called before every write batch: throws when the caller may no longer write (its lock is gone). */
  guard?: () => void;
  /** Settles before the first write: a write waits for it, and fails with it when it rejects. */
  ready?: Promise<void>;
}

export type AuditFn = (entry: Omit<AuditInput, 'runId' | 'pair' | 'flow'>) => number | undefined;

/** Builds the audit function of a run (none in a dry run, which has no run id). */
export function auditOf(
  store: StateStore,
  runId: number | null,
  pair: string,
  flow: string,
  replayOf?: number,
): AuditFn {
  return (entry) =>
    runId === null
      ? undefined
      : store.audit({ runId, pair, flow, ...(replayOf === undefined ? {} : { replayOf }), ...entry });
}

export type RecordFate = 'written' | 'unchanged' | 'failed' | 'skipped' | 'already_handled' | 'would_write';

/** What became of one record on the record path. */
export interface RecordOutcome {
  record: SourceRecord;
  version: string;
  fate: RecordFate;
  /** The mapped payload, when mapping got that far. */
  payload?: unknown;
  targetId?: string | null;
  error?: MlcError;
  /** Why it was skipped or left unchanged, for people. */
  message?: string;
  auditId?: number;
}

/** The version token: the source's change stamp plus a hash of the content read. */
export function versionOf(record: SourceRecord): string {
  return `${record.modified}#${contentHash(record.data).slice(0, 16)}`;
}

/** Prepares and writes records: the whole record path for callers that need no page overlap. */
export async function handleRecords(run: RecordRun, records: SourceRecord[]): Promise<RecordOutcome[]> {
  const { toWrite, done } = await prepareRecords(run, records);
  const written = await writeRecords(run, toWrite);
  const byRecord = new Map<SourceRecord, RecordOutcome>();
  for (const o of [...done, ...written]) byRecord.set(o.record, o);
  return records.map((r) => byRecord.get(r) as RecordOutcome);
}

/**
 * Maps, checks and hashes records. Records that need no write get their outcome (and audit row)
 * here — skipped, failed, unchanged, already handled; the rest come back as items for `writeRecords`.
 */
export async function prepareRecords(
  run: RecordRun,
  records: SourceRecord[],
): Promise<{ toWrite: WriteItem<unknown>[]; done: RecordOutcome[] }> {
  const { store, pair, flow, ctx, stats: s, dryRun, audit } = run;
  const known = store.getIds(
    pair,
    flow.entity,
    records.map((r) => r.id),
  );
  const toWrite: WriteItem<unknown>[] = [];
  const done: RecordOutcome[] = [];
  for (const record of records) {
    const version = versionOf(record);
    const existing = known.get(record.id);
    if (run.skipSeen && existing?.seenVersion === version) {
      s.alreadyHandled += 1;
      done.push({ record, version, fate: 'already_handled' });
      continue;
    }
    let payload: unknown;
    let hash: string;
    try {
      const mapped = flow.map(record, ctx);
      if (mapped.kind === 'skip') {
        s.skipped += 1;
        const auditId = dryRun
          ? undefined
          : store.transaction(() => {
              const id = audit({
                sourceId: record.id,
                sourceLabel: record.label,
                sourceVersion: version,
                outcome: 'skipped',
                message: mapped.reason,
                source: record.data,
              });
              store.markSeen(pair, flow.entity, record.id, version, 'skipped');
              return id;
            });
        done.push({ record, version, fate: 'skipped', message: mapped.reason, ...withId(auditId) });
        continue;
      }
      payload = mapped.payload;
      hash = contentHash(flow.hashOf ? flow.hashOf(mapped.payload) : mapped.payload);
      await checkDimensions(mapped.dimensions ?? [], ctx);
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      done.push(recordFailure(run, record, version, err, payload, undefined));
      continue;
    }
    if (flow.checkOnly) {
      // The check passed: nothing to write. An audit row only where it clears an earlier failure.
      s.unchanged += 1;
      const message = 'the check passes now';
      let auditId: number | undefined;
      if (!dryRun) {
        auditId = store.transaction(() => {
          const id =
            existing?.seenOutcome === 'failed'
              ? audit({
                  sourceId: record.id,
                  sourceLabel: record.label,
                  sourceVersion: version,
                  outcome: 'unchanged',
                  message,
                })
              : undefined;
          store.markSeen(pair, flow.entity, record.id, version, 'unchanged');
          return id;
        });
      }
      done.push({ record, version, fate: 'unchanged', payload, message, ...withId(auditId) });
      continue;
    }
    if (existing?.hash === hash && !run.rewrite) {
      s.unchanged += 1;
      const message = 'the target already holds exactly this content';
      const auditId = dryRun
        ? undefined
        : store.transaction(() => {
            const id = audit({
              sourceId: record.id,
              sourceLabel: record.label,
              sourceVersion: version,
              targetId: existing.targetId ?? undefined,
              outcome: 'unchanged',
            });
            store.markSeen(pair, flow.entity, record.id, version, 'unchanged');
            return id;
          });
      done.push({
        record,
        version,
        fate: 'unchanged',
        payload,
        targetId: existing.targetId,
        message,
        ...withId(auditId),
      });
      continue;
    }
    toWrite.push({ record, version, payload, hash, existing });
  }
  return { toWrite, done };
}

/** Writes prepared items in batches and stores each record's outcome with its audit row. */
export async function writeRecords(run: RecordRun, items: WriteItem<unknown>[]): Promise<RecordOutcome[]> {
  const { flow, ctx, stats: s } = run;
  if (run.dryRun) {
    s.wouldWrite ??= [];
    for (const item of items)
      s.wouldWrite.push({ sourceId: item.record.id, label: item.record.label, payload: item.payload });
    return items.map((item) => ({
      record: item.record,
      version: item.version ?? versionOf(item.record),
      fate: 'would_write',
      payload: item.payload,
    }));
  }
  const outcomes: RecordOutcome[] = [];
  if (items.length > 0 && run.ready) await run.ready;
  for (let i = 0; i < items.length; i += run.batchSize) {
    const batch = items.slice(i, i + run.batchSize);
    run.guard?.();
    const results = await withWriteGuard(run.guard, () => flow.write(batch, ctx));
    if (results.length !== batch.length) {
      throw new Error(`flow ${flow.name} returned ${results.length} results for ${batch.length} records`);
    }
    outcomes.push(...storeResults(run, batch, results));
  }
  return outcomes;
}

export async function checkDimensions(refs: readonly DimensionRef[], ctx: FlowContext): Promise<void> {
  const missing: DimensionRef[] = [];
  for (const ref of refs) if (!(await ctx.dims.has(ref.kind, ref.key))) missing.push(ref);
  if (missing.length === 0) return;
  const first = missing[0] as DimensionRef;
  throw new RecordError(
    `${missing.map((m) => m.describe).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist in the target`,
    {
      code: `dimension.${first.kind}_missing`,
      hint: first.hint ?? 'create it in the target (or map it in mlc.yaml), then run `mlc replay <audit id>`',
      data: { missing: missing.map((m) => ({ kind: m.kind, key: m.key })) },
    },
  );
}

function recordFailure(
  run: RecordRun,
  record: SourceRecord,
  version: string,
  err: MlcError,
  request: unknown,
  response: unknown,
): RecordOutcome {
  const { store, pair, flow, stats: s, dryRun, audit } = run;
  s.failed += 1;
  const outcome: RecordOutcome = { record, version, fate: 'failed', payload: request, error: err };
  if (dryRun) {
    s.wouldWrite ??= [];
    s.wouldWrite.push({ sourceId: record.id, label: record.label, payload: { error: err.message } });
    return outcome;
  }
  const auditId = store.transaction(() => {
    const id = audit({
      sourceId: record.id,
      sourceLabel: record.label,
      sourceVersion: version,
      outcome: 'failed',
      errorKind: err.kind,
      errorCode: err.code,
      message: err.message,
      hint: err.hint,
      source: record.data,
      request,
      response: response ?? (err.data === undefined ? undefined : err.data),
    });
    store.markSeen(pair, flow.entity, record.id, version, 'failed');
    return id;
  });
  return { ...outcome, ...withId(auditId) };
}

function storeResults(run: RecordRun, batch: WriteItem<unknown>[], results: WriteResult[]): RecordOutcome[] {
  const { store, pair, flow, ctx, stats: s, audit } = run;
  return store.transaction(() =>
    batch.map((item, i): RecordOutcome => {
      const result = results[i] as WriteResult;
      const version = item.version ?? versionOf(item.record);
      if (!result.ok) {
        if (!isMlcError(result.error) || result.error.kind !== 'record') throw result.error;
        return recordFailure(run, item.record, version, result.error, item.payload, result.response);
      }
      s.written += 1;
      const auditId = audit({
        sourceId: item.record.id,
        sourceLabel: item.record.label,
        sourceVersion: version,
        targetId: result.targetId ?? undefined,
        outcome: 'written',
        request: item.payload,
        response: result.response,
      });
      store.markWritten(pair, flow.entity, item.record.id, result.targetId, item.hash, version);
      if (flow.provides && result.targetId)
        ctx.dims.add(flow.provides.kind, flow.provides.key(item.payload), result.targetId);
      return {
        record: item.record,
        version,
        fate: 'written',
        payload: item.payload,
        targetId: result.targetId,
        ...withId(auditId),
      };
    }),
  );
}

export function emptyStats(flow: string): FlowStats {
  return { flow, read: 0, written: 0, unchanged: 0, failed: 0, skipped: 0, alreadyHandled: 0, status: 'ok' };
}

function withId(auditId: number | undefined): { auditId?: number } {
  return auditId === undefined ? {} : { auditId };
}
