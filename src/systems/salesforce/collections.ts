import { z } from 'zod';
import { InternalError, RecordError, TransientError, type MlcError } from '../../errors.js';
import { mapLimit } from '../../http/limiter.js';
import { sleep } from '../../http/retry.js';
import { recordError, type RecordFault } from './errors.js';
import type { SalesforceTransport } from './transport.js';

/**
 * Writes. sObject Collections upsert by an external-id field
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm):
 * up to 200 records of one type per call, `allOrNone: false`, answered 200 with one result per
 * record in order, even when every record failed. Composite
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm)
 * when children need the new id of their parent (`@{parent.id}`), up to 25 subrequests per call.
 */

/** The fate of one record: written (with its Salesforce id) or refused (a RecordError, usually). */
export type WriteOutcome = { ok: true; id: string; created: boolean } | { ok: false; error: MlcError };

export type SfValues = Record<string, unknown>;

const MAX_COLLECTION = 200;
const MAX_COMPOSITE = 25;
/** Records refused with UNABLE_TO_LOCK_ROW are sent again this many times. */
const LOCK_RETRIES = 3;

const collectionError = z.object({
  statusCode: z.string(),
  message: z.string(),
  fields: z.array(z.string()).optional(),
});
const collectionResult = z.object({
  id: z.string().optional(),
  success: z.boolean(),
  errors: z.array(collectionError),
  created: z.boolean().optional(),
});
const collectionBody = z.array(collectionResult);

function outcomeOf(result: z.infer<typeof collectionResult>, where: string): WriteOutcome {
  if (result.success && result.id) return { ok: true, id: result.id, created: result.created ?? false };
  const first = result.errors[0];
  const fault: RecordFault = first
    ? {
        code: first.statusCode,
        message: result.errors.map((e) => e.message).join('; '),
        fields: result.errors.flatMap((e) => e.fields ?? []),
      }
    : { code: 'UNKNOWN', message: 'refused without an error', fields: [] };
  return { ok: false, error: recordError(fault, where) };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Upserts `records` (each carrying its `externalIdField` value) in calls of at most `batchSize`
 * (≤ 200). Returns one outcome per record, in input order. A record refused with
 * UNABLE_TO_LOCK_ROW is sent again (alone with the others so refused) up to three times.
 */
export async function upsertRecords(
  t: SalesforceTransport,
  sobject: string,
  externalIdField: string,
  records: readonly SfValues[],
  opts: { batchSize?: number } = {},
): Promise<WriteOutcome[]> {
  records.forEach((r, i) => {
    const v = r[externalIdField];
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new InternalError(`Salesforce upsert ${sobject}: record ${i} has no ${externalIdField} value`, {
        code: 'salesforce.no_external_id',
      });
    }
  });
  const size = Math.min(opts.batchSize ?? t.conn.batchSize ?? MAX_COLLECTION, MAX_COLLECTION);
  const outcomes = new Array<WriteOutcome>(records.length);
  let pending = records.map((_, i) => i);
  for (let round = 0; pending.length > 0; round++) {
    const retry: number[] = [];
    await mapLimit(chunks(pending, size), t.conn.concurrency ?? 4, async (idx) => {
      const results = await collectionCall(
        t,
        sobject,
        externalIdField,
        idx.map((i) => records[i] as SfValues),
      );
      results.forEach((o, k) => {
        const i = idx[k] as number;
        outcomes[i] = o;
        if (
          !o.ok &&
          o.error instanceof TransientError &&
          o.error.code === 'salesforce.row_locked' &&
          round < LOCK_RETRIES
        )
          retry.push(i);
      });
    });
    pending = retry.sort((a, b) => a - b);
    if (pending.length > 0) await sleep(200 * (round + 1));
  }
  // Still locked after the repeats: a transient failure of the flow (its cursor stays), not of the record.
  const locked = outcomes.find((o) => !o.ok && o.error instanceof TransientError);
  if (locked && !locked.ok) throw locked.error;
  return outcomes;
}

async function collectionCall(
  t: SalesforceTransport,
  sobject: string,
  externalIdField: string,
  records: SfValues[],
): Promise<WriteOutcome[]> {
  const what = `PATCH composite/sobjects/${sobject}/${externalIdField}`;
  let answer;
  try {
    answer = await t.request(
      {
        method: 'PATCH',
        path: `composite/sobjects/${sobject}/${externalIdField}`,
        op: 'write',
        what,
        // An upsert keyed by the external id: repeating it cannot create a second record.
        idempotent: true,
        json: { allOrNone: false, records: records.map((r) => ({ attributes: { type: sobject }, ...r })) },
      },
      collectionBody,
    );
  } catch (err) {
    // The org refused the call as a whole (400 for the request): every record of it has that outcome.
    if (err instanceof RecordError) return records.map((): WriteOutcome => ({ ok: false, error: err }));
    throw err;
  }
  return checkCount(answer?.body ?? [], records.length, what).map((r) =>
    outcomeOf(r, `Salesforce upsert ${sobject}`),
  );
}

