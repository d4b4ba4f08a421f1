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
  return new InternalError(message, { code: 'internal.unexpected', cause: err });
}
