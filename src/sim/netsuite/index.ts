import { randomUUID } from 'node:crypto';
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
import { PATHS } from '../../systems/netsuite/hosts.js';
import { SimAuth, defaultCredentials, type NetSuiteSimCredentials } from './auth.js';
import { RecordApi } from './records.js';
import { seedStore, writeTransaction, type TransactionInput } from './seed.js';
import { Store } from './store.js';
import { Evaluator } from './suiteql/eval.js';
import { SqlError, parseSelect } from './suiteql/parser.js';
import type { Value } from './suiteql/eval.js';
import { ASYNC_PATH, AsyncJobs } from './jobs.js';
import { errorBody } from './wire.js';

/**
 * Simulator of one NetSuite account's SuiteTalk REST API (api notes §8, §9): the M2M token endpoint
 * and TBA verification, SuiteQL over seeded tables (a real parser and evaluator), the record API,
 * and the account's concurrency governance: more than `concurrencyLimit` requests in flight are
 * answered `CONCURRENCY_LIMIT_EXCEEDED` (429 by default, 400 as an option, or NetSuite's "401 under
 * load").
 *
 * Control routes besides the frame's: `POST /_sim/exec {table, id?, values}` inserts or changes a row
 * as a user would (stamping it); `POST /_sim/transaction {…TransactionInput, id?}` writes a purchase
 * order, bill or journal with its lines and postings; `POST /_sim/expire_tokens`; `POST /_sim/governance
 * {concurrencyLimit?, status?, serviceMs?}`; `POST /_sim/permissions {deny: [table…]}` (the role may not
 * read those tables: 403 INSUFFICIENT_PERMISSION); `POST /_sim/age {seconds}`; `GET /_sim/state?name=<table>`.
 * A record request with `Prefer: respond-async` answers 202 with a job (`/services/rest/async/v1/job/…`)
 * whose task result is the answer the request would have had.
 * Fault kinds: `concurrency` (the governance answer), `unexpected` (500 UNEXPECTED_ERROR).
 */
export interface NetSuiteSimOptions {
  seed?: string;
  account?: string;
  /** The integration user's time-zone preference: SuiteQL prints and parses datetimes in it. */
  timeZone?: string;
  tokenTtlSeconds?: number;
  concurrencyLimit?: number;
  /** How the governance refusal is answered: 429 (default), 400, or 401 INVALID_LOGIN. */
  concurrencyStatus?: 429 | 400 | 401;
  /** Time each REST request holds its concurrency slot, ms. */
  serviceMs?: number;
}

export type NetSuiteSim = SimSystem & {
  store: Store;
  auth: SimAuth;
  credentials: NetSuiteSimCredentials;
  timeZone: string;
  governance: {
    concurrencyLimit: number;
    status: 429 | 400 | 401;
    serviceMs: number;
    peak: number;
    refused: number;
  };
};

const ROW_CEILING = 100_000;

function concurrencyAnswer(status: 429 | 400 | 401): SimResponse {
  if (status === 401) return errorBody(401, 'INVALID_LOGIN', 'Invalid login attempt.');
  // As NetSuite's troubleshooting page shows it: a top-level USER_ERROR and the detail's own code (§9).
  return json(status, {
    type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1',
    title: 'Bad Request',
    status,
    'o:errorCode': 'USER_ERROR',
    'o:errorDetails': [
      {
        detail: 'Concurrent request limit exceeded. Request blocked.',
        'o:errorCode': 'CONCURRENCY_LIMIT_EXCEEDED',
      },
    ],
  });
}

