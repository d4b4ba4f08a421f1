import { RecordError } from '../errors.js';
import type { StateStore } from '../state/store.js';
import type { Logger } from '../systems/types.js';
import { contentHash } from './hash.js';
import { withPairLock, type PairLock } from './lock.js';
import { fromUnits, toUnits } from './money.js';
import { auditOf, emptyStats, handleRecords, versionOf } from './records.js';
import type { Dimensions, Flow, FlowContext, Money, SourceRecord } from './types.js';

export interface ReconcileOptions {
  since: Date;
  until: Date;
  /** Send what is missing or different through the record path (audited, idempotent). */
  repair: boolean;
  only?: string[] | undefined;
  /** Counts and hashes only: no target reads and no totals (the scheduled safety net). */
  light?: boolean;
  batchSize: number;
  lockStaleMs: number;
}

/** One record that differs between the two sides, and why. */
export interface Discrepancy {
  sourceId: string;
  label: string;
  reason: string;
}

export interface Totals {
  count: number;
  /** Sum per currency, exact decimal text. */
  money: Record<string, string>;
}

export interface FlowReconcile {
  flow: string;
  direction: string;
  /** `target`: the target was asked for each record; `hashes`: compared with what mlc wrote. */
  compared: 'target' | 'hashes' | 'counts';
  source: Totals;
  target?: Totals;
  /** Per company and day (the source record's change day, UTC). */
  groups: Array<{ company: string; day: string; source: Totals; target?: Totals }>;
  /** In the source, not in the target (never written, failed, or gone from the target). */
  missing: Discrepancy[];
  /** In both, but the target holds another version. */
  different: Discrepancy[];
  /** Written to the target, but deleted (or out of scope) in the source. */
  extra: Discrepancy[];
  /** Records the flow does not send (cancelled, out of scope). */
  skipped: number;
  repaired?: { written: number; unchanged: number; failed: number };
  agree: boolean;
}

export interface ReconcileReport {
  pair: string;
  since: string;
  until: string;
  flows: FlowReconcile[];
  agree: boolean;
}

/**
 * Compares source and target over a period, flow by flow: counts and money per company and day, then
 * the exact records that are missing, different (by the payload hash the sync stores, and by what the
 * target answers where the flow says how to ask) or extra (written, then deleted in the source).
 * Reads page like a pass through the same clients (and so the same limiters). Writes nothing unless
 * `repair`, which sends the missing and different records down the record path under the pair lock:
 * audited, and idempotent like any write.
 */
export async function reconcile(
  store: StateStore,
  pair: string,
  flows: Flow[],
  makeDims: () => Dimensions,
  options: ReconcileOptions,
  log: Logger,
): Promise<ReconcileReport> {
  const run = async (lock: PairLock | undefined): Promise<ReconcileReport> => {
    const runId = options.repair ? store.startRun(pair, 'reconcile', false) : null;
    if (runId !== null) lock?.setRun(runId);
    const ctx: FlowContext = {
      pair,
      log,
      dims: makeDims(),
      dryRun: !options.repair,
      targetIdOf: (entity, sourceId) => store.getId(pair, entity, sourceId)?.targetId ?? undefined,
    };
    const reports: FlowReconcile[] = [];
    try {
      for (const flow of flows) {
        if (options.only && !options.only.includes(flow.name)) continue;
        const { report, toRepair } = await compareFlow(store, pair, flow, ctx, options);
        if (options.repair && toRepair.length > 0) {
          const stats = emptyStats(flow.name);
          await handleRecords(
            {
              store,
              pair,
              flow,
              ctx,
              stats,
              dryRun: false,
              skipSeen: false,
              rewrite: true,
              batchSize: flow.batchSize ?? options.batchSize,
              audit: auditOf(store, runId, pair, flow.name),
              ...(lock ? { guard: () => lock.verify() } : {}),
            },
            toRepair,
          );
          report.repaired = { written: stats.written, unchanged: stats.unchanged, failed: stats.failed };
        }
        reports.push(report);
      }
    } finally {
      if (runId !== null) {
        const failed = reports.some((r) => (r.repaired?.failed ?? 0) > 0);
        store.finishRun(runId, failed ? 'failed_records' : 'ok', reports.map(summary));
      }
    }
    return {
      pair,
      since: options.since.toISOString(),
      until: options.until.toISOString(),
      flows: reports,
      agree: reports.every((r) => r.agree),
    };
  };
  return options.repair
    ? withPairLock(store, pair, { lockStaleMs: options.lockStaleMs, log }, run)
    : run(undefined);
}

