/**
 * The simulated Odoo server: routes, transports and fault rendering (api notes §1, §7 checklist and
 * the measured §8, §9). Authentication is in auth.ts, the ORM dispatch and access rights in orm.ts.
 *
 *   POST /xmlrpc/2/common           version | authenticate | login          (XML-RPC, faults with 200)
 *   POST /xmlrpc/2/object           execute_kw | execute
 *   POST /jsonrpc                   {"service": "common"|"object", "method", "args"}
 *   POST /json/2/<model>/<method>   JSON-2, only when version >= 19
 *   GET  /web/version
 *
 * Control routes (besides the frame's): POST /_sim/expire_key, /_sim/restore_key,
 * /_sim/long_transaction {model, vals_list, backdateSeconds}, /_sim/commit {txn},
 * /_sim/exec {model, method, args, kwargs}, /_sim/clear_cooldown, /_sim/seed {"seed": ...},
 * /_sim/age {seconds} (every create/write stamp moves that far into the past),
 * /_sim/access {model, deny: ['read'|'write'|'create'|'unlink'], login?} (ACLs the user lacks;
 * {reset: true} restores them).
 * Fault kinds: serialization_failure, access_error, validation_error, missing_error, rate_limit,
 * lost_response (the call commits, then the answer is held for `delayMs`).
 */

import { json, type FaultRule, type SimRequest, type SimResponse, type SimSystem } from '../common/server.js';
import { OdooException, SERIALIZATION_MESSAGE } from './exceptions.js';
import { ADMIN_UID, BOT_UID, applySeed } from './seed.js';
import { FIXTURE_DEMO_KEY, FIXTURE_DEMO_LOGIN, FIXTURE_DEMO_PASSWORD } from './seed-fixture.js';
import { pyJson } from './pyvalue.js';
import { type Env } from './store.js';
import { XmlRpcParseError, parseMethodCall, serializeFault, serializeResponse } from './xmlrpc.js';
import { OdooAuth, type OdooSimOptions } from './auth.js';
import { type AccessOp, type Transport } from './orm.js';
export type { OdooSimOptions } from './auth.js';

const NOT_FOUND_HTML =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';
const UNSUPPORTED_HTML =
  '<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n<h1>Unsupported Media Type</h1>\n<p>Request inferred type is compatible with [&#39;http&#39;] but &#39;/json/2/&lt;__model__&gt;/&lt;__method__&gt;&#39; is type=&#39;json2&#39;.<br><br>Please verify the Content-Type request header and try again.</p>\n';
const NO_DATABASE_HTML =
  '<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>No database is selected and the requested URL was not found in the server-wide controllers.</p>\n<p>Please verify the hostname, <a href=/web/login>login</a> and try again.</p>\n\n<!-- Alternatively, use the X-Odoo-Database header. -->\n';

/**
 * Python's json error text for a body JSON.parse refused (`Expecting value: line 1 column 13 (char
 * 12)`), from the position the parser stopped at.
 */
function pythonJsonError(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  const pos = m ? Number(m[1]) : text.length;
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `Expecting value: line ${line} column ${column} (char ${pos})`;
}

export class OdooSim extends OdooAuth implements SimSystem {
  readonly name = 'odoo';
  private micro = 0;
  private seedSpec: string;

  constructor(options: OdooSimOptions = {}) {
    super(options);
    this.seedSpec = options.seed ?? 'demo';
    this.applySeed(this.seedSpec);
  }

  /** Seeds the store; the `fixture` seed also has a demo user without purchase rights (§9). */
  private applySeed(spec: string): void {
    applySeed(this.store, spec, this.login, Date.now() * 1000);
    this.denied.clear();
    this.keys = this.keys.filter((k) => k.uid === BOT_UID);
    if (spec !== 'fixture') return;
    const demo = this.store.all('res.users').find((u) => u.v.login === FIXTURE_DEMO_LOGIN);
    if (!demo) return;
    const never = { scope: null, expiresAt: null, expired: false };
    this.keys.push({ key: FIXTURE_DEMO_KEY, uid: demo.id, ...never });
    this.keys.push({ key: FIXTURE_DEMO_PASSWORD, uid: demo.id, ...never, password: true });
    const all = new Set<AccessOp>(['read', 'write', 'create', 'unlink']);
    this.denied.set(
      demo.id,
      new Map([
        ['purchase.order', all],
        ['purchase.order.line', all],
      ]),
    );
    this.store.ruleHidden.set(demo.id, new Set(['account.move', 'account.move.line']));
  }

