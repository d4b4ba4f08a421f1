import { randomBytes } from 'node:crypto';
import {
  json,
  startSimServer,
  type FaultRule,
  type RunningSim,
  type SimRequest,
  type SimResponse,
  type SimServerOptions,
  type SimSystem,
} from '../common/server.js';
import { toId18 } from '../../systems/salesforce/ids.js';
import { SfAuth, invalidSession, randomCredentials, type SfCredentials } from './auth.js';
import { collection, composite, errorArray, type RestAnswer } from './composite.js';
import { QueryEngine } from './query.js';
import { Schema } from './schema.js';
import { hasInvoice, seedStore } from './seed.js';
import { SoqlError } from './soql.js';
import { asBody, sobjects, type Org } from './sobjects.js';
import { Store } from './store.js';
import { Dml, SfFault } from './writes.js';

/**
 * Simulator of a Salesforce org's REST API as mlc uses it
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/):
 *
 * - `POST /services/oauth2/token`: client credentials (form or Basic; refused on a `login.`/`test.`
 *   host) and JWT bearer (RS256 against the seeded certificate, `aud`, `exp` in seconds). No expiry in
 *   the answer; sessions end after `sessionTtlMs` idle → 401 INVALID_SESSION_ID.
 * - `GET /services/data/`: versions 31.0–66.0 (not counted); `vNN.0` ≤ 30 → 410; unknown paths → 404.
 * - `query`/`queryAll` (a parsed SOQL subset, `nextRecordsUrl` locators that expire when idle,
 *   `Sforce-Query-Options: batchSize` 200–2000), `sobjects`, `sobjects/T[/describe|/id|/field/value]`,
 *   `sobjects/T/updated|deleted` (minute-truncated, 30 days back), `composite/sobjects[/T/field]`,
 *   `composite`, `limits`.
 * - Every counted response carries `Sforce-Limit-Info: api-usage=used/max`; past the daily maximum,
 *   403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded.".
 *
 * Control routes (`POST /_sim/<route>`): expire_sessions; session_ttl {ms}; api_usage {used?, max?};
 * locator_ttl {ms}; expire_locators; age {seconds}; exec {sobject, id?, record, delete?} (a person's edit or delete).
 * Fault kinds: server_unavailable, request_limit, concurrent_limit, revoke_session (sessions end, the
 * request then fails 401), expire_locators, row_lock {params.keys: external ids or ids, or ['*']}
 * (those records of the next Collections or Composite call answer UNABLE_TO_LOCK_ROW).
 */
export interface SalesforceSimOptions {
  seed?: string;
  credentials?: Partial<SfCredentials>;
  /** Inactivity after which a session ends (default 2 h). */
  sessionTtlMs?: number;
  /** Daily API allowance (default 15,000, a Developer Edition org) and usage already spent. */
  apiMax?: number;
  apiUsed?: number;
  /** Host name put in `instance_url` (default: the host the token request came to). */
  instanceHost?: string;
}

export type SalesforceSim = SimSystem & {
  credentials: SfCredentials;
  auth: SfAuth;
  org(): Org;
  usage: { used: number; max: number };
  /** Hosts that REST calls (not the token endpoint) arrived on. */
  restHosts: Set<string>;
};

export const VERSIONS = Array.from({ length: 66 - 31 + 1 }, (_, i) => `${31 + i}.0`);
const SEASONS = ['Spring', 'Summer', 'Winter'];

function versionList(): unknown[] {
  return VERSIONS.map((v) => {
    const n = Number(v) - 31;
    return {
      label: `${SEASONS[n % 3] ?? 'Winter'} '${String(15 + Math.floor(n / 3)).padStart(2, '0')}`,
      url: `/services/data/v${v}`,
      version: v,
    };
  });
}

const REST = /^\/services\/data\/v(\d+)\.(\d+)(?:\/(.*))?$/;

