import { errorArray, type RestAnswer } from './composite.js';
import { attributes, renderValue, type QueryEngine } from './query.js';
import type { Schema } from './schema.js';
import { sfTime, type Store } from './store.js';
import { SfFault, type Dml } from './writes.js';

/** One simulated org's data and engines (rebuilt by every seed). */
export interface Org {
  store: Store;
  dml: Dml;
  query: QueryEngine;
  schema: Schema;
}

export function asBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new SfFault(400, 'JSON_PARSER_ERROR', 'expected a JSON object');
  return body as Record<string, unknown>;
}

/**
 * The `sobjects` routes: describeGlobal, describe, create, retrieve / update / delete by id, retrieve
 * and upsert by external id (201 inserted, 200 updated, 300 ambiguous), Get Updated / Get Deleted
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm).
 */
export function sobjects(
  org: Org,
  method: string,
  parts: string[],
  query: URLSearchParams,
  body: unknown,
  version: string,
): RestAnswer {
  const { store, dml, schema } = org;
  if (parts.length === 0 && method === 'GET') {
    return {
      status: 200,
      body: {
        encoding: 'UTF-8',
        maxBatchSize: 200,
        sobjects: [...schema.objects.values()].map((o) => ({
          name: o.name,
          label: o.name,
          keyPrefix: o.prefix,
          createable: o.createable,
          updateable: o.updateable,
          queryable: true,
          urls: { sobject: `/services/data/v${version}/sobjects/${o.name}` },
        })),
      },
    };
  }
  const object = schema.object(parts[0] ?? '');
  if (!object) return errorArray(404, 'NOT_FOUND', 'The requested resource does not exist');
  const loc = (id: string): Record<string, string> => ({
    Location: `/services/data/v${version}/sobjects/${object.name}/${id}`,
  });
  if (parts.length === 1) {
    if (method === 'POST') {
      const rec = dml.create(object.name, asBody(body));
      return { status: 201, body: { id: rec.Id, success: true, errors: [] }, headers: loc(rec.Id) };
    }
    if (method === 'GET')
      return {
        status: 200,
        body: {
          objectDescribe: { name: object.name, keyPrefix: object.prefix, createable: object.createable },
          recentItems: [],
        },
      };
  }
  if (parts.length === 2 && parts[1] === 'describe' && method === 'GET') {
    return {
      status: 200,
      body: {
        name: object.name,
        keyPrefix: object.prefix,
        createable: object.createable,
        updateable: object.updateable,
        fields: object.fields.map((f) => ({
          name: f.name,
          type: f.type,
          externalId: f.externalId === true,
          unique: f.unique === true,
          createable: f.createable !== false && object.createable,
          updateable: f.updateable !== false && object.updateable,
          nillable: !f.required,
          length: f.length ?? 0,
          referenceTo: f.ref ? [f.ref] : [],
          relationshipName: f.relationship ?? null,
          picklistValues: (f.picklist ?? []).map((v) => ({ value: v, label: v, active: true })),
        })),
      },
    };
  }
  if (parts.length === 2 && (parts[1] === 'updated' || parts[1] === 'deleted') && method === 'GET') {
    return replication(org, object.name, parts[1], query);
  }
  const renderRec = (id: string): RestAnswer => {
    const rec = store.get(object.name, id);
    if (!rec || rec.IsDeleted === true)
      return errorArray(404, 'NOT_FOUND', 'The requested resource does not exist');
    const wanted =
      query
        .get('fields')
        ?.split(',')
        .map((f) => f.trim()) ?? object.fields.map((f) => f.name);
    const out: Record<string, unknown> = { attributes: attributes(object.name, rec.Id, version) };
    for (const name of wanted) {
      const f = schema.field(object.name, name);
      if (!f) return errorArray(400, 'INVALID_FIELD', `No such column '${name}' on entity '${object.name}'`);
      out[f.name] = renderValue(f, rec[f.name]);
    }
    return { status: 200, body: out };
  };
  if (parts.length === 2) {
    const id = parts[1] as string;
    if (method === 'GET') return renderRec(id);
    if (method === 'PATCH') {
      if (!store.get(object.name, id))
        return errorArray(404, 'NOT_FOUND', 'The requested resource does not exist');
      dml.update(object.name, id, asBody(body));
      return { status: 204, body: undefined };
    }
    if (method === 'DELETE') {
      dml.remove(object.name, id);
      return { status: 204, body: undefined };
    }
  }
  if (parts.length === 3) {
    const [, field, value] = parts as [string, string, string];
    const f = schema.field(object.name, field);
    if (!f || (!f.externalId && f.name !== 'Id')) {
      return errorArray(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${field}`,
      );
    }
    if (method === 'GET') {
      const ids = store.byExternalId(object.name, f.name, value);
      if (ids.length > 1)
        return {
          status: 300,
          body: ids.map((id) => `/services/data/v${version}/sobjects/${object.name}/${id}`),
        };
      return ids[0]
        ? renderRec(ids[0])
        : errorArray(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    if (method === 'PATCH') {
      if (query.get('updateOnly') === 'true' && store.byExternalId(object.name, f.name, value).length === 0) {
        return errorArray(404, 'NOT_FOUND', 'The requested resource does not exist');
      }
      try {
        const { rec, created } = dml.upsert(object.name, f.name, value, asBody(body));
        return {
          status: created ? 201 : 200,
          body: { id: rec.Id, success: true, errors: [], created },
          headers: loc(rec.Id),
        };
      } catch (err) {
        if (err instanceof SfFault && err.status === 300) {
          return { status: 300, body: err.matches.map((m) => `/services/data/v${version}${m}`) };
        }
        throw err;
      }
    }
  }
  return errorArray(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/**
 * Get Updated / Get Deleted: ids whose SystemModstamp falls in [start, end), both truncated to the
 * minute, start at most 30 days back
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getupdated.htm).
 */
function replication(
  org: Org,
  object: string,
  kind: 'updated' | 'deleted',
  query: URLSearchParams,
): RestAnswer {
  const minute = (text: string | null): number => {
    const ms = text ? Date.parse(text) : NaN;
    if (Number.isNaN(ms))
      throw new SfFault(
        400,
        'INVALID_REPLICATION_DATE',
        `start and end must be valid dateTimes: ${String(text)}`,
      );
    return Math.floor(ms / 60_000) * 60_000;
  };
  const start = minute(query.get('start'));
  const end = minute(query.get('end'));
  const now = Date.now();
  if (start < now - 30 * 86_400_000)
    throw new SfFault(400, 'INVALID_REPLICATION_DATE', 'startDate cannot be more than 30 days ago');
  if (end <= start)
    throw new SfFault(400, 'INVALID_REPLICATION_DATE', 'endDate must chronologically follow the startDate');
  const hits = [...org.store.table(object).values()].filter((r) => {
    const t = r.SystemModstamp as number;
    return t >= start && t < end && (r.IsDeleted === true) === (kind === 'deleted');
  });
  if (hits.length > 600_000)
    throw new SfFault(400, 'EXCEEDED_ID_LIMIT', 'too many ids; narrow the date range');
  const latest = sfTime(Math.min(end, Math.floor(now / 60_000) * 60_000));
  if (kind === 'updated')
    return { status: 200, body: { ids: hits.map((r) => r.Id), latestDateCovered: latest } };
  return {
    status: 200,
    body: {
      deletedRecords: hits.map((r) => ({ id: r.Id, deletedDate: sfTime(r.SystemModstamp as number) })),
      earliestDateAvailable: sfTime(now - 30 * 86_400_000),
      latestDateCovered: latest,
    },
  };
}
