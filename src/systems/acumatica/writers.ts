import { RecordError } from '../../errors.js';
import { entityInfo } from './entities.js';
import { parseJson } from './errors.js';
import { filterString, rawEntitySchema, toRow, wrapEntity } from './schemas.js';
import type { AcumaticaReader } from './readers.js';
import type { AcumaticaTransport } from './transport.js';
import type { AcuRow } from './types.js';

/**
 * Writing (api notes §3): PUT create-or-update with wrapped values, and the idempotent create of
 * auto-numbered documents that finds its document again by an external reference first.
 */
export class AcumaticaWriter {
  constructor(
    private readonly t: AcumaticaTransport,
    private readonly reader: AcumaticaReader,
  ) {}

  /**
   * PUT create-or-update (§3.1): values wrapped as `{"value": …}`, details as arrays of wrapped lines.
   * Matched by `id`, else by all key fields, else inserted (auto-numbered). Retried only when it is
   * idempotent (an `id` or every key is given) or provably not sent.
   */
  async put(
    entity: string,
    record: Record<string, unknown>,
    opts: { expand?: string[]; headers?: Record<string, string> } = {},
  ): Promise<AcuRow> {
    const info = entityInfo(entity);
    const keyed =
      typeof record.id === 'string' ||
      (info !== undefined &&
        info.keys.length > 0 &&
        info.keys.every((k) => typeof record[k] === 'string' && record[k] !== '' && record[k] !== '<NEW>'));
    const res = await this.t.call('PUT', this.t.entityPath(entity), {
      op: `acumatica.put.${entity}`,
      idempotent: keyed,
      json: wrapEntity(record),
      searchParams: opts.expand?.length ? { $expand: opts.expand.join(',') } : {},
      ...(opts.headers ? { headers: opts.headers } : {}),
    });
    return toRow(parseJson(res, rawEntitySchema, `PUT ${entity}`));
  }

  /**
   * Idempotent create for auto-numbered documents (§3.2 "Idempotency", §6 trap 6): finds the document
   * by an external reference field first, then PUTs with its `id` so it updates. Detail lines of the
   * existing document are matched to the new ones by `detailKey` (or by position when none is given)
   * and sent with their `id`; lines mlc did not send are left as they are. Two documents carrying the
   * same reference are a RecordError (mlc cannot tell which one is its own).
   */
  async upsertByRef(
    entity: string,
    refField: string,
    ref: string,
    record: Record<string, unknown>,
    opts: { expand?: string[]; detailsField?: string; detailKey?: string } = {},
  ): Promise<{ row: AcuRow; created: boolean }> {
    const detailsField = opts.detailsField ?? 'Details';
    const expand = [...new Set([...(opts.expand ?? []), detailsField])];
    const found = await this.reader.list(entity, {
      filter: `${refField} eq ${filterString(ref)}`,
      expand: [detailsField],
    });
    if (found.length > 1) {
      throw new RecordError(
        `${found.length} ${entity} records carry ${refField} = ${ref}; expected at most one`,
        {
          code: 'acumatica.duplicate_reference',
          hint: `delete or change the reference on the extra ${entity} records in Acumatica`,
          data: { entity, refField, ref, ids: found.map((r) => r.id) },
        },
      );
    }
    const existing = found[0];
    const body: Record<string, unknown> = { ...record };
    if (!existing) {
      return { row: await this.put(entity, body, { expand }), created: true };
    }
    body.id = existing.id;
    const lines = body[detailsField];
    if (Array.isArray(lines)) {
      const old = Array.isArray(existing[detailsField])
        ? (existing[detailsField] as Array<Record<string, unknown>>)
        : [];
      const used = new Set<string>();
      body[detailsField] = lines.map((line: Record<string, unknown>, i) => {
        if (typeof line.id === 'string') return line;
        const match = opts.detailKey
          ? old.find(
              (o) =>
                typeof o.id === 'string' &&
                !used.has(o.id) &&
                sameValue(o[opts.detailKey as string], line[opts.detailKey as string]),
            )
          : old[i];
        if (match && typeof match.id === 'string' && !used.has(match.id)) {
          used.add(match.id);
          return { ...line, id: match.id };
        }
        return line;
      });
    }
    return { row: await this.put(entity, body, { expand }), created: false };
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string')
    return a.trim().toUpperCase() === b.trim().toUpperCase();
  return a === b;
}
