import {
  AuthError,
  ConfigError,
  RecordError,
  TransientError,
  isMlcError,
  toMlcError,
  type MlcError,
} from '../errors.js';
import { redact } from '../http/redact.js';
import type { StateStore, RunStatus } from '../state/store.js';
import type { Logger, ReadWindow } from '../systems/types.js';
import { contentHash } from './hash.js';
import type {
  Dimensions,
  Flow,
  FlowContext,
  FlowStats,
  MapResult,
  SourceRecord,
  WriteItem,
  WriteResult,
} from './types.js';

export interface PassOptions {
  dryRun: boolean;
  /** Re-read from the beginning; idempotent because unchanged hashes are skipped. */
  full: boolean;
  overlapSeconds: number;
  /** The window ends this many seconds before the source's "now" (transactions still committing). */
  settleSeconds: number;
  /** Only these flows (by name); all when undefined. */
  only?: string[] | undefined;
  batchSize: number;
  lockStaleMs: number;
  heartbeatMs?: number;
  onProgress?: (line: string) => void;
}

export interface PassResult {
  pair: string;
  runId: number | null;
  status: RunStatus;
  flows: FlowStats[];
  startedAt: string;
  finishedAt: string;
  error?: Record<string, unknown>;
}

export class LockedError extends Error {
  constructor(
    readonly pair: string,
    readonly holder: { pid: number; host: string; acquired_at: string; heartbeat_at: string },
  ) {
    super(
      `another pass of ${pair} is running (pid ${holder.pid} on ${holder.host}, started ${holder.acquired_at}, last heartbeat ${holder.heartbeat_at})`,
    );
  }
}

/**
 * Holds the pair's pass lock for the duration of `fn`, with a heartbeat. A lock left by a killed
 * process (dead pid, or no heartbeat for lockStaleMs) is taken over.
 */
export async function withPairLock<T>(
  store: StateStore,
  pair: string,
  options: { lockStaleMs: number; heartbeatMs?: number; log?: Logger },
  fn: () => Promise<T>,
): Promise<T> {
  const lock = store.acquireLock(pair, options.lockStaleMs);
  if (!lock.ok) throw new LockedError(pair, lock.holder);
  if (lock.tookOverFrom) {
    options.log?.warn(`took over a stale lock of ${pair} held by pid ${lock.tookOverFrom.pid}`);
  }
  const timer = setInterval(() => store.heartbeat(pair), options.heartbeatMs ?? 5_000);
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    store.releaseLock(pair);
  }
}

/**
 * One incremental pass of a pair, read top to bottom: lock, then for each flow in order: cursor,
 * window, read, map, check, write, audit, advance. A permanent record failure is audited and the
 * pass goes on; a transient failure that outlives its retries stops the pass without moving the
 * cursor of the flow it hit, so the next pass reads those records again.
 */
export async function runPass(
  store: StateStore,
  pair: string,
  flows: Flow[],
  makeDims: () => Dimensions,
  options: PassOptions,
  log: Logger,
): Promise<PassResult> {
  const startedAt = new Date();
  return withPairLock(
    store,
    pair,
    {
      lockStaleMs: options.lockStaleMs,
      log,
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    },
    async () => {
      const runId = options.dryRun ? null : store.startRun(pair, 'sync', false);
      if (runId !== null) store.setLockRun(pair, runId);
      const dims = makeDims();
      const ctx: FlowContext = {
        pair,
        log,
        dims,
        dryRun: options.dryRun,
        targetIdOf: (entity, sourceId) => store.getId(pair, entity, sourceId)?.targetId ?? undefined,
      };
      const stats: FlowStats[] = [];
      let stopped: MlcError | undefined;
      const run = flows.filter((flow) => !options.only || options.only.includes(flow.name));
      const clocks = serverClocks(run);
      for (const flow of run) {
        const s = emptyStats(flow.name);
        stats.push(s);
        if (stopped) {
          s.status = 'not_run';
          continue;
        }
        try {
          await runFlow(store, pair, runId, flow, ctx, s, options, startedAt, clocks.get(flow.serverTime)!);
        } catch (err) {
          const e = toMlcError(err);
          s.status = 'stopped';
          s.error = e.toJSON();
          if (e instanceof TransientError || e instanceof AuthError || e instanceof ConfigError) {
            stopped = e;
            log.warn(`${pair}/${flow.name} stopped: ${redact(e.message)}`);
            continue;
          }
          stopped = e;
        }
      }
      const anyFailed = stats.some((s) => s.failed > 0);
      const status: RunStatus = stopped
        ? stopped instanceof TransientError
          ? 'stopped'
          : 'error'
        : anyFailed
          ? 'failed_records'
          : 'ok';
      const result: PassResult = {
        pair,
        runId,
        status,
        flows: stats,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        ...(stopped ? { error: stopped.toJSON() } : {}),
      };
      if (runId !== null) store.finishRun(runId, status, stats, stopped?.toJSON());
      return result;
    },
  );
}

