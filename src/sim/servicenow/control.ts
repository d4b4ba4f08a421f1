import { json, type FaultRule, type SimRequest, type SimResponse } from '../common/server.js';
import { envelope, type SnAuth } from './auth.js';
import type { Transformer } from './importset.js';
import type { SimModes } from './modes.js';
import { STAGING_TABLES } from './staging.js';
import type { Store } from './store.js';

/** The parts of a simulated instance that faults and control routes act on. */
export interface SimParts {
  store: Store;
  auth: SnAuth;
  transformer: Transformer;
  modes: SimModes;
}

const CANCELLED = 'Transaction cancelled: maximum execution time exceeded';

/**
 * ServiceNow's own fault kinds and control routes (the frame's, such as the `html` hibernation page,
 * are answered by the frame).
 *
 * Control routes besides the frame's (`POST /_sim/<route>`):
 *   acl {table, hide}                 rows matching `hide` are removed after `sysparm_limit` (empty hide: off)
 *   coalesce {staging, coalesce}      clears/restores the coalesce flags of the staging table's field maps
 *   insert_multiple {staging, columnMapping: "label"|"name"}
 *   rate_limit {rules:[{resource: "<METHOD> <path regex>", limit, windowSeconds?}]}  (empty list: off)
 *   purge_import_sets                 deletes import sets and staging rows (GET import/... then 404s)
 *   expire_tokens                     every access token expires now
 *   exec {table, record, sysId?, delete?}  a user's edit, stamped now
 *   age {seconds}                     every sys_created_on/sys_updated_on moves that far into the past
 *   field_acl {enforce, table?, deny?} glide.export.query.enforce_field_acl: a query naming an unknown
 *                                     field, or one of `deny` on `table`, answers 403 (§8); denied
 *                                     fields are also dropped from sysparm_fields
 *   import_limits {maxRows?, poison?}  an insertMultiple of more than maxRows records answers 413; any
 *                                     import whose body contains the text `poison` answers 400 (whole
 *                                     request); {} turns both off
 *   max_url {length}                  a request URL longer than this answers 414 (0: off)
 *   table_acl {table, read}           read: false makes every list GET of the table answer 403
 *   import_row_base {base}            numbering of sys_import_row from 0 or 1 (default 1)
 * Fault kinds: rate_limit, server_error, revoke_token, transaction_cancel, row_error,
 *   malformed_json (200 with a cut-off JSON body), echo_credentials (an error envelope, status
 *   `status` or 500, whose detail repeats the request's Authorization header and body: a client
 *   secret on /oauth_token.do) (+ the frame's, e.g. `html`: the hibernation page).
 */
export function renderFault(rule: FaultRule, req: SimRequest, deps: SimParts): SimResponse | undefined {
  const { auth, transformer } = deps;
  switch (rule.kind) {
    case 'malformed_json':
      return {
        status: rule.status ?? 200,
        headers: { 'content-type': 'application/json;charset=UTF-8' },
        body: '{"result":[{"sys_id":"0a1b2c3d4e5f',
      };
    case 'echo_credentials':
      return envelope(
        rule.status ?? 500,
        'Internal error',
        `request Authorization: ${String(req.headers.authorization ?? '')}; body: ${req.body.toString('utf8')}`,
        { 'X-Echo-Authorization': String(req.headers.authorization ?? '') },
      );
    case 'rate_limit': {
      const retryAfter = rule.retryAfter ?? 1;
      return envelope(
        429,
        'Rate limit exceeded',
        'Rate limit of 100 requests per hour for Table API exceeded',
        {
          'Retry-After': String(retryAfter),
          'X-RateLimit-Limit': '100',
          'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + retryAfter),
          'X-RateLimit-Rule': 'b0f5c3a1d7e24f0e9a8b6c4d2e1f0a9b',
        },
      );
    }
    case 'server_error': {
      const status = rule.status ?? 500;
      const message =
        status === 503 ? 'Service Unavailable' : status === 502 ? 'Bad Gateway' : 'Internal Server Error';
      return envelope(
        status,
        message,
        (rule.params?.detail as string | undefined) ?? null,
        rule.retryAfter === undefined ? {} : { 'Retry-After': String(rule.retryAfter) },
      );
    }
    case 'revoke_token':
      // The request then meets its revoked token, as on the real server.
      auth.revokeAll();
      return undefined;
    case 'transaction_cancel':
      return {
        status: rule.status ?? 500,
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: CANCELLED,
      };
    case 'row_error':
      transformer.rowErrors.push(String(rule.params?.message ?? 'Row rejected by a transform script'));
      return undefined;
    default:
      return undefined;
  }
}

