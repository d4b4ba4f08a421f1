import got, { type Got, RequestError, type Response } from 'got';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { TransientError } from '../errors.js';
import { redact } from './redact.js';

export const USER_AGENT = 'mlc/0.1.0';

export interface HttpOptions {
  baseUrl: string;
  /** Per-request timeout (whole request), ms. */
  timeoutMs?: number;
  /** Sockets kept open per host. */
  maxSockets?: number;
  headers?: Record<string, string>;
}

/**
 * A got instance for one connection: its own retry off (withRetry owns retries), errors not thrown
 * for HTTP statuses (each system's error table reads them), keep-alive sockets, and a timeout on
 * every call.
 */
export function createHttp(options: HttpOptions): Got {
  const maxSockets = options.maxSockets ?? 8;
  return got.extend({
    prefixUrl: options.baseUrl.replace(/\/+$/, ''),
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    timeout: { request: options.timeoutMs ?? 60_000 },
    agent: {
      http: new HttpAgent({ keepAlive: true, maxSockets }),
      https: new HttpsAgent({ keepAlive: true, maxSockets }),
    },
    headers: { 'user-agent': USER_AGENT, ...options.headers },
  });
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Turns a network-level failure into a TransientError. `notSent` is set only when the request
 * provably never reached the server, which makes even a non-idempotent call safe to repeat.
 */
export function networkError(err: unknown, what: string): TransientError {
  const code = err instanceof RequestError ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ETIMEDOUT') {
    return new TransientError(`${what}: timed out`, { code: 'http.timeout', cause: err });
  }
  return new TransientError(`${what}: ${redact(message)}`, {
    code: 'http.network',
    data: { errno: code ?? 'unknown', notSent: code !== undefined && NOT_SENT.has(code) },
    cause: err,
  });
}

/** True when a 2xx/4xx/5xx body is HTML rather than the JSON the API promised. */
export function isHtml(response: Response<string>): boolean {
  const type = String(response.headers['content-type'] ?? '');
  return type.includes('text/html') || /^\s*<(!doctype|html)/i.test(response.body);
}

/** Closes the keep-alive sockets of a got instance made by createHttp. */
export function destroyHttp(http: Got): void {
  const agents = http.defaults.options.agent as { http?: HttpAgent; https?: HttpsAgent };
  agents.http?.destroy();
  agents.https?.destroy();
}

/** What a counted exchange reports to the client's context (request statistics, the give-up budget). */
export type RequestReport = (info: {
  method: string;
  path: string;
  status: number | 'network';
  ms: number;
}) => void;

/**
 * Sends one HTTP exchange and reports it to `onRequest` (status and time, or `network`); a failure
 * below HTTP becomes a TransientError naming `what` (see networkError).
 */
export async function sendCounted<R extends { statusCode: number }>(
  onRequest: RequestReport | undefined,
  call: { method: string; path: string; what: string },
  send: () => Promise<R>,
): Promise<R> {
  const started = Date.now();
  try {
    const response = await send();
    onRequest?.({
      method: call.method,
      path: call.path,
      status: response.statusCode,
      ms: Date.now() - started,
    });
    return response;
  } catch (err) {
    onRequest?.({ method: call.method, path: call.path, status: 'network', ms: Date.now() - started });
    throw networkError(err, call.what);
  }
}
