import { EXIT } from '../exit.js';
import type { Runtime } from '../runtime.js';
import { lastCompletedRun, lastSyncRun, lockOf } from './status-queries.js';

export interface PairStatus {
  pair: string;
  type: string;
  healthy: boolean;
  lastRun: {
    id: number;
    status: string;
    startedAt: string;
    finishedAt: string | null;
    ageSeconds: number;
  } | null;
  lastSuccess: { id: number; status: string; finishedAt: string; ageSeconds: number } | null;
  openFailures: number;
  lock: { pid: number; host: string; acquiredAt: string; heartbeatAt: string; stale: boolean } | null;
  /** Why the pair needs a look; empty when healthy. */
  problems: string[];
}

export interface StatusResult {
  maxAgeSeconds: number;
  pairs: PairStatus[];
  exitCode: number;
}

/**
 * `mlc status`: per pair instance, the last pass, its outcome and age, the last pass that completed,
 * open failures and the lock holder. A pair needs a look (exit 3) when no pass has completed within
 * `maxAgeMs`, or it has open failures.
 */
export function runStatus(rt: Runtime, names: string[], maxAgeMs: number, now = Date.now()): StatusResult {
  const wanted = names.length > 0 ? names : Object.keys(rt.config.pairs);
  const pairs = wanted.map((pair): PairStatus => {
    const instance = rt.config.pairs[pair]!;
    const last = lastSyncRun(rt.db, pair);
    const good = lastCompletedRun(rt.db, pair);
    const lock = lockOf(rt.db, pair);
    const failures = rt.store.openFailures(pair).length;
    const secondsSince = (iso: string): number => Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
    const problems: string[] = [];
    const goodAt = good ? (good.finished_at ?? good.started_at) : undefined;
    if (!goodAt) problems.push('no pass has completed yet');
    else if (now - Date.parse(goodAt) > maxAgeMs)
      problems.push(
        `no pass has completed in the last ${Math.round(maxAgeMs / 60_000)} min (cron not running, or every pass stops)`,
      );
    if (last && last.status !== 'ok' && last.status !== 'failed_records' && last.status !== 'running') {
      const message = last.error_json
        ? (JSON.parse(last.error_json) as { message?: string }).message
        : undefined;
      problems.push(`the last pass ended ${last.status}${message ? `: ${message}` : ''}`);
    }
    if (failures > 0) problems.push(`mlc audit failures --pair ${pair} lists the open failures`);
    const staleMs = instance.lockStaleSeconds * 1000;
    return {
      pair,
      type: instance.type,
      healthy: goodAt !== undefined && now - Date.parse(goodAt) <= maxAgeMs && failures === 0,
      lastRun: last
        ? {
            id: last.id,
            status: last.status,
            startedAt: last.started_at,
            finishedAt: last.finished_at,
            ageSeconds: secondsSince(last.started_at),
          }
        : null,
      lastSuccess:
        good && goodAt
          ? { id: good.id, status: good.status, finishedAt: goodAt, ageSeconds: secondsSince(goodAt) }
          : null,
      openFailures: failures,
      lock: lock
        ? {
            pid: lock.pid,
            host: lock.host,
            acquiredAt: lock.acquired_at,
            heartbeatAt: lock.heartbeat_at,
            stale: now - Date.parse(lock.heartbeat_at) > staleMs,
          }
        : null,
      problems,
    };
  });
  return {
    maxAgeSeconds: Math.round(maxAgeMs / 1000),
    pairs,
    exitCode: pairs.every((p) => p.healthy) ? EXIT.ok : EXIT.failedRecords,
  };
}
