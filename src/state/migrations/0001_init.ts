/** Initial schema. Migrations are append-only: never edit a released one, add the next number. */
export const sql = `
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  pair         TEXT NOT NULL,
  kind         TEXT NOT NULL,              -- sync | replay
  dry_run      INTEGER NOT NULL DEFAULT 0,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  status       TEXT NOT NULL,              -- running | ok | failed_records | stopped | error | crashed
  pid          INTEGER NOT NULL,
  stats_json   TEXT,
  error_json   TEXT
);

CREATE TABLE cursors (
  pair        TEXT NOT NULL,
  flow        TEXT NOT NULL,
  modified    TEXT NOT NULL,               -- ISO-8601 UTC, the window end of the last complete read
  last_id     TEXT NOT NULL DEFAULT '',
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (pair, flow)
);

-- source id <-> target id per flow, with the hash of what was last written and the last source
-- version seen (with its outcome) so that a record re-read in the overlap window is not handled twice.
CREATE TABLE id_map (
  pair            TEXT NOT NULL,
  entity          TEXT NOT NULL,
  source_id       TEXT NOT NULL,
  target_id       TEXT,
  hash            TEXT,
  written_version TEXT,
  seen_version    TEXT,
  seen_outcome    TEXT,
  updated_at      TEXT NOT NULL,
  PRIMARY KEY (pair, entity, source_id)
);
CREATE INDEX id_map_target ON id_map (pair, entity, target_id);

CREATE TABLE audit (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES runs (id),
  pair           TEXT NOT NULL,
  flow           TEXT NOT NULL,
  source_id      TEXT NOT NULL,
  source_label   TEXT,
  source_version TEXT,
  target_id      TEXT,
  outcome        TEXT NOT NULL,            -- written | unchanged | failed | skipped | would_write
  error_kind     TEXT,
  error_code     TEXT,
  message        TEXT,
  hint           TEXT,
  source_json    TEXT,
  request_json   TEXT,
  response_json  TEXT,
  attempts       INTEGER NOT NULL DEFAULT 1,
  replay_of      INTEGER REFERENCES audit (id),
  created_at     TEXT NOT NULL
);
CREATE INDEX audit_pair_flow ON audit (pair, flow, outcome);
CREATE INDEX audit_source ON audit (pair, flow, source_id);
CREATE INDEX audit_created ON audit (created_at);

CREATE TABLE locks (
  pair          TEXT PRIMARY KEY,
  pid           INTEGER NOT NULL,
  host          TEXT NOT NULL,
  run_id        INTEGER,
  acquired_at   TEXT NOT NULL,
  heartbeat_at  TEXT NOT NULL
);

-- AES-256-GCM values; the connection name is the associated data.
CREATE TABLE secrets (
  name        TEXT PRIMARY KEY,
  connection  TEXT NOT NULL,
  nonce       BLOB NOT NULL,
  ciphertext  BLOB NOT NULL,
  tag         BLOB NOT NULL,
  updated_at  TEXT NOT NULL
);
`;
