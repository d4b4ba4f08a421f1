/** Exit codes: stable, documented in README.md. */
export const EXIT = {
  /** Everything done. */
  ok: 0,
  /** A bug or an unexpected answer (InternalError). */
  internal: 1,
  /** Configuration, usage or credentials are wrong: nothing was synced; fix and re-run. */
  config: 2,
  /** The pass finished, but some records failed: see `mlc audit failures`. */
  failedRecords: 3,
  /** Stopped early on transient errors (network, 5xx, 429): the next pass resumes. */
  transient: 4,
  /** Another pass of the same pair holds the lock: nothing done. */
  locked: 5,
} as const;
