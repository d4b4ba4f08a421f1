import {
  json,
  startSimServer,
  type RunningSim,
  type SimRequest,
  type SimResponse,
  type SimServerOptions,
  type SimSystem,
} from '../common/server.js';
import { SnAuth, envelope, randomCredentials, unauthenticated, type SnCredentials } from './auth.js';
import { control, renderFault, type SimParts } from './control.js';
import { Transformer, type ImportResult } from './importset.js';
import { applyMetadata, checkMetadata } from './metadata.js';
import { fieldDef, fieldValue, unreadableQueryField, type Row } from './query.js';
import { ownColumns } from './schema.js';
import { SimModes } from './modes.js';
import { seedStore } from './seed.js';
import { Store, newSysId, snTime } from './store.js';

export {
  STAGING_TABLES,
  STAGING_BY_NAME,
  columnLabel,
  type StagingTable,
  type StagingFieldMap,
  type StagingColumn,
} from './staging.js';

/**
 * Simulator of a ServiceNow instance's REST APIs as mlc uses them (api notes §1–§7):
 *
 * - `POST /oauth_token.do` (client_credentials, password, refresh_token; form body), Basic auth.
 * - Table API `GET/POST /api/now[/v1|/v2]/table/{t}`, `GET/PUT/PATCH/DELETE …/{t}/{sys_id}`: encoded
 *   queries, `sysparm_fields/limit/offset/display_value/exclude_reference_link/
 *   suppress_pagination_header/no_count`, `X-Total-Count`, `Link`, string values, references as
 *   `{link, value}`, unknown fields and query terms silently ignored.
 * - Schema over REST: creating, changing or deleting `sys_db_object` and `sys_dictionary` rows creates
 *   or reshapes tables and columns, and `sys_transform_map` / `sys_transform_entry` rows are the
 *   transform maps the Import Set API runs (see metadata.ts).
 * - Import Set API: `POST /api/now/import/{staging}` (synchronous transform), `…/insertMultiple`
 *   (asynchronous; label or name mapping per `sys_rest_insert_multiple`), `GET …/{staging}/{sys_id}`.
 *
 * Control routes and fault kinds: see control.ts.
 */
export interface ServiceNowSimOptions {
  seed?: string;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  /** `expires_in` of access tokens (default 1799; tokens live one second longer, §1.1). */
  tokenTtlSeconds?: number;
  /** Delay before insertMultiple rows are transformed (default 20 ms). */
  asyncTransformDelayMs?: number;
  /** `sys_import_row` of an import set's first row: 0 or 1 (default 1; the real base is unconfirmed, §8). */
  importRowBase?: number;
}

export type ServiceNowSim = SimSystem & {
  store: Store;
  auth: SnAuth;
  transformer: Transformer;
  credentials: SnCredentials;
};

const TABLE_PATH = /^\/api\/now\/(?:(v1|v2)\/)?table\/([^/]+)(?:\/([^/]+))?$/;
const IMPORT_PATH = /^\/api\/now\/import\/([^/]+)(?:\/([^/]+))?$/;

