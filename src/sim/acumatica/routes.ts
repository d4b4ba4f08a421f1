import { json, type SimRequest, type SimResponse } from '../common/server.js';
import { httpError, unauthorized, type SimAuth } from './auth.js';
import { FilterError, evaluate, fieldsOf, parseFilter, type FilterRow } from './filter.js';
import { bodyValidator, hasEntity, modelState, schemaInfo } from './spec.js';
import {
  PreconditionFailed,
  UpsertRefused,
  metaOf,
  serialize,
  toPlainInput,
  withErrors,
  type Store,
  type StoredRecord,
} from './store.js';

/**
 * The entity routes of the contract-based REST API (api notes §2, §3): `GET …/{Entity}` with
 * `$filter/$select/$expand/$top/$skip` (no `$orderby`), `GET …/{Entity}/{id | keys}`, `PUT` upserts
 * validated against the Default 24.200.001 OpenAPI document, `DELETE`, and the CompaniesStructure
 * inquiry. Unknown endpoint versions and entities answer 404; a missing record 500
 * NoEntitySatisfiesTheConditionException (§8).
 */
export interface RouteContext {
  store: Store;
  auth: SimAuth;
  versions: string[];
  /** Virtual directory of the instance ('' for none), for `_links`. */
  vdir: string;
  /** The last PUT bodies, for tests (`/_sim/state?name=puts`). */
  puts: Array<{ entity: string; body: unknown }>;
}

