/**
 * The Odoo client's transport and authentication: XML-RPC (`/xmlrpc/2/*`, all versions) and JSON-2
 * (`/json/2/<model>/<method>`, 19+) behind one `orm()` call, the server version and clock, and the
 * uid of the key's user (api notes §1).
 */
import type { Got } from 'got';
import type { ZodType } from 'zod';
import type { Agent as HttpAgent } from 'node:http';
import { AuthError, InternalError, TransientError, type MlcError } from '../../errors.js';
import { USER_AGENT, createHttp, isHtml, networkError, sendCounted } from '../../http/client.js';
import { redact, registerSecret } from '../../http/redact.js';
import { parseRetryAfter, withRetry } from '../../http/retry.js';
import type { ClientContext } from '../types.js';
import {
  contextGetSchema,
  json2ErrorSchema,
  majorVersion,
  webVersionSchema,
  xmlrpcVersionSchema,
} from './schemas.js';
import { classifyOdooError } from './errors.js';
import type { FieldInfo, OdooConnection, Transport } from './types.js';

/** The leading parameters each ORM method takes positionally over XML-RPC (§9), in order. */
const POSITIONAL: Record<string, string[]> = {
  create: ['vals_list'],
  has_access: ['operation'],
  check_access_rights: ['operation'],
  write: ['vals'],
  search_read: ['domain'],
  search: ['domain'],
  search_count: ['domain'],
  load: ['fields', 'data'],
};

interface XmlRpcClientLike {
  methodCall(method: string, params: unknown[], cb: (err: unknown, value: unknown) => void): void;
  headersProcessors?: {
    processors: Array<{ composeRequest(h: unknown): void; parseResponse(h: Record<string, unknown>): void }>;
  };
}

export class OdooTransport {
  protected readonly http: Got;
  protected readonly base: URL;
  protected readonly pageSize: number;
  protected readonly batchSize: number;
  protected readonly timeoutMs: number;
  protected versionInfo: Promise<{ serverVersion: string; major: number }> | undefined;
  /** The server's clock (HTTP `Date`) against ours, taken once: later reads of it cost no call. */
  protected clock: { server: number; local: number } | undefined;
  protected resolved: Promise<Transport> | undefined;
  protected uid: Promise<number> | undefined;
  protected readonly fieldsCache = new Map<string, Promise<Record<string, FieldInfo>>>();
  /** zod schemas of read rows, per model and field list. */
  protected readonly rowSchemas = new Map<string, ZodType>();

  constructor(
    protected readonly conn: OdooConnection,
    protected readonly ctx: ClientContext,
  ) {
    registerSecret(conn.apiKey);
    this.base = new URL(conn.url);
    this.pageSize = conn.pageSize ?? 200;
    this.batchSize = conn.batchSize ?? 100;
    this.timeoutMs = conn.timeoutMs ?? 60_000;
    this.http = createHttp({
      baseUrl: conn.url,
      timeoutMs: this.timeoutMs,
      headers: { 'x-odoo-database': conn.db },
    });
  }

  // ------------------------------------------------------------------ transports

  protected retry<T>(op: string, idempotent: boolean, fn: () => Promise<T>): Promise<T> {
    return withRetry(op, fn, {
      idempotent,
      ...(this.ctx.retry === undefined ? {} : { policy: this.ctx.retry }),
      onRetry: ({ attempt, delayMs, error }) =>
        this.ctx.log?.warn(`odoo ${op}: retry ${attempt} in ${delayMs} ms`, {
          code: error.code,
          connection: this.ctx.connection,
        }),
    });
  }

