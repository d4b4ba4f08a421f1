import type { Got, Response } from 'got';
import type { ZodType } from 'zod';
import { InternalError } from '../../errors.js';
import { createHttp, destroyHttp, sendCounted } from '../../http/client.js';
import { Limiter } from '../../http/limiter.js';
import { withRetry } from '../../http/retry.js';
import type { ClientContext } from '../types.js';
import { SalesforceAuth, type SalesforceAuthConfig } from './auth.js';
import { classifySalesforce, parseErrors, type Op } from './errors.js';
import { checkWriteGuard } from '../../http/write-guard.js';
import { ApiBudget, parseLimitInfo } from './limits.js';

export interface SalesforceConnection {
  /** The org's My Domain URL, e.g. https://acme.my.salesforce.com. */
  url: string;
  /** Pinned API version, e.g. `62.0`. */
  apiVersion: string;
  auth: SalesforceAuthConfig;
  /** Share of the remaining daily API allowance one pass may spend (default 0.5). */
  dailyApiShare?: number;
  timeoutMs?: number;
  /** Collections records per call (default and maximum 200). */
  batchSize?: number;
  /** `Sforce-Query-Options: batchSize=` hint (200–2000, default 2000). */
  queryBatchSize?: number;
  /** Requests in flight (default 4). */
  concurrency?: number;
}

export interface SfCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /**
   * Path under the versioned REST base (`query`, `composite/sobjects`) or, starting with
   * `/services/`, under the instance (a `nextRecordsUrl`).
   */
  path: string;
  op: Op;
  what: string;
  searchParams?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
  /** Repeating the call cannot change the outcome (default true: reads and upserts by external id). */
  idempotent?: boolean;
  /** A 404 answers null instead of failing. */
  allow404?: boolean;
}

export interface SfAnswer<T> {
  status: number;
  body: T;
  headers: Response['headers'];
}

/**
 * One Salesforce connection on the wire: bearer session against `instance_url`, the daily API
 * budget consulted before and fed after every counted call, retries by `withRetry`, one renewal of
 * the session on 401 INVALID_SESSION_ID followed by one repeat of the call
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
 */
export class SalesforceTransport {
  readonly http: Got;
  readonly auth: SalesforceAuth;
  readonly budget: ApiBudget;
  private readonly limiter: Limiter;

  constructor(
    readonly conn: SalesforceConnection,
    readonly ctx: ClientContext,
  ) {
    const concurrency = conn.concurrency ?? 4;
    this.http = createHttp({
      baseUrl: '',
      timeoutMs: conn.timeoutMs ?? 120_000,
      maxSockets: concurrency + 1,
    });
    this.limiter = new Limiter(concurrency);
    this.auth = new SalesforceAuth(this.http, conn.url, conn.auth, ctx.retry);
    this.budget = new ApiBudget(conn.dailyApiShare ?? 0.5);
  }

  get version(): string {
    return this.conn.apiVersion;
  }

  /** `/services/data/vNN.0`, the prefix of every versioned path. */
  get versionPath(): string {
    return `/services/data/v${this.conn.apiVersion}`;
  }

  private url(path: string): string {
    const base = this.auth.instanceUrl ?? this.conn.url.replace(/\/+$/, '');
    return path.startsWith('/services/') ? `${base}${path}` : `${base}${this.versionPath}/${path}`;
  }

  /** One HTTP exchange (no retry, no status handling); network failures become TransientError. */
  async send(call: SfCall, token: string | undefined): Promise<Response<string>> {
    return sendCounted(
      this.ctx.onRequest,
      { method: call.method, path: call.path, what: `Salesforce ${call.what}` },
      () =>
        this.limiter.run(() =>
          this.http(this.url(call.path), {
            method: call.method,
            headers: {
              accept: 'application/json',
              ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
              ...call.headers,
            },
            ...(call.searchParams ? { searchParams: call.searchParams } : {}),
            ...(call.json === undefined ? {} : { json: call.json }),
            responseType: 'text',
          }),
        ),
    );
  }