  /** The simulator object itself (for tests that reach into the store). */
  get sim(): OdooSim {
    return this;
  }

  /** One timestamp per request: its arrival time, with a microsecond part (Postgres `now()`). */
  private requestStamp(req: SimRequest): number {
    this.micro = (this.micro + 1) % 1000;
    return req.receivedAt * 1000 + this.micro;
  }

  // ------------------------------------------------------------ SimSystem

  async handle(req: SimRequest): Promise<SimResponse> {
    if ((req.path === '/web/version' || req.path === '/json/version') && req.method === 'GET') {
      return json(200, { version_info: [this.version, 0, 0, 'final', 0, ''], version: `${this.version}.0` });
    }
    if (req.path.startsWith('/json/2')) return this.handleJson2(req);
    if (req.method !== 'POST') return html(404, NOT_FOUND_HTML);
    if (req.path === '/xmlrpc/2/common' || req.path === '/xmlrpc/2/object') return this.handleXmlRpc(req);
    if (req.path === '/jsonrpc') return this.handleJsonRpc(req);
    return html(404, NOT_FOUND_HTML);
  }

  seed(spec: Record<string, unknown>): void {
    this.seedSpec = typeof spec.seed === 'string' ? spec.seed : 'demo';
    this.applySeed(this.seedSpec);
  }

  reset(): void {
    this.failures.clear();
    this.restoreKey();
    this.applySeed('empty');
  }

  state(name?: string): unknown {
    if (name) return this.store.dump(name);
    return {
      version: this.version,
      db: this.db,
      login: this.login,
      seed: this.seedSpec,
      counts: this.store.counts(),
    };
  }

