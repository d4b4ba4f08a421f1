import { ConfigError } from '../errors.js';
import type { AuditRow, StateStore } from '../state/store.js';
import type { Logger } from '../systems/types.js';
import { diff, type Change } from './diff.js';
import { withPairLock, type PairLock } from './lock.js';
import { auditOf, emptyStats, handleRecords, type RecordOutcome } from './records.js';
import type { Dimensions, Flow, FlowContext } from './types.js';

export interface ReplayOutcome {
  auditId: number;
  pair: string;
  flow: string;
  sourceId: string;
  label: string;
  /** written | unchanged | failed | gone | newer | would_write */
  result: 'written' | 'unchanged' | 'failed' | 'gone' | 'newer' | 'would_write';
  changes: Change[];
  newAuditId?: number;
  targetId?: string;
  message?: string;
  hint?: string;
}

/**
 * Re-sends audited records: re-reads each source record as it is now, re-maps it with fresh
 * dimensions, shows what changed since the payload that was audited, and sends it down the same
 * record path as a pass (an idempotent upsert by source reference), so a replay never creates a
 * duplicate. A replay never writes an older version over a newer one already written. Every replay
 * is audited with `replay_of`.
 */
export async function replayRecords(
  store: StateStore,
  pair: string,
  flows: Flow[],
  rows: AuditRow[],
  makeDims: () => Dimensions,
  options: { dryRun: boolean; lockStaleMs: number },
  log: Logger,
): Promise<ReplayOutcome[]> {
  return withPairLock(store, pair, { lockStaleMs: options.lockStaleMs, log }, async (lock) => {
    const runId = options.dryRun ? null : store.startRun(pair, 'replay', false);
    if (runId !== null) lock.setRun(runId);
    const dims = makeDims();
    const ctx: FlowContext = {
      pair,
      log,
      dims,
      dryRun: options.dryRun,
      targetIdOf: (entity, sourceId) => store.getId(pair, entity, sourceId)?.targetId ?? undefined,
    };
    const outcomes: ReplayOutcome[] = [];
    try {
      for (const row of rows)
        outcomes.push(await replayOne(store, runId, lock, flows, row, ctx, options.dryRun));
    } finally {
      if (runId !== null) {
        const failed = outcomes.some((o) => o.result === 'failed');
        store.finishRun(
          runId,
          failed ? 'failed_records' : 'ok',
          outcomes.map(({ changes: _c, ...o }) => o),
        );
      }
    }
    return outcomes;
  });
}

async function replayOne(
  store: StateStore,
  runId: number | null,
  lock: PairLock,
  flows: Flow[],
  row: AuditRow,
  ctx: FlowContext,
  dryRun: boolean,
): Promise<ReplayOutcome> {
  const flow = flows.find((f) => f.name === row.flow);
  if (!flow) {
    throw new ConfigError(
      `audit entry ${row.id} belongs to flow ${row.flow}, which pair ${row.pair} no longer has`,
      { code: 'replay.unknown_flow' },
    );
  }
  const base = {
    auditId: row.id,
    pair: row.pair,
    flow: row.flow,
    sourceId: row.source_id,
    label: row.source_label ?? row.source_id,
  };
  const [record] = await flow.fetch([row.source_id], ctx);
  if (!record) {
    return {
      ...base,
      result: 'gone',
      changes: [],
      message: `source record ${base.label} no longer exists (deleted, archived or out of scope)`,
    };
  }
  const existing = store.getId(row.pair, flow.entity, record.id);
  const writtenStamp = existing?.writtenVersion?.split('#')[0];
  if (writtenStamp !== undefined && writtenStamp > record.modified) {
    return {
      ...base,
      result: 'newer',
      changes: [],
      message: `a newer version (${writtenStamp}) is already written; nothing to replay`,
    };
  }
  const previous = row.request_json ? (JSON.parse(row.request_json) as unknown) : lastWritten(store, row);
  const [outcome] = await handleRecords(
    {
      store,
      pair: row.pair,
      flow,
      ctx,
      stats: emptyStats(flow.name),
      dryRun,
      skipSeen: false,
      batchSize: 1,
      audit: auditOf(store, runId, row.pair, row.flow, row.id),
      guard: () => lock.verify(),
    },
    [record],
  );
  return { ...base, ...replayResult(outcome as RecordOutcome), changes: diff(previous, outcome?.payload) };
}

/** A record path outcome in the words of a replay. */
function replayResult(
  o: RecordOutcome,
): Pick<ReplayOutcome, 'result' | 'newAuditId' | 'targetId' | 'message' | 'hint'> {
  const ids = {
    ...(o.auditId === undefined ? {} : { newAuditId: o.auditId }),
    ...(o.targetId ? { targetId: o.targetId } : {}),
  };
  switch (o.fate) {
    case 'written':
    case 'unchanged':
    case 'would_write':
      return { result: o.fate, ...ids, ...(o.message ? { message: o.message } : {}) };
    case 'failed':
      return {
        result: 'failed',
        ...ids,
        ...(o.error ? { message: o.error.message } : {}),
        ...(o.error?.hint ? { hint: o.error.hint } : {}),
      };
    case 'skipped':
    case 'already_handled':
      return { result: 'gone', ...ids, ...(o.message ? { message: o.message } : {}) };
  }
}

function lastWritten(store: StateStore, row: AuditRow): unknown {
  const [written] = store.queryAudit({
    pair: row.pair,
    flow: row.flow,
    sourceId: row.source_id,
    outcome: 'written',
    limit: 1,
  });
  return written?.request_json ? (JSON.parse(written.request_json) as unknown) : undefined;
}