/**
 * Each source's clock, read once for all the flows that share it and all at the pass start, at
 * once. A window's end is capped at the pass start anyway (see runFlow), so reading the clock there
 * rather than when the flow starts moves no window; a failed read fails the flows that need it.
 */
function serverClocks(flows: Flow[]): Map<Flow['serverTime'], Promise<Date>> {
  const clocks = new Map<Flow['serverTime'], Promise<Date>>();
  for (const flow of flows) {
    if (clocks.has(flow.serverTime)) continue;
    const clock = flow.serverTime();
    clock.catch(() => undefined);
    clocks.set(flow.serverTime, clock);
  }
  return clocks;
}

function emptyStats(flow: string): FlowStats {
  return { flow, read: 0, written: 0, unchanged: 0, failed: 0, skipped: 0, alreadyHandled: 0, status: 'ok' };
}

async function runFlow(
  store: StateStore,
  pair: string,
  runId: number | null,
  flow: Flow,
  ctx: FlowContext,
  s: FlowStats,
  options: PassOptions,
  passStart: Date,
  clock: Promise<Date>,
): Promise<void> {
  const cursor = options.full ? undefined : store.getCursor(pair, flow.name);
  const serverNow = await clock;
  // Cap at the pass start (a clock ahead of ours must not move the cursor into the future), and
  // leave the last seconds to transactions that are still committing.
  const end = Math.min(serverNow.getTime(), passStart.getTime() + 1000) - options.settleSeconds * 1000;
  const until = new Date(Math.floor(end / 1000) * 1000);
  const since = cursor ? new Date(Date.parse(cursor.modified) - options.overlapSeconds * 1000) : null;
  const window: ReadWindow = { since, until };
  s.window = { since: since?.toISOString() ?? null, until: until.toISOString() };
  if (since && since >= until) return;

  let lastId = '';
  // Pages overlap: while a page is written, the next one is read and prepared (mapped, checked,
  // hashed) and then written too, up to WRITES_IN_FLIGHT pages at once. Reads are side-effect free
  // and a page's records are distinct from every other page's, so their writes are independent. A
  // flow that provides a dimension is the exception: a later record may name one that an earlier
  // record of the same flow creates, so its pages go one at a time. The cursor moves only after the
  // whole window has an outcome.
  const run: FlowRun = {
    store,
    pair,
    flow,
    ctx,
    s,
    options,
    audit: (entry) => {
      if (runId !== null) store.audit({ runId, pair, flow: flow.name, ...entry });
    },
  };
  const inFlight = flow.provides ? 1 : WRITES_IN_FLIGHT;
  const writing: Promise<void>[] = [];
  const pages = flow.read(window, ctx)[Symbol.asyncIterator]();
  let next = pages.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) break;
      const page = current.value;
      s.read += page.length;
      lastId = page.at(-1)?.id ?? lastId;
      const toWrite = await preparePage(run, page);
      while (writing.length >= inFlight) await writing.shift();
      next = pages.next();
      next.catch(() => undefined);
      const written = writePage(run, toWrite).then(() =>
        options.onProgress?.(
          `${pair}/${flow.name}: ${s.read} read, ${s.written} written, ${s.failed} failed`,
        ),
      );
      written.catch(() => undefined);
      writing.push(written);
      // A provider's page is written before the next one is prepared.
      if (inFlight === 1) await written;
    }
    await Promise.all(writing);
  } catch (err) {
    // No write may still be running when the flow reports its failure (the store closes after it).
    await Promise.allSettled(writing);
    void pages.return?.(undefined)?.catch(() => undefined);
    throw err;
  }
  // Every record of the window has a stored outcome: the cursor may move to the window's end.
  if (!options.dryRun) store.setCursor(pair, flow.name, { modified: until.toISOString(), lastId });
}

/** Pages of one flow whose writes may run at once (see runFlow). */
const WRITES_IN_FLIGHT = 2;

/** The version token: the source's change stamp plus a hash of the content read. */
export function versionOf(record: SourceRecord): string {
  return `${record.modified}#${contentHash(record.data).slice(0, 16)}`;
}

interface Prepared {
  record: SourceRecord;
  version: string;
  mapped?: Extract<MapResult<unknown>, { kind: 'write' }>;
  hash?: string;
}

type AuditFn = (entry: Omit<Parameters<StateStore['audit']>[0], 'runId' | 'pair' | 'flow'>) => void;

/** What the steps of one flow's run share. */
interface FlowRun {
  store: StateStore;
  pair: string;
  flow: Flow;
  ctx: FlowContext;
  s: FlowStats;
  options: PassOptions;
  /** Audit rows of this run and flow (none in a dry run, which has no run id). */
  audit: AuditFn;
}

/**
 * Maps, checks and hashes a page. Records that need no write get their outcome here (skipped,
 * failed, unchanged, already handled); the rest are answered for `writePage`.
 */
