/**
 * Events received by `mlc serve`, stored before the sender is answered 2xx, processed down the record
 * path afterwards. An event id seen twice (a sender's retry) is stored once.
 */
export const sql = `
CREATE TABLE webhook_events (
  id           INTEGER PRIMARY KEY,
  pair         TEXT NOT NULL,
  route        TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  body_json    TEXT NOT NULL,
  status       TEXT NOT NULL,             -- pending | done | failed
  attempts     INTEGER NOT NULL DEFAULT 0,
  processed_at TEXT,
  error        TEXT,
  UNIQUE (pair, event_id)
);
CREATE INDEX webhook_events_pending ON webhook_events (pair, status, id);
`;
