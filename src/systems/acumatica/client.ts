import type { Got, Response } from 'got';
import {
  AuthError,
  ConfigError,
  InternalError,
  RecordError,
  TransientError,
  isMlcError,
  type MlcError,
} from '../../errors.js';
import { createHttp, isHtml, networkError } from '../../http/client.js';
import { Limiter } from '../../http/limiter.js';
import { safeJson } from '../../http/json.js';
import { redact, registerSecret } from '../../http/redact.js';
import { parseRetryAfter, withRetry } from '../../http/retry.js';
import { TokenCache, oauthTokenSource, type Grant, type Token } from '../../http/token.js';
import {
  silentLogger,
  type ClientContext,
  type Logger,
  type PingCheck,
  type PingResult,
  type ReadWindow,
} from '../types.js';
import { entityInfo } from './entities.js';
import {
  collectErrors,
  endpointsSchema,
  filterString,
  httpErrorSchema,
  oauthErrorSchema,
  rawEntityListSchema,
  rawEntitySchema,
  toDateTimeOffset,
  tokenResponseSchema,
  unwrapEntity,
  wrapEntity,
  type HttpErrorBody,
  type TokenResponse,
} from './schemas.js';

/** How mlc signs in (api notes §1). */
export type AcumaticaAuth =
  | {
      /** OAuth 2.0 Resource Owner Password Credentials through a Connected Application (§1.1). */
      kind: 'oauth_password';
      /** `<GUID>@<Tenant>`: without the tenant suffix the identity server cannot resolve the tenant. */
      clientId: string;
      clientSecret: string;
      username: string;
      password: string;
      /** Default `api offline_access`. */
      scope?: string | undefined;
    }
  | {
      /** Cookie session login at `/entity/auth/login` (§1.2). */
      kind: 'cookie';
      username: string;
      password: string;
      tenant?: string | undefined;
      branch?: string | undefined;
    };

/** One configured Acumatica instance. */
export interface AcumaticaConnection {
  /** Instance URL including the virtual directory, e.g. `https://erp.example.com/AcumaticaERP`. */
  url: string;
  /** Contract-based endpoint name, default `Default`. */
  endpointName?: string;
  /** Pinned endpoint version, default `24.200.001` (§6 trap 1). */
  endpointVersion?: string;
  auth: AcumaticaAuth;
  timeoutMs?: number;
  /** `$top` of every list request, default 500 (§6 trap 4: never omit `$top`). */
  pageSize?: number;
  /** Licence "maximum concurrent API requests" share for mlc, default 2 (§5). */
  concurrency?: number;
  /** Licence "maximum API requests per minute" share for mlc (§5). */
  requestsPerMinute?: number;
  /**
   * Refresh tokens rotate: the client calls this with the NEW refresh token and awaits it BEFORE it
   * uses the new access token; the engine stores it (encrypted). `load` gives the stored one at start.
   */
  refreshTokenStore?: { load(): Promise<string | undefined>; save(token: string): Promise<void> };
}

/**
 * A query `mlc ping` sends with `$top=1`: what a flow really asks for, so that a field the entity
 * lacks (a misspelt reference field, a status filter on another entity) is found before a pass.
 */
export interface AcumaticaProbe {
  entity: string;
  /** The flow the query belongs to (names the check). */
  flow?: string | undefined;
  filter?: string | undefined;
  select?: string[] | undefined;
  expand?: string[] | undefined;
  /** Adds the LastModifiedDateTime window, as `readChanged` does. */
  windowed?: boolean | undefined;
}

/** An entity with its values unwrapped from `{value: …}`; `id` is the record's GUID. */
export type AcuRow = Record<string, unknown> & { id: string };

interface CallOptions {
  op: string;
  idempotent: boolean;
  searchParams?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Send without session credentials (token endpoint, cookie login). */
  anonymous?: boolean;
  /** Send with this credential as it is, never renewed (sign-out). */
  credential?: string;
  /** Statuses the caller handles itself instead of the error table. */
  accept?: number[];
  signIn?: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCK = /Another process has updated/i;
/** §8: how the server answers a GET of a record that does not exist (by id or by keys). */
const NOT_FOUND = /NoEntitySatisfiesTheCondition|No entity satisfies the condition/i;
/**
 * An unknown field in `$filter`/`$select`: no answer has been recorded (api notes §8 "Still unknown"),
 * so the exception types and texts the server family uses for it are matched.
 */
const UNKNOWN_FIELD =
  /FieldNotFound|InvalidField|ODataException|is not found in the \S+ entity|Could not find a property named|Invalid field name|(?:field|property) .{0,80}(?:does not exist|not found)/i;
const LOGIN_LIMIT_HINT =
  'every API-user seat of the licence is in use; sessions that were not logged out hold a seat until they time out (License Monitoring Console SM604000)';

/**
 * Client for Acumatica's contract-based REST API (api notes §1–§5): OAuth 2.0 (ROPC, rotating refresh
 * tokens) or cookie sessions, value-object wrapping, windowed reads with `$top/$skip`, PUT upserts, and
 * one error table (`classify`).
 */
export class AcumaticaClient {
  readonly endpointName: string;
  readonly endpointVersion: string;
  private readonly http: Got;
  private readonly limiter: Limiter;
  private readonly log: Logger;
  private readonly pageSize: number;
  private readonly basePath: string;