async function preparePage(run: FlowRun, page: SourceRecord[]): Promise<WriteItem<unknown>[]> {
  const { store, pair, flow, ctx, s, options, audit } = run;
  const known = store.getIds(
    pair,
    flow.entity,
    page.map((r) => r.id),
  );
  const toWrite: WriteItem<unknown>[] = [];
  for (const record of page) {
    const version = versionOf(record);
    const existing = known.get(record.id);
    if (!options.full && existing?.seenVersion === version) {
      s.alreadyHandled += 1;
      continue;
    }
    const prepared: Prepared = { record, version };
    try {
      const mapped = flow.map(record, ctx);
      if (mapped.kind === 'skip') {
        s.skipped += 1;
        if (!options.dryRun) {
          store.transaction(() => {
            audit({
              sourceId: record.id,
              sourceLabel: record.label,
              sourceVersion: version,
              outcome: 'skipped',
              message: mapped.reason,
              source: record.data,
            });
            store.markSeen(pair, flow.entity, record.id, version, 'skipped');
          });
        }
        continue;
      }
      prepared.mapped = mapped;
      prepared.hash = contentHash(flow.hashOf ? flow.hashOf(mapped.payload) : mapped.payload);
      await checkDimensions(mapped.dimensions ?? [], ctx);
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      recordFailure(
        store,
        pair,
        flow,
        s,
        record,
        version,
        err,
        prepared.mapped?.payload,
        undefined,
        options.dryRun,
        audit,
      );
      continue;
    }
    const hash = prepared.hash as string;
    if (existing?.hash === hash) {
      s.unchanged += 1;
      if (!options.dryRun) {
        store.transaction(() => {
          audit({
            sourceId: record.id,
            sourceLabel: record.label,
            sourceVersion: version,
            targetId: existing.targetId ?? undefined,
            outcome: 'unchanged',
          });
          store.markSeen(pair, flow.entity, record.id, version, 'unchanged');
        });
      }
      continue;
    }
    if (flow.checkOnly) {
      // The check passed: nothing to write, nothing worth an audit row.
      s.unchanged += 1;
      if (!options.dryRun) store.markSeen(pair, flow.entity, record.id, version, 'unchanged');
      continue;
    }
    toWrite.push({ record, version, payload: prepared.mapped?.payload, hash, existing });
  }
  return toWrite;
}

/** Writes a prepared page in batches and stores each record's outcome. */
async function writePage(run: FlowRun, toWrite: WriteItem<unknown>[]): Promise<void> {
  const { store, pair, flow, ctx, s, options, audit } = run;
  if (options.dryRun) {
    s.wouldWrite ??= [];
    for (const item of toWrite)
      s.wouldWrite.push({ sourceId: item.record.id, label: item.record.label, payload: item.payload });
    s.written += 0;
    return;
  }

  const size = flow.batchSize ?? options.batchSize;
  for (let i = 0; i < toWrite.length; i += size) {
    const batch = toWrite.slice(i, i + size);
    const results = await flow.write(batch, ctx);
    if (results.length !== batch.length) {
      throw new Error(`flow ${flow.name} returned ${results.length} results for ${batch.length} records`);
    }
    applyResults(store, pair, flow, ctx, s, batch, results, audit);
  }
}

export async function checkDimensions(
  refs: readonly { kind: string; key: string; describe: string; hint?: string }[],
  ctx: FlowContext,
): Promise<void> {
  const missing: (typeof refs)[number][] = [];
  for (const ref of refs) if (!(await ctx.dims.has(ref.kind, ref.key))) missing.push(ref);
  if (missing.length === 0) return;
  const first = missing[0] as (typeof refs)[number];
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
  store: StateStore,
  pair: string,
  flow: Flow,
  s: FlowStats,
  record: SourceRecord,
  version: string,
  err: MlcError,
  request: unknown,
  response: unknown,
  dryRun: boolean,
  audit: AuditFn,
): void {
  s.failed += 1;
  if (dryRun) {
    s.wouldWrite ??= [];
    s.wouldWrite.push({ sourceId: record.id, label: record.label, payload: { error: err.message } });
    return;
  }
  store.transaction(() => {
    audit({
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
  });
}

function applyResults(
  store: StateStore,
  pair: string,
  flow: Flow,
  ctx: FlowContext,
  s: FlowStats,
  batch: WriteItem<unknown>[],
  results: WriteResult[],
  audit: AuditFn,
): void {
  store.transaction(() => {
    batch.forEach((item, i) => {
      const result = results[i] as WriteResult;
      const version = item.version ?? versionOf(item.record);
      if (result.ok) {
        s.written += 1;
        audit({
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
      } else {
        if (!isMlcError(result.error) || result.error.kind !== 'record') throw result.error;
        recordFailure(
          store,
          pair,
          flow,
          s,
          item.record,
          version,
          result.error,
          item.payload,
          result.response,
          false,
          audit,
        );
      }
    });
  });
}
