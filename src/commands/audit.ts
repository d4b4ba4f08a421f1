import { ConfigError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { AuditFilter, AuditRow } from '../state/store.js';

export interface AuditEntry {
  id: number;
  runId: number;
  time: string;
  pair: string;
  flow: string;
  sourceId: string;
  label: string;
  version: string | null;
  targetId: string | null;
  outcome: string;
  errorCode: string | null;
  message: string | null;
  hint: string | null;
  replayOf: number | null;
}

export interface AuditDetail extends AuditEntry {
  errorKind: string | null;
  attempts: number;
  /** What was read from the source. */
  read: unknown;
  /** What was sent to the target. */
  sent: unknown;
  /** What the target answered. */
  answered: unknown;
  /** Later entries for the same record (newer versions, replays). */
  later: AuditEntry[];
}

export function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    runId: row.run_id,
    time: row.created_at,
    pair: row.pair,
    flow: row.flow,
    sourceId: row.source_id,
    label: row.source_label ?? row.source_id,
    version: row.source_version,
    targetId: row.target_id,
    outcome: row.outcome,
    errorCode: row.error_code,
    message: row.message,
    hint: row.hint,
    replayOf: row.replay_of,
  };
}

export function runAuditList(rt: Runtime, filter: AuditFilter): AuditEntry[] {
  for (const t of [filter.since, filter.until]) {
    if (t !== undefined && Number.isNaN(Date.parse(t))) {
      throw new ConfigError(`"${t}" is not a time`, {
        code: 'usage.bad_time',
        hint: 'use ISO-8601, e.g. 2026-03-01 or 2026-03-01T10:00:00Z, or a duration such as 2h or 7d',
      });
    }
  }
  return rt.store.queryAudit(filter).map(toEntry);
}

export function runAuditShow(rt: Runtime, id: number): AuditDetail {
  const row = rt.store.getAudit(id);
  if (!row)
    throw new ConfigError(`no audit entry ${id}`, {
      code: 'audit.not_found',
      hint: 'list entries with `mlc audit`',
    });
  const parse = (s: string | null): unknown => (s === null ? null : (JSON.parse(s) as unknown));
  const later = rt.store
    .queryAudit({ pair: row.pair, flow: row.flow, sourceId: row.source_id, limit: 50 })
    .filter((r) => r.id > row.id)
    .map(toEntry)
    .reverse();
  return {
    ...toEntry(row),
    errorKind: row.error_kind,
    attempts: row.attempts,
    read: parse(row.source_json),
    sent: parse(row.request_json),
    answered: parse(row.response_json),
    later,
  };
}

export interface FailureGroup {
  cause: string;
  count: number;
  pairs: string[];
  example: AuditEntry;
  ids: number[];
  hint: string | null;
}

/**
 * Records whose latest outcome is a failure, grouped by cause: the error code, plus the missing
 * dimension for dimension failures (one missing GL account explains many bills).
 */
export function runAuditFailures(rt: Runtime, pair?: string): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const row of rt.store.openFailures(pair)) {
    const cause = causeOf(row);
    const g = groups.get(cause) ?? {
      cause,
      count: 0,
      pairs: [],
      example: toEntry(row),
      ids: [],
      hint: row.hint,
    };
    g.count += 1;
    g.ids.push(row.id);
    if (!g.pairs.includes(row.pair)) g.pairs.push(row.pair);
    groups.set(cause, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

function causeOf(row: AuditRow): string {
  const code = row.error_code ?? 'unknown';
  if (code.startsWith('dimension.') && row.response_json) {
    const missing = (JSON.parse(row.response_json) as { missing?: Array<{ kind: string; key: string }> })
      .missing;
    if (missing && missing.length > 0) return `${code}: ${missing.map((m) => m.key).join(', ')}`;
  }
  return code;
}

/** `2h`, `7d`, `30m` before now, or an ISO time as given. */
export function parseSince(value: string | undefined, now = Date.now()): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (!m) return Number.isNaN(Date.parse(value)) ? value : new Date(value).toISOString();
  const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return new Date(now - Number(m[1]) * unit).toISOString();
}
