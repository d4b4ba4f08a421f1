import { json, type SimRequest, type SimResponse } from '../common/server.js';
import { hasEntity } from './spec.js';
import { UpsertRefused, metaOf, serialize, withErrors, type Store } from './store.js';

/**
 * `POST /_sim/exec {entity, record}`: edits a record as a user would on the screen (plain values;
 * `Details` lines with or without `id`; a linked entity such as `MainContact` field by field;
 * `delete: true` with an `id` removes the record), stamping LastModifiedDateTime on a real change.
 */
export function execControl(store: Store, body: unknown, req: SimRequest): SimResponse {
  const { entity, record } = body as { entity?: string; record?: Record<string, unknown> };
  if (!entity || !record || !hasEntity(entity)) return json(400, { error: 'expected {entity, record}' });
  if (record.delete === true && typeof record.id === 'string')
    return json(200, { deleted: store.remove(entity, record.id) });
  const { id, note, ...rest } = record;
  const lines: Record<string, Array<{ id?: string; delete?: boolean; fields: Record<string, unknown> }>> = {};
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) {
    if (Array.isArray(v)) {
      lines[k] = v.map((l: Record<string, unknown>) => {
        const { id: lid, delete: del, ...lf } = l;
        return {
          ...(typeof lid === 'string' ? { id: lid } : {}),
          ...(del === true ? { delete: true } : {}),
          fields: lf,
        };
      });
    } else fields[k] = v;
  }
  try {
    const { record: saved } = store.upsert(
      entity,
      {
        ...(typeof id === 'string' ? { id } : {}),
        ...(typeof note === 'string' ? { note } : {}),
        fields,
        lines,
      },
      req.receivedAt,
    );
    return json(
      200,
      serialize(saved, {
        expand: new Set(Object.keys(saved.lines)),
        version: '24.200.001',
        rowNumber: 1,
      }),
    );
  } catch (err) {
    if (err instanceof UpsertRefused)
      return json(422, withErrors(err.echo, err.problems, metaOf(entity).display, err.inserting));
    throw err;
  }
}