const ENTITY_PATH = /^\/entity\/([^/]+)\/([^/]+)\/([^/]+)(?:\/(.*))?$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function entityRoutes(ctx: RouteContext): {
  entityRoute(req: SimRequest): SimResponse;
  notFoundHtml(): SimResponse;
} {
  const { store, auth, versions, vdir, puts } = ctx;

  function notFoundHtml(): SimResponse {
    return {
      status: 404,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: "<!DOCTYPE html><html><head><title>The resource cannot be found.</title></head><body><h2>Server Error in '/' Application.</h2><p>The resource cannot be found.</p></body></html>",
    };
  }

  function parseBody(
    req: SimRequest,
  ): { ok: true; body: Record<string, unknown> } | { ok: false; res: SimResponse } {
    try {
      const v = JSON.parse(req.body.toString('utf8').replace(/^\uFEFF/, '')) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        return {
          ok: false,
          res: json(400, {
            message: 'The request is invalid.',
            modelState: { entity: ['An entity object is expected.'] },
          }),
        };
      }
      return { ok: true, body: v as Record<string, unknown> };
    } catch (err) {
      return {
        ok: false,
        res: json(400, {
          message: 'The request is invalid.',
          modelState: { entity: [err instanceof Error ? err.message : 'invalid JSON'] },
        }),
      };
    }
  }

  function listQuery(entity: string, req: SimRequest, version: string): SimResponse {
    const q = req.query;
    for (const unsupported of ['$orderby', '$count', '$inlinecount']) {
      if (q.has(unsupported)) {
        return httpError(
          400,
          'The request is invalid.',
          `The query parameter '${unsupported}' is not supported by the contract-based REST API.`,
          'PX.Api.ContractBased.InvalidRequestException',
        );
      }
    }
    const info = schemaInfo(entity);
    if (!info) return notFoundHtml();
    const expand = parseExpand(entity, q.get('$expand'));
    if ('error' in expand) return httpError(400, 'The request is invalid.', expand.error);
    const select = parseSelect(entity, q.get('$select'));
    if (select && 'error' in select) return httpError(400, 'The request is invalid.', select.error);
    let rows = entity === 'CompaniesStructure' ? [] : store.ordered(entity);
    const filterText = q.get('$filter');
    if (filterText) {
      let node;
      try {
        node = parseFilter(filterText);
      } catch (err) {
        return httpError(
          400,
          'The request is invalid.',
          `Invalid $filter: ${err instanceof FilterError ? err.message : String(err)}`,
          'PX.Api.ContractBased.InvalidFilterException',
        );
      }
      for (const f of fieldsOf(node)) {
        const p = info.properties.get(f);
        if (f !== 'id' && p?.kind !== 'value') {
          return httpError(
            500,
            'An error has occurred.',
            `The field '${f}' is not found in the ${entity} entity.`,
            'PX.Api.ContractBased.FieldNotFoundException',
          );
        }
      }
      rows = rows.filter((r) => evaluate(node, filterRow(r)));
    }
    const skip = intParam(q.get('$skip'));
    const top = intParam(q.get('$top'));
    if (skip === null || top === null)
      return httpError(400, 'The request is invalid.', '$top and $skip must be non-negative integers.');
    rows = rows.slice(skip ?? 0, top === undefined ? undefined : (skip ?? 0) + top);
    return json(
      200,
      rows.map((r, i) =>
        serialize(r, {
          expand: expand.set,
          ...(select ? { select } : {}),
          version,
          rowNumber: i + 1,
          root: vdir,
        }),
      ),
    );
  }

  function filterRow(r: StoredRecord): FilterRow {
    const info = schemaInfo(r.entity);
    return {
      get: (f) => (f === 'id' ? r.id : f === 'LastModifiedDateTime' ? r.modified : r.fields[f]),
      type: (f) => {
        const p = info?.properties.get(f);
        return p?.kind === 'value' ? p.type : undefined;
      },
      custom: (view, field) => r.custom[view]?.[field] ?? null,
    };
  }

  function getOne(entity: string, rest: string, req: SimRequest, version: string): SimResponse {
    const expand = parseExpand(entity, req.query.get('$expand'));
    if ('error' in expand) return httpError(400, 'The request is invalid.', expand.error);
    const parts = rest.split('/').map((p) => decodeURIComponent(p));
    let rec: StoredRecord | undefined;
    if (parts.length === 1 && GUID.test(parts[0] ?? ''))
      rec = store.table(entity).get((parts[0] ?? '').toLowerCase());
    else rec = store.findByKeys(entity, parts);
    if (!rec) {
      return httpError(
        500,
        'An error has occurred.',
        'No entity satisfies the condition.',
        'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException',
      );
    }
    return json(200, serialize(rec, { expand: expand.set, version, rowNumber: 1, root: vdir }));
  }

  function put(entity: string, req: SimRequest, version: string): SimResponse {
    const parsed = parseBody(req);
    if (!parsed.ok) return parsed.res;
    puts.push({ entity, body: parsed.body });
    if (puts.length > 200) puts.shift();
    const validate = bodyValidator(entity);
    if (!validate(parsed.body))
      return json(400, { message: 'The request is invalid.', modelState: modelState(validate.errors) });
    const expand = parseExpand(entity, req.query.get('$expand'));
    if ('error' in expand) return httpError(400, 'The request is invalid.', expand.error);
    if (entity === 'CompaniesStructure') return json(200, companiesStructure(version, expand.set));
    const headerStar = (h: string): boolean => String(req.headers[h] ?? '').trim() === '*';
    try {
      const { record } = store.upsert(entity, toPlainInput(entity, parsed.body), req.receivedAt, {
        ifMatch: headerStar('if-match'),
        ifNoneMatch: headerStar('if-none-match'),
      });
      return json(200, serialize(record, { expand: expand.set, version, rowNumber: 1, root: vdir }));
    } catch (err) {
      if (err instanceof UpsertRefused)
        return json(422, withErrors(err.echo, err.problems, metaOf(entity).display, err.inserting));
      if (err instanceof PreconditionFailed)
        return httpError(
          412,
          'Precondition failed.',
          err.message,
          'PX.Api.ContractBased.PreconditionFailedException',
        );
      throw err;
    }
  }

  function companiesStructure(version: string, expand: Set<string>): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: '00000000-0000-0000-0000-000000000001',
      rowNumber: 1,
      note: {},
      custom: {},
    };
    if (expand.has('Results')) {
      out.Results = store.branches.map((b, i) => ({
        id: `00000000-0000-0000-0001-${String(i + 1).padStart(12, '0')}`,
        rowNumber: i + 1,
        note: {},
        BaseCurrencyID: { value: 'USD' },
        BranchCountry: { value: 'US' },
        BranchID: { value: b.BranchID },
        BranchName: { value: b.BranchName },
        BranchStatus: { value: true },
        CompanyID: { value: store.company.CompanyID },
        CompanyName: { value: store.company.CompanyName },
        CompanyStatus: { value: true },
        CompanyType: { value: 'With Branches Not Requiring Balancing' },
        custom: {},
      }));
    }
    out._links = { self: `${vdir}/entity/Default/${version}/CompaniesStructure` };
    return out;
  }

  function entityRoute(req: SimRequest): SimResponse {
    const m = ENTITY_PATH.exec(req.path);
    if (!m) return notFoundHtml();
    const [, endpoint, version = '', entity = '', rest] = m;
    if (endpoint !== 'Default' || !versions.includes(version)) return notFoundHtml();
    if (!hasEntity(entity))
      return json(404, { message: `No HTTP resource was found that matches the request URI '${req.path}'.` });
    if (!auth.sessionOf(req)) return unauthorized();
    if (req.method === 'GET')
      return rest === undefined || rest === ''
        ? listQuery(entity, req, version)
        : getOne(entity, rest, req, version);
    if (req.method === 'PUT' && (rest === undefined || rest === '')) return put(entity, req, version);
    if (req.method === 'DELETE' && rest) {
      const parts = rest.split('/').map((p) => decodeURIComponent(p));
      const rec =
        parts.length === 1 && GUID.test(parts[0] ?? '')
          ? store.table(entity).get((parts[0] ?? '').toLowerCase())
          : store.findByKeys(entity, parts);
      if (!rec)
        return httpError(
          500,
          'An error has occurred.',
          'No entity satisfies the condition.',
          'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException',
        );
      store.remove(entity, rec.id);
      return { status: 204 };
    }
    return json(405, { message: `The requested resource does not support http method '${req.method}'.` });
  }

  return { entityRoute, notFoundHtml };
}

