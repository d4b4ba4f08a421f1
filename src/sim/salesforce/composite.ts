import type { Store } from './store.js';
import { SfFault, type Dml } from './writes.js';

/**
 * sObject Collections (create, update, upsert, delete; ≤ 200 records, per-record results in order,
 * `allOrNone` rollback) and Composite (≤ 25 subrequests, `@{ref.field}` references,
 * PROCESSING_HALTED), as the REST API Developer Guide describes them
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm).
 */
export interface RestAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface ItemResult {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
  created?: boolean;
}

const ROLLED_BACK = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [] as string[],
};

export function errorArray(
  status: number,
  errorCode: string,
  message: string,
  fields?: string[],
): RestAnswer {
  return { status, body: [{ message, errorCode, ...(fields && fields.length > 0 ? { fields } : {}) }] };
}

function failure(err: unknown, upsert: boolean): ItemResult {
  const f =
    err instanceof SfFault
      ? err
      : new SfFault(500, 'UNKNOWN_EXCEPTION', err instanceof Error ? err.message : String(err));
  return {
    success: false,
    errors: [{ statusCode: f.errorCode, message: f.message, fields: f.fields }],
    ...(upsert ? { created: false } : {}),
  };
}

type Kind = 'create' | 'update' | 'upsert' | 'delete';

