import type { Got, Response } from 'got';
import { InternalError, isMlcError } from '../../errors.js';
import { createHttp, destroyHttp, isHtml, sendCounted } from '../../http/client.js';
import { Limiter } from '../../http/limiter.js';
import { redact } from '../../http/redact.js';
import { sleep, withRetry, type RetryOverrides } from '../../http/retry.js';
import { silentLogger, type ClientContext, type Logger } from '../types.js';
import { M2mSigner, TbaSigner, type RequestSigner } from './auth.js';
import type { NetSuiteConnectionConfig } from './connection.js';
import { classify } from './errors.js';
import { checkWriteGuard } from '../../http/write-guard.js';
import { PATHS, realmOf, tokenUrl } from './hosts.js';

/**
 * One limiter per NetSuite account for the whole process: the account's concurrency limit is shared by
 * every integration and every connection to it (api notes §5), so two connections (or two pairs) on
 * one account never add up past mlc's share. The first connection to an account sets the limit.
 */
const ACCOUNT_LIMITERS = new Map<string, Limiter>();

export function accountLimiter(account: string, concurrency: number): Limiter {
  const key = realmOf(account);
  let limiter = ACCOUNT_LIMITERS.get(key);
  if (!limiter) {
    limiter = new Limiter(concurrency);
    ACCOUNT_LIMITERS.set(key, limiter);
  }
  return limiter;
}

export interface CallOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the account URL, e.g. `services/rest/record/v1/vendor/42`. */
  path: string;
  searchParams?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
  /** Names the call in messages: `SuiteQL`, `PUT department/eid:CC-410`. */
  what: string;
  /** Safe to repeat after a failure whose outcome is unknown (reads, upserts, keyed creates). */
  idempotent: boolean;
  /** A SuiteQL statement mlc wrote: its 400 is a configuration error. */
  query?: boolean;
  /** Statuses answered to the caller instead of thrown (e.g. 404 on a get). */
  accept?: number[];
}

export interface Answer {
  status: number;
  headers: Response['headers'];
  body: unknown;
}

/**
 * HTTP to one NetSuite account: signs every request (bearer token or TBA), bounds calls in flight
 * per account, classifies answers with the one error table, and retries through withRetry
 * (CONCURRENCY_LIMIT_EXCEEDED, 429, 5xx, network) with backoff; NetSuite sends no Retry-After.
 */
export class NetSuiteTransport {
  readonly baseUrl: string;
  readonly account: string;
  private readonly http: Got;
  private readonly limiter: Limiter;
  private readonly signer: RequestSigner;
  private readonly log: Logger;
  /**
   * Backoff starts at 1 s (api notes §5: no Retry-After; 1 s, 2 s, 4 s… with jitter) unless the
   * connection's retry settings say otherwise.
   */
  private readonly policy: RetryOverrides;
  /** Date header of the latest answer: NetSuite's clock. */
  lastDate: Date | undefined;

  constructor(
    conn: NetSuiteConnectionConfig,
    private readonly ctx: ClientContext,
    now: () => number = Date.now,
  ) {
    this.baseUrl = conn.url.replace(/\/+$/, '');
    this.account = conn.account;
    const concurrency = conn.concurrency ?? 2;
    this.http = createHttp({
      baseUrl: this.baseUrl,
      timeoutMs: conn.timeoutMs ?? 300_000,
      maxSockets: concurrency,
      headers: { accept: 'application/json' },
    });
    this.limiter = accountLimiter(conn.account, concurrency);
    this.log = ctx.log ?? silentLogger;
    this.policy = { ...ctx.retry, baseDelayMs: ctx.retry?.baseDelayMs ?? 1000 };
    this.signer =
      conn.auth.kind === 'oauth_m2m'
        ? new M2mSigner(conn.auth, (form) => this.token(form), tokenUrl(this.baseUrl), now)
        : new TbaSigner(conn.auth, conn.account, now);
  }

