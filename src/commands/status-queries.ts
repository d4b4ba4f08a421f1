import type { Db } from '../state/db.js';
import type { LockRow } from '../state/store.js';

/**
 * Read-only queries `mlc status` needs that the state store does not offer: the latest sync run of
 * a pair instance, its latest completed one, and its lock. Plain SELECTs on the store's tables.
 */
export interface RunRow {
  id: number;
  status: string;
  started_at: string;
  finished_at: string | null;
  error_json: string | null;
}

export function lastSyncRun(db: Db, pair: string): RunRow | undefined {
  return db
    .prepare(
      `SELECT id, status, started_at, finished_at, error_json FROM runs
       WHERE pair = ? AND kind = 'sync' AND dry_run = 0 ORDER BY id DESC LIMIT 1`,
    )
    .get(pair) as RunRow | undefined;
}

/** The latest pass that read every flow to its end (its cursors moved), with or without failed records. */
export function lastCompletedRun(db: Db, pair: string): RunRow | undefined {
  return db
    .prepare(
      `SELECT id, status, started_at, finished_at, error_json FROM runs
       WHERE pair = ? AND kind = 'sync' AND dry_run = 0 AND status IN ('ok', 'failed_records')
       ORDER BY id DESC LIMIT 1`,
    )
    .get(pair) as RunRow | undefined;
}

export function lockOf(db: Db, pair: string): LockRow | undefined {
  return db.prepare('SELECT * FROM locks WHERE pair = ?').get(pair) as LockRow | undefined;
}