  /**
   * The session credential: a bearer token (OAuth) or the session cookies (cookie login), renewed
   * ahead of expiry and once after a 401, single-flight. Holding one = holding an API-user seat.
   */
  private readonly tokens: TokenCache;
  private sessionDepth = 0;

  constructor(
    private readonly conn: AcumaticaConnection,
    private readonly ctx: ClientContext,
  ) {
    this.endpointName = conn.endpointName ?? 'Default';
    this.endpointVersion = conn.endpointVersion ?? '24.200.001';
    this.basePath = `entity/${encodeURIComponent(this.endpointName)}/${encodeURIComponent(this.endpointVersion)}`;
    const concurrency = Math.max(1, conn.concurrency ?? 2);
    this.http = createHttp({
      baseUrl: conn.url,
      timeoutMs: conn.timeoutMs ?? 120_000,
      maxSockets: concurrency,
      headers: { accept: 'application/json' },
    });
    this.limiter = new Limiter(concurrency, conn.requestsPerMinute);
    this.log = ctx.log ?? silentLogger;
    this.pageSize = Math.max(2, conn.pageSize ?? 500);
    registerSecret(conn.auth.password);
    const auth = conn.auth;
    if (auth.kind === 'oauth_password') {
      registerSecret(auth.clientSecret);
      this.tokens = new TokenCache(
        oauthTokenSource({
          grant: () => this.passwordGrant(auth),
          refresh: (token) => this.refreshGrant(auth, token),
          // A refresh that keeps failing transiently is not worth the pass: sign in with the password.
          fallBackOn: (err) =>
            isMlcError(err) && err.kind === 'transient' && err.code !== 'acumatica.login_limit',
          onFallback: (err) =>
            this.log.warn('acumatica: refresh failed, signing in with the password instead', {
              code: isMlcError(err) ? err.code : 'unknown',
            }),
          store: conn.refreshTokenStore,
        }),
        60_000,
      );
    } else {
      this.tokens = new TokenCache(() => this.cookieLogin(auth), 60_000);
    }
  }

  /** One session per pass: sign in, run fn, ALWAYS sign out (also when fn throws) — a leaked session holds a licensed API seat (§1.3). */
  async withSession<T>(fn: () => Promise<T>): Promise<T> {
    if (this.sessionDepth > 0) return fn();
    this.sessionDepth += 1;
    try {
      await this.signIn();
      return await fn();
    } finally {
      this.sessionDepth -= 1;
      try {
        await this.signOut();
      } catch (err) {
        this.log.warn('acumatica: sign-out failed; the session holds an API seat until it times out', {
          connection: this.ctx.connection,
          error: redact(err instanceof Error ? err.message : String(err)),
        });
      }
    }
  }

  /** Opens the session (takes one API-user seat). Login-limit answers are retried as transient. */
  async signIn(): Promise<void> {
    await this.tokens.get();
  }

  /**
   * Ends the session and frees its seat: `POST /entity/auth/logout` (§1.2) with the session's own
   * credential, also for bearer sessions (§8: signing out with the access token frees the seat). An
   * expired token is not renewed just to sign out: its session has ended already.
   */
  async signOut(): Promise<void> {
    const credential = this.tokens.current();
    if (credential === undefined) return;
    try {
      await this.call('POST', 'entity/auth/logout', {
        op: 'acumatica.logout',
        idempotent: true,
        accept: [401],
        credential,
      });
    } finally {
      this.tokens.clear();
    }
  }

  /** `GET /entity`: the build and the endpoints (name + version) the server offers (§1.4). */
  async endpoints(): Promise<{ build: string; endpoints: Array<{ name: string; version: string }> }> {
    const res = await this.call('GET', 'entity', { op: 'acumatica.endpoints', idempotent: true });
    const parsed = parseJson(res, endpointsSchema, 'GET /entity');
    return {
      build: parsed.version?.acumaticaBuildVersion ?? 'unknown',
      endpoints: parsed.endpoints.map((e) => ({ name: e.name, version: e.version })),
    };
  }

