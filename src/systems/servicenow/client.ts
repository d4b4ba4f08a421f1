import type { Got, Response } from 'got';
import type { ZodType } from 'zod';
import {
  AuthError,
  ConfigError,
  InternalError,
  RecordError,
  TransientError,
  type MlcError,
} from '../../errors.js';
import { createHttp, destroyHttp, isHtml, networkError } from '../../http/client.js';
import { Limiter, mapLimit } from '../../http/limiter.js';
import { redact, registerBasicCredentials, registerSecret } from '../../http/redact.js';
import { parseRetryAfter, sleep, withRetry } from '../../http/retry.js';
import { TokenCache, type Token } from '../../http/token.js';
import {
  toNaiveUtc,
  type ClientContext,
  type PingCheck,
  type PingResult,
  type ReadWindow,
} from '../types.js';
import {
  errorBody,
  importBody,
  insertMultipleBody,
  tableListBody,
  tableOneBody,
  tokenBody,
} from './schemas.js';

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
}

export type SnRow = Record<string, string> & { sys_id: string };

export interface ImportOutcome {
  status: 'inserted' | 'updated' | 'ignored' | 'skipped' | 'error';
  sysId?: string;
  table?: string;
  message?: string;
  displayValue?: string;
}

type Op = 'read' | 'write' | 'auth';