function parseExpand(entity: string, text: string | null): { set: Set<string> } | { error: string } {
  const set = new Set<string>();
  if (!text) return { set };
  const info = schemaInfo(entity);
  for (const raw of text.split(',')) {
    const name = raw.trim().split('/')[0] ?? '';
    if (name === '') continue;
    const p = info?.properties.get(name);
    if (p?.kind !== 'collection' && p?.kind !== 'link' && name !== 'files')
      return { error: `'${name}' cannot be expanded: it is not a linked or detail entity of ${entity}.` };
    set.add(name);
  }
  return { set };
}

function parseSelect(
  entity: string,
  text: string | null,
): { head: Set<string>; lines: Map<string, Set<string>> } | { error: string } | undefined {
  if (!text) return undefined;
  const info = schemaInfo(entity);
  const head = new Set<string>();
  const lines = new Map<string, Set<string>>();
  for (const raw of text.split(',')) {
    const f = raw.trim();
    if (f === '') continue;
    const [first = '', second] = f.split('/');
    const p = info?.properties.get(first);
    if (!p) return { error: `The field '${first}' is not found in the ${entity} entity.` };
    if (second !== undefined && p.kind === 'collection') {
      let s = lines.get(first);
      if (!s) lines.set(first, (s = new Set()));
      s.add(second);
    } else head.add(first);
  }
  return { head, lines };
}

function intParam(v: string | null): number | undefined | null {
  if (v === null) return undefined;
  if (!/^\d+$/.test(v.trim())) return null;
  return Number(v);
}