function checkCount<T>(results: T[], expected: number, what: string): T[] {
  if (results.length !== expected) {
    throw new InternalError(`Salesforce ${what}: ${results.length} results for ${expected} records`, {
      code: 'salesforce.result_count',
    });
  }
  return results;
}

/**
 * Updates records by Salesforce `Id` (`PATCH /composite/sobjects`), one outcome per record in order.
 * Repeated on a lost answer unless `repeat` is false: an update whose late arrival could undo a later
 * write (a status moved back) then stops the caller with a TransientError instead.
 */
export async function updateRecords(
  t: SalesforceTransport,
  sobject: string,
  records: ReadonlyArray<SfValues & { Id: string }>,
  opts: { repeat?: boolean } = {},
): Promise<WriteOutcome[]> {
  const out: WriteOutcome[] = [];
  for (const chunk of chunks(records, Math.min(t.conn.batchSize ?? MAX_COLLECTION, MAX_COLLECTION))) {
    const answer = await t.request(
      {
        method: 'PATCH',
        path: 'composite/sobjects',
        op: 'write',
        what: `PATCH composite/sobjects (${sobject})`,
        idempotent: opts.repeat ?? true,
        json: {
          allOrNone: false,
          records: chunk.map(({ Id, ...r }) => ({ attributes: { type: sobject }, id: Id, ...r })),
        },
      },
      collectionBody,
    );
    out.push(
      ...checkCount(answer?.body ?? [], chunk.length, 'update').map((r) =>
        outcomeOf(r, `Salesforce update ${sobject}`),
      ),
    );
  }
  return out;
}

/**
 * Creates records (`POST /composite/sobjects`), one outcome per record in order. Not repeated on a
 * lost answer: use it only for objects without an external id whose own uniqueness rule refuses a
 * second copy (a price book entry is unique per book and product), and read back on that refusal.
 */
export async function createRecords(
  t: SalesforceTransport,
  sobject: string,
  records: readonly SfValues[],
): Promise<WriteOutcome[]> {
  const out: WriteOutcome[] = [];
  for (const chunk of chunks(records, Math.min(t.conn.batchSize ?? MAX_COLLECTION, MAX_COLLECTION))) {
    const answer = await t.request(
      {
        method: 'POST',
        path: 'composite/sobjects',
        op: 'write',
        what: `POST composite/sobjects (${sobject})`,
        idempotent: false,
        json: { allOrNone: false, records: chunk.map((r) => ({ attributes: { type: sobject }, ...r })) },
      },
      collectionBody,
    );
    out.push(
      ...checkCount(answer?.body ?? [], chunk.length, 'create').map((r) =>
        outcomeOf(r, `Salesforce create ${sobject}`),
      ),
    );
  }
  return out;
}

/**
 * Deletes records by id (`DELETE /composite/sobjects?ids=…`, 200 per call), one outcome per id in
 * order. A record already deleted (ENTITY_IS_DELETED) counts as deleted: repeating a delete is harmless.
 */
export async function deleteRecords(t: SalesforceTransport, ids: readonly string[]): Promise<WriteOutcome[]> {
  const out: WriteOutcome[] = [];
  for (const chunk of chunks(ids, MAX_COLLECTION)) {
    const answer = await t.request(
      {
        method: 'DELETE',
        path: 'composite/sobjects',
        op: 'write',
        what: 'DELETE composite/sobjects',
        searchParams: { ids: chunk.join(','), allOrNone: 'false' },
      },
      collectionBody,
    );
    checkCount(answer?.body ?? [], chunk.length, 'delete').forEach((r, k) => {
      const gone = !r.success && r.errors.some((e) => e.statusCode === 'ENTITY_IS_DELETED');
      out.push(
        gone ? { ok: true, id: chunk[k] as string, created: false } : outcomeOf(r, 'Salesforce delete'),
      );
    });
  }
  return out;
}

/** One record upserted by external id: its type, key field, key value and the other fields. */
export interface UpsertSpec {
  sobject: string;
  externalIdField: string;
  externalId: string;
  values: SfValues;
}

export interface ParentWithChildren {
  parent: UpsertSpec;
  children: UpsertSpec[];
  /** The children's field that holds the parent's Salesforce id, e.g. `OrderId`. */
  parentField: string;
}

const compositeBody = z.object({
  compositeResponse: z.array(
    z.object({ body: z.unknown(), httpStatusCode: z.number(), referenceId: z.string() }),
  ),
});
const upsertAnswer = z.object({
  id: z.string(),
  success: z.boolean().optional(),
  created: z.boolean().optional(),
});
const errorArray = z.array(
  z.object({ errorCode: z.string(), message: z.string(), fields: z.array(z.string()).optional() }),
);