  /** The server clock, from the `Date` header of `GET /entity`. */
  async serverTime(): Promise<Date> {
    const res = await this.call('GET', 'entity', { op: 'acumatica.server_time', idempotent: true });
    const date = res.headers.date === undefined ? NaN : Date.parse(res.headers.date);
    if (Number.isNaN(date))
      throw new InternalError('Acumatica answered without a Date header', { code: 'acumatica.no_date' });
    return new Date(date);
  }

  /**
   * Records whose LastModifiedDateTime lies in the window: `$filter=LastModifiedDateTime ge
   * datetimeoffset'…' and lt datetimeoffset'…'` plus an optional extra filter, `$top/$skip` paging.
   * There is no `$orderby` (§2, §6 trap 3): the caller commits its cursor only after the whole window
   * is read. Pages overlap by one row; when a page does not start with the previous page's last row,
   * rows shifted under the offsets (a record was edited or deleted during the read) and the window is
   * read again, yielding only rows not yet yielded. Entities without LastModifiedDateTime (Subaccount)
   * are full-scanned (§2).
   */
  async *readChanged(
    entity: string,
    opts: { window: ReadWindow; select?: string[]; expand?: string[]; filter?: string; pageSize?: number },
  ): AsyncGenerator<AcuRow[]> {
    yield* this.pages(entity, {
      filter: this.changedFilter(entity, opts.window, opts.filter),
      ...(opts.select ? { select: opts.select } : {}),
      ...(opts.expand ? { expand: opts.expand } : {}),
      pageSize: opts.pageSize ?? this.pageSize,
    });
  }

  /** The `$filter` of a windowed read: the LastModifiedDateTime window (when the entity has one) and the extra filter. */
  private changedFilter(entity: string, window: ReadWindow, extra: string | undefined): string {
    const parts: string[] = [];
    if (entityInfo(entity)?.cursor === null) {
      this.log.debug('acumatica: entity has no LastModifiedDateTime, full scan', { entity });
    } else {
      if (window.since)
        parts.push(`LastModifiedDateTime ge datetimeoffset'${toDateTimeOffset(window.since)}'`);
      parts.push(`LastModifiedDateTime lt datetimeoffset'${toDateTimeOffset(window.until)}'`);
    }
    if (extra) parts.push(`(${extra})`);
    return parts.join(' and ');
  }

  /** Every record matching the filter, read in `$top` pages. */
  async list(
    entity: string,
    opts: { filter?: string; select?: string[]; expand?: string[] } = {},
  ): Promise<AcuRow[]> {
    const rows: AcuRow[] = [];
    for await (const page of this.pages(entity, { ...opts, pageSize: this.pageSize })) rows.push(...page);
    return rows;
  }

  /** One record by its `id` GUID or by its key values (slash-delimited in the URL, §2); null when absent. */
  async get(
    entity: string,
    idOrKeys: string | string[],
    opts: { expand?: string[] } = {},
  ): Promise<AcuRow | null> {
    const keys = typeof idOrKeys === 'string' ? [idOrKeys] : idOrKeys;
    const path = `${this.entityPath(entity)}/${keys.map((k) => encodeURIComponent(k)).join('/')}`;
    try {
      const res = await this.call('GET', path, {
        op: `acumatica.get.${entity}`,
        idempotent: true,
        searchParams: opts.expand?.length ? { $expand: opts.expand.join(',') } : {},
      });
      return toRow(parseJson(res, rawEntitySchema, `GET ${entity}`));
    } catch (err) {
      // §8: a record that does not exist is a 500 NoEntitySatisfiesTheConditionException, not a 404.
      if (isMlcError(err) && err.code === 'acumatica.not_found') return null;
      throw err;
    }
  }

  /**
   * PUT create-or-update (§3.1): values wrapped as `{"value": …}`, details as arrays of wrapped lines.
   * Matched by `id`, else by all key fields, else inserted (auto-numbered). Retried only when it is
   * idempotent (an `id` or every key is given) or provably not sent.
   */
  async put(
    entity: string,
    record: Record<string, unknown>,
    opts: { expand?: string[]; headers?: Record<string, string> } = {},
  ): Promise<AcuRow> {
    const info = entityInfo(entity);
    const keyed =
      typeof record.id === 'string' ||
      (info !== undefined &&
        info.keys.length > 0 &&
        info.keys.every((k) => typeof record[k] === 'string' && record[k] !== '' && record[k] !== '<NEW>'));
    const res = await this.call('PUT', this.entityPath(entity), {
      op: `acumatica.put.${entity}`,
      idempotent: keyed,
      json: wrapEntity(record),
      searchParams: opts.expand?.length ? { $expand: opts.expand.join(',') } : {},
      ...(opts.headers ? { headers: opts.headers } : {}),
    });
    return toRow(parseJson(res, rawEntitySchema, `PUT ${entity}`));
  }

