import { AuthError, ConfigError, TransientError, toMlcError, type MlcError } from '../errors.js';
import { redact } from '../http/redact.js';
import type { StateStore, RunStatus } from '../state/store.js';
import type { Logger, ReadWindow } from '../systems/types.js';
import { withPairLock, type PairLock } from './lock.js';
import { auditOf, emptyStats, prepareRecords, writeRecords, type RecordRun } from './records.js';
import type { Dimensions, Flow, FlowContext, FlowStats } from './types.js';

export { LockedError, withPairLock } from './lock.js';
export { versionOf } from './records.js';

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
  /**
   * Checks that must pass before anything is written (the preflight): reads go on meanwhile, the
   * first write waits for it and fails with it.
   */
  ready?: Promise<void>;
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
    async (lock) => {
      const runId = options.dryRun ? null : store.startRun(pair, 'sync', false);
      if (runId !== null) lock.setRun(runId);
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
          const flowRun: RecordRun = {
            store,
            pair,
            flow,
            ctx,
            stats: s,
            dryRun: options.dryRun,
            skipSeen: !options.full,
            batchSize: flow.batchSize ?? options.batchSize,
            audit: auditOf(store, runId, pair, flow.name),
            guard: () => lock.verify(),
            ...(options.ready ? { ready: options.ready } : {}),
          };
          await runFlow(flowRun, lock, options, startedAt, clocks.get(flow.serverTime)!);
        } catch (err) {
          const e = toMlcError(err);
          s.status = 'stopped';
          s.error = e.toJSON();
          stopped = e;
          if (e instanceof TransientError || e instanceof AuthError || e instanceof ConfigError)
            log.warn(`${pair}/${flow.name} stopped: ${redact(e.message)}`);
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

/**
 * The window a pass reads: from the stored cursor less the overlap, to the source's clock less the
 * settle time. The end is capped at the pass start by the local clock: a source clock ahead of ours
 * must not move the cursor into the future (records stamped there are read once our clock gets
 * there, not skipped).
 */
export function passWindow(
  cursor: { modified: string } | undefined,
  serverNow: Date,
  passStart: Date,
  options: Pick<PassOptions, 'overlapSeconds' | 'settleSeconds'>,
): ReadWindow {
  const end = Math.min(serverNow.getTime(), passStart.getTime()) - options.settleSeconds * 1000;
  const until = new Date(Math.floor(end / 1000) * 1000);
  const since = cursor ? new Date(Date.parse(cursor.modified) - options.overlapSeconds * 1000) : null;
  return { since, until };
}

async function runFlow(
  run: RecordRun,
  lock: PairLock,
  options: PassOptions,
  passStart: Date,
  clock: Promise<Date>,
): Promise<void> {
  const { store, pair, flow, ctx, stats: s } = run;
  const cursor = options.full ? undefined : store.getCursor(pair, flow.name);
  const window = passWindow(cursor, await clock, passStart, options);
  const { since, until } = window;
  s.window = { since: since?.toISOString() ?? null, until: until.toISOString() };
  if (since && since >= until) return;

  let lastId = '';
  // Pages overlap: while a page is written, the next one is read and prepared (mapped, checked,
  // hashed) and then written too, up to WRITES_IN_FLIGHT pages at once. Reads are side-effect free
  // and a page's records are distinct from every other page's, so their writes are independent. A
  // flow that provides a dimension is the exception: a later record may name one that an earlier
  // record of the same flow creates, so its pages go one at a time. The cursor moves only after the
  // whole window has an outcome.
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
      const { toWrite } = await prepareRecords(run, page);
      while (writing.length >= inFlight) await writing.shift();
      next = pages.next();
      next.catch(() => undefined);
      const written = writeRecords(run, toWrite).then(() =>
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
  // Every record of the window has a stored outcome: the cursor may move to the window's end, in the
  // same transaction as the check that this pass still holds the lock.
  if (!options.dryRun)
    store.transaction(() => {
      lock.verify();
      store.setCursor(pair, flow.name, { modified: until.toISOString(), lastId });
    });
}

/** Pages of one flow whose writes may run at once (see runFlow). */
const WRITES_IN_FLIGHT = 2;