function subrequest(
  t: SalesforceTransport,
  spec: UpsertSpec,
  referenceId: string,
  extra: SfValues = {},
): unknown {
  const { [spec.externalIdField]: _key, ...values } = spec.values;
  return {
    method: 'PATCH',
    url: `${t.versionPath}/sobjects/${spec.sobject}/${spec.externalIdField}/${encodeURIComponent(spec.externalId)}`,
    referenceId,
    body: { ...values, ...extra },
  };
}

function subOutcome(status: number, body: unknown, where: string): WriteOutcome {
  const ok = upsertAnswer.safeParse(body);
  if (status >= 200 && status < 300 && ok.success)
    return { ok: true, id: ok.data.id, created: ok.data.created ?? status === 201 };
  const errs = errorArray.safeParse(body);
  const fault: RecordFault =
    status === 300
      ? { code: 'DUPLICATE_EXTERNAL_ID', message: 'the external id matches more than one record', fields: [] }
      : errs.success && errs.data[0]
        ? {
            code: errs.data[0].errorCode,
            message: errs.data.map((e) => e.message).join('; '),
            fields: errs.data.flatMap((e) => e.fields ?? []),
          }
        : { code: `HTTP_${status}`, message: JSON.stringify(body).slice(0, 200), fields: [] };
  return { ok: false, error: recordError(fault, where) };
}

/**
 * Upserts a parent and its children in one Composite request: the children name the parent as
 * `@{parent.id}`, so a parent created by this very call is found. With more than 24 children, the
 * rest follow through Collections upserts once the parent's id is known. `allOrNone` (default
 * false) makes the first Composite call atomic: a refused child rolls back the parent too.
 */
export async function upsertWithChildren(
  t: SalesforceTransport,
  doc: ParentWithChildren,
  opts: { allOrNone?: boolean } = {},
): Promise<{ parent: WriteOutcome; children: WriteOutcome[] }> {
  const first = doc.children.slice(0, MAX_COMPOSITE - 1);
  const rest = doc.children.slice(MAX_COMPOSITE - 1);
  let parent: WriteOutcome;
  let children: WriteOutcome[];
  // A locked row refuses its subrequest only: the whole (idempotent) call is sent again, then given up.
  for (let round = 0; ; round++) {
    ({ parent, children } = await compositeCall(t, doc, first, opts.allOrNone ?? false));
    const locked = [parent, ...children].find((o) => !o.ok && o.error instanceof TransientError);
    if (!locked || locked.ok) break;
    if (round >= LOCK_RETRIES) throw locked.error;
    await sleep(200 * (round + 1));
  }
  if (rest.length > 0) {
    if (parent.ok) {
      const parentId = parent.id;
      const bySobject = new Map<string, number[]>();
      rest.forEach((c, i) =>
        bySobject.set(`${c.sobject}\n${c.externalIdField}`, [
          ...(bySobject.get(`${c.sobject}\n${c.externalIdField}`) ?? []),
          i,
        ]),
      );
      const restOutcomes = new Array<WriteOutcome>(rest.length);
      for (const [key, idx] of bySobject) {
        const [sobject, field] = key.split('\n') as [string, string];
        const outs = await upsertRecords(
          t,
          sobject,
          field,
          idx.map((i) => {
            const c = rest[i] as UpsertSpec;
            return { ...c.values, [field]: c.externalId, [doc.parentField]: parentId };
          }),
        );
        idx.forEach((i, k) => (restOutcomes[i] = outs[k] as WriteOutcome));
      }
      children.push(...restOutcomes);
    } else {
      const refused = parent.error;
      children.push(...rest.map((): WriteOutcome => ({ ok: false, error: refused })));
    }
  }
  return { parent, children };
}

async function compositeCall(
  t: SalesforceTransport,
  doc: ParentWithChildren,
  first: UpsertSpec[],
  allOrNone: boolean,
): Promise<{ parent: WriteOutcome; children: WriteOutcome[] }> {
  const answer = await t.request(
    {
      method: 'POST',
      path: 'composite',
      op: 'write',
      what: `POST composite (${doc.parent.sobject} ${doc.parent.externalId})`,
      idempotent: true,
      json: {
        allOrNone,
        compositeRequest: [
          subrequest(t, doc.parent, 'parent'),
          ...first.map((c, i) => subrequest(t, c, `child${i}`, { [doc.parentField]: '@{parent.id}' })),
        ],
      },
    },
    compositeBody,
  );
  const byRef = new Map((answer?.body.compositeResponse ?? []).map((r) => [r.referenceId, r]));
  const at = (ref: string, spec: UpsertSpec): WriteOutcome => {
    const r = byRef.get(ref);
    if (!r) {
      throw new InternalError(`Salesforce composite: no answer for ${ref}`, {
        code: 'salesforce.result_count',
      });
    }
    return subOutcome(r.httpStatusCode, r.body, `Salesforce upsert ${spec.sobject} ${spec.externalId}`);
  };
  return { parent: at('parent', doc.parent), children: first.map((c, i) => at(`child${i}`, c)) };
}