  /**
   * Idempotent create for auto-numbered documents (§3.2 "Idempotency", §6 trap 6): finds the document
   * by an external reference field first, then PUTs with its `id` so it updates. Detail lines of the
   * existing document are matched to the new ones by `detailKey` (or by position when none is given)
   * and sent with their `id`; lines mlc did not send are left as they are. Two documents carrying the
   * same reference are a RecordError (mlc cannot tell which one is its own).
   */
  async upsertByRef(
    entity: string,
    refField: string,
    ref: string,
    record: Record<string, unknown>,
    opts: { expand?: string[]; detailsField?: string; detailKey?: string } = {},
  ): Promise<{ row: AcuRow; created: boolean }> {
    const detailsField = opts.detailsField ?? 'Details';
    const expand = [...new Set([...(opts.expand ?? []), detailsField])];
    const found = await this.list(entity, {
      filter: `${refField} eq ${filterString(ref)}`,
      expand: [detailsField],
    });
    if (found.length > 1) {
      throw new RecordError(
        `${found.length} ${entity} records carry ${refField} = ${ref}; expected at most one`,
        {
          code: 'acumatica.duplicate_reference',
          hint: `delete or change the reference on the extra ${entity} records in Acumatica`,
          data: { entity, refField, ref, ids: found.map((r) => r.id) },
        },
      );
    }
    const existing = found[0];
    const body: Record<string, unknown> = { ...record };
    if (!existing) {
      return { row: await this.put(entity, body, { expand }), created: true };
    }
    body.id = existing.id;
    const lines = body[detailsField];
    if (Array.isArray(lines)) {
      const old = Array.isArray(existing[detailsField])
        ? (existing[detailsField] as Array<Record<string, unknown>>)
        : [];
      const used = new Set<string>();
      body[detailsField] = lines.map((line: Record<string, unknown>, i) => {
        if (typeof line.id === 'string') return line;
        const match = opts.detailKey
          ? old.find(
              (o) =>
                typeof o.id === 'string' &&
                !used.has(o.id) &&
                sameValue(o[opts.detailKey as string], line[opts.detailKey as string]),
            )
          : old[i];
        if (match && typeof match.id === 'string' && !used.has(match.id)) {
          used.add(match.id);
          return { ...line, id: match.id };
        }
        return line;
      });
    }
    return { row: await this.put(entity, body, { expand }), created: false };
  }

  /**
   * `mlc ping`: signs in, checks via `GET /entity` that the pinned endpoint name + version is offered
   * (a mismatch is reported with the versions the server offers), sends each probe's real query (its
   * window, `$filter`, `$select` and `$expand`) with `$top=1`, and signs out. A field the entity lacks
   * fails here instead of at sync time.
   */
  async ping(probes: Array<string | AcumaticaProbe> = []): Promise<PingResult> {
    const checks: PingCheck[] = [];
    const result: PingResult = {
      connection: this.ctx.connection,
      system: 'acumatica',
      url: this.conn.url,
      ok: false,
      checks,
    };
    const fail = (name: string, err: unknown): void => {
      checks.push({ name, ok: false, detail: redact(err instanceof Error ? err.message : String(err)) });
    };
    try {
      await this.signIn();
      checks.push({
        name: 'auth',
        ok: true,
        detail: this.conn.auth.kind === 'cookie' ? 'cookie session login' : 'OAuth 2.0 password grant',
      });
    } catch (err) {
      fail('auth', err);
      return result;
    }
    try {
      let endpointOk = false;
      try {
        const ep = await this.endpoints();
        result.serverVersion = ep.build;
        endpointOk = ep.endpoints.some(
          (e) => e.name === this.endpointName && e.version === this.endpointVersion,
        );
        const offered = ep.endpoints.filter((e) => e.name === this.endpointName).map((e) => e.version);
        checks.push({
          name: 'endpoint',
          ok: endpointOk,
          detail: endpointOk
            ? `endpoint ${this.endpointName} ${this.endpointVersion} is offered (build ${ep.build})`
            : `endpoint ${this.endpointName} ${this.endpointVersion} is not offered by this server; it offers ${this.endpointName} ${offered.length ? offered.join(', ') : '(none)'} — set endpointVersion to one of them`,
        });
      } catch (err) {
        fail('endpoint', err);
      }
      if (endpointOk) {
        const until = new Date();
        const window: ReadWindow = { since: new Date(until.getTime() - 86_400_000), until };
        for (const probe of probes.map((p) => (typeof p === 'string' ? { entity: p } : p))) {
          const name = probe.flow ? `${probe.flow}: ${probe.entity}` : `entity ${probe.entity}`;
          try {
            await this.fetchPage(probe.entity, {
              filter: probe.windowed
                ? this.changedFilter(probe.entity, window, probe.filter)
                : (probe.filter ?? ''),
              ...(probe.select ? { select: probe.select } : {}),
              ...(probe.expand ? { expand: probe.expand } : {}),
              top: 1,
              skip: 0,
            });
            checks.push({
              name,
              ok: true,
              detail: probe.filter || probe.select || probe.expand ? 'its query is accepted' : 'readable',
            });
          } catch (err) {
            fail(name, err);
          }
        }
      }
    } finally {
      try {
        await this.signOut();
      } catch (err) {
        fail('sign-out', err);
      }
    }
    result.ok = checks.every((c) => c.ok);
    return result;
  }