export function createServiceNowSim(opts: ServiceNowSimOptions = {}): ServiceNowSim {
  const random = randomCredentials();
  const credentials: SnCredentials = {
    clientId: opts.clientId ?? random.clientId,
    clientSecret: opts.clientSecret ?? random.clientSecret,
    username: opts.username ?? random.username,
    password: opts.password ?? random.password,
  };
  const store = new Store();
  store.onWrite = applyMetadata(store, Date.now);
  const auth = new SnAuth(credentials, opts.tokenTtlSeconds ?? 1799);
  const transformer = new Transformer(store);
  const asyncDelay = opts.asyncTransformDelayMs ?? 20;
  const modes = new SimModes(opts.importRowBase ?? 1);
  const parts: SimParts = { store, auth, transformer, modes };
  let currentSeed = opts.seed ?? 'empty';
  seedStore(store, currentSeed, credentials);

  const baseUrl = (req: SimRequest): string => `http://${String(req.headers.host ?? '127.0.0.1')}`;

  // ------------------------------------------------------------------ rendering

  /** A record as the Table API shows it (§2 value shapes). */
  function render(
    table: string,
    row: Row,
    req: SimRequest,
    fields: string[] | null,
  ): Record<string, unknown> {
    const ctx = store.context(table);
    const mode = req.query.get('sysparm_display_value') ?? 'false';
    const noLink = req.query.get('sysparm_exclude_reference_link') === 'true';
    const names = fields ?? Object.keys(ctx.table.fields);
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const d = fieldDef(ctx, name);
      if (!d) continue;
      const value = fieldValue(ctx, row, name);
      const isRef = d.type === 'reference' && !!d.ref && value !== '';
      const link = isRef ? `${baseUrl(req)}/api/now/table/${d.ref}/${value}` : '';
      const display = isRef ? store.display(d.ref as string, value) : value;
      if (mode === 'true') out[name] = isRef && !noLink ? { display_value: display, link } : display;
      else if (mode === 'all')
        out[name] = { display_value: display, value, ...(isRef && !noLink ? { link } : {}) };
      else out[name] = isRef && !noLink ? { link, value } : value;
    }
    return out;
  }

  function fieldsParam(table: string, req: SimRequest): string[] | null {
    const raw = req.query.get('sysparm_fields');
    if (!raw) return null;
    const ctx = store.context(table);
    const denied = modes.fieldAcl.denied.get(table);
    // Unknown names are dropped silently (§2), and so are fields the user may not read (§8).
    return raw
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f && fieldDef(ctx, f) && !denied?.has(f));
  }

  function invalidTable(table: string): SimResponse {
    return envelope(400, `Invalid table ${table}`, `Table ${table} does not exist`);
  }

  function readBody(
    req: SimRequest,
  ): { ok: true; value: Record<string, unknown> } | { ok: false; response: SimResponse } {
    const type = String(req.headers['content-type'] ?? '');
    if (!type) return { ok: false, response: envelope(400, 'Content-Type header is missing', null) };
    if (!type.includes('application/json'))
      return {
        ok: false,
        response: envelope(415, 'Unsupported Media Type', `Content-Type ${type} is not supported`),
      };
    try {
      const value = JSON.parse(req.body.toString('utf8')) as unknown;
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
      return { ok: true, value: value as Record<string, unknown> };
    } catch {
      return {
        ok: false,
        response: envelope(400, 'Exception while reading request', 'The payload is not valid JSON.'),
      };
    }
  }

  // ------------------------------------------------------------------ Table API

  function tableList(table: string, version: string | undefined, req: SimRequest): SimResponse {
    if (modes.unreadable.has(table)) return envelope(403, 'Insufficient rights to query records', null);
    const limitRaw = Number(req.query.get('sysparm_limit') ?? '10000');
    const limit = Number.isFinite(limitRaw) && limitRaw > 0 ? Math.floor(limitRaw) : 10000;
    const offsetRaw = Number(req.query.get('sysparm_offset') ?? '0');
    const offset = Number.isFinite(offsetRaw) && offsetRaw > 0 ? Math.floor(offsetRaw) : 0;
    let query = req.query.get('sysparm_query') ?? '';
    if (!req.query.has('sysparm_query')) {
      // `name=value` pairs are the alternative to sysparm_query.
      query = [...req.query.entries()]
        .filter(([k]) => !k.startsWith('sysparm_'))
        .map(([k, v]) => `${k}=${v}`)
        .join('^');
    }
    if (modes.fieldAcl.enforce) {
      const field = unreadableQueryField(
        query,
        store.context(table),
        modes.fieldAcl.denied.get(table) ?? new Set(),
      );
      if (field !== undefined)
        return envelope(
          403,
          'Insufficient rights to query records',
          'Field(s) present in the query do not have permission to be read',
        );
    }
    const all = store.query(table, query);
    // sysparm_limit is applied before ACLs (§2, trap 1); X-Total-Count counts before ACLs.
    const page = all.slice(offset, offset + limit).filter((r) => !store.hidden(table, r));
    const fields = fieldsParam(table, req);
    const headers: Record<string, string> = {};
    if (req.query.get('sysparm_no_count') !== 'true') headers['X-Total-Count'] = String(all.length);
    // No Link when the whole result fits in one page (§8).
    if (req.query.get('sysparm_suppress_pagination_header') !== 'true' && all.length > limit)
      headers.Link = linkHeader(req, limit, offset, all.length);
    if (version === 'v1' && page.length === 0)
      return envelope(
        404,
        'No Record found',
        'Records matching query not found. Check query parameter or offset parameter',
      );
    return json(200, { result: page.map((r) => render(table, r, req, fields)) }, headers);
  }

  function linkHeader(req: SimRequest, limit: number, offset: number, total: number): string {
    const at = (o: number): string => {
      const q = new URLSearchParams(req.query);
      q.set('sysparm_limit', String(limit));
      q.set('sysparm_offset', String(o));
      return `<${baseUrl(req)}${req.path}?${q.toString()}>`;
    };
    const last = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
    const links = [`${at(0)};rel="first"`];
    if (offset > 0) links.push(`${at(Math.max(0, offset - limit))};rel="prev"`);
    if (offset + limit < total) links.push(`${at(offset + limit)};rel="next"`);
    links.push(`${at(last)};rel="last"`);
    return links.join(',');
  }

  function noRecord(): SimResponse {
    return envelope(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
  }

  function tableApi(m: RegExpExecArray, req: SimRequest, user: string): SimResponse {
    const [, version, table = '', sysId] = m;
    if (!store.def(table)) return invalidTable(table);
    if (!sysId) {
      if (req.method === 'GET') return tableList(table, version, req);
      if (req.method === 'POST') {
        const body = readBody(req);
        if (!body.ok) return body.response;
        const refused = checkMetadata(store, table, body.value);
        if (refused) return refused;
        const row = store.insert(table, body.value, req.receivedAt, user);
        return json(
          201,
          { result: render(table, row, req, fieldsParam(table, req)) },
          { Location: `${baseUrl(req)}/api/now/table/${table}/${row.sys_id}` },
        );
      }
      return envelope(
        405,
        'Method not Supported',
        `HTTP method ${req.method} is not supported for this resource`,
      );
    }
    const row = store.get(table, sysId);
    const visible = row && !store.hidden(table, row) ? row : undefined;
    switch (req.method) {
      case 'GET':
        return visible
          ? json(200, { result: render(table, visible, req, fieldsParam(table, req)) })
          : noRecord();
      case 'PUT':
      case 'PATCH': {
        if (!visible) return noRecord();
        const body = readBody(req);
        if (!body.ok) return body.response;
        store.update(table, sysId, body.value, req.receivedAt, user);
        return json(200, { result: render(table, visible, req, fieldsParam(table, req)) });
      }
      case 'DELETE':
        if (!visible) return noRecord();
        store.delete(table, sysId);
        return { status: 204 };
      default:
        return envelope(
          405,
          'Method not Supported',
          `HTTP method ${req.method} is not supported for this resource`,
        );
    }
  }

  // ------------------------------------------------------------------ Import Set API

  function importApi(m: RegExpExecArray, req: SimRequest, user: string): SimResponse {
    const [, staging = '', sub] = m;
    const def = store.def(staging);
    if (!def?.staging) return invalidTable(staging);
    if (sub && sub !== 'insertMultiple') {
      if (req.method !== 'GET')
        return envelope(
          405,
          'Method not Supported',
          `HTTP method ${req.method} is not supported for this resource`,
        );
      const row = store.get(staging, sub);
      if (!row) return noRecord();
      const set = store.get('sys_import_set', row.sys_import_set ?? '');
      return json(200, {
        import_set: set?.number ?? '',
        staging_table: staging,
        result: transformer.describe(staging, row, baseUrl(req)),
      });
    }
    if (req.method !== 'POST')
      return envelope(
        405,
        'Method not Supported',
        `HTTP method ${req.method} is not supported for this resource`,
      );
    const body = readBody(req);
    if (!body.ok) return body.response;
    if (modes.importLimits.poison && req.body.toString('utf8').includes(modes.importLimits.poison))
      return envelope(400, 'Exception while reading request', 'Invalid value in the request body');
    if (
      sub &&
      modes.importLimits.maxRows !== undefined &&
      Array.isArray(body.value.records) &&
      body.value.records.length > modes.importLimits.maxRows
    )
      return envelope(413, 'Request Entity Too Large', 'The request body exceeds the maximum allowed size');
    if (!sub) {
      const set = transformer.syncImportSet(staging, req.receivedAt, user);
      const count = store.query(staging, `sys_import_set=${set.sys_id}`).length;
      const row = transformer.load(
        staging,
        body.value,
        set.sys_id as string,
        count + modes.rowBase,
        req.receivedAt,
        user,
      );
      const result: ImportResult[] = transformer.transform(staging, row, req.receivedAt, user, baseUrl(req));
      return json(201, { import_set: set.number, staging_table: staging, result });
    }
    const records = body.value.records;
    if (!Array.isArray(records)) return envelope(400, 'Invalid request body', 'records must be an array');
    const config = store.query('sys_rest_insert_multiple', `source_table=${staging}^active=true`)[0];
    const byName = config?.column_mapping === 'name';
    // Default mapping is by column label (§3.1).
    const labels = new Map(
      store
        .query('sys_dictionary', `name=${staging}^elementISNOTEMPTY`)
        .map((d) => [d.column_label ?? '', d.element ?? '']),
    );
    const own = new Set(ownColumns(def));
    const multi = newSysId();
    const set = store.insert(
      'sys_import_set',
      { table_name: staging, state: 'loading', mode: 'asynchronous', multi_import_set: multi },
      req.receivedAt,
      user,
    );
    const rows = records.map((rec, i) => {
      const values: Record<string, unknown> = {};
      if (rec && typeof rec === 'object') {
        for (const [k, v] of Object.entries(rec as Record<string, unknown>)) {
          const column = byName ? (own.has(k) ? k : undefined) : labels.get(k);
          if (column) values[column] = v;
        }
      }
      return transformer.load(staging, values, set.sys_id as string, i + modes.rowBase, req.receivedAt, user);
    });
    const host = baseUrl(req);
    const timer = setTimeout(() => {
      const at = Date.now();
      for (const row of rows)
        if (store.get(staging, row.sys_id as string)) transformer.transform(staging, row, at, user, host);
      store.update(
        'sys_import_set',
        set.sys_id as string,
        { state: 'processed', load_completed: snTime(at) },
        at,
        user,
      );
    }, asyncDelay);
    timer.unref();
    return json(201, { import_set_id: set.sys_id, multi_import_set_id: multi });
  }

  // ------------------------------------------------------------------ dispatch

  function handle(req: SimRequest): SimResponse {
    const search = req.query.toString();
    const url = `${baseUrl(req)}${req.path}${search ? `?${search}` : ''}`;
    if (modes.maxUrl > 0 && url.length > modes.maxUrl)
      return {
        status: 414,
        headers: { 'content-type': 'text/html;charset=UTF-8' },
        body: '<html><body><h2>HTTP ERROR 414 URI Too Long</h2></body></html>',
      };
    if (req.path === '/oauth_token.do') return auth.tokenEndpoint(req);
    if (!req.path.startsWith('/api/')) {
      return {
        status: 404,
        headers: { 'content-type': 'text/html;charset=UTF-8' },
        body: '<html><body>Page not found</body></html>',
      };
    }
    const user = auth.authenticate(req);
    if (!user) return unauthenticated();
    const limited = modes.rateLimit(req, user);
    if (limited.denied) return limited.denied;
    const answer = route(req, user);
    return { ...answer, headers: { ...(answer.headers ?? {}), ...limited.headers } };
  }

  function route(req: SimRequest, user: string): SimResponse {
    const accept = String(req.headers.accept ?? '');
    if (!accept) return envelope(400, 'Accept header is missing', 'Set Accept to application/json');
    if (!/application\/json|\*\/\*|application\/\*/.test(accept))
      return envelope(406, 'Not Acceptable', `Accept ${accept} is not supported`);
    const t = TABLE_PATH.exec(req.path);
    if (t) return tableApi(t, req, user);
    const i = IMPORT_PATH.exec(req.path);
    if (i) return importApi(i, req, user);
    return envelope(400, 'Requested URI does not represent any resource', null);
  }

  function state(name?: string): unknown {
    if (name && store.def(name)) return store.rows(name);
    if (name === 'auth') return { ...auth.counts };
    return {
      seed: currentSeed,
      tables: Object.fromEntries(
        [...store.tables.entries()].filter(([, rows]) => rows.size > 0).map(([t, rows]) => [t, rows.size]),
      ),
      acl: Object.fromEntries(store.acl),
      auth: { ...auth.counts },
    };
  }

  return {
    name: 'servicenow',
    store,
    auth,
    transformer,
    credentials,
    handle,
    seed(spec) {
      currentSeed = String(spec.seed ?? 'demo');
      seedStore(store, currentSeed, credentials);
    },
    reset() {
      currentSeed = 'empty';
      seedStore(store, 'empty', credentials);
      auth.reset();
      modes.reset();
      transformer.rowErrors.length = 0;
    },
    state,
    renderFault: (rule, req) => renderFault(rule, req, parts),
    control: (route, body, req) => control(route, body, req, parts),
  };
}

/** Starts the simulator on 127.0.0.1 (ephemeral port unless given). Credentials are random per start unless given. */
export async function startServiceNowSim(
  opts: ServiceNowSimOptions & SimServerOptions = {},
): Promise<RunningSim & { credentials: SnCredentials; sim: ServiceNowSim }> {
  const sim = createServiceNowSim(opts);
  const running = await startSimServer(sim, {
    ...(opts.port === undefined ? {} : { port: opts.port }),
    ...(opts.latencyMs === undefined ? {} : { latencyMs: opts.latencyMs }),
  });
  return { ...running, credentials: { ...sim.credentials }, sim };
}
