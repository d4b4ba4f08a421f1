import { ConfigError, RecordError } from '../errors.js';
import type { AuditRow, StateStore } from '../state/store.js';
import type { Logger } from '../systems/types.js';
import { diff, type Change } from './diff.js';
import { contentHash } from './hash.js';
import { checkDimensions, versionOf, withPairLock } from './pass.js';
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
 * Re-sends one audited record: re-reads the source record as it is now, re-maps it with fresh
 * dimensions, shows what changed since the payload that was audited, and writes it through the same
 * idempotent sink (upsert by source reference), so a replay never creates a duplicate. A replay never
 * writes an older version over a newer one already written.
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
  return withPairLock(store, pair, { lockStaleMs: options.lockStaleMs, log }, async () => {
    const runId = options.dryRun ? null : store.startRun(pair, 'replay', false);
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
      for (const row of rows) outcomes.push(await replayOne(store, runId, flows, row, ctx, options.dryRun));
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
  flows: Flow[],
  row: AuditRow,
  ctx: FlowContext,
  dryRun: boolean,
): Promise<ReplayOutcome> {
  const flow = flows.find((f) => f.name === row.flow);
  if (!flow) {
    throw new ConfigError(
      `audit entry ${row.id} belongs to flow ${row.flow}, which pair ${row.pair} no longer has`,
      {
        code: 'replay.unknown_flow',
      },
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
  const version = versionOf(record);
  const existing = store.getId(row.pair, flow.entity, record.id);
  if (existing?.writtenVersion && existing.writtenVersion.split('#')[0]! > record.modified) {
    return {
      ...base,
      result: 'newer',
      changes: [],
      message: `a newer version (${existing.writtenVersion.split('#')[0]}) is already written; nothing to replay`,
    };
  }
  const previous = row.request_json ? (JSON.parse(row.request_json) as unknown) : lastWritten(store, row);
  const audit = (
    entry: Omit<Parameters<StateStore['audit']>[0], 'runId' | 'pair' | 'flow'>,
  ): number | undefined =>
    runId === null
      ? undefined
      : store.audit({ runId, pair: row.pair, flow: row.flow, replayOf: row.id, ...entry });

  let payload: unknown;
  try {
    const mapped = flow.map(record, ctx);
    if (mapped.kind === 'skip') return { ...base, result: 'gone', changes: [], message: mapped.reason };
    payload = mapped.payload;
    await checkDimensions(mapped.dimensions ?? [], ctx);
  } catch (err) {
    if (!(err instanceof RecordError)) throw err;
    const newAuditId = dryRun
      ? undefined
      : store.transaction(() => {
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
            request: payload,
          });
          store.markSeen(row.pair, flow.entity, record.id, version, 'failed');
          return id;
        });
    return {
      ...base,
      result: 'failed',
      changes: diff(previous, payload),
      message: err.message,
      ...(err.hint ? { hint: err.hint } : {}),
      ...(newAuditId ? { newAuditId } : {}),
    };
  }
  const changes = diff(previous, payload);
  if (flow.checkOnly) {
    const newAuditId = dryRun
      ? undefined
      : store.transaction(() => {
          const id = audit({
            sourceId: record.id,
            sourceLabel: record.label,
            sourceVersion: version,
            outcome: 'unchanged',
            message: 'the check passes now',
          });
          store.markSeen(row.pair, flow.entity, record.id, version, 'unchanged');
          return id;
        });
    return {
      ...base,
      result: 'unchanged',
      changes,
      message: 'the check passes now',
      ...(newAuditId ? { newAuditId } : {}),
    };
  }
  const hash = contentHash(flow.hashOf ? flow.hashOf(payload) : payload);
  if (existing?.hash === hash) {
    return {
      ...base,
      result: 'unchanged',
      changes,
      message: 'the target already holds exactly this content',
      ...(existing.targetId ? { targetId: existing.targetId } : {}),
    };
  }
  if (dryRun) return { ...base, result: 'would_write', changes };
  const [result] = await flow.write([{ record, payload, hash, existing }], ctx);
  if (!result) throw new Error(`flow ${flow.name} returned no result`);
  if (result.ok) {
    const newAuditId = store.transaction(() => {
      const id = audit({
        sourceId: record.id,
        sourceLabel: record.label,
        sourceVersion: version,
        targetId: result.targetId ?? undefined,
        outcome: 'written',
        request: payload,
        response: result.response,
      });
      store.markWritten(row.pair, flow.entity, record.id, result.targetId, hash, version);
      return id;
    });
    return {
      ...base,
      result: 'written',
      changes,
      ...(result.targetId ? { targetId: result.targetId } : {}),
      ...(newAuditId ? { newAuditId } : {}),
    };
  }
  if (result.error.kind !== 'record') throw result.error;
  const newAuditId = store.transaction(() => {
    const id = audit({
      sourceId: record.id,
      sourceLabel: record.label,
      sourceVersion: version,
      outcome: 'failed',
      errorKind: result.error.kind,
      errorCode: result.error.code,
      message: result.error.message,
      hint: result.error.hint,
      source: record.data,
      request: payload,
      response: result.response,
    });
    store.markSeen(row.pair, flow.entity, record.id, version, 'failed');
    return id;
  });
  return {
    ...base,
    result: 'failed',
    changes,
    message: result.error.message,
    ...(result.error.hint ? { hint: result.error.hint } : {}),
    ...(newAuditId ? { newAuditId } : {}),
  };
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