  /** Signs out if a session is still open. */
  async close(): Promise<void> {
    await this.signOut();
  }

  // ---------------------------------------------------------------- reading

  private async *pages(
    entity: string,
    opts: { filter?: string; select?: string[]; expand?: string[]; pageSize: number },
  ): AsyncGenerator<AcuRow[]> {
    const top = Math.max(2, opts.pageSize);
    const seen = new Set<string>();
    for (let pass = 0; ; pass += 1) {
      let skip = 0;
      let previousLast: string | undefined;
      let shifted = false;
      for (;;) {
        const rows = await this.fetchPage(entity, { ...opts, top, skip });
        if (previousLast !== undefined && rows[0]?.id !== previousLast) {
          shifted = true;
          break;
        }
        const fresh = rows.filter((r) => !seen.has(r.id));
        for (const r of fresh) seen.add(r.id);
        if (fresh.length > 0) yield fresh;
        if (rows.length < top) return;
        previousLast = rows[rows.length - 1]?.id;
        skip += top - 1;
      }
      if (shifted && pass >= 3) {
        throw new TransientError(
          `${entity}: records kept changing while the window was read; read it again later`,
          {
            code: 'acumatica.window_shifted',
            data: { entity },
          },
        );
      }
      this.log.debug('acumatica: rows shifted under $skip paging, reading the window again', {
        entity,
        pass,
      });
    }
  }

  private async fetchPage(
    entity: string,
    opts: { filter?: string; select?: string[]; expand?: string[]; top: number; skip: number },
  ): Promise<AcuRow[]> {
    const searchParams: Record<string, string> = {};
    if (opts.filter) searchParams.$filter = opts.filter;
    if (opts.select?.length) searchParams.$select = opts.select.join(',');
    if (opts.expand?.length) searchParams.$expand = opts.expand.join(',');
    searchParams.$top = String(opts.top);
    if (opts.skip > 0) searchParams.$skip = String(opts.skip);
    const res = await this.call('GET', this.entityPath(entity), {
      op: `acumatica.list.${entity}`,
      idempotent: true,
      searchParams,
    });
    return parseJson(res, rawEntityListSchema, `GET ${entity}`).map(toRow);
  }

  private entityPath(entity: string): string {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(entity)) {
      throw new ConfigError(`not an Acumatica entity name: ${JSON.stringify(entity)}`, {
        code: 'acumatica.bad_entity',
      });
    }
    return `${this.basePath}/${entity}`;
  }

  // ---------------------------------------------------------------- auth

  /** `POST /entity/auth/login` → 204 + cookies (§1.2); the cookies are the session's credential. */
  private async cookieLogin(auth: Extract<AcumaticaAuth, { kind: 'cookie' }>): Promise<Token> {
    const body: Record<string, string> = { name: auth.username, password: auth.password };
    if (auth.tenant) body.tenant = auth.tenant;
    if (auth.branch) body.branch = auth.branch;
    const res = await this.call('POST', 'entity/auth/login', {
      op: 'acumatica.login',
      idempotent: true,
      json: body,
      anonymous: true,
      signIn: true,
    });
    const cookies: string[] = [];
    for (const c of res.headers['set-cookie'] ?? []) {
      const pair = c.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      registerSecret(pair.slice(eq + 1));
      cookies.push(pair);
    }
    if (cookies.length === 0) {
      throw new InternalError('Acumatica accepted the login but set no session cookie', {
        code: 'acumatica.no_cookie',
        status: res.statusCode,
      });
    }
    // A cookie session lasts until it is signed out or idles out; a 401 renews it.
    return { value: cookies.join('; '), expiresAt: Number.POSITIVE_INFINITY };
  }