export function createNetSuiteSim(opts: NetSuiteSimOptions = {}): NetSuiteSim {
  const store = new Store();
  const timeZone = opts.timeZone ?? 'America/Los_Angeles';
  const credentials = defaultCredentials(opts.account ?? '1234567_SB1');
  const auth = new SimAuth(credentials, opts.tokenTtlSeconds ?? 3600);
  const records = new RecordApi(store, timeZone);
  const governance = {
    concurrencyLimit: opts.concurrencyLimit ?? 5,
    status: opts.concurrencyStatus ?? 429,
    serviceMs: opts.serviceMs ?? 0,
    peak: 0,
    refused: 0,
  };
  let inFlight = 0;
  const jobs = new AsyncJobs();
  /** Tables the integration role may not read (`POST /_sim/permissions {deny: [...]}`). */
  const deniedTables = new Set<string>();
  const idempotent = new Map<string, SimResponse>();
  seedStore(store, opts.seed ?? 'empty', timeZone);

  function suiteql(req: SimRequest, base: string): SimResponse {
    if (req.method !== 'POST') return errorBody(405, 'METHOD_NOT_ALLOWED', 'SuiteQL takes POST.');
    if (String(req.headers.prefer ?? '').toLowerCase() !== 'transient')
      return errorBody(
        400,
        'INVALID_PARAMETER',
        'The request header Prefer: transient is required for SuiteQL.',
        'Prefer',
      );
    let q: unknown;
    try {
      q = (JSON.parse(req.body.toString('utf8')) as { q?: unknown }).q;
    } catch {
      return errorBody(400, 'INVALID_CONTENT', 'The request body is not valid JSON.');
    }
    if (typeof q !== 'string' || q.trim() === '')
      return errorBody(400, 'INVALID_PARAMETER', "The body needs a 'q' query.", 'q');
    const limit = Number(req.query.get('limit') ?? '1000');
    const offset = Number(req.query.get('offset') ?? '0');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      return errorBody(
        400,
        'INVALID_PARAMETER',
        'Invalid limit: it must be between 1 and 1000.',
        'limit',
        true,
      );
    if (!Number.isInteger(offset) || offset < 0)
      return errorBody(400, 'INVALID_PARAMETER', 'Invalid offset.', 'offset', true);
    if (offset + limit > ROW_CEILING)
      return errorBody(
        400,
        'INVALID_PARAMETER',
        'A SuiteQL query returns at most 100000 rows through REST.',
        'offset',
        true,
      );
    let result: { rows: Array<Record<string, string | number>>; total: number };
    try {
      const select = parseSelect(q);
      const denied = [select.from, ...select.joins.map((j) => j.ref)].find((t) => deniedTables.has(t.table));
      if (denied)
        return errorBody(
          403,
          'INSUFFICIENT_PERMISSION',
          `Permission Violation: You need the permission to view the record type '${denied.table}'.`,
        );
      result = new Evaluator(store, timeZone).run(select, { offset, limit });
    } catch (err) {
      if (err instanceof SqlError)
        return errorBody(
          400,
          'INVALID_PARAMETER',
          `Invalid search query. Detailed unprocessed description follows. Search error occurred: ${err.message}`,
          'q',
          true,
        );
      throw err;
    }
    const page = result.rows;
    const hasMore = offset + page.length < result.total;
    const href = (o: number): string => `${base}/${PATHS.suiteql}?limit=${limit}&offset=${o}`;
    const links = [{ rel: 'self', href: href(offset) }];
    if (hasMore) {
      links.push({ rel: 'next', href: href(offset + limit) });
      links.push({ rel: 'last', href: href(Math.floor((result.total - 1) / limit) * limit) });
    }
    return json(200, {
      links,
      count: page.length,
      hasMore,
      items: page.map((r) => ({ links: [], ...r })),
      offset,
      totalResults: result.total,
    });
  }

  async function rest(req: SimRequest, base: string): Promise<SimResponse> {
    const denied = auth.check(req, base);
    if (denied) return denied;
    if (inFlight >= governance.concurrencyLimit) {
      governance.refused += 1;
      return concurrencyAnswer(governance.status);
    }
    inFlight += 1;
    governance.peak = Math.max(governance.peak, inFlight);
    try {
      if (governance.serviceMs > 0) await new Promise((r) => setTimeout(r, governance.serviceMs));
      if (req.path === `/${PATHS.suiteql}`) return suiteql(req, base);
      const recordPrefix = `/${PATHS.record}/`;
      if (req.path.startsWith(recordPrefix)) {
        const key = req.headers['x-netsuite-idempotency-key'];
        const k =
          typeof key === 'string' && req.method !== 'GET' ? `${req.method} ${req.path} ${key}` : undefined;
        if (k && idempotent.has(k)) return idempotent.get(k)!;
        const async = String(req.headers.prefer ?? '').toLowerCase() === 'respond-async';
        const answer = records.handle(req, base, req.path.slice(recordPrefix.length));
        const given = async ? jobs.submit(answer, base) : answer;
        if (k && (async || answer.status < 300)) idempotent.set(k, given);
        return given;
      }
      if (req.path.startsWith(`/${ASYNC_PATH}/`) && req.method === 'GET')
        return jobs.read(req.path.slice(ASYNC_PATH.length + 2), base);
      return errorBody(404, 'NONEXISTENT_ID', `No REST resource at ${req.path}.`);
    } finally {
      inFlight -= 1;
    }
  }

  const sim: NetSuiteSim = {
    name: 'netsuite',
    store,
    auth,
    credentials,
    timeZone,
    governance,
    async handle(req) {
      const base = `http://${String(req.headers.host ?? '127.0.0.1')}`;
      const answer =
        req.path === `/${PATHS.token}`
          ? req.method === 'POST'
            ? auth.token(req, `${base}/${PATHS.token}`)
            : errorBody(405, 'METHOD_NOT_ALLOWED', 'The token endpoint takes POST.')
          : await rest(req, base);
      return {
        ...answer,
        headers: {
          ...answer.headers,
          'x-n-operationid': randomUUID().slice(0, 18),
          'x-netsuite-jobid': randomUUID().slice(0, 18),
        },
      };
    },
    seed(spec) {
      seedStore(store, String(spec.seed ?? 'demo'), timeZone);
    },
    reset() {
      store.clear();
      auth.expireTokens();
      idempotent.clear();
      governance.peak = 0;
      governance.refused = 0;
    },
    state(name) {
      if (name) return store.rows(name);
      return { account: credentials.account, timeZone, governance, loginAudit: auth.audit.slice(-20) };
    },
    renderFault(rule: FaultRule) {
      if (rule.kind === 'concurrency')
        return concurrencyAnswer((rule.status as 429 | 400 | 401 | undefined) ?? governance.status);
      if (rule.kind === 'unexpected')
        return errorBody(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred.');
      return undefined;
    },
    control(route, body) {
      const b = (body ?? {}) as Record<string, unknown>;
      switch (route) {
        case 'expire_tokens':
          auth.expireTokens();
          return json(200, { ok: true });
        case 'governance':
          if (typeof b.concurrencyLimit === 'number') governance.concurrencyLimit = b.concurrencyLimit;
          if (b.status === 400 || b.status === 401 || b.status === 429) governance.status = b.status;
          if (typeof b.serviceMs === 'number') governance.serviceMs = b.serviceMs;
          if (b.resetStats) {
            governance.peak = 0;
            governance.refused = 0;
          }
          return json(200, governance);
        case 'permissions':
          deniedTables.clear();
          for (const t of Array.isArray(b.deny) ? b.deny : []) deniedTables.add(String(t));
          return json(200, { deny: [...deniedTables] });
        case 'token_ttl':
          auth.tokenTtlSeconds = Number(b.seconds ?? 3600);
          return json(200, { ok: true });
        case 'age':
          store.age(Number(b.seconds ?? 0));
          return json(200, { ok: true });
        case 'exec': {
          const table = String(b.table ?? '');
          if (!store.tableDef(table)) return json(400, { error: `no table ${table}` });
          const values = revive(table, (b.values ?? {}) as Record<string, unknown>, store);
          const existing = typeof b.id === 'number' ? store.get(table, b.id) : undefined;
          const row = existing ? store.update(table, existing, values) : store.insert(table, values);
          return json(200, row);
        }
        case 'transaction': {
          const input = b as unknown as TransactionInput & { id?: number };
          const existing = typeof input.id === 'number' ? store.get('transaction', input.id) : undefined;
          return json(200, writeTransaction(store, input, timeZone, store.now(), existing));
        }
        default:
          return undefined;
      }
    },
  };
  return sim;
}

/** Datetime columns given as ISO strings in control calls become dates. */
function revive(table: string, values: Record<string, unknown>, store: Store): Record<string, Value> {
  const def = store.tableDef(table)!;
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(values)) {
    const type = def.columns[k];
    out[k] = (type === 'datetime' || type === 'date') && typeof v === 'string' ? new Date(v) : (v as Value);
  }
  return out;
}

export async function startNetSuiteSim(
  opts: NetSuiteSimOptions & SimServerOptions = {},
): Promise<RunningSim & { system: NetSuiteSim; credentials: NetSuiteSimCredentials }> {
  const system = createNetSuiteSim(opts);
  const running = await startSimServer(system, {
    ...(opts.port === undefined ? {} : { port: opts.port }),
    ...(opts.latencyMs === undefined ? {} : { latencyMs: opts.latencyMs }),
  });
  return { ...running, system, credentials: system.credentials };
}
