import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import { MIGRATIONS } from './migrations/index.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the one SQLite file that holds runs, cursors, the id map, the audit log,
 * the pass locks and the encrypted secrets. WAL lets `mlc audit` read while a pass writes.
 */
export function openDb(path: string): Db {
  let db: Db;
  try {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // The audit log holds business data: a new file is readable by its owner only (SQLite gives its
      // -wal and -shm files the same mode).
      closeSync(openSync(path, 'a', 0o600));
    }
    db = new Database(path);
  } catch (err) {
    throw new ConfigError(`cannot open state file ${path}: ${(err as Error).message}`, {
      code: 'state.open_failed',
      hint: 'check the path and its permissions (state: in mlc.yaml, or MLC_HOME)',
      cause: err,
    });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
  );
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > MIGRATIONS.length) {
    throw new ConfigError(
      `state file schema version ${current} is newer than this mlc understands (${MIGRATIONS.length})`,
      { code: 'state.too_new', hint: 'upgrade mlc, or point it at another state file' },
    );
  }
  for (let v = current + 1; v <= MIGRATIONS.length; v++) {
    const apply = db.transaction(() => {
      db.exec(MIGRATIONS[v - 1] as string);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        v,
        new Date().toISOString(),
      );
    });
    apply.immediate();
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}