  /** ROPC grant (§1.1). Each sign-in takes a seat; login-limit answers are retried as transient. */
  private async passwordGrant(auth: Extract<AcumaticaAuth, { kind: 'oauth_password' }>): Promise<Grant> {
    const token = await this.tokenRequest(
      {
        grant_type: 'password',
        client_id: auth.clientId,
        client_secret: auth.clientSecret,
        username: auth.username,
        password: auth.password,
        scope: auth.scope ?? 'api offline_access',
      },
      true,
    );
    if (!token) {
      throw new AuthError('Acumatica refused the user name or password (invalid_grant)', {
        code: 'acumatica.invalid_grant',
        status: 400,
        hint: 'check the API user, its password and that it may use the Connected Application',
      });
    }
    return token;
  }

  /**
   * Refresh grant (§1.1: refresh tokens rotate; a reused one fails with invalid_grant). Not repeated
   * on an ambiguous failure: the token may have been spent. Undefined when the server refused it.
   */
  private refreshGrant(
    auth: Extract<AcumaticaAuth, { kind: 'oauth_password' }>,
    refreshToken: string,
  ): Promise<Grant | undefined> {
    return this.tokenRequest(
      {
        grant_type: 'refresh_token',
        client_id: auth.clientId,
        client_secret: auth.clientSecret,
        refresh_token: refreshToken,
      },
      false,
    );
  }

  /** `POST /identity/connect/token`; undefined on `invalid_grant`. */
  private async tokenRequest(form: Record<string, string>, idempotent: boolean): Promise<Grant | undefined> {
    const res = await this.call('POST', 'identity/connect/token', {
      op: `acumatica.token.${form.grant_type ?? ''}`,
      idempotent,
      form,
      anonymous: true,
      signIn: true,
      accept: [400, 401],
    });
    if (res.statusCode === 400 || res.statusCode === 401) {
      const parsed = oauthErrorSchema.safeParse(safeJson(res.body));
      const error = parsed.success ? parsed.data.error : 'unknown';
      if (error === 'invalid_grant') return undefined;
      if (error === 'invalid_client' || error === 'unauthorized_client') {
        throw new AuthError(`Acumatica refused the OAuth client (${error})`, {
          code: 'acumatica.invalid_client',
          status: res.statusCode,
          hint: 'check the client id (it must end in @<Tenant>) and the shared secret of the Connected Application (SM303010)',
        });
      }
      throw new AuthError(`Acumatica refused the token request (${error})`, {
        code: 'acumatica.token_refused',
        status: res.statusCode,
        ...(error === 'invalid_scope'
          ? { hint: 'the scope must include api (and offline_access for refresh tokens)' }
          : {}),
      });
    }
    const token: TokenResponse = parseJson(res, tokenResponseSchema, 'POST /identity/connect/token');
    return {
      accessToken: token.access_token,
      expiresInSeconds: token.expires_in,
      refreshToken: token.refresh_token,
    };
  }

  /** The headers that carry a session credential. */
  private credentialHeaders(credential: string): Record<string, string> {
    return this.conn.auth.kind === 'cookie'
      ? { cookie: credential }
      : { authorization: `Bearer ${credential}` };
  }

  // ---------------------------------------------------------------- transport

  /**
   * Sends one call with retries (withRetry), the licence limiter, the session credential renewed once
   * after a 401 (TokenCache.withRenewal), and the error table.
   */
  private async call(method: string, path: string, opts: CallOptions): Promise<Response<string>> {
    return withRetry(
      opts.op,
      async () => {
        const response =
          opts.anonymous === true
            ? await this.send(method, path, opts, {})
            : opts.credential !== undefined
              ? await this.send(method, path, opts, this.credentialHeaders(opts.credential))
              : await this.tokens.withRenewal(
                  (credential) => this.send(method, path, opts, this.credentialHeaders(credential)),
                  (res) => res.statusCode === 401 && !opts.accept?.includes(401),
                );
        const error = classify(response, method, path, opts, this);
        if (error) throw error;
        return response;
      },
      {
        idempotent: opts.idempotent,
        ...(this.ctx.retry ? { policy: this.ctx.retry } : {}),
        onRetry: ({ op, attempt, delayMs, error }) =>
          this.log.debug('acumatica: retrying', { op, attempt, delayMs, code: error.code }),
      },
    );
  }

  private async send(
    method: string,
    path: string,
    opts: CallOptions,
    credentials: Record<string, string>,
  ): Promise<Response<string>> {
    return this.limiter.run(async () => {
      const started = Date.now();
      try {
        const response = await this.http(path, {
          method: method as 'GET',
          headers: { ...credentials, ...opts.headers },
          ...(opts.searchParams && Object.keys(opts.searchParams).length > 0
            ? { searchParams: opts.searchParams }
            : {}),
          ...(opts.json !== undefined ? { json: opts.json } : {}),
          ...(opts.form !== undefined ? { form: opts.form } : {}),
        });
        this.ctx.onRequest?.({
          method,
          path: `/${path}`,
          status: response.statusCode,
          ms: Date.now() - started,
        });
        return response;
      } catch (err) {
        this.ctx.onRequest?.({ method, path: `/${path}`, status: 'network', ms: Date.now() - started });
        throw networkError(err, `${method} /${path}`);
      }
    });
  }
}

