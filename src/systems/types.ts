import type { RetryOverrides } from '../http/retry.js';

/**
 * The window one incremental read covers: records modified at or after `since` (null = from the
 * beginning) and strictly before `until`. The engine computes it from the stored cursor, the
 * overlap and the pass start; clients page inside it by id keyset, never by offset.
 */
export interface ReadWindow {
  since: Date | null;
  until: Date;
}

/** One check made by `mlc ping`: an auth step, a table, a field, a coalesce key. */
export interface PingCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface PingResult {
  connection: string;
  system: string;
  url: string;
  ok: boolean;
  serverVersion?: string;
  checks: PingCheck[];
}

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {} };

/** What every client receives from the engine besides its own connection settings. */
export interface ClientContext {
  /** The connection's name from mlc.yaml; used in messages and as AEAD data for its secrets. */
  connection: string;
  retry?: RetryOverrides | undefined;
  log?: Logger;
  /** Called once per HTTP request sent (after retries are counted separately): used for metrics. */
  onRequest?: (info: { method: string; path: string; status: number | 'network'; ms: number }) => void;
}

/** Formats a Date as naive UTC `YYYY-MM-DD HH:MM:SS` (Odoo and ServiceNow literals). */
export function toNaiveUtc(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Parses naive UTC `YYYY-MM-DD HH:MM:SS` (never as local time). */
export function fromNaiveUtc(text: string): Date {
  const d = new Date(`${text.trim().replace(' ', 'T')}Z`);
  if (Number.isNaN(d.getTime())) throw new TypeError(`not a naive UTC datetime: ${JSON.stringify(text)}`);
  return d;
}
