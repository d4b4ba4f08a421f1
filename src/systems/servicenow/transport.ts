import type { Got, Response } from 'got';
import type { ZodType } from 'zod';
import { AuthError, InternalError, type MlcError } from '../../errors.js';
import { createHttp, destroyHttp, isHtml, sendCounted } from '../../http/client.js';
import { Limiter } from '../../http/limiter.js';
import { redact, registerBasicCredentials, registerSecret } from '../../http/redact.js';
import { withRetry } from '../../http/retry.js';
import { TokenCache, type Token } from '../../http/token.js';
import type { ClientContext } from '../types.js';
import { safeJson } from '../../http/json.js';
import { classifyServiceNow, type Op } from './errors.js';
import { checkWriteGuard } from '../../http/write-guard.js';
import { tokenBody } from './schemas.js';

export type ServiceNowAuth =
  | { kind: 'oauth_client_credentials'; clientId: string; clientSecret: string }
  | { kind: 'oauth_password'; clientId: string; clientSecret: string; username: string; password: string }
  | { kind: 'basic'; username: string; password: string };

export interface ServiceNowConnection {
  url: string;
  auth: ServiceNowAuth;
  timeoutMs?: number;
  /** Table API rows per page (default 500). */
  pageSize?: number;
  /** insertMultiple rows per call (default and maximum 200, api notes §3.1). */
  batchSize?: number;
  /** Requests in flight on this connection (default 4; the notes advise 2–4). */
  concurrency?: number;
  /** Longest request URL sent (default 2,000 characters): long IN lists are split to stay under it. */
  maxUrlLength?: number;
}

export interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  op: Op;
  /** Human name of the call for messages, e.g. `GET cmn_cost_center`. */
  what: string;
  searchParams?: Record<string, string>;
  json?: unknown;
  /** A 404 answers null instead of failing. */
  allow404?: boolean;
  /** A Table API page read: a 60 s cancel is retried by the keyset loop with a smaller page, not here. */
  page?: boolean;
  /** Repeating the call cannot change the outcome (default true; a Table API POST is not). */
  idempotent?: boolean;
}

/**
 * Transport and authentication of the ServiceNow client: one got instance, a request limiter, OAuth
 * 2.0 tokens (client credentials, password + refresh) or Basic auth, and the retry rules.
 */
export class SnTransport {
  protected readonly http: Got;
  protected readonly limiter: Limiter;
  private readonly tokens: TokenCache | undefined;
  private refreshToken: string | undefined;

  constructor(
    protected readonly conn: ServiceNowConnection,
    protected readonly ctx: ClientContext,
  ) {
    const concurrency = conn.concurrency ?? 4;
    this.http = createHttp({
      baseUrl: conn.url,
      timeoutMs: conn.timeoutMs ?? 60_000,
      maxSockets: concurrency + 1,
    });
    this.limiter = new Limiter(concurrency);
    const auth = conn.auth;
    if (auth.kind === 'basic') {
      registerSecret(auth.password);
      registerBasicCredentials(auth.username, auth.password);
    } else {
      registerSecret(auth.clientSecret);
      if (auth.kind === 'oauth_password') registerSecret(auth.password);
      this.tokens = new TokenCache(() => this.fetchToken(), 60_000);
    }
  }

  /**
   * `POST /oauth_token.do` with a form body (§1.1). Password grants keep the refresh token and use it
   * first; a refused refresh falls back to the password grant. Bad credentials are an AuthError and
   * are never retried; any other answer goes through the same error table as the Table API (a
   * hibernating instance answers its HTML page here too).
   */
  private async fetchToken(): Promise<Token> {
    const auth = this.conn.auth;
    if (auth.kind === 'basic')
      throw new InternalError('no token for basic auth', { code: 'internal.no_token' });
    const forms: Array<Record<string, string>> = [];
    if (auth.kind === 'oauth_password' && this.refreshToken) {
      forms.push({
        grant_type: 'refresh_token',
        client_id: auth.clientId,
        client_secret: auth.clientSecret,
        refresh_token: this.refreshToken,
      });
    }
    forms.push(
      auth.kind === 'oauth_password'
        ? {
            grant_type: 'password',
            client_id: auth.clientId,
            client_secret: auth.clientSecret,
            username: auth.username,
            password: auth.password,
          }
        : { grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret },
    );
    const call = { op: 'auth' as const, what: 'POST /oauth_token.do' };
    let last: MlcError | undefined;
    for (const form of forms) {
      const response = await withRetry(
        'servicenow.oauth_token',
        () => this.send({ method: 'POST', path: 'oauth_token.do', ...call }, { form }),
        { idempotent: true, policy: this.ctx.retry },
      );
      if (response.statusCode === 200) {
        const json = safeJson(response.body);
        if (json === undefined || isHtml(response)) throw classifyServiceNow(response, call);
        const parsed = tokenBody.safeParse(json);
        if (!parsed.success)
          throw new InternalError('ServiceNow /oauth_token.do answered 200 without an access token', {
            code: 'servicenow.bad_token',
          });
        registerSecret(parsed.data.access_token);
        if (parsed.data.refresh_token) {
          registerSecret(parsed.data.refresh_token);
          this.refreshToken = parsed.data.refresh_token;
        }
        return { value: parsed.data.access_token, expiresAt: Date.now() + parsed.data.expires_in * 1000 };
      }
      if (form.grant_type === 'refresh_token') this.refreshToken = undefined;
      last =
        response.statusCode === 401 || response.statusCode === 400
          ? new AuthError(
              `ServiceNow refused the OAuth ${form.grant_type} grant (${response.statusCode}: ${redact(response.body.slice(0, 120))})`,
              {
                code: 'servicenow.oauth_denied',
                status: response.statusCode,
                hint: 'check the client id/secret (and user/password for the password grant), that the OAuth application is active, and for client credentials that the grant is enabled with an OAuth Application User',
              },
            )
          : classifyServiceNow(response, call);
      if (!(last instanceof AuthError)) throw last;
    }
    throw last ?? new AuthError('ServiceNow OAuth failed', { code: 'servicenow.oauth_denied' });
  }

