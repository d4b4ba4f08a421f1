import pRetry from 'p-retry';
import { TransientError, isMlcError } from '../errors.js';

/**
 * The one owner of retries. got's own retry is off everywhere; every remote call goes through
 * `withRetry`, which knows per operation whether repeating it is safe.
 */
export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this cap. */
  maxRetryAfterMs: number;
  /** Give up once this much time has gone by, whatever attempts remain. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
  maxTotalMs: 180_000,
};

/** Per-connection overrides from mlc.yaml; unset fields keep the defaults. */
export type RetryOverrides = { [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined };

export interface RetryOptions {
  /**
   * True when repeating the call cannot change the outcome (reads, upserts keyed by a reference).
   * A call that is not idempotent is repeated only when the failure proves the request never reached
   * the server (`data.notSent`).
   */
  idempotent: boolean;
  policy?: RetryOverrides | undefined;
  onRetry?: (info: { op: string; attempt: number; delayMs: number; error: TransientError }) => void;
  signal?: AbortSignal;
}

/** Full-jitter exponential backoff: a random delay in [0, min(max, base * 2^n)]. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function retryDelay(error: TransientError, attempt: number, policy: RetryPolicy): number {
  if (error.retryAfterMs !== undefined) {
    // Jitter on top of Retry-After so that parallel workers do not return in lockstep.
    const capped = Math.min(error.retryAfterMs, policy.maxRetryAfterMs);
    return capped + Math.round(Math.random() * Math.min(250, policy.baseDelayMs));
  }
  return backoffDelay(attempt, policy);
}

export async function withRetry<T>(
  op: string,
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY };
  for (const [k, v] of Object.entries(options.policy ?? {}))
    if (v !== undefined) policy[k as keyof RetryPolicy] = v;
  const started = Date.now();
  return pRetry((attempt) => fn(attempt), {
    retries: Math.max(0, policy.attempts - 1),
    // Delays are ours (Retry-After aware), so p-retry itself waits nothing.
    minTimeout: 0,
    maxTimeout: 0,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    shouldRetry: ({ error }) => {
      if (!(error instanceof TransientError)) return false;
      // The caller retries it differently (e.g. with a smaller page).
      if (error.data?.retryHere === false) return false;
      if (!options.idempotent && error.data?.notSent !== true) return false;
      return true;
    },
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
      if (!(error instanceof TransientError) || retriesLeft === 0 || error.data?.retryHere === false) return;
      if (!options.idempotent && error.data?.notSent !== true) return;
      const delayMs = retryDelay(error, attemptNumber, policy);
      if (Date.now() - started + delayMs > policy.maxTotalMs) {
        throw new TransientError(`${error.message} (gave up after ${attemptNumber} attempts)`, {
          code: error.code,
          ...(error.status === undefined ? {} : { status: error.status }),
          data: { ...error.data, attempts: attemptNumber },
          cause: error,
        });
      }
      options.onRetry?.({ op, attempt: attemptNumber, delayMs, error });
      await sleep(delayMs, options.signal);
    },
  }).catch((err: unknown) => {
    if (isMlcError(err)) throw err;
    throw err;
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });
}

/** Parses Retry-After (delta-seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