  /** An authenticated, counted call; a non-2xx answer is thrown as classified by the error table. */
  async request<T>(call: SfCall, schema: ZodType<T>): Promise<SfAnswer<T> | null> {
    return withRetry(
      `salesforce.${call.what}`,
      async () => {
        // Every attempt of a write, retries included: a pass that lost its lock sends none.
        if (call.method !== 'GET') checkWriteGuard();
        const response = await this.exchange(call);
        if (call.allow404 && response.statusCode === 404) return null;
        if (response.statusCode < 200 || response.statusCode >= 300) throw classifySalesforce(response, call);
        if (response.statusCode === 204)
          return { status: 204, body: undefined as T, headers: response.headers };
        const parsed = schema.safeParse(safeJson(response.body));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new InternalError(
            `Salesforce ${call.what}: unexpected answer shape (${issue?.message ?? 'invalid'} at ${issue?.path.join('.') ?? ''})`,
            { code: 'salesforce.bad_payload', status: response.statusCode },
          );
        }
        return { status: response.statusCode, body: parsed.data, headers: response.headers };
      },
      {
        idempotent: call.idempotent ?? true,
        policy: this.ctx.retry,
        ...(this.ctx.log
          ? { onRetry: (i) => this.ctx.log?.debug(`retry ${i.op} in ${i.delayMs} ms: ${i.error.message}`) }
          : {}),
      },
    );
  }

  /**
   * Sends the call with the session token. A 401 INVALID_SESSION_ID (the session timed out or was
   * revoked: the org never says in advance) drops the token, renews it once (shared by concurrent
   * callers) and repeats the call once; a second 401 is returned as is (an AuthError).
   */
  private async exchange(call: SfCall): Promise<Response<string>> {
    let token = await this.auth.token();
    let response = await this.counted(call, token);
    if (response.statusCode === 401) {
      const code = parseErrors(response.body)[0]?.errorCode;
      if (code === undefined || code === 'INVALID_SESSION_ID') {
        this.auth.invalidate(token);
        token = await this.auth.token();
        response = await this.counted(call, token);
      }
    }
    return response;
  }

  private async counted(call: SfCall, token: string): Promise<Response<string>> {
    this.budget.admit(call.what);
    let usage;
    try {
      const response = await this.send(call, token);
      usage = parseLimitInfo(response.headers['sforce-limit-info']);
      return response;
    } finally {
      this.budget.settle(usage);
    }
  }

  /** `GET /services/data/` (no session, not counted): the versions the org serves, and its clock. */
  async versions(): Promise<{ versions: Array<{ version: string; url: string }>; date: Date | undefined }> {
    return withRetry(
      'salesforce.versions',
      async () => {
        const response = await this.send(
          { method: 'GET', path: '/services/data/', op: 'meta', what: 'GET /services/data' },
          undefined,
        );
        if (response.statusCode !== 200)
          throw classifySalesforce(response, { op: 'meta', what: 'GET /services/data' });
        const body = safeJson(response.body);
        if (!Array.isArray(body)) {
          throw new InternalError('Salesforce GET /services/data: not a version list', {
            code: 'salesforce.bad_payload',
          });
        }
        const versions = body.flatMap((v: unknown) =>
          v && typeof v === 'object' && typeof (v as { version?: unknown }).version === 'string'
            ? [
                {
                  version: (v as { version: string }).version,
                  url: String((v as { url?: unknown }).url ?? ''),
                },
              ]
            : [],
        );
        const date = Date.parse(String(response.headers.date ?? ''));
        return { versions, date: Number.isNaN(date) ? undefined : new Date(date) };
      },
      { idempotent: true, policy: this.ctx.retry },
    );
  }

  close(): void {
    destroyHttp(this.http);
  }
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