  private async authorization(): Promise<string> {
    const auth = this.conn.auth;
    if (auth.kind === 'basic')
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    return `Bearer ${await (this.tokens as TokenCache).get()}`;
  }

  /** One HTTP exchange, no retry, no status handling; network failures become TransientError. */
  private async send(
    call: Call,
    extra: { form?: Record<string, string>; authorization?: string } = {},
  ): Promise<Response<string>> {
    return sendCounted(
      this.ctx.onRequest,
      { method: call.method, path: call.path, what: `ServiceNow ${call.what}` },
      () =>
        this.limiter.run(() =>
          this.http(call.path.replace(/^\//, ''), {
            method: call.method,
            headers: {
              accept: 'application/json',
              ...(extra.authorization ? { authorization: extra.authorization } : {}),
            },
            ...(call.searchParams ? { searchParams: call.searchParams } : {}),
            ...(call.json === undefined ? {} : { json: call.json }),
            ...(extra.form ? { form: extra.form } : {}),
            responseType: 'text',
          }),
        ),
    );
  }

  /** Sends an authenticated call; a 401 refreshes the token once and repeats the call once. */
  private async sendAuthenticated(call: Call): Promise<Response<string>> {
    if (!this.tokens) return this.send(call, { authorization: await this.authorization() });
    return this.tokens.withRenewal(
      (token) => this.send(call, { authorization: `Bearer ${token}` }),
      (response) => response.statusCode === 401,
    );
  }

  /**
   * An authenticated call with the retry rules: transient failures retried with backoff (Import Set
   * posts too: the transform maps coalesce, which `ping` verifies); a 401 refreshes the token once
   * and retries once.
   */
  protected async request<T>(
    call: Call,
    schema: ZodType<T>,
  ): Promise<{ body: T; total: number | undefined } | null> {
    return withRetry(
      `servicenow.${call.what}`,
      async () => {
        // Every attempt of a write, retries included: a pass that lost its lock sends none.
        if (call.op === 'write') checkWriteGuard();
        const response = await this.sendAuthenticated(call);
        if (call.allow404 && response.statusCode === 404) return null;
        if (response.statusCode < 200 || response.statusCode >= 300) throw classifyServiceNow(response, call);
        if (response.statusCode === 204) return null;
        const json = safeJson(response.body);
        if (json === undefined || isHtml(response)) throw classifyServiceNow(response, call);
        const parsed = schema.safeParse(json);
        if (!parsed.success) {
          throw new InternalError(
            `ServiceNow ${call.what}: unexpected answer shape (${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? ''})`,
            { code: 'servicenow.bad_payload' },
          );
        }
        const total = Number(response.headers['x-total-count']);
        return { body: parsed.data, total: Number.isNaN(total) ? undefined : total };
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
   * Server time from the HTTP Date header (never the local clock), taken from a one-row read. The call
   * also proves the credentials: a 401 (after one token renewal) is an AuthError; a 403 for a user
   * without read access on sys_user still carries the Date header.
   */
  async serverTime(): Promise<Date> {
    const call: Call = {
      method: 'GET',
      path: 'api/now/table/sys_user',
      op: 'read',
      what: 'GET sys_user',
      searchParams: { sysparm_limit: '1', sysparm_fields: 'sys_id', sysparm_no_count: 'true' },
    };
    const response = await withRetry(
      'servicenow.time',
      async () => {
        const answer = await this.sendAuthenticated(call);
        if (
          answer.statusCode === 401 ||
          answer.statusCode === 429 ||
          answer.statusCode >= 500 ||
          isHtml(answer)
        )
          throw classifyServiceNow(answer, call);
        return answer;
      },
      { idempotent: true, policy: this.ctx.retry },
    );
    const date = Date.parse(String(response.headers.date ?? ''));
    if (Number.isNaN(date))
      throw new InternalError('ServiceNow answered without a Date header', {
        code: 'servicenow.no_server_time',
      });
    return new Date(date);
  }

  async close(): Promise<void> {
    destroyHttp(this.http);
  }
}
