/**
 * Writing to Odoo: batch `create`, `write`, the idempotent upsert keyed by a reference field (api
 * notes §3) and business methods.
 */

import { InternalError, RecordError, TransientError, isMlcError } from '../../errors.js';
import { idListSchema } from './schemas.js';
import { OdooReader } from './readers.js';
import { checkWriteGuard } from '../../http/write-guard.js';
import type { UpsertResult } from './types.js';

export class OdooWriter extends OdooReader {
  /**
   * Batch create (`batchSize` per call). Never retried unless the request provably was not sent: a
   * create that committed but lost its answer would be repeated. Idempotent writes go through
   * `upsertByRef`. `context` is the call's (e.g. a wizard's `active_model`/`active_ids`).
   */
  async create(
    model: string,
    valsList: Record<string, unknown>[],
    opts: { context?: Record<string, unknown> } = {},
  ): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < valsList.length; i += this.batchSize) {
      ids.push(
        ...(await this.retry(`odoo.${model}.create`, false, () =>
          this.createOnce(model, valsList.slice(i, i + this.batchSize), opts.context),
        )),
      );
    }
    return ids;
  }

  /** One create call; JSON-2 answers a list, XML-RPC an int for a single dict (§6.11): both → number[]. */
  protected async createOnce(
    model: string,
    batch: Record<string, unknown>[],
    context?: Record<string, unknown>,
  ): Promise<number[]> {
    checkWriteGuard();
    const single = batch.length === 1 && (await this.transport()) === 'xmlrpc';
    const raw = await this.orm(model, 'create', undefined, {
      vals_list: single ? batch[0] : batch,
      ...(context === undefined ? {} : { context }),
    });
    const ids = typeof raw === 'number' ? [raw] : idListSchema.safeParse(raw).data;
    if (!ids || ids.length !== batch.length) {
      throw new InternalError(
        `Odoo ${model}.create: expected ${batch.length} ids, got ${JSON.stringify(raw)}`,
        { code: 'odoo.bad_payload' },
      );
    }
    return ids;
  }

  /** `write(ids, vals)`; writing the same values twice is harmless, so it is retried. */
  async write(model: string, ids: number[], vals: Record<string, unknown>): Promise<void> {
    if (ids.length === 0) return;
    await this.retry(`odoo.${model}.write`, true, () => {
      checkWriteGuard();
      return this.orm(model, 'write', ids, { vals });
    });
  }

  /**
   * Idempotent upsert keyed by a reference field (api notes §3): one `search_read` with `in` finds
   * the existing rows, which are written; the rest are batch-created. A create that fails
   * transiently is followed by a read-back by ref before it is retried, so a create that committed
   * without its answer reaching us is not repeated. A batch refused as a whole (fault 2 / 422) is
   * retried row by row; per-row failures are returned, not thrown.
   */
  async upsertByRef(
    model: string,
    refField: string,
    rows: { ref: string; vals: Record<string, unknown> }[],
  ): Promise<UpsertResult[]> {
    const byRef = new Map<string, Record<string, unknown>>();
    for (const row of rows) byRef.set(row.ref, row.vals);
    const refs = [...byRef.keys()];
    const outcome = new Map<string, UpsertResult>();
    const existing = await this.findByRef(model, refField, refs);
    for (const [ref, id] of existing) {
      try {
        await this.write(model, [id], byRef.get(ref) as Record<string, unknown>);
        outcome.set(ref, { ref, id, created: false });
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        outcome.set(ref, { ref, id, error: err });
      }
    }
    const missing = refs.filter((ref) => !existing.has(ref));
    for (let i = 0; i < missing.length; i += this.batchSize) {
      const batch = missing.slice(i, i + this.batchSize);
      try {
        const ids = await this.createByRef(model, refField, batch, byRef);
        for (const ref of batch) outcome.set(ref, { ref, id: ids.get(ref) as number, created: true });
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        if (batch.length === 1) {
          outcome.set(batch[0] as string, { ref: batch[0] as string, error: err });
          continue;
        }
        // One bad row rolls back the whole batch (§3): isolate it.
        for (const ref of batch) {
          try {
            const ids = await this.createByRef(model, refField, [ref], byRef);
            outcome.set(ref, { ref, id: ids.get(ref) as number, created: true });
          } catch (rowErr) {
            if (!(rowErr instanceof RecordError)) throw rowErr;
            outcome.set(ref, { ref, error: rowErr });
          }
        }
      }
    }
    return rows.map((row) => outcome.get(row.ref) ?? { ref: row.ref });
  }

  /** Creates the rows of `refs`; on retry, first reads back by ref what an earlier attempt committed. */
  protected async createByRef(
    model: string,
    refField: string,
    refs: string[],
    byRef: Map<string, Record<string, unknown>>,
  ): Promise<Map<string, number>> {
    const done = new Map<string, number>();
    // A create whose answer never came (a timeout, a connection cut after sending) may still be
    // running on the server: a read-back now can miss it, and a second create would duplicate it.
    // Such rows are left to the next pass, whose read-back finds what the first create committed.
    let unconfirmed = false;
    await this.retry(`odoo.${model}.upsert_create`, true, async (attempt?: number) => {
      if (attempt !== undefined && attempt > 1) {
        for (const [ref, id] of await this.findByRef(
          model,
          refField,
          refs.filter((r) => !done.has(r)),
        ))
          done.set(ref, id);
      }
      const todo = refs.filter((r) => !done.has(r));
      if (todo.length === 0) return;
      if (unconfirmed)
        throw new TransientError(
          `Odoo ${model}: a create whose answer was lost may still be committing; the next pass reads it back before creating anything`,
          { code: 'odoo.create_unconfirmed', data: { retryHere: false, refs: todo } },
        );
      try {
        const ids = await this.createOnce(
          model,
          todo.map((ref) => ({ ...(byRef.get(ref) as Record<string, unknown>), [refField]: ref })),
        );
        todo.forEach((ref, i) => done.set(ref, ids[i] as number));
      } catch (err) {
        if (err instanceof TransientError && err.data?.notSent !== true && err.code.startsWith('http.'))
          unconfirmed = true;
        throw err;
      }
    });
    return done;
  }

  /** ref → id of existing rows (archived included); the lowest id wins when a ref is duplicated. */
  protected async findByRef(model: string, refField: string, refs: string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (let i = 0; i < refs.length; i += this.pageSize) {
      const chunk = refs.slice(i, i + this.pageSize);
      const rows = await this.searchRead(model, [[refField, 'in', chunk]], {
        fields: [refField],
        order: 'id asc',
        context: { active_test: false },
      });
      for (const row of rows) {
        const ref = row[refField];
        if (typeof ref === 'string' && !found.has(ref)) found.set(ref, row.id);
      }
    }
    return found;
  }

  /** A business method on records (`button_confirm`, `action_post`…). Not retried: it may not be idempotent. */
  async callMethod(
    model: string,
    method: string,
    ids: number[],
    kwargs: Record<string, unknown> = {},
  ): Promise<unknown> {
    try {
      return await this.retry(`odoo.${model}.${method}`, false, () => this.orm(model, method, ids, kwargs));
    } catch (err) {
      // §9: over XML-RPC a method returning None answers fault 1 after its transaction committed.
      // The action happened: confirm the records are still there and answer null, as JSON-2 does.
      if (!(isMlcError(err) && err.code === 'odoo.returned_none')) throw err;
      const back = await this.read(model, ids, ['id']);
      if (back.length !== ids.length) {
        throw new RecordError(
          `Odoo ${model}.${method}: ran, but ${ids.length - back.length} record(s) are gone`,
          {
            code: 'odoo.missing_record',
          },
        );
      }
      return null;
    }
  }
}