  /** POST to the token endpoint (§2.1): form-encoded, no credentials besides the assertion. */
  private async token(form: Record<string, string>): Promise<unknown> {
    return withRetry(
      'netsuite.token',
      async () => {
        const res = await this.send(
          { method: 'POST', path: PATHS.token, what: 'token', idempotent: true },
          {
            form,
          },
        );
        if (res.statusCode !== 200) throw classify(res.statusCode, parse(res), 'NetSuite token endpoint');
        return parse(res);
      },
      { idempotent: true, policy: this.policy },
    );
  }

  private async send(
    o: CallOptions,
    extra: { form?: Record<string, string>; authorization?: string } = {},
  ): Promise<Response<string>> {
    const qs = o.searchParams ? new URLSearchParams(o.searchParams).toString() : '';
    const relative = `${o.path}${qs ? `?${qs}` : ''}`;
    const res = await sendCounted(this.ctx.onRequest, o, () =>
      this.limiter.run(() =>
        this.http(relative, {
          method: o.method,
          headers: {
            ...o.headers,
            ...(extra.authorization === undefined ? {} : { authorization: extra.authorization }),
          },
          ...(o.json === undefined ? {} : { json: o.json }),
          ...(extra.form === undefined ? {} : { form: extra.form }),
        }),
      ),
    );
    const date = res.headers.date;
    if (date) {
      const d = new Date(date);
      if (!Number.isNaN(d.getTime())) this.lastDate = d;
    }
    return res;
  }

  /**
   * One REST call. A 401 first renews the token and retries at once; a second 401 waits and retries
   * once more, because NetSuite also answers 401 when the account is over its concurrency limit
   * (§5); a third is an AuthError.
   */
  async call(o: CallOptions): Promise<Answer> {
    return withRetry(
      `netsuite.${o.method.toLowerCase()}`,
      async () => {
        // Every attempt of a write, retries included: a pass that lost its lock sends none.
        if (o.method !== 'GET' && o.path.includes('record/')) checkWriteGuard();
        for (let refusals = 0; ; refusals += 1) {
          const qs = o.searchParams ? new URLSearchParams(o.searchParams).toString() : '';
          const url = `${this.baseUrl}/${o.path}${qs ? `?${qs}` : ''}`;
          const authorization = await this.signer.authorization(o.method, url);
          const res = await this.send(o, { authorization });
          if (res.statusCode === 401 && refusals < 2) {
            const renewable = this.signer.refused(authorization);
            if (refusals === 1 || !renewable) await sleep(Math.max(50, this.policy.baseDelayMs ?? 1000));
            this.log.debug('netsuite: 401, retrying with fresh credentials', { what: o.what, refusals });
            continue;
          }
          if (isHtml(res))
            throw new InternalError(`${o.what}: NetSuite answered ${res.statusCode} with an HTML page`, {
              code: 'netsuite.html',
              status: res.statusCode,
              data: { excerpt: redact(res.body.slice(0, 200)) },
            });
          const body = parse(res);
          if (res.statusCode >= 200 && res.statusCode < 300)
            return { status: res.statusCode, headers: res.headers, body };
          if (o.accept?.includes(res.statusCode))
            return { status: res.statusCode, headers: res.headers, body };
          throw classify(res.statusCode, body, o.what, o.query ? { query: true } : {});
        }
      },
      {
        idempotent: o.idempotent,
        policy: this.policy,
        onRetry: ({ attempt, delayMs, error }) =>
          this.log.debug('netsuite: retrying', { what: o.what, attempt, delayMs, code: error.code }),
      },
    ).catch((err: unknown) => {
      if (isMlcError(err)) throw err;
      throw new InternalError(`${o.what}: ${redact(err instanceof Error ? err.message : String(err))}`, {
        code: 'netsuite.unexpected',
        cause: err,
      });
    });
  }

  close(): void {
    destroyHttp(this.http);
  }
}

function parse(res: Response<string>): unknown {
  if (res.body === '') return undefined;
  try {
    return JSON.parse(res.body) as unknown;
  } catch {
    throw new InternalError(`NetSuite answered ${res.statusCode} with a body that is not JSON`, {
      code: 'netsuite.not_json',
      status: res.statusCode,
      data: { excerpt: redact(res.body.slice(0, 200)) },
    });
  }
}