/** One Collections call; `records` (or `ids` for delete) already taken from the request. */
export function collection(
  dml: Dml,
  store: Store,
  kind: Kind,
  input: { allOrNone: boolean; records?: unknown; ids?: string[]; sobject?: string; field?: string },
  lockIds: Set<string> = new Set(),
): RestAnswer {
  const items: unknown[] =
    kind === 'delete' ? (input.ids ?? []) : Array.isArray(input.records) ? input.records : [];
  if (kind !== 'delete' && !Array.isArray(input.records))
    return errorArray(400, 'JSON_PARSER_ERROR', 'records: expected an array of sObjects');
  if (items.length > 200) {
    return errorArray(
      400,
      'EXCEEDED_ID_LIMIT',
      'record limit reached. cannot submit more than 200 records into this call',
    );
  }
  const upsert = kind === 'upsert';
  const seen = new Map<string, number>();
  if (upsert) {
    for (const r of items) {
      const v = (r as Record<string, unknown> | null)?.[input.field as string];
      if (v !== undefined && v !== null) seen.set(String(v), (seen.get(String(v)) ?? 0) + 1);
    }
  }
  return store.transaction((rollbackAll) => {
    const results: ItemResult[] = items.map((item, index) =>
      store.transaction((rollback) => {
        try {
          return one(item, index);
        } catch (err) {
          rollback();
          return failure(err, upsert);
        }
      }),
    );
    if (input.allOrNone && results.some((r) => !r.success)) {
      rollbackAll();
      return {
        status: 200,
        body: results.map((r) =>
          r.success ? { success: false, errors: [ROLLED_BACK], ...(upsert ? { created: false } : {}) } : r,
        ),
      };
    }
    return { status: 200, body: results };
  });

  function one(item: unknown, _index: number): ItemResult {
    if (kind === 'delete') {
      const id = String(item);
      const object = store.schema.objectByPrefix(id);
      if (!object) throw new SfFault(400, 'MALFORMED_ID', `malformed id ${id}`);
      dml.remove(object.name, id);
      return { id, success: true, errors: [] };
    }
    if (item === null || typeof item !== 'object')
      throw new SfFault(400, 'JSON_PARSER_ERROR', 'expected an sObject');
    const { attributes, ...values } = item as Record<string, unknown>;
    const type = (attributes as { type?: unknown } | undefined)?.type;
    if (typeof type !== 'string') throw new SfFault(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
    if (lockIds.size > 0) {
      const key = String(values.id ?? values[input.field ?? ''] ?? '');
      if (lockIds.has(key) || lockIds.has('*'))
        throw new SfFault(400, 'UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record');
    }
    switch (kind) {
      case 'create': {
        if ('id' in values || 'Id' in values)
          throw new SfFault(400, 'INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
        return { id: dml.create(type, values).Id, success: true, errors: [] };
      }
      case 'update': {
        const { id, Id, ...rest } = values;
        const recordId = String(id ?? Id ?? '');
        if (!recordId)
          throw new SfFault(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
        return { id: dml.update(type, recordId, rest).Id, success: true, errors: [] };
      }
      case 'upsert': {
        if (dml.object(type).name !== dml.object(input.sobject as string).name) {
          throw new SfFault(
            400,
            'INVALID_TYPE',
            `record type ${type} does not match the upsert type ${input.sobject ?? ''}`,
          );
        }
        const field = input.field as string;
        const raw = values[field];
        if (raw === undefined || raw === null || raw === '')
          throw new SfFault(400, 'MISSING_ARGUMENT', `${field} not specified`, [field]);
        if ((seen.get(String(raw)) ?? 0) > 1)
          throw new SfFault(400, 'DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${String(raw)}`, [
            field,
          ]);
        try {
          const { rec, created } = dml.upsert(type, field, String(raw), values);
          return { id: rec.Id, success: true, errors: [], created };
        } catch (err) {
          if (err instanceof SfFault && err.status === 300)
            throw new SfFault(300, 'DUPLICATE_EXTERNAL_ID', err.message, [field]);
          throw err;
        }
      }
    }
  }
}

interface SubRequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

const FORBIDDEN_HEADERS = new Set(['authorization', 'accept', 'content-type']);

/**
 * `POST /composite`: subrequests in order, each answered by `dispatch` (the same routes as
 * top-level calls). With `allOrNone`, the first failure rolls every subrequest back and the others
 * answer PROCESSING_HALTED.
 */
export function composite(
  store: Store,
  body: unknown,
  version: string,
  dispatch: (method: string, path: string, query: URLSearchParams, body: unknown) => RestAnswer,
): RestAnswer {
  const input = body as { allOrNone?: unknown; compositeRequest?: unknown } | null;
  const subs = input?.compositeRequest;
  if (!Array.isArray(subs) || subs.length === 0)
    return errorArray(400, 'JSON_PARSER_ERROR', 'compositeRequest: expected an array of subrequests');
  if (subs.length > 25)
    return errorArray(
      400,
      'INVALID_BATCH_REQUEST',
      'Composite requests cannot have more than 25 subrequests',
    );
  const prefix = `/services/data/v${version}/`;
  const refs = new Set<string>();
  for (const s of subs as SubRequest[]) {
    if (
      typeof s?.referenceId !== 'string' ||
      !/^[A-Za-z0-9_]+$/.test(s.referenceId) ||
      refs.has(s.referenceId)
    ) {
      return errorArray(
        400,
        'INVALID_INPUT',
        `referenceId must be unique and alphanumeric: ${String(s?.referenceId)}`,
      );
    }
    refs.add(s.referenceId);
    if (typeof s.url !== 'string' || !s.url.startsWith('/services/data/v')) {
      return errorArray(
        400,
        'INVALID_INPUT',
        `The url of subrequest ${s.referenceId} must start with /services/data/vXX.X/`,
      );
    }
    for (const h of Object.keys(s.httpHeaders ?? {})) {
      if (FORBIDDEN_HEADERS.has(h.toLowerCase()))
        return errorArray(400, 'INVALID_INPUT', `Header ${h} is not allowed in a subrequest`);
    }
  }
  const allOrNone = input?.allOrNone === true;
  return store.transaction((rollback) => {
    const done = new Map<string, RestAnswer>();
    const out: Array<{
      body: unknown;
      httpHeaders: Record<string, string>;
      httpStatusCode: number;
      referenceId: string;
    }> = [];
    let failed = false;
    for (const s of subs as SubRequest[]) {
      if (failed && allOrNone) {
        out.push(halted(s.referenceId));
        continue;
      }
      let answer: RestAnswer;
      try {
        const url = substitute(s.url, done) as string;
        const u = new URL(url, 'http://x');
        const path = u.pathname.startsWith(prefix) ? u.pathname.slice(prefix.length) : u.pathname;
        answer = store.transaction((undo) => {
          const a = dispatch(s.method.toUpperCase(), path, u.searchParams, substitute(s.body, done));
          if (a.status >= 300) undo();
          return a;
        });
      } catch (err) {
        answer = errorArray(400, 'PROCESSING_HALTED', err instanceof Error ? err.message : String(err));
      }
      done.set(s.referenceId, answer);
      if (answer.status >= 300) failed = true;
      out.push({
        body: answer.body ?? null,
        httpHeaders: answer.headers ?? {},
        httpStatusCode: answer.status,
        referenceId: s.referenceId,
      });
    }
    if (failed && allOrNone) {
      rollback();
      for (let i = 0; i < out.length; i++) {
        const o = out[i] as (typeof out)[number];
        if (o.httpStatusCode < 300) out[i] = halted(o.referenceId);
      }
    }
    return { status: 200, body: { compositeResponse: out } };
  });
}

function halted(referenceId: string): {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
} {
  return {
    body: [
      {
        errorCode: 'PROCESSING_HALTED',
        message: 'The transaction was rolled back since another operation in the same transaction failed.',
      },
    ],
    httpHeaders: {},
    httpStatusCode: 400,
    referenceId,
  };
}

/** Replaces `@{ref.path}` in strings (recursively in objects) with values of earlier answers. */
function substitute(value: unknown, done: Map<string, RestAnswer>): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])+)\}/g,
      (_m, ref: string, path: string) => {
        const answer = done.get(ref);
        let cur: unknown = answer && answer.status < 300 ? answer.body : undefined;
        for (const part of path.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
          const key = part.startsWith('.') ? part.slice(1) : Number(part.slice(1, -1));
          cur =
            cur !== null && typeof cur === 'object'
              ? (cur as Record<string | number, unknown>)[key]
              : undefined;
        }
        if (cur === undefined || cur === null) {
          throw new Error(
            `Invalid reference specified. No value for ${ref}${path} found in ${ref}. Provided referenceId ('${ref}') must be an earlier successful subrequest.`,
          );
        }
        return String(cur);
      },
    );
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, done));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, done);
    return out;
  }
  return value;
}