interface Call {
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

const STATUSES = new Set(['inserted', 'updated', 'ignored', 'skipped', 'error']);

/**
 * The one error table of the ServiceNow client (api notes §5, §6). Statuses, envelopes and
 * "200 with something that is not JSON" become mlc errors here and nowhere else.
 */
export function classifyServiceNow(
  response: Pick<Response<string>, 'statusCode' | 'headers' | 'body'>,
  call: { op: Op; what: string; page?: boolean },
): MlcError {
  const status = response.statusCode;
  const body = response.body ?? '';
  const envelope = errorBody.safeParse(safeJson(body));
  const message = envelope.success
    ? [envelope.data.error.message, envelope.data.error.detail].filter(Boolean).join(': ')
    : body.slice(0, 200).replace(/\s+/g, ' ');
  const where = `ServiceNow ${call.what}`;
  if (/Transaction cancelled: maximum execution time exceeded/i.test(body)) {
    return new TransientError(
      `${where}: transaction cancelled after 60 s (maximum execution time exceeded)`,
      {
        code: 'servicenow.transaction_cancelled',
        status,
        hint: 'the read is repeated with a smaller page',
        // Repeating the same page would hit the same limit: the keyset loop retries it smaller.
        ...(call.page ? { data: { retryHere: false } } : {}),
      },
    );
  }
  if (status >= 200 && status < 300) {
    if (isHtml(response as Response<string>)) {
      // Transient for the cursor (nothing is lost, the next pass resumes once the instance is awake),
      // but not retried within the pass: only a person logging in wakes a hibernating instance (trap 12).
      return new TransientError(
        `${where}: answered an HTML page instead of JSON (the instance is probably hibernating)`,
        {
          code: 'servicenow.hibernating',
          status,
          hint: 'wake the instance (log in to it in a browser as an admin); the next pass resumes where this one stopped',
          data: { retryHere: false },
        },
      );
    }
    return new InternalError(
      `${where}: answered ${status} with a body that is not the JSON the API promises: ${redact(body.slice(0, 120))}`,
      {
        code: 'servicenow.bad_payload',
        status,
      },
    );
  }
  if (/^Invalid table /.test(message)) {
    return new ConfigError(`${where}: ${message}`, {
      code: 'servicenow.invalid_table',
      status,
      hint: 'check the table names in mlc.yaml (mlc ping verifies them) and that the plugin providing the table is installed',
    });
  }
  switch (status) {
    case 400:
      return call.op === 'write'
        ? new RecordError(`${where} refused the record: ${message}`, {
            code: 'servicenow.bad_request',
            status,
          })
        : new ConfigError(`${where}: ${message}`, {
            code: 'servicenow.bad_request',
            status,
            hint: 'check the table and field names in mlc.yaml (mlc ping verifies them)',
          });
    case 401:
      return new AuthError(`${where}: not authenticated (${message || 'User Not Authenticated'})`, {
        code: 'servicenow.unauthenticated',
        status,
        hint: 'check the credentials of this connection (mlc secret set …) and that the OAuth application / integration user is active',
      });
    case 403:
      return call.op === 'write'
        ? new RecordError(`${where} was denied: ${message}`, {
            code: 'servicenow.forbidden',
            status,
            hint: 'a business rule, data policy or ACL refused the write; grant the integration user the role, or fix the record',
          })
        : new AuthError(`${where}: insufficient rights (${message})`, {
            code: 'servicenow.forbidden',
            status,
            hint: 'give the integration user read access to this table',
          });
    case 404:
      return call.op === 'write'
        ? new RecordError(`${where}: the record does not exist or an ACL hides it (${message})`, {
            code: 'servicenow.not_found',
            status,
          })
        : new ConfigError(`${where}: not found (${message})`, {
            code: 'servicenow.not_found',
            status,
            hint: 'check the instance URL (https://<instance>.service-now.com) and the table name',
          });
    case 405:
    case 406:
    case 415:
      return new ConfigError(`${where}: the instance refused the request (${status}: ${message})`, {
        code: 'servicenow.request_refused',
        status,
        hint: 'check that the connection URL is the instance root (https://<instance>.service-now.com) and that no proxy rewrites the request',
      });
    case 429: {
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      return new TransientError(`${where}: rate limited (${message || 'Rate limit exceeded'})`, {
        code: 'servicenow.rate_limited',
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        // A denied request was not executed, so even a non-idempotent call may be repeated.
        data: {
          notSent: true,
          limit: response.headers['x-ratelimit-limit'],
          reset: response.headers['x-ratelimit-reset'],
          rule: response.headers['x-ratelimit-rule'],
        },
      });
    }
    default:
      if (status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
        return new TransientError(`${where}: server error ${status}${message ? ` (${message})` : ''}`, {
          code: 'servicenow.server_error',
          status,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      return new InternalError(`${where}: unexpected status ${status}: ${message}`, {
        code: 'servicenow.unexpected_status',
        status,
      });
  }
}

/**
 * Splits an encoded query into its filter and its ORDERBY terms: the keyset loop must order by
 * `sys_id` alone, so a caller's order is applied after reading. `^NQ` is refused, because the window
 * and keyset terms appended to it would bind to its last part only.
 */
export function splitQuery(
  query: string,
  table: string,
): { filter: string; order: Array<{ field: string; desc: boolean }> } {
  if (query.includes('^NQ')) {
    throw new ConfigError(
      `ServiceNow query on ${table} uses ^NQ, which mlc cannot combine with its read window: ${query}`,
      {
        code: 'servicenow.query_unsupported',
        hint: 'rewrite the query with ^OR terms or IN lists',
      },
    );
  }
  const order: Array<{ field: string; desc: boolean }> = [];
  const terms: string[] = [];
  for (const term of query.split('^')) {
    if (term.startsWith('ORDERBYDESC')) order.push({ field: term.slice('ORDERBYDESC'.length), desc: true });
    else if (term.startsWith('ORDERBY')) order.push({ field: term.slice('ORDERBY'.length), desc: false });
    else if (term !== '') terms.push(term);
  }
  return { filter: terms.join('^'), order };
}

function compareBy(a: SnRow, b: SnRow, order: Array<{ field: string; desc: boolean }>): number {
  for (const o of order) {
    const x = a[o.field] ?? '';
    const y = b[o.field] ?? '';
    const numeric = x !== '' && y !== '' && Number.isFinite(Number(x)) && Number.isFinite(Number(y));
    const c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
    if (c !== 0) return o.desc ? -c : c;
  }
  return 0;
}

function required<T>(answer: { body: T } | null, what: string): T {
  if (!answer)
    throw new InternalError(`ServiceNow ${what}: answered without a body`, {
      code: 'servicenow.empty_answer',
    });
  return answer.body;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * ServiceNow client: OAuth 2.0 (client credentials, password + refresh) or Basic auth; Table API
 * reads with a window on `sys_updated_on` and a `sys_id` keyset; Import Set API writes into staging
 * tables, whose transform maps coalesce on the source reference (so a re-sent row updates).
 */
export class ServiceNowClient {
  private readonly http: Got;
  private readonly limiter: Limiter;
  private readonly tokens: TokenCache | undefined;
  private refreshToken: string | undefined;
  private readonly pageSize: number;
  /** Rows per `insertMultiple` call (at most 200). */
  readonly batchSize: number;
  /** Import sets open at once (posted, transform not yet polled to the end), across every caller. */
  private readonly openImportSets: Limiter;
  private readonly pageSizes = new Map<string, number>();
  private readonly mappings = new Map<string, Promise<Map<string, string> | null>>();
  /** Per staging table, how long its import sets took to transform: the first poll waits that long. */
  private readonly transformMs = new Map<string, number>();

  constructor(
    private readonly conn: ServiceNowConnection,
    private readonly ctx: ClientContext,
  ) {
    const concurrency = conn.concurrency ?? 4;
    this.http = createHttp({
      baseUrl: conn.url,
      timeoutMs: conn.timeoutMs ?? 60_000,
      maxSockets: concurrency + 1,
    });
    this.limiter = new Limiter(concurrency);
    this.pageSize = conn.pageSize ?? 500;
    this.batchSize = Math.min(conn.batchSize ?? 200, 200);
    this.openImportSets = new Limiter((conn.concurrency ?? 4) * 4);
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

  // ------------------------------------------------------------------ auth

  /**
   * `POST /oauth_token.do` with a form body (§1.1). Password grants keep the refresh token and use it
   * first; a refused refresh falls back to the password grant. Bad credentials are an AuthError and
   * are never retried.
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
    let last: MlcError | undefined;
    for (const form of forms) {
      const response = await withRetry(
        'servicenow.oauth_token',
        () =>
          this.send(
            { method: 'POST', path: 'oauth_token.do', op: 'auth', what: 'POST /oauth_token.do' },
            { form },
          ),
        { idempotent: true, policy: this.ctx.retry },
      );
      if (response.statusCode === 200) {
        const parsed = tokenBody.safeParse(safeJson(response.body));
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
          : classifyServiceNow(response, { op: 'auth', what: 'POST /oauth_token.do' });
    }
    throw last ?? new AuthError('ServiceNow OAuth failed', { code: 'servicenow.oauth_denied' });
  }

  private async authorization(): Promise<string> {
    const auth = this.conn.auth;
    if (auth.kind === 'basic')
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    return `Bearer ${await (this.tokens as TokenCache).get()}`;
  }

  // ------------------------------------------------------------------ transport

  /** One HTTP exchange, no retry, no status handling; network failures become TransientError. */
  private async send(
    call: Call,
    extra: { form?: Record<string, string>; authorization?: string } = {},
  ): Promise<Response<string>> {
    const started = Date.now();
    try {
      const response = await this.limiter.run(() =>
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
      );
      this.ctx.onRequest?.({
        method: call.method,
        path: call.path,
        status: response.statusCode,
        ms: Date.now() - started,
      });
      return response;
    } catch (err) {
      this.ctx.onRequest?.({
        method: call.method,
        path: call.path,
        status: 'network',
        ms: Date.now() - started,
      });
      throw networkError(err, `ServiceNow ${call.what}`);
    }
  }

  /**
   * An authenticated call with the retry rules: transient failures retried with backoff (Import Set
   * posts too: the transform maps coalesce, which `ping` verifies); a 401 refreshes the token once
   * and retries once.
   */
  private async request<T>(
    call: Call,
    schema: ZodType<T>,
  ): Promise<{ body: T; total: number | undefined } | null> {
    return withRetry(
      `servicenow.${call.what}`,
      async () => {
        let authorization = await this.authorization();
        let response = await this.send(call, { authorization });
        if (response.statusCode === 401 && this.tokens) {
          // Drop the refused token (if no concurrent call has replaced it yet) and retry once with the
          // shared, single-flight renewal.
          this.tokens.invalidate(authorization.slice('Bearer '.length));
          authorization = await this.authorization();
          response = await this.send(call, { authorization });
        }
        if (call.allow404 && response.statusCode === 404) return null;
        if (response.statusCode < 200 || response.statusCode >= 300) throw classifyServiceNow(response, call);
        if (response.statusCode === 204) return null;
        const json = safeJson(response.body);
        if (json === undefined || isHtml(response)) throw classifyServiceNow(response, call);
        const parsed = schema.safeParse(json);
        if (!parsed.success) {
          throw new InternalError(
            `ServiceNow ${call.what}: unexpected answer shape (${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? ''})`,
            {
              code: 'servicenow.bad_payload',
            },
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

  /** Rows per page for a table: halved after each 60 s transaction cancel (§5), never below 10. */
  pageSizeOf(table: string): number {
    return this.pageSizes.get(table) ?? this.pageSize;
  }

  // ------------------------------------------------------------------ reads

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
        let authorization = await this.authorization();
        let answer = await this.send(call, { authorization });
        if (answer.statusCode === 401 && this.tokens) {
          this.tokens.invalidate(authorization.slice('Bearer '.length));
          authorization = await this.authorization();
          answer = await this.send(call, { authorization });
        }
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

  /** One Table API page: rows and X-Total-Count (counted before ACLs remove rows). */
  private async page(
    table: string,
    query: string,
    fields: string[],
    limit: number,
    offset: number,
  ): Promise<{ rows: SnRow[]; total: number | undefined }> {
    const answer = await this.request(
      {
        method: 'GET',
        path: `api/now/table/${table}`,
        op: 'read',
        what: `GET ${table}`,
        page: true,
        searchParams: {
          sysparm_query: query,
          sysparm_fields: [...new Set(['sys_id', ...fields])].join(','),
          sysparm_limit: String(limit),
          ...(offset > 0 ? { sysparm_offset: String(offset) } : {}),
          sysparm_exclude_reference_link: 'true',
          sysparm_suppress_pagination_header: 'true',
        },
      },
      tableListBody,
    );
    return { rows: (answer?.body.result ?? []) as SnRow[], total: answer?.total };
  }

  /**
   * The keyset loop (§2.1, trap 1): `…^sys_id>{last}^ORDERBYsys_id`. `sysparm_limit` is applied before
   * ACLs, so a short page is not the end: the loop stops only on an empty keyset page, and when an
   * empty page's X-Total-Count (counted before ACLs) says rows remain, it steps `sysparm_offset`
   * forward within the same keyset until rows appear or the count is exhausted. A 60 s transaction
   * cancel halves the page size of the table (for this and later reads) and repeats the page.
   */
  private async *keyset(
    table: string,
    base: string,
    fields: string[],
    pageSize?: number,
  ): AsyncGenerator<SnRow[]> {
    let last = '';
    let offset = 0;
    let cancels = 0;
    let limit = pageSize ?? this.pageSizeOf(table);
    for (;;) {
      const query = [base, last ? `sys_id>${last}` : '', 'ORDERBYsys_id'].filter(Boolean).join('^');
      let answer: { rows: SnRow[]; total: number | undefined };
      try {
        answer = await this.page(table, query, fields, limit, offset);
      } catch (err) {
        if (
          !(err instanceof TransientError) ||
          err.code !== 'servicenow.transaction_cancelled' ||
          limit <= 10 ||
          cancels >= 4
        )
          throw err;
        cancels += 1;
        limit = Math.max(10, Math.floor(limit / 2));
        this.pageSizes.set(table, Math.min(limit, this.pageSizeOf(table)));
        this.ctx.log?.warn(
          `ServiceNow cancelled a read of ${table} after 60 s; reading it in pages of ${limit} rows`,
        );
        continue;
      }
      const { rows, total } = answer;
      if (rows.length > 0) {
        yield rows;
        last = (rows[rows.length - 1] as SnRow).sys_id;
        offset = 0;
        continue;
      }
      if (total !== undefined && total > offset + limit) {
        offset += limit;
        continue;
      }
      return;
    }
  }

  /** Window on `sys_updated_on` (UTC literals, §2.1) plus the keyset loop; yields pages. */
  async *readChanged(
    table: string,
    opts: { fields: string[]; window: ReadWindow; query?: string; pageSize?: number },
  ): AsyncGenerator<SnRow[]> {
    const { since, until } = opts.window;
    const { filter } = splitQuery(opts.query ?? '', table);
    const base = [
      filter,
      since ? `sys_updated_on>=${toNaiveUtc(since)}` : '',
      `sys_updated_on<${toNaiveUtc(until)}`,
    ]
      .filter(Boolean)
      .join('^');
    yield* this.keyset(table, base, opts.fields, opts.pageSize);
  }

  /** Every row matching an encoded query, by the same keyset loop. */
  async queryAll(
    table: string,
    opts: { query?: string; fields: string[]; pageSize?: number },
  ): Promise<SnRow[]> {
    const { filter, order } = splitQuery(opts.query ?? '', table);
    const out: SnRow[] = [];
    for await (const page of this.keyset(
      table,
      filter,
      [...opts.fields, ...order.map((o) => o.field)],
      opts.pageSize,
    ))
      out.push(...page);
    return order.length === 0 ? out : out.sort((a, b) => compareBy(a, b, order));
  }

  async get(table: string, sysId: string, fields?: string[]): Promise<SnRow | null> {
    const answer = await this.request(
      {
        method: 'GET',
        path: `api/now/table/${table}/${sysId}`,
        op: 'read',
        what: `GET ${table}/${sysId}`,
        allow404: true,
        searchParams: {
          sysparm_exclude_reference_link: 'true',
          ...(fields ? { sysparm_fields: fields.join(',') } : {}),
        },
      },
      tableOneBody,
    );
    return (answer?.body.result as SnRow | undefined) ?? null;
  }

  // ------------------------------------------------------------------ writes

  /** Table API POST (§3.3): one record per call. */
  async insert(table: string, record: Record<string, string>): Promise<SnRow> {
    // Not idempotent: repeated only when the request provably never ran (network refusal, 429).
    const answer = await this.request(
      {
        method: 'POST',
        path: `api/now/table/${table}`,
        op: 'write',
        what: `POST ${table}`,
        json: record,
        idempotent: false,
        searchParams: { sysparm_exclude_reference_link: 'true' },
      },
      tableOneBody,
    );
    return required(answer, `POST ${table}`).result as SnRow;
  }

  /** Table API PATCH (§3.3). */
  async patch(table: string, sysId: string, record: Record<string, string>): Promise<SnRow> {
    const answer = await this.request(
      {
        method: 'PATCH',
        path: `api/now/table/${table}/${sysId}`,
        op: 'write',
        what: `PATCH ${table}/${sysId}`,
        json: record,
        searchParams: { sysparm_exclude_reference_link: 'true' },
      },
      tableOneBody,
    );
    return required(answer, `PATCH ${table}`).result as SnRow;
  }

  /**
   * Import Set API (§3.1). One row: `POST /api/now/import/{staging}` (transform runs synchronously).
   * Several: `…/insertMultiple` in batches of at most 200, `concurrency` at once; the transform runs
   * asynchronously, so the staging rows are polled until none is pending. One outcome per input row,
   * in input order; a row-level error inside a 201 is that row's outcome, not an exception.
   */
  async importRows(
    staging: string,
    rows: Record<string, string>[],
    opts: { mode?: 'single' | 'multiple' | 'auto' } = {},
  ): Promise<ImportOutcome[]> {
    if (rows.length === 0) return [];
    const mode =
      opts.mode === 'single' || (opts.mode !== 'multiple' && rows.length === 1) ? 'single' : 'multiple';
    if (mode === 'single')
      return mapLimit(rows, this.conn.concurrency ?? 4, (row) => this.importOne(staging, row));
    const batches: Record<string, string>[][] = [];
    for (let i = 0; i < rows.length; i += this.batchSize) batches.push(rows.slice(i, i + this.batchSize));
    // The request limiter bounds the calls in flight; an import set waiting for its transform holds no
    // call, so more import sets than calls may be open (bounded across all callers, so the instance's
    // transform queue is not flooded).
    const results = await Promise.all(
      batches.map((batch) => this.openImportSets.run(() => this.importBatch(staging, batch))),
    );
    return results.flat();
  }

  private async importOne(staging: string, row: Record<string, string>): Promise<ImportOutcome> {
    const answer = await this.request(
      {
        method: 'POST',
        path: `api/now/import/${staging}`,
        op: 'write',
        what: `POST import/${staging}`,
        json: row,
      },
      importBody,
    );
    const results = required(answer, `POST import/${staging}`).result;
    // Several transform maps may run on one staging table: any error is the row's error.
    const chosen =
      results.find((r) => r.status === 'error') ?? results.find((r) => r.status === 'skipped') ?? results[0];
    if (!chosen) return { status: 'error', message: 'the Import Set API answered no result for the row' };
    return {
      status: STATUSES.has(chosen.status) ? (chosen.status as ImportOutcome['status']) : 'error',
      ...(chosen.sys_id ? { sysId: chosen.sys_id } : {}),
      ...(chosen.table ? { table: chosen.table } : {}),
      ...(chosen.error_message || chosen.status_message
        ? { message: (chosen.error_message || chosen.status_message) as string }
        : {}),
      ...(chosen.display_value ? { displayValue: chosen.display_value } : {}),
    };
  }

  private async importBatch(staging: string, rows: Record<string, string>[]): Promise<ImportOutcome[]> {
    const labels = await this.columnMapping(staging);
    const records = labels
      ? rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [labels.get(k) ?? k, v])))
      : rows;
    const answer = await this.request(
      {
        method: 'POST',
        path: `api/now/import/${staging}/insertMultiple`,
        op: 'write',
        what: `POST import/${staging}/insertMultiple`,
        json: { records },
      },
      insertMultipleBody,
    );
    return this.awaitTransform(
      staging,
      required(answer, `POST import/${staging}/insertMultiple`).import_set_id,
      rows.length,
    );
  }

  /** Polls the staging rows of an import set until every row has left `pending`. */
  private async awaitTransform(staging: string, importSet: string, count: number): Promise<ImportOutcome[]> {
    const fields = [
      'sys_import_row',
      'sys_import_state',
      'sys_import_state_comment',
      'sys_target_sys_id',
      'sys_target_table',
    ];
    const posted = Date.now();
    const deadline = posted + 120_000;
    // The first poll waits as long as this table's last import set took, so that one poll usually
    // finds every row transformed; a first poll that succeeds shortens the next wait a little.
    const expected = this.transformMs.get(staging) ?? 10;
    await sleep(expected);
    let wait = 10;
    for (let poll = 1; ; poll += 1) {
      const polledAt = Date.now() - posted;
      // One page holds the whole set; only when rows are missing from it (ACLs) does the keyset
      // loop read on.
      const query = `sys_import_set=${importSet}`;
      let { rows } = await this.page(staging, `${query}^ORDERBYsys_id`, fields, Math.max(count, 1), 0);
      if (rows.length < count) rows = await this.queryAll(staging, { query, fields, pageSize: count });
      const done =
        rows.length >= count && rows.every((r) => r.sys_import_state && r.sys_import_state !== 'pending');
      if (done) {
        this.transformMs.set(
          staging,
          poll === 1 ? Math.max(5, Math.round(expected * 0.9)) : Math.min(polledAt, 5_000),
        );
        const byIndex = new Map(rows.map((r) => [Number(r.sys_import_row), r]));
        return Array.from({ length: count }, (_, i) => {
          const r = byIndex.get(i);
          if (!r)
            return {
              status: 'error' as const,
              message: `staging row ${i} of import set ${importSet} is missing`,
            };
          const state = STATUSES.has(r.sys_import_state ?? '')
            ? (r.sys_import_state as ImportOutcome['status'])
            : 'error';
          return {
            status: state,
            ...(r.sys_target_sys_id ? { sysId: r.sys_target_sys_id } : {}),
            ...(r.sys_target_table ? { table: r.sys_target_table } : {}),
            ...(r.sys_import_state_comment ? { message: r.sys_import_state_comment } : {}),
          };
        });
      }
      if (Date.now() > deadline) {
        throw new TransientError(
          `ServiceNow import set ${importSet} on ${staging} was still being transformed after 120 s`,
          { code: 'servicenow.transform_pending' },
        );
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 1000);
    }
  }

  /**
   * insertMultiple maps by column label unless the table's `sys_rest_insert_multiple` record says
   * column name (§3.1): returns name -> label when labels are needed, null otherwise.
   */
  private columnMapping(staging: string): Promise<Map<string, string> | null> {
    let p = this.mappings.get(staging);
    if (!p) {
      p = (async () => {
        const [config] = await this.queryAll('sys_rest_insert_multiple', {
          query: `source_table=${staging}`,
          fields: ['column_mapping'],
        });
        if (config?.column_mapping === 'name') return null;
        const columns = await this.queryAll('sys_dictionary', {
          query: `name=${staging}`,
          fields: ['element', 'column_label'],
        });
        return new Map(
          columns
            .filter((c) => c.element)
            .map((c) => [c.element as string, c.column_label || (c.element as string)]),
        );
      })();
      p.catch(() => this.mappings.delete(staging));
      this.mappings.set(staging, p);
    }
    return p;
  }

  // ------------------------------------------------------------------ metadata and ping

  /** Staging columns (`sys_dictionary`) and transform maps with their coalesce fields (`sys_transform_map` + `sys_transform_entry`). */
  async describeStaging(staging: string): Promise<{
    exists: boolean;
    columns: Array<{ name: string; label: string; mandatory: boolean }>;
    maps: Array<{ name: string; targetTable: string; coalesce: string[] }>;
  }> {
    const dictionary = await this.queryAll('sys_dictionary', {
      query: `name=${staging}`,
      fields: ['element', 'column_label', 'mandatory'],
    });
    const columns = dictionary
      .filter((d) => d.element)
      .map((d) => ({
        name: d.element as string,
        label: d.column_label ?? '',
        mandatory: d.mandatory === 'true',
      }));
    const maps = await this.queryAll('sys_transform_map', {
      query: `source_table=${staging}^active!=false`,
      fields: ['name', 'target_table'],
    });
    const described = await Promise.all(
      maps.map(async (m) => {
        const entries = await this.queryAll('sys_transform_entry', {
          query: `map=${m.sys_id}^coalesce=true`,
          fields: ['source_field', 'target_field', 'coalesce'],
        });
        return {
          name: m.name ?? m.sys_id,
          targetTable: m.target_table ?? '',
          coalesce: entries.map((e) => e.source_field ?? '').filter(Boolean),
        };
      }),
    );
    return { exists: dictionary.length > 0, columns, maps: described };
  }

  /**
   * Auth, reachability, the tables a flow reads, and for every staging table a flow writes: it exists,
   * every column sent exists, and each transform map coalesces on the source reference — a map without
   * a coalesce key inserts a duplicate on every retry, so its flow is refused.
   */
  async ping(
    required: Array<{ staging: string; columns: string[]; coalesceOn: string[] }> = [],
    tables: string[] = [],
  ): Promise<PingResult> {
    const checks: PingCheck[] = [];
    const result: PingResult = {
      connection: this.ctx.connection,
      system: 'servicenow',
      url: this.conn.url,
      ok: false,
      checks,
    };
    try {
      const time = await this.serverTime();
      checks.push({
        name: 'auth',
        ok: true,
        detail:
          this.conn.auth.kind === 'basic'
            ? 'basic auth accepted'
            : `OAuth ${this.conn.auth.kind === 'oauth_password' ? 'password' : 'client credentials'} grant: token issued and accepted`,
      });
      checks.push({ name: 'reachable', ok: true, detail: `server time ${time.toISOString()}` });
      const [build] = await this.queryAll('sys_properties', {
        query: 'name=glide.buildname',
        fields: ['value'],
      }).catch(() => []);
      if (build?.value) result.serverVersion = build.value;
    } catch (err) {
      checks.push({
        name: 'auth',
        ok: false,
        detail: err instanceof Error ? redact(err.message) : String(err),
      });
      return result;
    }
    for (const table of tables) {
      try {
        await this.page(table, '', ['sys_id'], 1, 0);
        checks.push({ name: `table ${table}`, ok: true, detail: 'readable' });
      } catch (err) {
        checks.push({
          name: `table ${table}`,
          ok: false,
          detail: err instanceof Error ? redact(err.message) : String(err),
        });
      }
    }
    for (const req of required) {
      try {
        const d = await this.describeStaging(req.staging);
        if (!d.exists) {
          checks.push({
            name: `staging ${req.staging}`,
            ok: false,
            detail: 'no such staging table (is the Source-to-Pay integration plugin installed?)',
          });
          continue;
        }
        const have = new Set(d.columns.map((c) => c.name));
        const missing = req.columns.filter((c) => !have.has(c));
        checks.push({
          name: `staging ${req.staging} columns`,
          ok: missing.length === 0,
          detail:
            missing.length === 0
              ? `${req.columns.length} columns present`
              : `missing column(s) ${missing.join(', ')}: rename them under tables/coalesce in mlc.yaml or add them to the staging table`,
        });
        if (d.maps.length === 0) {
          checks.push({
            name: `staging ${req.staging} transform`,
            ok: false,
            detail: 'no active transform map reads this staging table',
          });
        }
        for (const map of d.maps) {
          const missingKeys = req.coalesceOn.filter((c) => !map.coalesce.includes(c));
          const ok = map.coalesce.length > 0 && missingKeys.length === 0;
          checks.push({
            name: `transform map "${map.name}" coalesce`,
            ok,
            detail: ok
              ? `coalesces on ${map.coalesce.join(', ')}: a re-sent row updates the record it created`
              : map.coalesce.length === 0
                ? `has no coalesce field: every retry or replay would insert a duplicate into ${map.targetTable}. Mark ${req.coalesceOn.join(' + ')} as coalesce in the field maps; the flow is refused until then`
                : `coalesces on ${map.coalesce.join(', ')} but not on ${missingKeys.join(', ')}: a re-sent row could update another source's record or miss its own. Mark ${req.coalesceOn.join(' + ')} as coalesce, or set the coalesce columns in mlc.yaml to what the map uses`,
          });
        }
      } catch (err) {
        checks.push({
          name: `staging ${req.staging}`,
          ok: false,
          detail: err instanceof Error ? redact(err.message) : String(err),
        });
      }
    }
    result.ok = checks.every((c) => c.ok);
    return result;
  }

  async close(): Promise<void> {
    destroyHttp(this.http);
  }
}