async function compareFlow(
  store: StateStore,
  pair: string,
  flow: Flow,
  ctx: FlowContext,
  options: ReconcileOptions,
): Promise<{ report: FlowReconcile; toRepair: SourceRecord[] }> {
  const spec = options.light ? undefined : flow.reconcile;
  const report: FlowReconcile = {
    flow: flow.name,
    direction: flow.direction,
    compared: flow.checkOnly ? 'counts' : spec?.target ? 'target' : 'hashes',
    source: { count: 0, money: {} },
    ...(spec?.target ? { target: { count: 0, money: {} } } : {}),
    groups: [],
    missing: [],
    different: [],
    extra: [],
    skipped: 0,
    agree: true,
  };
  const groups = new Map<string, { company: string; day: string; source: Sums; target?: Sums }>();
  const sourceSums = new Sums();
  const targetSums = new Sums();
  const seen = new Set<string>();
  const toRepair: SourceRecord[] = [];
  const describe = (record: SourceRecord, reason: string): Discrepancy => ({
    sourceId: record.id,
    label: record.label,
    reason,
  });

  for await (const page of flow.read({ since: options.since, until: options.until }, ctx)) {
    const known = store.getIds(
      pair,
      flow.entity,
      page.map((r) => r.id),
    );
    const written: Array<{ record: SourceRecord; payload: unknown; money?: Money; group?: GroupSums }> = [];
    for (const record of page) {
      seen.add(record.id);
      let payload: unknown;
      try {
        const mapped = flow.map(record, ctx);
        if (mapped.kind === 'skip') {
          report.skipped += 1;
          continue;
        }
        payload = mapped.payload;
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        sourceSums.add(undefined);
        report.missing.push(describe(record, `cannot be sent: ${err.message}`));
        toRepair.push(record);
        continue;
      }
      const facts = spec?.facts?.(record, payload) ?? {};
      sourceSums.add(facts.money);
      const group = options.light
        ? undefined
        : groupOf(groups, facts.company ?? '', record.modified, Boolean(spec?.target));
      group?.source.add(facts.money);
      if (flow.checkOnly) continue;
      const existing = known.get(record.id);
      const hash = contentHash(flow.hashOf ? flow.hashOf(payload) : payload);
      if (!existing?.hash) {
        // The light net leaves known failures of this very version to `mlc audit failures`.
        if (options.light && existing?.seenOutcome === 'failed' && existing.seenVersion === versionOf(record))
          continue;
        const why =
          existing?.seenOutcome === 'failed'
            ? 'failed when last sent (see `mlc audit failures`)'
            : 'never written to the target';
        report.missing.push(describe(record, why));
        toRepair.push(record);
      } else if (existing.hash !== hash) {
        report.different.push(describe(record, 'the target holds an older version'));
        toRepair.push(record);
      } else {
        written.push({
          record,
          payload,
          ...(facts.money ? { money: facts.money } : {}),
          ...(group ? { group } : {}),
        });
      }
    }
    if (spec?.target && written.length > 0) {
      const held = await spec.target(
        written.map(({ record, payload }) => ({ record, payload })),
        ctx,
      );
      for (const w of written) {
        const t = held.get(w.record.id);
        if (!t) {
          report.missing.push(describe(w.record, 'written once, but not in the target now'));
          toRepair.push(w.record);
          continue;
        }
        targetSums.add(t.money);
        w.group?.target?.add(t.money);
        if (w.money && t.money && !sameMoney(w.money, t.money)) {
          report.different.push(
            describe(
              w.record,
              `amount differs: ${fromUnits(toUnits(w.money.amount))} ${w.money.currency} in the source, ${fromUnits(toUnits(t.money.amount))} ${t.money.currency} in the target`,
            ),
          );
          toRepair.push(w.record);
        }
      }
    }
  }

  // Written within the period but no longer read there: deleted in the source, or out of scope.
  if (!flow.checkOnly) {
    const candidates = store
      .writtenBetween(pair, flow.entity, options.since.toISOString(), options.until.toISOString())
      .filter((id) => !seen.has(id));
    for (let i = 0; i < candidates.length; i += 100) {
      const ids = candidates.slice(i, i + 100);
      const still = new Set((await flow.fetch(ids, ctx)).map((r) => r.id));
      for (const id of ids)
        if (!still.has(id))
          report.extra.push({
            sourceId: id,
            label: store.lastLabel(pair, flow.name, id) ?? id,
            reason: 'deleted or out of scope in the source; the target still holds it',
          });
    }
  }

  report.source = sourceSums.totals();
  if (report.target) report.target = targetSums.totals();
  report.groups = [...groups.values()]
    .sort((a, b) => a.company.localeCompare(b.company) || a.day.localeCompare(b.day))
    .map((g) => ({
      company: g.company,
      day: g.day,
      source: g.source.totals(),
      ...(g.target ? { target: g.target.totals() } : {}),
    }));
  report.agree = report.missing.length + report.different.length + report.extra.length === 0;
  return { report, toRepair };
}

interface GroupSums {
  company: string;
  day: string;
  source: Sums;
  target?: Sums;
}

function groupOf(
  groups: Map<string, GroupSums>,
  company: string,
  modified: string,
  withTarget: boolean,
): GroupSums {
  const day = modified.slice(0, 10);
  const key = `${company}\u0000${day}`;
  let g = groups.get(key);
  if (!g)
    groups.set(
      key,
      (g = { company, day, source: new Sums(), ...(withTarget ? { target: new Sums() } : {}) }),
    );
  return g;
}

/** A count and exact money sums per currency. */
class Sums {
  private count = 0;
  private readonly units = new Map<string, bigint>();

  add(money: Money | undefined): void {
    this.count += 1;
    if (!money) return;
    this.units.set(money.currency, (this.units.get(money.currency) ?? 0n) + toUnits(money.amount));
  }

  totals(): Totals {
    return {
      count: this.count,
      money: Object.fromEntries([...this.units].sort().map(([c, u]) => [c, fromUnits(u)])),
    };
  }
}

function sameMoney(a: Money, b: Money): boolean {
  return a.currency === b.currency && toUnits(a.amount) === toUnits(b.amount);
}

/** What a reconcile run stores in its run row: counts, not records. */
function summary(r: FlowReconcile): Record<string, unknown> {
  return {
    flow: r.flow,
    source: r.source.count,
    missing: r.missing.length,
    different: r.different.length,
    extra: r.extra.length,
    ...(r.repaired ? { repaired: r.repaired } : {}),
  };
}
