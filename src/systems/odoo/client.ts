/**
 * Odoo client over XML-RPC (`/xmlrpc/2/*`, all versions) and JSON-2 (`/json/2/<model>/<method>`,
 * 19+), behind one interface (api notes §1). Business semantics are identical on both transports.
 */
import type { Got } from 'got';
import type { ZodType } from 'zod';
import type { Agent as HttpAgent } from 'node:http';
import {
  AuthError,
  ConfigError,
  InternalError,
  RecordError,
  TransientError,
  isMlcError,
  type MlcError,
} from '../../errors.js';
import { USER_AGENT, createHttp, isHtml, networkError } from '../../http/client.js';
import { redact, registerSecret } from '../../http/redact.js';
import { parseRetryAfter, withRetry } from '../../http/retry.js';
import type { ClientContext, PingCheck, PingResult, ReadWindow } from '../types.js';
import { FIELD_ALIASES } from './entities.js';
import {
  contextGetSchema,
  domainDatetime,
  fieldsGetSchema,
  idListSchema,
  json2ErrorSchema,
  majorVersion,
  rowsSchemaFor,
  webVersionSchema,
  xmlrpcVersionSchema,
} from './schemas.js';

/** Connection settings of one Odoo instance. */
export interface OdooConnection {
  /** Base URL, e.g. `http://127.0.0.1:41234` or `https://acme.odoo.com`. */
  url: string;
  db: string;
  login: string;
  apiKey: string;
  /** `auto`: JSON-2 on 19+, XML-RPC below, decided from `version()`. */
  transport: 'auto' | 'xmlrpc' | 'json2';
  timeoutMs?: number;
  /** Rows per read page; default 200. */
  pageSize?: number;
  /** Rows per create call; default 100 (§3). */
  batchSize?: number;
}

/** One record as read: Odoo's `false` for empty is turned into null for non-boolean fields. */
export type OdooRow = Record<string, unknown> & { id: number };

export interface FieldInfo {
  type: string;
  string?: string;
  relation?: string;
  required?: boolean;
}

export interface UpsertResult {
  ref: string;
  id?: number;
  created?: boolean;
  error?: RecordError;
}

type Transport = 'xmlrpc' | 'json2';

/** What the error table reads from a failed call. */
export interface OdooFailure {
  transport: Transport;
  /** e.g. `purchase.order.search_read`. */
  op: string;
  status?: number;
  faultCode?: number;
  /** JSON-2 `name` (Python exception path). */
  name?: string;
  message: string;
  debug?: string;
  html?: boolean;
  retryAfterMs?: number;
}

const COOLDOWN = /too many login failures/i;
const SERIALIZATION =
  /could not serialize access|SerializationFailure|deadlock detected|LockNotAvailable|could not obtain lock/i;

/** A traceback's last line (it carries the exception); other messages whole, on one line. */
function summary(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (/^Traceback/.test(text.trim())) return lines[lines.length - 1] ?? text;
  return lines.join(' ');
}

function text(f: OdooFailure): string {
  return `${f.message}\n${f.debug ?? ''}`;
}

/**
 * THE error table (api notes §1.2 fault codes, §1.4 statuses, §5, §8): XML-RPC faults 1–4, JSON-2
 * statuses, HTML answers, `authenticate` → False (handled where it is returned). First match wins.
 */