// ------------------------------------------------------------------ the error table

/**
 * The one map from Acumatica answers to mlc errors (api notes §1.3, §3.1, §5):
 *
 * | answer                                                         | error                                   |
 * |----------------------------------------------------------------|-----------------------------------------|
 * | "API Login Limit" HTML page, or 429 text/plain on a sign-in    | Transient `acumatica.login_limit`       |
 * | 2xx with an HTML page (hibernating instance, proxy)            | Transient `acumatica.html_answer`       |
 * | 400 on GET (bad `$filter`/`$select`)                           | Config `acumatica.bad_query`            |
 * | 400 on PUT/POST (body refused)                                 | Record `acumatica.invalid_data`         |
 * | 401 after one re-auth                                          | Auth `acumatica.unauthorized`           |
 * | 403                                                            | Auth `acumatica.forbidden`              |
 * | 404 (endpoint name/version or entity missing)                  | Config `acumatica.endpoint_not_found`   |
 * | 412 (If-Match / If-None-Match)                                 | Record `acumatica.precondition_failed`  |
 * | 422 entity with field errors                                   | Record `acumatica.validation`           |
 * | 429 (+ Retry-After)                                            | Transient `acumatica.rate_limited`      |
 * | 500 NoEntitySatisfiesTheConditionException (no such record)    | Record `acumatica.not_found`            |
 * | 500 on GET naming a field the entity lacks (`$filter`/`$select`)| Config `acumatica.bad_query`            |
 * | 500 "Another process has updated…" (lock violation)           | Transient `acumatica.lock_conflict`     |
 * | 500 PXSetupNotEnteredException                                 | Config `acumatica.setup_missing`        |
 * | 500 with an exception type on PUT/POST (business exception)    | Record `acumatica.business_error`       |
 * | 500 otherwise, 502/503/504, other HTML                         | Transient `acumatica.server_error`      |
 * | any other status                                               | Internal `acumatica.unexpected_status`  |
 */