export function control(
  route: string,
  body: unknown,
  req: SimRequest,
  deps: SimParts,
): SimResponse | undefined {
  const { store, auth, modes } = deps;
  const b = (body ?? {}) as Record<string, unknown>;
  switch (route) {
    case 'acl': {
      const table = String(b.table ?? '');
      if (!store.def(table)) return json(400, { error: `unknown table ${table}` });
      if (b.hide) store.acl.set(table, String(b.hide));
      else store.acl.delete(table);
      return json(200, { ok: true });
    }
    case 'coalesce': {
      const staging = String(b.staging ?? '');
      const maps = store.query('sys_transform_map', `source_table=${staging}`);
      if (maps.length === 0) return json(400, { error: `no transform map reads ${staging}` });
      const definition = STAGING_TABLES.find((t) => t.name === staging);
      for (const map of maps) {
        for (const e of store.query('sys_transform_entry', `map=${map.sys_id}`)) {
          const original =
            definition?.maps.find((x) => x.source === e.source_field && x.target === e.target_field)
              ?.coalesce === true;
          store.update(
            'sys_transform_entry',
            e.sys_id as string,
            { coalesce: b.coalesce === false ? 'false' : String(original) },
            req.receivedAt,
            'admin',
          );
        }
      }
      return json(200, { ok: true });
    }
    case 'insert_multiple': {
      const staging = String(b.staging ?? '');
      const config = store.query('sys_rest_insert_multiple', `source_table=${staging}`)[0];
      const mapping = b.columnMapping === 'name' ? 'name' : 'label';
      if (config)
        store.update(
          'sys_rest_insert_multiple',
          config.sys_id as string,
          { column_mapping: mapping },
          req.receivedAt,
          'admin',
        );
      else
        store.insert(
          'sys_rest_insert_multiple',
          { source_table: staging, column_mapping: mapping, transform: 'asynchronous', active: 'true' },
          req.receivedAt,
          'admin',
        );
      return json(200, { ok: true });
    }
    case 'rate_limit': {
      const rules = Array.isArray(b.rules) ? (b.rules as Array<Record<string, unknown>>) : [];
      modes.rateRules = rules.map((r, n) => {
        const resource = String(r.resource ?? '');
        const space = resource.indexOf(' ');
        return {
          sys_id: `${String(n + 1).padStart(2, '0')}${'a7c3e9f1'.repeat(4)}`.slice(0, 32),
          resource,
          method: space > 0 ? resource.slice(0, space).toUpperCase() : '*',
          path: new RegExp(space > 0 ? resource.slice(space + 1) : resource),
          limit: Number(r.limit ?? 100),
          windowSeconds: Number(r.windowSeconds ?? 3600),
          windows: new Map(),
        };
      });
      return json(200, {
        ok: true,
        rules: modes.rateRules.map((r) => ({ sys_id: r.sys_id, resource: r.resource, limit: r.limit })),
      });
    }
    case 'purge_import_sets': {
      for (const set of store.rows('sys_import_set')) store.delete('sys_import_set', set.sys_id as string);
      for (const def of store.tables.keys()) if (store.def(def)?.staging) store.truncate(def);
      return json(200, { ok: true });
    }
    case 'field_acl': {
      const table = b.table === undefined ? undefined : String(b.table);
      if (table !== undefined && !store.def(table)) return json(400, { error: `unknown table ${table}` });
      if (b.enforce === false) modes.fieldAcl = { enforce: false, denied: new Map() };
      else modes.fieldAcl.enforce = true;
      if (table !== undefined && Array.isArray(b.deny))
        modes.fieldAcl.denied.set(table, new Set((b.deny as unknown[]).map(String)));
      return json(200, { ok: true });
    }
    case 'import_limits':
      modes.importLimits = {
        ...(b.maxRows === undefined ? {} : { maxRows: Number(b.maxRows) }),
        ...(b.poison === undefined ? {} : { poison: String(b.poison) }),
      };
      return json(200, { ok: true });
    case 'table_acl': {
      const table = String(b.table ?? '');
      if (!store.def(table)) return json(400, { error: `unknown table ${table}` });
      if (b.read === false) modes.unreadable.add(table);
      else modes.unreadable.delete(table);
      return json(200, { ok: true });
    }
    case 'import_row_base':
      modes.rowBase = Number(b.base ?? 1);
      return json(200, { ok: true });
    case 'max_url':
      modes.maxUrl = Number(b.length ?? 0);
      return json(200, { ok: true });
    case 'expire_tokens':
      auth.expireAll();
      return json(200, { ok: true });
    case 'age':
      store.age(Number(b.seconds ?? 0));
      return json(200, { ok: true });
    case 'exec': {
      const table = String(b.table ?? '');
      if (!store.def(table)) return json(400, { error: `unknown table ${table}` });
      const record = (b.record ?? {}) as Record<string, unknown>;
      const sysId = b.sysId === undefined ? undefined : String(b.sysId);
      if (sysId && b.delete === true) return json(200, { ok: store.delete(table, sysId) });
      if (sysId && store.get(table, sysId)) {
        store.update(table, sysId, record, req.receivedAt, 'admin');
        return json(200, { result: store.get(table, sysId) });
      }
      return json(200, { result: store.insert(table, record, req.receivedAt, 'admin', sysId) });
    }
    default:
      return undefined;
  }
}