export function createSalesforceSim(opts: SalesforceSimOptions = {}): SalesforceSim {
  const orgId = toId18(`00D5g${randomBytes(5).toString('hex').slice(0, 10)}`.slice(0, 15));
  const userIdSeed = toId18(`0055g${randomBytes(5).toString('hex').slice(0, 10)}`.slice(0, 15));
  const credentials: SfCredentials = { ...randomCredentials(orgId, userIdSeed), ...opts.credentials };
  const auth = new SfAuth(credentials, opts.sessionTtlMs ?? 2 * 3600_000);
  const usage = { used: opts.apiUsed ?? 0, max: opts.apiMax ?? 15_000 };
  const restHosts = new Set<string>();
  let org = build(opts.seed ?? 'empty');
  let pendingLocks = new Set<string>();

  function build(seed: string): Org {
    const schema = new Schema(hasInvoice(seed));
    const store = new Store(schema);
    const dml = new Dml(schema, store);
    seedStore(store, dml, seed, credentials.userId);
    return { store, dml, query: new QueryEngine(schema, store), schema };
  }

  const hostOf = (req: SimRequest): string => String(req.headers.host ?? '127.0.0.1');
  const instanceUrl = (req: SimRequest): string => {
    const host = hostOf(req);
    return `http://${opts.instanceHost ? host.replace(/^[^:]+/, opts.instanceHost) : host}`;
  };

  function fault(f: SfFault): RestAnswer {
    if (f.status === 300) return { status: 300, body: f.matches };
    return errorArray(f.status, f.errorCode, f.message, f.fields);
  }

  /** Every versioned route; also what Composite subrequests run through. */
  function dispatch(
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
    req?: SimRequest,
    version = '62.0',
  ): RestAnswer {
    const { store, dml } = org;
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const key = `${method} ${parts[0] ?? ''}`;
    try {
      if (parts.length === 0 && method === 'GET') {
        const base = `/services/data/v${version}`;
        return {
          status: 200,
          body: {
            sobjects: `${base}/sobjects`,
            query: `${base}/query`,
            queryAll: `${base}/queryAll`,
            limits: `${base}/limits`,
            composite: `${base}/composite`,
          },
        };
      }
      if (key === 'GET limits' && parts.length === 1) {
        return {
          status: 200,
          body: {
            DailyApiRequests: { Max: usage.max, Remaining: Math.max(0, usage.max - usage.used) },
            ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
          },
        };
      }
      if ((key === 'GET query' || key === 'GET queryAll') && req) {
        const batch = batchSize(req);
        if (parts.length === 2)
          return { status: 200, body: org.query.more(parts[1] as string, { batchSize: batch, version }) };
        const q = query.get('q');
        if (!q) return errorArray(400, 'MALFORMED_QUERY', 'A query string has to be specified');
        return {
          status: 200,
          body: org.query.run(q, { all: parts[0] === 'queryAll', batchSize: batch, version }),
        };
      }
      if (parts[0] === 'sobjects') return sobjects(org, method, parts.slice(1), query, body, version);
      if (parts[0] === 'composite' && parts[1] === 'sobjects') {
        const input = (body ?? {}) as { allOrNone?: unknown; records?: unknown };
        const allOrNone = input.allOrNone === true || query.get('allOrNone') === 'true';
        const locks = pendingLocks;
        pendingLocks = new Set();
        if (parts.length === 4 && method === 'PATCH') {
          const object = dml.object(parts[2] as string);
          return collection(
            dml,
            store,
            'upsert',
            { allOrNone, records: input.records, sobject: object.name, field: parts[3] as string },
            locks,
          );
        }
        if (parts.length === 2 && method === 'POST')
          return collection(dml, store, 'create', { allOrNone, records: input.records }, locks);
        if (parts.length === 2 && method === 'PATCH')
          return collection(dml, store, 'update', { allOrNone, records: input.records }, locks);
        if (parts.length === 2 && method === 'DELETE') {
          return collection(
            dml,
            store,
            'delete',
            { allOrNone, ids: (query.get('ids') ?? '').split(',').filter(Boolean) },
            locks,
          );
        }
      }
      if (key === 'POST composite' && parts.length === 1) {
        const locks = pendingLocks;
        pendingLocks = new Set();
        return composite(store, body, version, (m, p, q, b) => {
          const target = p.split('/').filter(Boolean).map(decodeURIComponent);
          const key = target[0] === 'sobjects' ? (target[3] ?? target[2] ?? '') : '';
          if (m === 'PATCH' && key && (locks.has(key) || locks.has('*'))) {
            return errorArray(400, 'UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record');
          }
          return dispatch(m, p, q, b, undefined, version);
        });
      }
      return errorArray(404, 'NOT_FOUND', 'The requested resource does not exist');
    } catch (err) {
      if (err instanceof SoqlError) return errorArray(400, err.errorCode, err.message);
      if (err instanceof SfFault) return fault(err);
      throw err;
    }
  }

  function batchSize(req: SimRequest): number {
    const m = /batchSize=(\d+)/i.exec(String(req.headers['sforce-query-options'] ?? ''));
    return m ? Math.min(2000, Math.max(200, Number(m[1]))) : 2000;
  }

  function respond(answer: RestAnswer, counted: boolean): SimResponse {
    const headers: Record<string, string> = {
      'content-type': 'application/json;charset=UTF-8',
      server: 'sfdcedge',
      'x-sfdc-edge-cache': 'none',
      ...answer.headers,
    };
    const requestId = randomBytes(16).toString('hex');
    headers['x-sfdc-request-id'] = requestId;
    headers['x-request-id'] = requestId;
    if (counted) headers['sforce-limit-info'] = `api-usage=${usage.used}/${usage.max}`;
    if (answer.status === 204) return { status: 204, headers };
    return { status: answer.status, headers, body: JSON.stringify(answer.body) };
  }

  const system: SalesforceSim = {
    name: 'salesforce',
    credentials,
    auth,
    usage,
    restHosts,
    org: () => org,
    handle(req) {
      if (req.path === '/services/oauth2/token') return auth.tokenEndpoint(req, instanceUrl(req));
      if ((req.path === '/services/data' || req.path === '/services/data/') && req.method === 'GET') {
        return respond({ status: 200, body: versionList() }, false);
      }
      const m = REST.exec(req.path);
      if (!m) return respond(errorArray(404, 'NOT_FOUND', 'The requested resource does not exist'), false);
      const version = `${m[1]}.${m[2]}`;
      if (Number(m[1]) <= 30)
        return respond(errorArray(410, 'GONE', 'The requested resource is no longer available.'), false);
      if (!VERSIONS.includes(version))
        return respond(errorArray(404, 'NOT_FOUND', 'The requested resource does not exist'), false);
      if (!auth.authenticate(req)) return invalidSession();
      restHosts.add(hostOf(req).replace(/:\d+$/, ''));
      if (usage.used >= usage.max) {
        return respond(errorArray(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), false);
      }
      usage.used += 1;
      let body: unknown;
      if (req.body.length > 0) {
        if (!String(req.headers['content-type'] ?? '').includes('json')) {
          return respond(
            errorArray(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content type must be application/json'),
            true,
          );
        }
        try {
          body = JSON.parse(req.body.toString('utf8'));
        } catch (err) {
          return respond(
            errorArray(400, 'JSON_PARSER_ERROR', `Unexpected character: ${(err as Error).message}`),
            true,
          );
        }
      }
      return respond(dispatch(req.method, m[3] ?? '', req.query, body, req, version), true);
    },
    seed(spec) {
      const seed = String(spec.seed ?? 'empty');
      org = build(seed);
      auth.expireAll();
      if (typeof spec.apiUsed === 'number') usage.used = spec.apiUsed;
      if (typeof spec.apiMax === 'number') usage.max = spec.apiMax;
    },
    reset() {
      org = build('empty');
      auth.expireAll();
      usage.used = 0;
      pendingLocks = new Set();
    },
    state(name) {
      if (name) {
        const object = org.schema.object(name);
        if (!object) return { error: `no object ${name}` };
        return [...org.store.table(object.name).values()];
      }
      return {
        objects: Object.fromEntries([...org.schema.objects.keys()].map((n) => [n, org.store.count(n)])),
        usage,
        auth: auth.counts,
        restHosts: [...restHosts],
      };
    },
    renderFault(rule: FaultRule) {
      switch (rule.kind) {
        case 'server_unavailable':
          return respond(errorArray(503, 'SERVER_UNAVAILABLE', 'Server unavailable'), false);
        case 'request_limit':
          return respond(errorArray(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), false);
        case 'concurrent_limit':
          return respond(
            errorArray(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'),
            false,
          );
        case 'revoke_session':
          auth.expireAll();
          return undefined;
        case 'expire_locators':
          org.query.expireLocators();
          return undefined;
        case 'row_lock': {
          const keys = rule.params?.keys;
          pendingLocks = new Set(Array.isArray(keys) ? keys.map(String) : ['*']);
          return undefined;
        }
        default:
          return undefined;
      }
    },
    control(route, body) {
      const b = (body ?? {}) as Record<string, unknown>;
      switch (route) {
        case 'expire_sessions':
          auth.expireAll();
          return json(200, { ok: true });
        case 'session_ttl':
          auth.sessionTtlMs = Number(b.ms ?? 0);
          return json(200, { ok: true });
        case 'api_usage':
          if (typeof b.used === 'number') usage.used = b.used;
          if (typeof b.max === 'number') usage.max = b.max;
          return json(200, usage);
        case 'locator_ttl':
          org.query.locatorTtlMs = Number(b.ms ?? 0);
          return json(200, { ok: true });
        case 'expire_locators':
          org.query.expireLocators();
          return json(200, { ok: true });
        case 'age':
          org.store.age(Number(b.seconds ?? 0));
          return json(200, { ok: true });
        case 'exec': {
          const sobject = String(b.sobject ?? '');
          const record = asBody(b.record);
          try {
            const id = b.id;
            if (b.delete === true && typeof id === 'string') {
              org.store.actAs(org.store.adminUserId, () => org.dml.remove(sobject, id));
              return json(200, { id });
            }
            const rec = org.store.actAs(org.store.adminUserId, () =>
              typeof id === 'string' ? org.dml.update(sobject, id, record) : org.dml.create(sobject, record),
            );
            return json(200, { id: rec.Id });
          } catch (err) {
            if (err instanceof SfFault)
              return json(err.status, [{ errorCode: err.errorCode, message: err.message }]);
            throw err;
          }
        }
        default:
          return undefined;
      }
    },
  };
  return system;
}

export interface RunningSalesforceSim extends RunningSim {
  system: SalesforceSim;
  credentials: SfCredentials;
}

export async function startSalesforceSim(
  opts: SalesforceSimOptions & SimServerOptions = {},
): Promise<RunningSalesforceSim> {
  const system = createSalesforceSim(opts);
  const running = await startSimServer(system, {
    ...(opts.port === undefined ? {} : { port: opts.port }),
    ...(opts.latencyMs === undefined ? {} : { latencyMs: opts.latencyMs }),
  });
  return Object.assign(running, { system, credentials: system.credentials });
}