const ERROR_TABLE: Array<{
  when: (f: OdooFailure) => boolean;
  make: (f: OdooFailure, msg: string) => MlcError;
}> = [
  {
    when: (f) => f.status === 429,
    make: (f, msg) =>
      new TransientError(msg, {
        code: 'odoo.rate_limited',
        status: 429,
        ...(f.retryAfterMs === undefined ? {} : { retryAfterMs: f.retryAfterMs }),
      }),
  },
  {
    when: (f) => f.status === 502 || f.status === 503 || f.status === 504,
    make: (f, msg) =>
      new TransientError(msg, {
        code: 'odoo.unavailable',
        status: f.status as number,
        hint: 'The Odoo front or a worker did not answer (limit_time_real, restart); retried later.',
        ...(f.retryAfterMs === undefined ? {} : { retryAfterMs: f.retryAfterMs }),
      }),
  },
  {
    // §5: serialization failures that outlived the server's own 5 retries: fault 1 / 500.
    when: (f) => (f.faultCode === 1 || f.status === 500) && SERIALIZATION.test(text(f)),
    make: (f, msg) => new TransientError(msg, { code: 'odoo.serialization_failure', ...statusOf(f) }),
  },
  {
    when: (f) => (f.faultCode === 3 || f.status === 401 || f.status === 403) && COOLDOWN.test(f.message),
    make: (f, msg) =>
      new AuthError(msg, {
        code: 'odoo.login_cooldown',
        ...statusOf(f),
        hint: 'Odoo blocks logins from this address for about a minute after repeated failures. Wait before trying again, and fix the API key first: retrying a wrong key restarts the cooldown.',
      }),
  },
  {
    when: (f) => f.faultCode === 3 || f.status === 401,
    make: (f, msg) =>
      new AuthError(msg, {
        code: 'odoo.auth_failed',
        ...statusOf(f),
        hint: 'Check db, login and the API key (Preferences → Account Security). Keys expire (at most ~3 months on Odoo 19) and only keys with global scope work for RPC.',
      }),
  },
  {
    // §9: XML-RPC fault 1 for a method returning None; it ran and committed before the answer failed.
    when: (f) => f.faultCode === 1 && /cannot marshal None/.test(text(f)),
    make: (f, msg) => new InternalError(msg, { code: 'odoo.returned_none', ...statusOf(f) }),
  },
  {
    when: (f) => (f.faultCode === 4 || f.status === 403) && /^Private methods/.test(f.message),
    make: (f, msg) => new ConfigError(msg, { code: 'odoo.private_method', ...statusOf(f) }),
  },
  {
    // §9: a context naming a company the user may not use.
    when: (f) =>
      (f.faultCode === 4 || f.status === 403) && /unauthorized or invalid companies/.test(f.message),
    make: (f, msg) =>
      new ConfigError(msg, {
        code: 'odoo.company_not_allowed',
        ...statusOf(f),
        hint: "A configured company is not among the bot user's allowed companies (res.users company_ids); add it to the user or remove it from the pair's companies.",
      }),
  },
  {
    // §9: a uid that no longer exists answers MissingError on res.users (fault 2), not fault 3.
    when: (f) => f.faultCode === 2 && /\(Record: res\.users\(/.test(f.message),
    make: (f, msg) =>
      new AuthError(msg, {
        code: 'odoo.auth_failed',
        ...statusOf(f),
        hint: 'The user of this API key no longer exists; check the login and the key.',
      }),
  },
  {
    when: (f) => f.faultCode === 4 || f.status === 403,
    make: (f, msg) =>
      new AuthError(msg, {
        code: 'odoo.access_error',
        ...statusOf(f),
        hint: "The Odoo user lacks access rights for this model or record; grant the bot user's groups.",
      }),
  },
  {
    when: (f) => f.status === 404 && f.html === true,
    make: (f, msg) =>
      new ConfigError(msg, {
        code: 'odoo.not_found',
        status: 404,
        hint:
          f.transport === 'json2'
            ? 'Unknown database (X-Odoo-Database) or no JSON-2 route (JSON-2 needs Odoo 19+; use transport xmlrpc).'
            : 'No XML-RPC endpoint at this URL.',
      }),
  },
  {
    when: (f) => /database "[^"]*" does not exist/.test(text(f)),
    make: (f, msg) =>
      new ConfigError(msg, {
        code: 'odoo.unknown_database',
        ...statusOf(f),
        hint: 'Check the db name of the connection.',
      }),
  },
  {
    // §8: bad field in fields/domain/order/vals → fault 1 / 500 ValueError.
    when: (f) => (f.faultCode === 1 || f.status === 500) && /Invalid field/.test(text(f)),
    make: (f, msg) => {
      // "Invalid field 'x' on model 'm'" (fields, order, vals) or "Invalid field m.x in leaf ('x', …)" (domain).
      // §9: the field-list variant says "on 'm'", the order variant "on model 'm'".
      const m =
        /Invalid field '([\w.]+)' on (?:model )?'([\w.]+)'|Invalid field ([\w.]+) in (?:leaf|condition) \('([\w.]+)'/.exec(
          text(f),
        );
      const field = m?.[1] ?? m?.[4] ?? null;
      const model = m?.[2] ?? (m?.[3] && m[4] ? m[3].slice(0, m[3].length - m[4].length - 1) : null);
      return new ConfigError(msg, {
        code: 'odoo.bad_field',
        ...statusOf(f),
        hint: `Field ${field ?? '?'} does not exist on this Odoo version; check the mapping (fields differ between 17, 18 and 19).`,
        data: { field, model },
      });
    },
  },
  {
    when: (f) => /expecting only datetimes with no timezone/.test(text(f)),
    make: (f, msg) => new InternalError(msg, { code: 'odoo.bad_datetime', ...statusOf(f) }),
  },
  {
    when: (f) =>
      (f.faultCode === 2 && /^Object .* doesn't exist/.test(f.message)) ||
      (f.status === 404 && /the model '.*' does not exist/.test(f.message)),
    make: (f, msg) =>
      new ConfigError(msg, {
        code: 'odoo.unknown_model',
        ...statusOf(f),
        hint: 'The model does not exist on this server (module not installed?).',
      }),
  },
  {
    // JSON-2 answers a wrong route or verb with a JSON 404 suggesting the right one (§9).
    when: (f) => f.status === 404 && /Did you mean POST/.test(f.message),
    make: (f, msg) => new InternalError(msg, { code: 'odoo.bad_route', status: 404 }),
  },
  {
    when: (f) =>
      (f.status === 404 && f.name === 'werkzeug.exceptions.NotFound') ||
      (f.faultCode === 1 && /AttributeError: .*does not exist/.test(text(f))),
    make: (f, msg) => new ConfigError(msg, { code: 'odoo.unknown_method', ...statusOf(f) }),
  },
  {
    when: (f) =>
      f.status === 404 ||
      ((f.faultCode === 2 || f.status === 422) &&
        /Record does not exist or has been deleted/.test(f.message)),
    make: (f, msg) => new RecordError(msg, { code: 'odoo.missing_record', ...statusOf(f) }),
  },
  {
    when: (f) => f.status === 409,
    make: (f, msg) => new TransientError(msg, { code: 'odoo.locked', status: 409 }),
  },
  {
    when: (f) => f.status === 422 && f.name === 'werkzeug.exceptions.UnprocessableEntity',
    make: (f, msg) => new InternalError(msg, { code: 'odoo.bad_arguments', status: 422 }),
  },
  {
    when: (f) => f.faultCode === 2 || f.status === 422,
    make: (f, msg) => new RecordError(msg, { code: 'odoo.validation', ...statusOf(f) }),
  },
  {
    when: (f) => (f.faultCode === 1 || f.status === 500) && /Wrong value for/.test(text(f)),
    make: (f, msg) => new RecordError(msg, { code: 'odoo.bad_value', ...statusOf(f) }),
  },
  {
    when: (f) => f.status === 415,
    make: (f, msg) => new InternalError(msg, { code: 'odoo.bad_content_type', status: 415 }),
  },
  {
    when: (f) => f.status === 400,
    make: (f, msg) => new InternalError(msg, { code: 'odoo.bad_request', status: 400 }),
  },
  {
    when: (f) => f.faultCode === 1 || f.status === 500,
    make: (f, msg) => new InternalError(msg, { code: 'odoo.server_error', ...statusOf(f) }),
  },
  {
    when: (f) => f.status !== undefined && f.status >= 500,
    make: (f, msg) => new TransientError(msg, { code: 'odoo.unavailable', status: f.status as number }),
  },
];

function statusOf(f: OdooFailure): { status?: number } {
  const status = f.status ?? f.faultCode;
  return status === undefined ? {} : { status };
}

/** Maps one failed Odoo call to mlc's error set (see ERROR_TABLE). */
export function classifyOdooError(f: OdooFailure): MlcError {
  const where = f.faultCode !== undefined ? `fault ${f.faultCode}` : `HTTP ${f.status ?? '?'}`;
  const detail = f.html ? 'HTML answer' : summary(f.message || f.debug || '');
  const msg = redact(`Odoo ${f.op} failed (${f.transport}, ${where}): ${detail}`);
  for (const rule of ERROR_TABLE) if (rule.when(f)) return rule.make(f, msg);
  return new InternalError(msg, { code: 'odoo.unexpected', ...statusOf(f) });
}

/** The leading parameters each ORM method takes positionally over XML-RPC (§9), in order. */
const POSITIONAL: Record<string, string[]> = {
  create: ['vals_list'],
  has_access: ['operation'],
  check_access_rights: ['operation'],
  write: ['vals'],
  search_read: ['domain'],
  search: ['domain'],
  search_count: ['domain'],
};

interface XmlRpcClientLike {
  methodCall(method: string, params: unknown[], cb: (err: unknown, value: unknown) => void): void;
  headersProcessors?: {
    processors: Array<{ composeRequest(h: unknown): void; parseResponse(h: Record<string, unknown>): void }>;
  };
}

export class OdooClient {
  private readonly http: Got;
  private readonly base: URL;
  private readonly pageSize: number;
  private readonly batchSize: number;
  private readonly timeoutMs: number;
  private versionInfo: Promise<{ serverVersion: string; major: number }> | undefined;
  /** The server's clock (HTTP `Date`) against ours, taken once: later reads of it cost no call. */
  private clock: { server: number; local: number } | undefined;
  private resolved: Promise<Transport> | undefined;
  private uid: Promise<number> | undefined;
  private readonly fieldsCache = new Map<string, Promise<Record<string, FieldInfo>>>();
  /** zod schemas of read rows, per model and field list. */
  private readonly rowSchemas = new Map<string, ZodType>();

  constructor(
    private readonly conn: OdooConnection,
    private readonly ctx: ClientContext,
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

  private retry<T>(op: string, idempotent: boolean, fn: () => Promise<T>): Promise<T> {
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
  private async xmlCall(
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

  private xmlError(err: unknown, op: string, path: string, started: number): MlcError {
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

  private report(path: string, status: number | 'network', started: number): void {
    this.ctx.onRequest?.({ method: 'POST', path, status, ms: Date.now() - started });
  }

  /** One JSON-2 call: `POST /json/2/<model>/<method>` with named arguments (§1.4, §8). */
  private async json2Call(
    model: string,
    method: string,
    body: Record<string, unknown>,
    op: string,
  ): Promise<unknown> {
    const path = `json/2/${model}/${method}`;
    const started = Date.now();
    let res;
    try {
      res = await this.http.post(path, {
        body: JSON.stringify(body),
        headers: {
          authorization: `bearer ${this.conn.apiKey}`,
          'content-type': 'application/json; charset=utf-8',
        },
      });
    } catch (err) {
      this.ctx.onRequest?.({ method: 'POST', path: `/${path}`, status: 'network', ms: Date.now() - started });
      throw networkError(err, `Odoo ${op}`);
    }
    this.ctx.onRequest?.({
      method: 'POST',
      path: `/${path}`,
      status: res.statusCode,
      ms: Date.now() - started,
    });
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
  private async orm(
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

  private async fetchVersion(): Promise<{ serverVersion: string; major: number; date?: string }> {
    const version = await this.fetchVersionOnce();
    const at = version.date === undefined ? NaN : Date.parse(version.date);
    if (!Number.isNaN(at)) this.clock = { server: at, local: Date.now() };
    return version;
  }

  private async fetchVersionOnce(): Promise<{ serverVersion: string; major: number; date?: string }> {
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
  private async webVersion(): Promise<{ serverVersion: string; major: number; date?: string } | undefined> {
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

  private async doAuthenticate(): Promise<number> {
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

  /** `search_read` with an explicit field list; rows validated and `false` → null (non-boolean fields). */
  async searchRead(
    model: string,
    domain: unknown[],
    opts: {
      fields: string[];
      order?: string;
      limit?: number;
      offset?: number;
      context?: Record<string, unknown>;
    },
  ): Promise<OdooRow[]> {
    if (opts.fields.length === 0) {
      throw new InternalError(`searchRead(${model}) needs an explicit field list`, {
        code: 'odoo.no_fields',
      });
    }
    const kwargs: Record<string, unknown> = { domain, fields: opts.fields };
    if (opts.order !== undefined) kwargs.order = opts.order;
    if (opts.limit !== undefined) kwargs.limit = opts.limit;
    if (opts.offset !== undefined) kwargs.offset = opts.offset;
    if (opts.context !== undefined) kwargs.context = opts.context;
    const raw = await this.retry(`odoo.${model}.search_read`, true, () =>
      this.orm(model, 'search_read', undefined, kwargs),
    );
    return this.parseRows(model, raw, opts.fields);
  }

  /**
   * The windowed id-keyset loop (api notes §2.3): `write_date >= since`, `< until`, `id > last`,
   * `order id asc`, pages of `pageSize`; a short page ends it. `>=` (not `>`) because Odoo 19 rounds
   * `>` up to the next whole second (§8). Offsets are never used (§6.4).
   */
  async *readChanged(
    model: string,
    opts: {
      fields: string[];
      window: ReadWindow;
      domain?: unknown[];
      pageSize?: number;
      activeTest?: boolean;
      /** Extra context, e.g. `allowed_company_ids` for company-dependent values (§9). */
      context?: Record<string, unknown>;
    },
  ): AsyncGenerator<OdooRow[]> {
    const pageSize = opts.pageSize ?? this.pageSize;
    const { since, until } = opts.window;
    const windowDomain: unknown[] = [...(opts.domain ?? [])];
    // Second-aligned bounds: since floored, until rounded up, so that no stored microsecond falls
    // between two consecutive windows.
    if (since)
      windowDomain.push([
        'write_date',
        '>=',
        domainDatetime(new Date(Math.floor(since.getTime() / 1000) * 1000)),
      ]);
    windowDomain.push([
      'write_date',
      '<',
      domainDatetime(new Date(Math.ceil(until.getTime() / 1000) * 1000)),
    ]);
    const merged = { ...(opts.activeTest === false ? { active_test: false } : {}), ...opts.context };
    const context = Object.keys(merged).length > 0 ? merged : undefined;
    let lastId = 0;
    while (true) {
      const page = await this.searchRead(model, [...windowDomain, ['id', '>', lastId]], {
        fields: opts.fields,
        order: 'id asc',
        limit: pageSize,
        ...(context === undefined ? {} : { context }),
      });
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      lastId = (page[page.length - 1] as OdooRow).id;
    }
  }

  /** `read` of ids; a missing id is simply absent from the answer (§8). */
  async read(model: string, ids: number[], fields: string[]): Promise<OdooRow[]> {
    if (ids.length === 0) return [];
    const raw = await this.retry(`odoo.${model}.read`, true, () => this.orm(model, 'read', ids, { fields }));
    return this.parseRows(model, raw, fields);
  }

  /**
   * Batch create (`batchSize` per call). Never retried unless the request provably was not sent: a
   * create that committed but lost its answer would be repeated. Idempotent writes go through
   * `upsertByRef`.
   */
  async create(model: string, valsList: Record<string, unknown>[]): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < valsList.length; i += this.batchSize) {
      ids.push(
        ...(await this.retry(`odoo.${model}.create`, false, () =>
          this.createOnce(model, valsList.slice(i, i + this.batchSize)),
        )),
      );
    }
    return ids;
  }

  /** One create call; JSON-2 answers a list, XML-RPC an int for a single dict (§6.11): both → number[]. */
  private async createOnce(model: string, batch: Record<string, unknown>[]): Promise<number[]> {
    const single = batch.length === 1 && (await this.transport()) === 'xmlrpc';
    const raw = await this.orm(model, 'create', undefined, { vals_list: single ? batch[0] : batch });
    const ids = typeof raw === 'number' ? [raw] : idListSchema.safeParse(raw).data;
    if (!ids || ids.length !== batch.length) {
      throw new InternalError(
        `Odoo ${model}.create: expected ${batch.length} ids, got ${JSON.stringify(raw)}`,
        { code: 'odoo.bad_payload' },
      );
    }
    return ids;
  }

  /** `write(ids, vals)`; writing the same values twice is harmless, so it is retried. */
  async write(model: string, ids: number[], vals: Record<string, unknown>): Promise<void> {
    if (ids.length === 0) return;
    await this.retry(`odoo.${model}.write`, true, () => this.orm(model, 'write', ids, { vals }));
  }

  /**
   * Idempotent upsert keyed by a reference field (api notes §3): one `search_read` with `in` finds
   * the existing rows, which are written; the rest are batch-created. A create that fails
   * transiently is followed by a read-back by ref before it is retried, so a create that committed
   * without its answer reaching us is not repeated. A batch refused as a whole (fault 2 / 422) is
   * retried row by row; per-row failures are returned, not thrown.
   */
  async upsertByRef(
    model: string,
    refField: string,
    rows: { ref: string; vals: Record<string, unknown> }[],
  ): Promise<UpsertResult[]> {
    const byRef = new Map<string, Record<string, unknown>>();
    for (const row of rows) byRef.set(row.ref, row.vals);
    const refs = [...byRef.keys()];
    const outcome = new Map<string, UpsertResult>();
    const existing = await this.findByRef(model, refField, refs);
    for (const [ref, id] of existing) {
      try {
        await this.write(model, [id], byRef.get(ref) as Record<string, unknown>);
        outcome.set(ref, { ref, id, created: false });
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        outcome.set(ref, { ref, id, error: err });
      }
    }
    const missing = refs.filter((ref) => !existing.has(ref));
    for (let i = 0; i < missing.length; i += this.batchSize) {
      const batch = missing.slice(i, i + this.batchSize);
      try {
        const ids = await this.createByRef(model, refField, batch, byRef);
        for (const ref of batch) outcome.set(ref, { ref, id: ids.get(ref) as number, created: true });
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        if (batch.length === 1) {
          outcome.set(batch[0] as string, { ref: batch[0] as string, error: err });
          continue;
        }
        // One bad row rolls back the whole batch (§3): isolate it.
        for (const ref of batch) {
          try {
            const ids = await this.createByRef(model, refField, [ref], byRef);
            outcome.set(ref, { ref, id: ids.get(ref) as number, created: true });
          } catch (rowErr) {
            if (!(rowErr instanceof RecordError)) throw rowErr;
            outcome.set(ref, { ref, error: rowErr });
          }
        }
      }
    }
    return rows.map((row) => outcome.get(row.ref) ?? { ref: row.ref });
  }

  /** Creates the rows of `refs`; on retry, first reads back by ref what an earlier attempt committed. */
  private async createByRef(
    model: string,
    refField: string,
    refs: string[],
    byRef: Map<string, Record<string, unknown>>,
  ): Promise<Map<string, number>> {
    const done = new Map<string, number>();
    await this.retry(`odoo.${model}.upsert_create`, true, async (attempt?: number) => {
      if (attempt !== undefined && attempt > 1) {
        for (const [ref, id] of await this.findByRef(
          model,
          refField,
          refs.filter((r) => !done.has(r)),
        ))
          done.set(ref, id);
      }
      const todo = refs.filter((r) => !done.has(r));
      if (todo.length === 0) return;
      const ids = await this.createOnce(
        model,
        todo.map((ref) => ({ ...(byRef.get(ref) as Record<string, unknown>), [refField]: ref })),
      );
      todo.forEach((ref, i) => done.set(ref, ids[i] as number));
    });
    return done;
  }

  /** ref → id of existing rows (archived included); the lowest id wins when a ref is duplicated. */
  private async findByRef(model: string, refField: string, refs: string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (let i = 0; i < refs.length; i += this.pageSize) {
      const chunk = refs.slice(i, i + this.pageSize);
      const rows = await this.searchRead(model, [[refField, 'in', chunk]], {
        fields: [refField],
        order: 'id asc',
        context: { active_test: false },
      });
      for (const row of rows) {
        const ref = row[refField];
        if (typeof ref === 'string' && !found.has(ref)) found.set(ref, row.id);
      }
    }
    return found;
  }

  /** A business method on records (`button_confirm`, `action_post`…). Not retried: it may not be idempotent. */
  async callMethod(
    model: string,
    method: string,
    ids: number[],
    kwargs: Record<string, unknown> = {},
  ): Promise<unknown> {
    try {
      return await this.retry(`odoo.${model}.${method}`, false, () => this.orm(model, method, ids, kwargs));
    } catch (err) {
      // §9: over XML-RPC a method returning None answers fault 1 after its transaction committed.
      // The action happened: confirm the records are still there and answer null, as JSON-2 does.
      if (!(isMlcError(err) && err.code === 'odoo.returned_none')) throw err;
      const back = await this.read(model, ids, ['id']);
      if (back.length !== ids.length) {
        throw new RecordError(
          `Odoo ${model}.${method}: ran, but ${ids.length - back.length} record(s) are gone`,
          {
            code: 'odoo.missing_record',
          },
        );
      }
      return null;
    }
  }

  /**
   * Starts `fields_get` for several models at once (the flows need each before their first read);
   * failures are left for the call that needs the model to report.
   */
  prefetchFields(models: readonly string[]): void {
    for (const model of models) this.fieldsGet(model).catch(() => undefined);
  }

  /** `fields_get` (type, string, relation, required), cached per model. */
  fieldsGet(model: string): Promise<Record<string, FieldInfo>> {
    let cached = this.fieldsCache.get(model);
    if (!cached) {
      cached = this.retry(`odoo.${model}.fields_get`, true, () =>
        this.orm(model, 'fields_get', undefined, { attributes: ['type', 'string', 'relation', 'required'] }),
      ).then((raw) => {
        const parsed = fieldsGetSchema.safeParse(raw);
        if (!parsed.success)
          throw new InternalError(`Odoo ${model}.fields_get: unexpected answer`, {
            code: 'odoo.bad_payload',
          });
        const out: Record<string, FieldInfo> = {};
        for (const [name, info] of Object.entries(parsed.data)) {
          out[name] = {
            type: info.type,
            ...(info.string === undefined ? {} : { string: info.string }),
            ...(info.relation === undefined ? {} : { relation: info.relation }),
            ...(info.required === undefined ? {} : { required: info.required }),
          };
        }
        return out;
      });
      cached.catch(() => this.fieldsCache.delete(model));
      this.fieldsCache.set(model, cached);
    }
    return cached;
  }

  /** This server's name for a logical field (e.g. PO line `tax_ids` vs `taxes_id`, §4/§8). */
  async fieldName(model: string, logical: string): Promise<string> {
    const fields = await this.fieldsGet(model);
    const candidates = FIELD_ALIASES[model]?.[logical] ?? [logical];
    const found = candidates.find((c) => c in fields);
    if (!found) {
      throw new ConfigError(`Odoo model ${model} has no field ${candidates.join(' / ')} on this server`, {
        code: 'odoo.missing_field',
        data: { model, field: logical },
      });
    }
    return found;
  }

  /**
   * Whether the user may `operation` records of `model` (ACLs): `has_access` from 18,
   * `check_access_rights(operation, raise_exception=False)` before (api notes §9).
   */
  async hasAccess(model: string, operation: 'read' | 'write' | 'create' | 'unlink'): Promise<boolean> {
    const major = (await this.version()).major;
    const raw = await this.retry(`odoo.${model}.has_access`, true, () =>
      major >= 18
        ? this.orm(model, 'has_access', [], { operation })
        : this.orm(model, 'check_access_rights', undefined, { operation, raise_exception: false }),
    );
    if (typeof raw !== 'boolean')
      throw new InternalError(`Odoo ${model} access check: expected a boolean, got ${JSON.stringify(raw)}`, {
        code: 'odoo.bad_payload',
      });
    return raw;
  }

  /**
   * Version, authentication and, per model a flow uses: its fields exist, one real read
   * (`search_read` limit 1: `fields_get` answers even without read rights, §9), and the write
   * rights (`access`) a flow needs.
   */
  async ping(
    required: Record<string, string[]> = {},
    access: Record<string, Array<'write' | 'create' | 'unlink'>> = {},
  ): Promise<PingResult> {
    const checks: PingCheck[] = [];
    let serverVersion: string | undefined;
    const step = async (name: string, fn: () => Promise<string>): Promise<boolean> => {
      try {
        checks.push({ name, ok: true, detail: await fn() });
        return true;
      } catch (err) {
        const e = isMlcError(err) ? err : new InternalError(String(err), { code: 'internal.unexpected' });
        checks.push({ name, ok: false, detail: redact(`${e.message}${e.hint ? ` — ${e.hint}` : ''}`) });
        return false;
      }
    };
    const reachable = await step('version', async () => {
      const v = await this.version();
      serverVersion = v.serverVersion;
      return `Odoo ${v.serverVersion} (${await this.transport()})`;
    });
    const authed =
      reachable &&
      (await step(
        'authenticate',
        async () => `uid ${await this.authenticate()} (${this.conn.login}@${this.conn.db})`,
      ));
    if (authed) {
      for (const [model, fields] of Object.entries(required)) {
        await step(`model ${model}`, async () => {
          const have = await this.fieldsGet(model);
          const missing: string[] = [];
          for (const f of fields) {
            const candidates = FIELD_ALIASES[model]?.[f] ?? [f];
            if (!candidates.some((c) => c in have)) missing.push(f);
          }
          if (missing.length > 0) {
            throw new ConfigError(`missing fields on ${model}: ${missing.join(', ')}`, {
              code: 'odoo.missing_field',
              data: { model, missing },
            });
          }
          await this.searchRead(model, [], { fields: ['id'], limit: 1 });
          return `${fields.length} fields present, readable`;
        });
      }
      for (const [model, ops] of Object.entries(access)) {
        await step(`rights ${model}`, async () => {
          const refused: string[] = [];
          for (const op of ops) if (!(await this.hasAccess(model, op))) refused.push(op);
          if (refused.length > 0) {
            throw new AuthError(
              `the Odoo user ${this.conn.login} may not ${refused.join(', ')} ${model} records`,
              {
                code: 'odoo.access_error',
                hint: "grant the bot user's groups the rights a flow needs (Settings > Users > Access Rights)",
                data: { model, refused },
              },
            );
          }
          return `may ${ops.join(', ')}`;
        });
      }
    }
    return {
      connection: this.ctx.connection,
      system: 'odoo',
      url: this.conn.url,
      ok: checks.every((c) => c.ok),
      ...(serverVersion === undefined ? {} : { serverVersion }),
      checks,
    };
  }

  async close(): Promise<void> {
    const agents = this.http.defaults.options.agent as { http?: HttpAgent; https?: HttpAgent };
    agents.http?.destroy();
    agents.https?.destroy();
  }

  // ------------------------------------------------------------------ parsing

  /** Validates raw rows with zod by field type and maps `false` → null for non-boolean fields. */
  private async parseRows(model: string, raw: unknown, fields: string[]): Promise<OdooRow[]> {
    if (!Array.isArray(raw))
      throw new InternalError(`Odoo ${model}: expected a list of rows`, { code: 'odoo.bad_payload' });
    const types = await this.fieldsGet(model);
    const typeOf = (f: string): string => types[f]?.type ?? 'unknown';
    const key = `${model}:${fields.join(',')}`;
    let schema = this.rowSchemas.get(key);
    if (!schema) this.rowSchemas.set(key, (schema = rowsSchemaFor(fields, typeOf)));
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const [index, field] = (issue?.path ?? []) as [number | undefined, string | undefined];
      if (field === undefined || field === 'id')
        throw new InternalError(`Odoo ${model}: row without an integer id`, { code: 'odoo.bad_payload' });
      const value = (raw[index ?? 0] as Record<string, unknown> | undefined)?.[field];
      throw new InternalError(
        `Odoo ${model}.${field}: unexpected value ${redact(JSON.stringify(value) ?? 'undefined').slice(0, 120)} (${issue?.message ?? 'invalid'})`,
        { code: 'odoo.bad_payload', data: { model, field, type: typeOf(field) } },
      );
    }
    const rows = parsed.data as OdooRow[];
    // Odoo's `false` for empty is null here, except in boolean fields.
    const nullable = fields.filter((f) => typeOf(f) !== 'boolean');
    for (const row of rows) for (const f of nullable) if (row[f] === false) row[f] = null;
    return rows;
  }
}
