import type { Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { InternalError } from '../errors.js';
import { redact, redactedJson } from '../http/redact.js';
import { nowIso, type Db } from './db.js';

export type Outcome = 'written' | 'unchanged' | 'failed' | 'skipped' | 'would_write';
export type RunStatus = 'running' | 'ok' | 'failed_records' | 'stopped' | 'error' | 'crashed';

export interface Cursor {
  modified: string;
  lastId: string;
}

export interface IdMapEntry {
  sourceId: string;
  targetId: string | null;
  hash: string | null;
  writtenVersion: string | null;
  seenVersion: string | null;
  seenOutcome: string | null;
}

export interface AuditInput {
  runId: number;
  pair: string;
  flow: string;
  sourceId: string;
  sourceLabel?: string | undefined;
  sourceVersion?: string | undefined;
  targetId?: string | undefined;
  outcome: Outcome;
  errorKind?: string | undefined;
  errorCode?: string | undefined;
  message?: string | undefined;
  hint?: string | undefined;
  source?: unknown;
  request?: unknown;
  response?: unknown;
  attempts?: number | undefined;
  replayOf?: number | undefined;
}

export interface AuditRow {
  id: number;
  run_id: number;
  pair: string;
  flow: string;
  source_id: string;
  source_label: string | null;
  source_version: string | null;
  target_id: string | null;
  outcome: Outcome;
  error_kind: string | null;
  error_code: string | null;
  message: string | null;
  hint: string | null;
  source_json: string | null;
  request_json: string | null;
  response_json: string | null;
  attempts: number;
  replay_of: number | null;
  created_at: string;
}

export interface AuditFilter {
  pair?: string | undefined;
  flow?: string | undefined;
  outcome?: string | undefined;
  sourceId?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
}

const CursorRow = z.object({ modified: z.string().datetime({ offset: true }), last_id: z.string() });

/** Every read and write of the state file goes through here; SQL stays in this one place. */
export class StateStore {
  /** Prepared statements by SQL text: preparing costs more than running most of them. */
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  private prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) this.statements.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  // ---- runs ---------------------------------------------------------------------------------

  startRun(pair: string, kind: 'sync' | 'replay' | 'reconcile' | 'webhook', dryRun: boolean): number {
    const info = this.prepare(
      'INSERT INTO runs (pair, kind, dry_run, started_at, status, pid) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(pair, kind, dryRun ? 1 : 0, nowIso(), 'running', process.pid);
    return Number(info.lastInsertRowid);
  }

  finishRun(runId: number, status: RunStatus, stats: unknown, error?: unknown): void {
    this.prepare(
      'UPDATE runs SET finished_at = ?, status = ?, stats_json = ?, error_json = ? WHERE id = ?',
    ).run(nowIso(), status, redactedJson(stats), error === undefined ? null : redactedJson(error), runId);
  }

  /** How many passes of a pair have finished (not dry runs): the scheduled safety net counts them. */
  finishedPasses(pair: string): number {
    return (
      this.prepare(
        `SELECT COUNT(*) AS n FROM runs WHERE pair = ? AND kind = 'sync' AND dry_run = 0 AND status IN ('ok', 'failed_records')`,
      ).get(pair) as { n: number }
    ).n;
  }

  lastRuns(limit = 20): Array<Record<string, unknown>> {
    return this.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as Array<
      Record<string, unknown>
    >;
  }

  // ---- cursors ------------------------------------------------------------------------------

  getCursor(pair: string, flow: string): Cursor | undefined {
    const row = this.prepare('SELECT modified, last_id FROM cursors WHERE pair = ? AND flow = ?').get(
      pair,
      flow,
    );
    if (row === undefined) return undefined;
    const parsed = CursorRow.safeParse(row);
    if (!parsed.success) {
      throw new InternalError(`stored cursor of ${pair}/${flow} is unreadable: ${JSON.stringify(row)}`, {
        code: 'state.bad_cursor',
        hint: `run \`mlc sync ${pair} --full\` to re-read from the beginning (writes are idempotent)`,
      });
    }
    return { modified: parsed.data.modified, lastId: parsed.data.last_id };
  }

  setCursor(pair: string, flow: string, cursor: Cursor): void {
    this.prepare(
      `INSERT INTO cursors (pair, flow, modified, last_id, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pair, flow) DO UPDATE SET modified = excluded.modified, last_id = excluded.last_id,
           updated_at = excluded.updated_at`,
    ).run(pair, flow, cursor.modified, redact(cursor.lastId), nowIso());
  }

  // ---- id map -------------------------------------------------------------------------------

  getIds(pair: string, entity: string, sourceIds: readonly string[]): Map<string, IdMapEntry> {
    const out = new Map<string, IdMapEntry>();
    const stmt = this.prepare(
      `SELECT source_id, target_id, hash, written_version, seen_version, seen_outcome FROM id_map
       WHERE pair = ? AND entity = ? AND source_id IN (SELECT value FROM json_each(?))`,
    );
    for (let i = 0; i < sourceIds.length; i += 500) {
      const chunk = sourceIds.slice(i, i + 500);
      for (const row of stmt.all(pair, entity, JSON.stringify(chunk)) as Array<
        Record<string, string | null>
      >) {
        out.set(row.source_id as string, {
          sourceId: row.source_id as string,
          targetId: row.target_id ?? null,
          hash: row.hash ?? null,
          writtenVersion: row.written_version ?? null,
          seenVersion: row.seen_version ?? null,
          seenOutcome: row.seen_outcome ?? null,
        });
      }
    }
    return out;
  }

  getId(pair: string, entity: string, sourceId: string): IdMapEntry | undefined {
    return this.getIds(pair, entity, [sourceId]).get(sourceId);
  }

  /** Every target id known for an entity (used for lookups such as supplier code -> sys_id). */
  allIds(pair: string, entity: string): Map<string, string> {
    const rows = this.prepare(
      'SELECT source_id, target_id FROM id_map WHERE pair = ? AND entity = ? AND target_id IS NOT NULL',
    ).all(pair, entity) as Array<{ source_id: string; target_id: string }>;
    return new Map(rows.map((r) => [r.source_id, r.target_id]));
  }

  /**
   * Source ids of an entity whose last written version carries a change stamp in [since, until):
   * what reconcile expects to read again from the source over that period.
   */
  writtenBetween(pair: string, entity: string, since: string, until: string): string[] {
    return (
      this.prepare(
        `SELECT source_id FROM id_map WHERE pair = ? AND entity = ? AND written_version >= ? AND written_version < ?`,
      ).all(pair, entity, since, until) as Array<{ source_id: string }>
    ).map((r) => r.source_id);
  }

  /** The label a source record had when it was last audited (for reports about records now gone). */
  lastLabel(pair: string, flow: string, sourceId: string): string | undefined {
    const row = this.prepare(
      'SELECT source_label FROM audit WHERE pair = ? AND flow = ? AND source_id = ? ORDER BY id DESC LIMIT 1',
    ).get(pair, flow, sourceId) as { source_label: string | null } | undefined;
    return row?.source_label ?? undefined;
  }

  /** Records that a version was written: target id and hash of what was sent. */
  markWritten(
    pair: string,
    entity: string,
    sourceId: string,
    targetId: string | null,
    hash: string,
    version: string,
  ): void {
    this.prepare(
      `INSERT INTO id_map (pair, entity, source_id, target_id, hash, written_version, seen_version, seen_outcome, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'written', ?)
         ON CONFLICT (pair, entity, source_id) DO UPDATE SET
           target_id = COALESCE(excluded.target_id, id_map.target_id), hash = excluded.hash,
           written_version = excluded.written_version, seen_version = excluded.seen_version,
           seen_outcome = 'written', updated_at = excluded.updated_at`,
    ).run(pair, entity, sourceId, orNull(targetId), hash, version, version, nowIso());
  }

  /** Records that a version was seen with another outcome (unchanged, failed, skipped). */
  markSeen(pair: string, entity: string, sourceId: string, version: string, outcome: Outcome): void {
    this.prepare(
      `INSERT INTO id_map (pair, entity, source_id, seen_version, seen_outcome, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (pair, entity, source_id) DO UPDATE SET seen_version = excluded.seen_version,
           seen_outcome = excluded.seen_outcome, updated_at = excluded.updated_at`,
    ).run(pair, entity, sourceId, version, outcome, nowIso());
  }

  /** Links a source id to a target id without a write (a dimension found on the target). */
  link(pair: string, entity: string, sourceId: string, targetId: string): void {
    this.prepare(
      `INSERT INTO id_map (pair, entity, source_id, target_id, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pair, entity, source_id) DO UPDATE SET target_id = excluded.target_id, updated_at = excluded.updated_at`,
    ).run(pair, entity, sourceId, redact(targetId), nowIso());
  }

  // ---- audit --------------------------------------------------------------------------------

  audit(entry: AuditInput): number {
    const info = this.prepare(
      `INSERT INTO audit (run_id, pair, flow, source_id, source_label, source_version, target_id, outcome,
           error_kind, error_code, message, hint, source_json, request_json, response_json, attempts, replay_of, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      entry.runId,
      entry.pair,
      entry.flow,
      entry.sourceId,
      orNull(entry.sourceLabel),
      orNull(entry.sourceVersion),
      orNull(entry.targetId),
      entry.outcome,
      entry.errorKind ?? null,
      orNull(entry.errorCode),
      orNull(entry.message),
      orNull(entry.hint),
      toJson(entry.source),
      toJson(entry.request),
      toJson(entry.response),
      entry.attempts ?? 1,
      entry.replayOf ?? null,
      nowIso(),
    );
    return Number(info.lastInsertRowid);
  }

  getAudit(id: number): AuditRow | undefined {
    return this.prepare('SELECT * FROM audit WHERE id = ?').get(id) as AuditRow | undefined;
  }

  queryAudit(filter: AuditFilter): AuditRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      where.push(sql);
      args.push(value);
    };
    if (filter.pair !== undefined) add('pair = ?', filter.pair);
    if (filter.flow !== undefined) add('flow = ?', filter.flow);
    if (filter.outcome !== undefined) add('outcome = ?', filter.outcome);
    if (filter.sourceId !== undefined) {
      where.push('(source_id = ? OR source_label = ?)');
      args.push(filter.sourceId, filter.sourceId);
    }
    if (filter.since !== undefined) add('created_at >= ?', filter.since);
    if (filter.until !== undefined) add('created_at < ?', filter.until);
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.prepare(sql).all(...args, filter.limit ?? 100) as AuditRow[];
  }

  /**
   * Failed records still waiting: the latest audit row of each (pair, flow, source id) is a failure.
   * A later success (a newer version, or a replay) clears it.
   */
  openFailures(pair?: string): AuditRow[] {
    return this.prepare(
      `SELECT a.* FROM audit a
         JOIN (SELECT pair, flow, source_id, MAX(id) AS id FROM audit
               WHERE outcome != 'would_write' ${pair === undefined ? '' : 'AND pair = ?'}
               GROUP BY pair, flow, source_id) latest ON latest.id = a.id
         WHERE a.outcome = 'failed' ORDER BY a.id`,
    ).all(...(pair === undefined ? [] : [pair])) as AuditRow[];
  }

  // ---- lock ---------------------------------------------------------------------------------

  /**
   * Takes the pass lock of a pair. A lock whose holder is gone (dead pid on this host, or no
   * heartbeat for `staleMs`) is taken over; a live one is reported to the caller. The answer carries
   * the owner token that every later lock call names.
   */
  acquireLock(
    pair: string,
    staleMs: number,
  ):
    | { ok: true; owner: string; tookOverFrom?: { pid: number; acquired_at: string } }
    | { ok: false; holder: LockRow } {
    const host = hostname();
    const owner = randomUUID();
    const take = this.db.transaction(() => {
      const row = this.prepare('SELECT * FROM locks WHERE pair = ?').get(pair) as LockRow | undefined;
      if (row && !lockIsStale(row, host, staleMs)) return { ok: false as const, holder: row };
      const now = nowIso();
      this.prepare(
        `INSERT INTO locks (pair, pid, host, owner, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (pair) DO UPDATE SET pid = excluded.pid, host = excluded.host, owner = excluded.owner,
             run_id = NULL, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
      ).run(pair, process.pid, host, owner, now, now);
      if (row) {
        // The run the old holder was doing ends as crashed (by its run id; by pid for older locks).
        if (row.run_id === null)
          this.prepare(
            `UPDATE runs SET status = 'crashed', finished_at = ? WHERE pair = ? AND status = 'running' AND pid = ?`,
          ).run(now, pair, row.pid);
        else
          this.prepare(
            `UPDATE runs SET status = 'crashed', finished_at = ? WHERE id = ? AND status = 'running'`,
          ).run(now, row.run_id);
        return { ok: true as const, owner, tookOverFrom: { pid: row.pid, acquired_at: row.acquired_at } };
      }
      return { ok: true as const, owner };
    });
    return take.immediate();
  }

  /** True while the lock of `pair` is still the one taken with `owner`. */
  holdsLock(pair: string, owner: string): boolean {
    return this.prepare('SELECT 1 FROM locks WHERE pair = ? AND owner = ?').get(pair, owner) !== undefined;
  }

  setLockRun(pair: string, owner: string, runId: number): void {
    this.prepare('UPDATE locks SET run_id = ? WHERE pair = ? AND owner = ?').run(runId, pair, owner);
  }

  /** Renews the heartbeat; false when the lock is no longer this owner's. */
  heartbeat(pair: string, owner: string): boolean {
    return (
      this.prepare('UPDATE locks SET heartbeat_at = ? WHERE pair = ? AND owner = ?').run(
        nowIso(),
        pair,
        owner,
      ).changes === 1
    );
  }

  releaseLock(pair: string, owner: string): void {
    this.prepare('DELETE FROM locks WHERE pair = ? AND owner = ?').run(pair, owner);
  }

  /** The current holder of a pair's lock, if any. */
  lockHolder(pair: string): LockRow | undefined {
    return this.prepare('SELECT * FROM locks WHERE pair = ?').get(pair) as LockRow | undefined;
  }

  // ---- webhook events -------------------------------------------------------------------------

  /**
   * Stores a received event durably (the receiver answers 2xx only after this returns); a repeat of an
   * event id already stored is ignored. Answers whether it was new.
   */
  storeEvent(pair: string, route: string, eventId: string, body: unknown): boolean {
    return (
      this.prepare(
        `INSERT INTO webhook_events (pair, route, event_id, received_at, body_json, status)
           VALUES (?, ?, ?, ?, ?, 'pending') ON CONFLICT (pair, event_id) DO NOTHING`,
      ).run(pair, route, eventId, nowIso(), redactedJson(body)).changes === 1
    );
  }

  pendingEvents(pair: string, limit = 500): StoredEvent[] {
    return (
      this.prepare(
        `SELECT id, route, event_id, body_json, attempts FROM webhook_events
           WHERE pair = ? AND status = 'pending' ORDER BY id LIMIT ?`,
      ).all(pair, limit) as Array<{
        id: number;
        route: string;
        event_id: string;
        body_json: string;
        attempts: number;
      }>
    ).map((r) => ({
      id: r.id,
      route: r.route,
      eventId: r.event_id,
      body: JSON.parse(r.body_json) as unknown,
      attempts: r.attempts,
    }));
  }

  /** Marks events handled (`done`), given up on (`failed`), or left for another try (`pending`). */
  finishEvents(ids: readonly number[], status: 'done' | 'failed' | 'pending', error?: string): void {
    const stmt = this.prepare(
      `UPDATE webhook_events SET status = ?, attempts = attempts + 1, processed_at = ?, error = ? WHERE id = ?`,
    );
    this.transaction(() => {
      for (const id of ids) stmt.run(status, nowIso(), orNull(error), id);
    });
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}

export interface StoredEvent {
  id: number;
  route: string;
  eventId: string;
  body: unknown;
  attempts: number;
}

export interface LockRow {
  pair: string;
  pid: number;
  host: string;
  owner: string | null;
  run_id: number | null;
  acquired_at: string;
  heartbeat_at: string;
}

function lockIsStale(row: LockRow, host: string, staleMs: number): boolean {
  if (Date.now() - Date.parse(row.heartbeat_at) > staleMs) return true;
  if (row.host === host) {
    if (row.pid === process.pid) return false;
    try {
      process.kill(row.pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  return false;
}

/**
 * Text that may come from a server (labels, target ids, versions, messages, payloads) is redacted
 * before it is stored: a server that echoes a credential in an error body or a field must not put it
 * in the state file. Source ids stay as read: they are the keys every look-up matches on.
 */
function orNull(text: string | null | undefined): string | null {
  return text === undefined || text === null ? null : redact(text);
}

function toJson(value: unknown): string | null {
  if (value === undefined) return null;
  return redactedJson(value);
}