export function classify(
  res: Response<string>,
  method: string,
  path: string,
  opts: Pick<CallOptions, 'accept' | 'signIn'>,
  where: { endpointName: string; endpointVersion: string },
): MlcError | undefined {
  const status = res.statusCode;
  const what = `${method} /${path}`;
  const html = isHtml(res);
  if (isLoginLimit(res, html, opts.signIn === true)) {
    return new TransientError('Acumatica refused the sign-in: API Login Limit', {
      code: 'acumatica.login_limit',
      status,
      hint: LOGIN_LIMIT_HINT,
      ...retryAfter(res),
    });
  }
  if (opts.signIn === true && status >= 400 && /Invalid credentials/i.test(res.body)) {
    return new AuthError('Acumatica refused the sign-in: invalid credentials', {
      code: 'acumatica.invalid_credentials',
      status,
      hint: 'check the API user name, password and tenant',
    });
  }
  if (opts.accept?.includes(status)) return undefined;
  if (status >= 200 && status < 300) {
    if (html)
      return new TransientError(`${what}: Acumatica answered with an HTML page (${htmlTitle(res.body)})`, {
        code: 'acumatica.html_answer',
        status,
      });
    return undefined;
  }
  const body = httpErrorSchema.safeParse(safeJson(res.body));
  const err: HttpErrorBody = body.success ? body.data : {};
  const detail = redact(
    err.exceptionMessage ?? err.message ?? (html ? htmlTitle(res.body) : res.body.slice(0, 300)),
  );
  const write = method !== 'GET';
  switch (status) {
    case 400:
      if (!write)
        return new ConfigError(`${what}: the query was refused: ${detail}`, {
          code: 'acumatica.bad_query',
          status,
        });
      return new RecordError(`${what}: the record was refused: ${detail}${modelState(err)}`, {
        code: 'acumatica.invalid_data',
        status,
        data: { modelState: err.modelState },
      });
    case 401:
      return new AuthError(`${what}: not logged in or the session ended, also after signing in again`, {
        code: 'acumatica.unauthorized',
        status,
      });
    case 403:
      return new AuthError(`${what}: access denied: ${detail}`, {
        code: 'acumatica.forbidden',
        status,
        hint: 'the API may not be licensed, or the API user lacks access rights to this screen',
      });
    case 404:
      return new ConfigError(
        `${what}: not found — the endpoint ${where.endpointName} ${where.endpointVersion} or the entity does not exist on this server`,
        {
          code: 'acumatica.endpoint_not_found',
          status,
          hint: 'run mlc ping: it lists the endpoint versions the server offers',
        },
      );
    case 412:
      return new RecordError(`${what}: precondition failed: ${detail}`, {
        code: 'acumatica.precondition_failed',
        status,
      });
    case 422: {
      const fields = collectErrors(safeJson(res.body));
      const text = fields.length ? fields.map((f) => `${f.field}: ${f.error}`).join('; ') : detail;
      return new RecordError(`${what}: Acumatica refused the record: ${redact(text)}`, {
        code: 'acumatica.validation',
        status,
        data: { fieldErrors: fields.map((f) => ({ field: f.field, error: redact(f.error) })) },
      });
    }
    case 429:
      return new TransientError(`${what}: Acumatica throttled the request (429)`, {
        code: 'acumatica.rate_limited',
        status,
        ...retryAfter(res),
      });
    case 500: {
      const type = err.exceptionType ?? '';
      if (NOT_FOUND.test(`${type} ${detail}`)) {
        return new RecordError(`${what}: no such record (${detail})`, {
          code: 'acumatica.not_found',
          status,
          hint: 'the record was deleted in Acumatica, or its id belongs to another entity',
          data: { exceptionType: type },
        });
      }
      if (!write && UNKNOWN_FIELD.test(`${type} ${detail}`)) {
        // Deterministic: retrying cannot help, and every later pass would fail the same way.
        return new ConfigError(`${what}: the query names a field the entity does not have: ${detail}`, {
          code: 'acumatica.bad_query',
          status,
          hint: `check the field names in mlc.yaml against the ${where.endpointName} ${where.endpointVersion} endpoint (mlc ping runs every flow's query)`,
          data: { exceptionType: type },
        });
      }
      if (LOCK.test(detail)) {
        return new TransientError(`${what}: ${detail}`, {
          code: 'acumatica.lock_conflict',
          status,
          data: { exceptionType: type },
        });
      }
      if (/PXSetupNotEnteredException/.test(type)) {
        return new ConfigError(`${what}: Acumatica setup is incomplete: ${detail}`, {
          code: 'acumatica.setup_missing',
          status,
        });
      }
      if (write && type !== '') {
        return new RecordError(`${what}: ${detail}`, {
          code: 'acumatica.business_error',
          status,
          data: { exceptionType: type },
        });
      }
      return new TransientError(`${what}: server error: ${detail}`, {
        code: 'acumatica.server_error',
        status,
        data: { exceptionType: type },
      });
    }
    default:
      if (status >= 500 || html) {
        return new TransientError(`${what}: server error ${status}: ${detail}`, {
          code: 'acumatica.server_error',
          status,
          ...retryAfter(res),
        });
      }
      return new InternalError(`${what}: unexpected status ${status}: ${detail}`, {
        code: 'acumatica.unexpected_status',
        status,
      });
  }
}

/** §1.3: an HTML page titled "API Login Limit", or (on sign-in) 429 text/plain with a meaningless body. */
function isLoginLimit(res: Response<string>, html: boolean, signIn: boolean): boolean {
  if (html && /API Login Limit/i.test(htmlTitle(res.body))) return true;
  if (/API Login Limit/i.test(res.body) && res.statusCode >= 400) return true;
  const type = String(res.headers['content-type'] ?? '');
  return signIn && res.statusCode === 429 && type.startsWith('text/plain');
}

function retryAfter(res: Response<string>): { retryAfterMs?: number } {
  const ms = parseRetryAfter(res.headers['retry-after']);
  return ms === undefined ? {} : { retryAfterMs: ms };
}

function htmlTitle(body: string): string {
  return /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim() ?? 'HTML page';
}

function modelState(err: HttpErrorBody): string {
  if (!err.modelState) return '';
  return ` (${Object.entries(err.modelState)
    .map(([k, v]) => `${k}: ${v.join(', ')}`)
    .join('; ')})`;
}

function parseJson<T>(
  res: Response<string>,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: unknown } },
  what: string,
): T {
  const parsed = schema.safeParse(safeJson(res.body));
  if (!parsed.success) {
    throw new InternalError(`${what}: Acumatica answered ${res.statusCode} with a body mlc cannot read`, {
      code: 'acumatica.bad_payload',
      status: res.statusCode,
      data: { body: redact(res.body.slice(0, 300)) },
    });
  }
  return parsed.data;
}

function toRow(raw: Record<string, unknown> & { id: string }): AcuRow {
  return { ...unwrapEntity(raw), id: raw.id };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string')
    return a.trim().toUpperCase() === b.trim().toUpperCase();
  return a === b;
}

export { GUID as ACUMATICA_GUID };
