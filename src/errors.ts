/**
 * The closed error set. Code throws these; only the CLI entry prints them and picks the exit code.
 *
 * - ConfigError: the configuration or the command line is wrong. Stop, no retry.
 * - AuthError: credentials refused or expired beyond refresh. Stop, no retry.
 * - TransientError: network, 5xx, 429, timeouts. Retry with backoff; if retries run out, stop the flow
 *   without advancing its cursor so the next pass picks the record up again.
 * - RecordError: one record cannot be written as it is (missing dimension, validation). Audit it, go on.
 * - InternalError: a bug or a server answer that breaks the contract we rely on.
 */
export type ErrorKind = 'config' | 'auth' | 'transient' | 'record' | 'internal';

export interface ErrorDetails {
  /** Stable machine code, e.g. `odoo.access_denied`, `dimension.gl_account_missing`. */
  code: string;
  /** What the user can do about it. */
  hint?: string;
  /** Server-suggested wait before retrying (already capped by the caller). */
  retryAfterMs?: number;
  /** HTTP status or RPC fault code, when there was one. */
  status?: number;
  /** Structured facts for the audit log (never secrets). */
  data?: Record<string, unknown>;
  cause?: unknown;
}

export abstract class MlcError extends Error {
  abstract readonly kind: ErrorKind;
  readonly code: string;
  readonly hint: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  readonly data: Record<string, unknown> | undefined;

  constructor(message: string, details: ErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = details.code;
    this.hint = details.hint;
    this.retryAfterMs = details.retryAfterMs;
    this.status = details.status;
    this.data = details.data;
  }

  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.data === undefined ? {} : { data: this.data }),
    };
  }
}

export class ConfigError extends MlcError {
  readonly kind = 'config' as const;
}
export class AuthError extends MlcError {
  readonly kind = 'auth' as const;
}
export class TransientError extends MlcError {
  readonly kind = 'transient' as const;
}
export class RecordError extends MlcError {
  readonly kind = 'record' as const;
}
export class InternalError extends MlcError {
  readonly kind = 'internal' as const;
}

export function isMlcError(err: unknown): err is MlcError {
  return err instanceof MlcError;
}

/** Wraps anything thrown into the closed set; unknown throwables become InternalError. */
export function toMlcError(err: unknown): MlcError {
  if (err instanceof MlcError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return (
    stateFileError(err, message) ?? new InternalError(message, { code: 'internal.unexpected', cause: err })
  );
}

/**
 * SQLite's own failures of the state file are the machine's, not mlc's: a full disk, a damaged or
 * foreign file, a read-only or vanished directory. Each says what to do; none says "report a bug".
 * https://www.sqlite.org/rescode.html
 */
function stateFileError(err: unknown, message: string): MlcError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const base = code.replace(/^(SQLITE_[A-Z]+).*$/, '$1');
  const what = `the state file: ${message} (${code})`;
  switch (base) {
    case 'SQLITE_FULL':
      return new TransientError(`no space left for ${what}`, {
        code: 'state.disk_full',
        hint: 'free space on the disk that holds the state file (state: in mlc.yaml, or MLC_HOME); nothing is lost: records without a stored outcome are read again by the next pass',
        cause: err,
      });
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return new ConfigError(`the state file is damaged or is not an mlc state file: ${message} (${code})`, {
        code: 'state.corrupt',
        hint: 'restore it from a backup, or move it aside: a new state file re-reads everything (writes are upserts, so nothing is duplicated) but starts a new audit history',
        cause: err,
      });
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new TransientError(`another process keeps ${what}`, {
        code: 'state.busy',
        hint: 'another mlc command held the state file too long; run again',
        cause: err,
      });
    case 'SQLITE_IOERR':
      // A write the disk refused (no space, a file size limit, a failing device): nothing is lost.
      return new TransientError(`cannot write ${what}`, {
        code: 'state.io_error',
        hint: 'free space on the disk that holds the state file (state: in mlc.yaml, or MLC_HOME) and check it; nothing is lost: records without a stored outcome are read again by the next pass',
        cause: err,
      });
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
      return new ConfigError(`cannot write ${what}`, {
        code: 'state.io_error',
        hint: 'check that the state file and its directory exist, are writable by this user, and are on a healthy disk',
        cause: err,
      });
    default:
      return undefined;
  }
}
