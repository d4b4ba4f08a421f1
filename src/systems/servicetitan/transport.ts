import type { Got, Response } from 'got';
import { InternalError } from '../../errors.js';
import { createHttp, destroyHttp, sendCounted } from '../../http/client.js';
import { Limiter } from '../../http/limiter.js';
import { redact, registerSecret } from '../../http/redact.js';
import { withRetry } from '../../http/retry.js';
import type { TokenCache } from '../../http/token.js';
import { silentLogger, type ClientContext, type Logger } from '../types.js';
import { tokenCacheFor } from './auth.js';
import { bucketFor, type TokenBucket } from './bucket.js';
import { serviceTitanHosts } from './connection.js';
import type { StModule } from './entities.js';
import { classify } from './errors.js';
import { checkWriteGuard } from '../../http/write-guard.js';
import { quoteMoneyNumbers } from './money.js';

/** What the transport needs of a connection (secrets resolved). */
export interface ServiceTitanConnection {
  environment?: 'production' | 'integration' | undefined;
  url?: string | undefined;
  authUrl?: string | undefined;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  appKey: string;
  pageSize?: number | undefined;
  requestsPerSecond?: number | undefined;
  concurrency?: number | undefined;
  timeoutMs?: number | undefined;
  externalDataApplicationGuid?: string | undefined;
  /** Renew a token this long before it expires (default 60 s). */
  renewEarlyMs?: number | undefined;
}

export interface CallOptions {
  /** Operation name for retries and logs. */
  op: string;
  /** How a 400/404 is read: a refused query, a missing record, a refused write. */
  kind: 'list' | 'get' | 'write';
  idempotent: boolean;
  searchParams?: URLSearchParams | Record<string, string>;
  json?: unknown;
  /** Money keys whose JSON numbers are read as exact decimal strings. */
  money?: readonly string[];
  /** Statuses the caller reads itself instead of the error table. */
  accept?: number[];
}

export interface CallResult {
  status: number;
  body: unknown;
  headers: Response['headers'];
}

/**
 * Every ServiceTitan API call goes through `call`: the tenant's bearer token and the app's
 * `ST-App-Key` header on every request (https://developer.servicetitan.io/docs/get-going-first-api-call),
 * the tenant in the path, one token from the (app key, tenant) bucket per request sent (retries
 * included), a concurrency cap, one token renewal and replay on 401, Retry-After on 429 through
 * withRetry, and the error table.
 */
export class StTransport {
  readonly tenant: string;
  readonly pageSize: number;
  readonly apiUrl: string;
  readonly externalDataApplicationGuid: string | undefined;
  private readonly http: Got;
  private readonly bucket: TokenBucket;
  private readonly limiter: Limiter;
  private readonly tokens: TokenCache;
  private readonly log: Logger;

  constructor(
    private readonly conn: ServiceTitanConnection,
    private readonly ctx: ClientContext,
  ) {
    const hosts = serviceTitanHosts(conn);
    const concurrency = conn.concurrency ?? 8;
    this.apiUrl = hosts.api;
    this.tenant = conn.tenantId;
    this.pageSize = conn.pageSize ?? 500;
    this.externalDataApplicationGuid = conn.externalDataApplicationGuid;
    this.http = createHttp({
      baseUrl: hosts.api,
      timeoutMs: conn.timeoutMs ?? 100_000,
      maxSockets: concurrency,
      headers: { accept: 'application/json' },
    });
    registerSecret(conn.appKey);
    registerSecret(conn.clientSecret);
    this.bucket = bucketFor(conn.appKey, conn.tenantId, conn.requestsPerSecond ?? 60);
    this.limiter = new Limiter(concurrency);
    this.tokens = tokenCacheFor(
      this.http,
      { authUrl: hosts.auth, clientId: conn.clientId, clientSecret: conn.clientSecret },
      {
        ...(conn.renewEarlyMs === undefined ? {} : { renewEarlyMs: conn.renewEarlyMs }),
        retry: ctx.retry,
      },
    );
    this.log = ctx.log ?? silentLogger;
  }

  /** The connection's retry overrides, for callers that wrap several calls in one retry. */
  get retryPolicy(): ClientContext['retry'] {
    return this.ctx.retry;
  }

  /** `/{module}/v2/tenant/{tenant}/{rest}`. */
  path(module: StModule, rest: string): string {
    return `${module}/v2/tenant/${encodeURIComponent(this.tenant)}/${rest}`;
  }

  async call(method: string, module: StModule, rest: string, opts: CallOptions): Promise<CallResult> {
    const path = this.path(module, rest);
    return withRetry(
      opts.op,
      async () => {
        // Every attempt of a write, retries included: a pass that lost its lock sends none.
        if (method !== 'GET') checkWriteGuard();
        let sent = await this.send(method, path, opts);
        if (sent.response.statusCode === 401) {
          // Dropped only if it is still the cached one: calls refused together share one renewal.
          this.tokens.invalidate(sent.token);
          sent = await this.send(method, path, opts);
        }
        const res = sent.response;
        if (!opts.accept?.includes(res.statusCode)) {
          const error = classify(res, method, `/${path}`, opts.kind);
          if (error) throw error;
        }
        return { status: res.statusCode, body: parseBody(res, opts.money ?? [], path), headers: res.headers };
      },
      {
        idempotent: opts.idempotent,
        ...(this.ctx.retry ? { policy: this.ctx.retry } : {}),
        onRetry: ({ op, attempt, delayMs, error }) =>
          this.log.debug('servicetitan: retrying', { op, attempt, delayMs, code: error.code }),
      },
    );
  }

  /** The server's clock, from the Date header of a cheap authenticated read. */
  async serverTime(): Promise<Date> {
    const res = await this.call('GET', 'settings', 'business-units', {
      op: 'servicetitan.server_time',
      kind: 'list',
      idempotent: true,
      searchParams: { page: '1', pageSize: '1' },
    });
    const date = typeof res.headers.date === 'string' ? Date.parse(res.headers.date) : NaN;
    if (Number.isNaN(date))
      throw new InternalError('ServiceTitan answered without a Date header', {
        code: 'servicetitan.no_date',
      });
    return new Date(date);
  }

  close(): void {
    destroyHttp(this.http);
  }

  private async send(
    method: string,
    path: string,
    opts: CallOptions,
  ): Promise<{ response: Response<string>; token: string }> {
    return this.limiter.run(async () => {
      const token = await this.tokens.get();
      await this.bucket.take();
      const searchParams =
        opts.searchParams instanceof URLSearchParams
          ? opts.searchParams
          : new URLSearchParams(opts.searchParams ?? {});
      const response = await sendCounted(
        this.ctx.onRequest,
        { method, path: `/${path}`, what: `${method} /${path}` },
        () =>
          this.http(path, {
            method: method as 'GET',
            headers: { authorization: `Bearer ${token}`, 'st-app-key': this.conn.appKey },
            ...([...searchParams.keys()].length > 0 ? { searchParams } : {}),
            ...(opts.json === undefined ? {} : { json: opts.json }),
          }),
      );
      return { response, token };
    });
  }
}

function parseBody(res: Response<string>, money: readonly string[], path: string): unknown {
  if (res.body === '') return undefined;
  try {
    return JSON.parse(quoteMoneyNumbers(res.body, money)) as unknown;
  } catch {
    throw new InternalError(
      `/${path}: ServiceTitan answered ${res.statusCode} with a body that is not JSON`,
      {
        code: 'servicetitan.bad_payload',
        status: res.statusCode,
        data: { body: redact(res.body.slice(0, 200)) },
      },
    );
  }
}