  /** One XML-RPC call (`/xmlrpc/2/<service>`), with a timeout; answers the value and the Date header. */
  protected async xmlCall(
    service: 'common' | 'object',
    method: string,
    params: unknown[],
    op: string,
  ): Promise<{ value: unknown; date?: string }> {
    const path = `${this.base.pathname.replace(/\/+$/, '')}/xmlrpc/2/${service}`;
    const controller = new AbortController();
    const options = {
      host: this.base.hostname,
      port: Number(this.base.port || (this.base.protocol === 'https:' ? 443 : 80)),
      path,
      headers: { 'User-Agent': USER_AGENT },
      signal: controller.signal,
    };
    // Loaded on first use: Odoo 19 and later speak JSON-2, and a pass there never needs it.
    const { default: xmlrpc } = await import('xmlrpc');
    const client = (this.base.protocol === 'https:'
      ? xmlrpc.createSecureClient(options)
      : xmlrpc.createClient(options)) as unknown as XmlRpcClientLike;
    let date: string | undefined;
    client.headersProcessors?.processors.push({
      composeRequest: () => undefined,
      parseResponse: (headers) => {
        if (typeof headers.date === 'string') date = headers.date;
      },
    });
    const started = Date.now();
    return new Promise<{ value: unknown; date?: string }>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        controller.abort();
        this.report(path, 'network', started);
        reject(
          new TransientError(`Odoo ${op}: timed out after ${this.timeoutMs} ms`, { code: 'http.timeout' }),
        );
      }, this.timeoutMs);
      client.methodCall(method, params, (err, value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!err) {
          this.report(path, 200, started);
          resolve(date === undefined ? { value } : { value, date });
          return;
        }
        reject(this.xmlError(err, op, path, started));
      });
    });
  }

  protected xmlError(err: unknown, op: string, path: string, started: number): MlcError {
    const e = err as {
      faultCode?: unknown;
      faultString?: unknown;
      res?: { statusCode?: number; headers?: Record<string, string | string[] | undefined> };
      body?: string;
      message?: string;
      code?: string;
    };
    if (typeof e.faultCode === 'number') {
      this.report(path, 200, started);
      return classifyOdooError({
        transport: 'xmlrpc',
        op,
        faultCode: e.faultCode,
        message: typeof e.faultString === 'string' ? e.faultString : '',
      });
    }
    const status = e.res?.statusCode;
    if (status !== undefined && status !== 200) {
      this.report(path, status, started);
      const retryAfterMs = parseRetryAfter(e.res?.headers?.['retry-after']);
      return classifyOdooError({
        transport: 'xmlrpc',
        op,
        status,
        message: e.body ?? e.message ?? '',
        html: /^\s*<(!doctype|html)/i.test(e.body ?? '') || e.message === 'Not Found',
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    if (status === 200) {
      this.report(path, 200, started);
      return new InternalError(`Odoo ${op}: unreadable XML-RPC answer: ${redact(e.message ?? String(err))}`, {
        code: 'odoo.bad_payload',
      });
    }
    this.report(path, 'network', started);
    return networkError(err, `Odoo ${op}`);
  }

  protected report(path: string, status: number | 'network', started: number): void {
    this.ctx.onRequest?.({ method: 'POST', path, status, ms: Date.now() - started });
  }

  /** One JSON-2 call: `POST /json/2/<model>/<method>` with named arguments (§1.4, §8). */
  protected async json2Call(
    model: string,
    method: string,
    body: Record<string, unknown>,
    op: string,
  ): Promise<unknown> {
    const path = `json/2/${model}/${method}`;
    const res = await sendCounted(
      this.ctx.onRequest,
      { method: 'POST', path: `/${path}`, what: `Odoo ${op}` },
      () =>
        this.http.post(path, {
          body: JSON.stringify(body),
          headers: {
            authorization: `bearer ${this.conn.apiKey}`,
            'content-type': 'application/json; charset=utf-8',
          },
        }),
    );
    const html = isHtml(res);
    if (res.statusCode === 200 && !html) {
      try {
        return JSON.parse(res.body) as unknown;
      } catch {
        throw new InternalError(`Odoo ${op}: answer is not JSON`, { code: 'odoo.bad_payload', status: 200 });
      }
    }
    let parsed: { name?: string | undefined; message?: string | undefined; debug?: string | undefined } = {};
    if (!html) {
      try {
        const check = json2ErrorSchema.safeParse(JSON.parse(res.body));
        if (check.success) parsed = check.data;
      } catch {
        parsed = { message: res.body.slice(0, 500) };
      }
    }
    const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
    throw classifyOdooError({
      transport: 'json2',
      op,
      status: res.statusCode,
      message: parsed.message ?? '',
      html,
      ...(parsed.name === undefined ? {} : { name: parsed.name }),
      ...(parsed.debug === undefined ? {} : { debug: parsed.debug }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  /**
   * One ORM call on the resolved transport. `ids` is given for record methods. JSON-2 takes every
   * argument by name (§1.4). XML-RPC takes a method's leading arguments positionally: `create` reads
   * `vals_list` from the positional list only and fails with an IndexError when it comes by name
   * (§9), so the leading parameters of POSITIONAL go in `args` and the optional ones in kwargs.
   */
  protected async orm(
    model: string,
    method: string,
    ids: number[] | undefined,
    kwargs: Record<string, unknown>,
  ): Promise<unknown> {
    const op = `${model}.${method}`;
    if ((await this.transport()) === 'json2') {
      return this.json2Call(model, method, { ...(ids === undefined ? {} : { ids }), ...kwargs }, op);
    }
    const uid = await this.authenticate();
    const args: unknown[] = ids === undefined ? [] : [ids];
    const named = { ...kwargs };
    for (const name of POSITIONAL[method] ?? []) {
      if (!(name in named)) break;
      args.push(named[name]);
      delete named[name];
    }
    const { value } = await this.xmlCall(
      'object',
      'execute_kw',
      [this.conn.db, uid, this.conn.apiKey, model, method, args, named],
      op,
    );
    return value;
  }

  // ------------------------------------------------------------------ public API

  /** `common.version` (XML-RPC) or `GET /web/version`; no authentication. */
  version(): Promise<{ serverVersion: string; major: number }> {
    this.versionInfo ??= this.retry('odoo.version', true, () => this.fetchVersion()).then(
      ({ serverVersion, major }) => ({ serverVersion, major }),
      (err: unknown) => {
        this.versionInfo = undefined;
        throw err;
      },
    );
    return this.versionInfo;
  }

  protected async fetchVersion(): Promise<{ serverVersion: string; major: number; date?: string }> {
    const version = await this.fetchVersionOnce();
    const at = version.date === undefined ? NaN : Date.parse(version.date);
    if (!Number.isNaN(at)) this.clock = { server: at, local: Date.now() };
    return version;
  }

  protected async fetchVersionOnce(): Promise<{ serverVersion: string; major: number; date?: string }> {
    if (this.conn.transport !== 'xmlrpc') {
      const web = await this.webVersion();
      if (web) return web;
    }
    const { value, date } = await this.xmlCall('common', 'version', [], 'common.version');
    const parsed = xmlrpcVersionSchema.safeParse(value);
    if (!parsed.success)
      throw new InternalError('Odoo common.version: unexpected answer', { code: 'odoo.bad_payload' });
    return {
      serverVersion: parsed.data.server_version,
      major: majorVersion(parsed.data.server_version, parsed.data.server_version_info),
      ...(date === undefined ? {} : { date }),
    };
  }

  /** `GET /web/version`, or undefined when this server does not answer it with JSON. */
  protected async webVersion(): Promise<{ serverVersion: string; major: number; date?: string } | undefined> {
    const started = Date.now();
    let res;
    try {
      res = await this.http.get('web/version');
    } catch (err) {
      throw networkError(err, 'Odoo GET /web/version');
    }
    this.ctx.onRequest?.({
      method: 'GET',
      path: '/web/version',
      status: res.statusCode,
      ms: Date.now() - started,
    });
    if (res.statusCode === 429 || res.statusCode >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
      throw classifyOdooError({
        transport: 'json2',
        op: 'GET /web/version',
        status: res.statusCode,
        message: '',
        html: isHtml(res),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    if (res.statusCode !== 200 || isHtml(res)) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return undefined;
    }
    const parsed = webVersionSchema.safeParse(body);
    if (!parsed.success) return undefined;
    const date = res.headers.date;
    return {
      serverVersion: parsed.data.version,
      major: majorVersion(parsed.data.version, parsed.data.version_info),
      ...(date === undefined ? {} : { date }),
    };
  }

  /** The transport in use: the configured one, or for `auto` JSON-2 on 19+ and XML-RPC below. */
  transport(): Promise<Transport> {
    if (this.conn.transport !== 'auto') return Promise.resolve(this.conn.transport);
    this.resolved ??= this.version().then(
      (v) => (v.major >= 19 ? 'json2' : 'xmlrpc'),
      (err: unknown) => {
        this.resolved = undefined;
        throw err;
      },
    );
    return this.resolved;
  }

  /** uid of the key's user. AuthError `odoo.auth_failed` when Odoo answers `False` (§1.2) or 401. */
  authenticate(): Promise<number> {
    this.uid ??= this.doAuthenticate().catch((err: unknown) => {
      this.uid = undefined;
      throw err;
    });
    return this.uid;
  }

  protected async doAuthenticate(): Promise<number> {
    if ((await this.transport()) === 'json2') {
      const ctx = await this.retry('odoo.context_get', true, () =>
        this.json2Call('res.users', 'context_get', {}, 'res.users.context_get'),
      );
      const parsed = contextGetSchema.safeParse(ctx);
      if (!parsed.success)
        throw new InternalError('Odoo res.users.context_get: no uid in the answer', {
          code: 'odoo.bad_payload',
        });
      return parsed.data.uid;
    }
    const { value } = await this.retry('odoo.authenticate', true, () =>
      this.xmlCall(
        'common',
        'authenticate',
        [this.conn.db, this.conn.login, this.conn.apiKey, {}],
        'common.authenticate',
      ),
    );
    // §1.2/§8: bad credentials (and the login cooldown) answer `False`, not a fault.
    if (typeof value !== 'number' || value <= 0) {
      throw new AuthError(`Odoo refused the credentials of ${this.conn.login} on database ${this.conn.db}`, {
        code: 'odoo.auth_failed',
        hint: 'Check db, login and the API key. After 5 failures Odoo also refuses good keys from this address for about a minute: wait before retrying.',
      });
    }
    return value;
  }

  /**
   * Server time from the HTTP `Date` header of a cheap unauthenticated call (never the local clock
   * alone). The header is taken once per client and carried forward by the local clock's elapsed
   * time; it is truncated to the second, so the estimate never runs ahead of the server (a window
   * that ends a little early is read on by the next pass).
   */
  async serverTime(): Promise<Date> {
    if (!this.clock) await this.version().catch(() => undefined);
    if (this.clock) {
      // Whole seconds, as the header gives them.
      const now = this.clock.server + (Date.now() - this.clock.local);
      return new Date(now - (now % 1000));
    }
    const v = await this.retry('odoo.server_time', true, () => this.fetchVersion());
    const at = v.date === undefined ? NaN : Date.parse(v.date);
    if (Number.isNaN(at))
      throw new InternalError('Odoo answered without a Date header', { code: 'odoo.no_server_time' });
    return new Date(at);
  }

  async close(): Promise<void> {
    const agents = this.http.defaults.options.agent as { http?: HttpAgent; https?: HttpAgent };
    agents.http?.destroy();
    agents.https?.destroy();
  }
}