  async renderFault(rule: FaultRule, req: SimRequest): Promise<SimResponse | undefined> {
    switch (rule.kind) {
      case 'serialization_failure':
        return this.renderError(req, new OdooException('serialization', SERIALIZATION_MESSAGE));
      case 'access_error':
        return this.renderError(
          req,
          new OdooException(
            'access_error',
            "You are not allowed to access 'Purchase Order' (purchase.order) records.\n\nThis operation is allowed for the following groups:\n\t- Purchase/User\n\nContact your administrator to request access if necessary.",
          ),
        );
      case 'validation_error':
        return this.renderError(
          req,
          new OdooException(
            'validation',
            String(rule.params?.message ?? 'The operation cannot be completed: invalid values.'),
          ),
        );
      case 'missing_error':
        return this.renderError(
          req,
          new OdooException(
            'missing',
            'Record does not exist or has been deleted.\n(Record: purchase.order(999999,), User: 3)',
          ),
        );
      case 'rate_limit':
        return {
          status: 429,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'retry-after': String(rule.retryAfter ?? 1),
          },
          body: '<html><head><title>429 Too Many Requests</title></head><body><h1>429 Too Many Requests</h1></body></html>',
        };
      case 'lost_response': {
        const answer = await this.handle(req);
        await new Promise((resolve) => setTimeout(resolve, rule.delayMs ?? 1500));
        return answer;
      }
      default:
        return undefined;
    }
  }

  control(route: string, body: unknown, req: SimRequest): SimResponse | undefined {
    const input = (body ?? {}) as Record<string, unknown>;
    const env: Env = { now: this.requestStamp(req), uid: ADMIN_UID, context: {} };
    try {
      switch (route) {
        case 'expire_key':
          for (const k of this.keys) k.expired = true;
          return json(200, { ok: true });
        case 'restore_key':
          this.restoreKey();
          return json(200, { ok: true });
        case 'access': {
          // {model, deny: ['read'|'write'|'create'|'unlink'], login?} — the bot user by default;
          // {reset: true} gives every right back.
          if (input.reset === true) {
            this.denied.clear();
            return json(200, { ok: true });
          }
          const login = typeof input.login === 'string' ? input.login : this.login;
          const user = this.store.all('res.users').find((u) => u.v.login === login);
          if (!user) return json(404, { error: `no user ${login}` });
          const perModel = this.denied.get(user.id) ?? new Map<string, Set<AccessOp>>();
          const ops = (Array.isArray(input.deny) ? input.deny : []).filter((o): o is AccessOp =>
            ['read', 'write', 'create', 'unlink'].includes(String(o)),
          );
          perModel.set(String(input.model), new Set(ops));
          this.denied.set(user.id, perModel);
          return json(200, { ok: true });
        }
        case 'clear_cooldown':
          this.failures.clear();
          return json(200, { ok: true });
        case 'age':
          this.store.age(Number(input.seconds ?? 0));
          return json(200, { ok: true });
        case 'long_transaction': {
          const model = String(input.model);
          const valsList = Array.isArray(input.vals_list) ? input.vals_list : [input.vals_list];
          const backdate = Number(input.backdateSeconds ?? 0);
          const txn = this.store.beginTxn();
          const recs = this.store.transaction(() =>
            this.store.create(model, valsList, env, {
              stamp: env.now - Math.round(backdate * 1_000_000),
              txn,
            }),
          );
          return json(200, { txn, ids: recs.map((r) => r.id) });
        }
        case 'commit':
          return json(200, { ok: this.store.commitTxn(Number(input.txn)) });
        case 'exec': {
          const result = this.execute(
            env,
            String(input.model),
            String(input.method),
            Array.isArray(input.args) ? input.args : [],
            (input.kwargs ?? {}) as Record<string, unknown>,
            'xmlrpc',
          );
          return json(200, { result });
        }
        default:
          return undefined;
      }
    } catch (err) {
      if (err instanceof OdooException) return json(err.rendering.status, err.json2Body());
      throw err;
    }
  }

  // ------------------------------------------------------------ transports

  private transportOf(req: SimRequest): Transport {
    return req.path.startsWith('/json/2') ? 'json2' : req.path === '/jsonrpc' ? 'jsonrpc' : 'xmlrpc';
  }

  private renderError(req: SimRequest, err: OdooException, jsonRpcId: unknown = null): SimResponse {
    switch (this.transportOf(req)) {
      case 'xmlrpc':
        return {
          status: 200,
          headers: { 'content-type': 'text/xml; charset=utf-8' },
          body: serializeFault(err.faultCode(), err.faultString()),
        };
      case 'jsonrpc':
        return json(200, {
          jsonrpc: '2.0',
          id: jsonRpcId,
          error: { code: 200, message: 'Odoo Server Error', data: err.json2Body() },
        });
      default:
        return json(
          err.rendering.status,
          err.json2Body(),
          // §9: with a trailing space, as werkzeug writes it.
          err.rendering.status === 401 ? { 'www-authenticate': 'Bearer ' } : {},
        );
    }
  }

  private dispatchService(service: string, method: string, params: unknown[], req: SimRequest): unknown {
    if (service === 'common') {
      switch (method) {
        case 'version':
          return {
            server_version: `${this.version}.0`,
            server_version_info: [this.version, 0, 0, 'final', 0, ''],
            server_serie: `${this.version}.0`,
            protocol_version: 1,
          };
        case 'authenticate':
        case 'login':
          return this.authenticate(params, req);
        default:
          throw new OdooException(
            'unknown_method',
            `Method not found: ${method}`,
            `Method not found: ${method}`,
          );
      }
    }
    if (service === 'object' && (method === 'execute_kw' || method === 'execute')) {
      const [db, uid, key, model, name, ...rest] = params;
      const realUid = this.checkRpcCredentials(db, uid, key, req);
      const env: Env = { now: this.requestStamp(req), uid: realUid, context: {} };
      if (method === 'execute') return this.execute(env, String(model), String(name), rest, {}, 'xmlrpc');
      const [args, kwargs] = rest;
      return this.execute(
        env,
        String(model),
        String(name),
        Array.isArray(args) ? args : [],
        (kwargs ?? {}) as Record<string, unknown>,
        'xmlrpc',
      );
    }
    throw new OdooException('unknown_method', `Method not found: ${method}`, `Method not found: ${method}`);
  }

  private handleXmlRpc(req: SimRequest): SimResponse {
    try {
      let call;
      try {
        call = parseMethodCall(req.body.toString('utf8'));
      } catch (err) {
        if (err instanceof XmlRpcParseError)
          throw new OdooException('value_error', `ExpatError: ${err.message}`);
        throw err;
      }
      const service = req.path.endsWith('/common') ? 'common' : 'object';
      const result = this.dispatchService(service, call.methodName, call.params, req);
      // §9: a method that returns None has committed, then fails to marshal its answer.
      if (result === null || result === undefined)
        throw new OdooException('type_error', 'cannot marshal None unless allow_none is enabled');
      return {
        status: 200,
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: serializeResponse(result),
      };
    } catch (err) {
      if (err instanceof OdooException) return this.renderError(req, err);
      throw err;
    }
  }

  private handleJsonRpc(req: SimRequest): SimResponse {
    let id: unknown = null;
    try {
      const payload = JSON.parse(req.body.toString('utf8')) as {
        id?: unknown;
        params?: { service?: string; method?: string; args?: unknown[] };
      };
      id = payload.id ?? null;
      const p = payload.params ?? {};
      const result = this.dispatchService(
        String(p.service),
        String(p.method),
        Array.isArray(p.args) ? p.args : [],
        req,
      );
      return json(200, { jsonrpc: '2.0', id, result });
    } catch (err) {
      if (err instanceof OdooException) return this.renderError(req, err, id);
      if (err instanceof SyntaxError)
        return this.renderError(req, new OdooException('value_error', 'Invalid JSON data'), id);
      throw err;
    }
  }

  private handleJson2(req: SimRequest): SimResponse {
    if (this.version < 19) return html(404, NOT_FOUND_HTML);
    const dbHeader = req.headers['x-odoo-database'];
    if (dbHeader !== undefined && dbHeader !== this.db) return html(404, NO_DATABASE_HTML);
    const m = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(req.path);
    // §9: any other shape, and any verb but POST, answers a JSON 404 suggesting the route.
    if (!m || req.method !== 'POST')
      return json(
        404,
        new OdooException('not_found', 'Did you mean POST /json/2/<model>/<method>?').json2Body(),
      );
    const mime = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (mime !== 'application/json') return html(415, UNSUPPORTED_HTML);
    try {
      const header = String(req.headers.authorization ?? '');
      const auth = /^bearer\s+(.+)$/i.exec(header);
      if (!auth)
        throw new OdooException(
          'unauthorized',
          'User not authenticated, use an API Key with a Bearer Authorization header.',
        );
      const key = this.validKey(auth[1]?.trim(), req.receivedAt, true);
      if (!key) throw new OdooException('unauthorized', 'Invalid apikey');
      const text = req.body.toString('utf8');
      let body: unknown = {};
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch (err) {
          const message = `could not parse the body as json: ${pythonJsonError(text, err)}`;
          return json(400, new OdooException('bad_request', message).json2Body());
        }
      }
      // A body that is not an object carries no named arguments.
      if (body === null || typeof body !== 'object' || Array.isArray(body)) body = {};
      const { ids, ...named } = body as Record<string, unknown>;
      const env: Env = { now: this.requestStamp(req), uid: key.uid, context: {} };
      const modelName = decodeURIComponent(m[1] as string);
      const result = this.execute(
        env,
        modelName,
        decodeURIComponent(m[2] as string),
        [],
        named,
        'json2',
        ids,
      );
      // §8/§9: the bare result, floats written as floats (`3000.0`), null for None.
      return {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: pyJson(result === undefined ? null : result),
      };
    } catch (err) {
      if (err instanceof OdooException) return this.renderError(req, err);
      throw err;
    }
  }
}

function html(status: number, body: string): SimResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}
