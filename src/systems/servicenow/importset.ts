import { ConfigError, RecordError, TransientError } from '../../errors.js';
import { Limiter, mapLimit } from '../../http/limiter.js';
import { redact } from '../../http/redact.js';
import { sleep } from '../../http/retry.js';
import { required } from './errors.js';
import type { SnRow } from './readers.js';
import { importBody, insertMultipleBody, tableOneBody } from './schemas.js';
import { SnStaging, type StagingInfo } from './staging.js';

export interface ImportOutcome {
  status: 'inserted' | 'updated' | 'ignored' | 'skipped' | 'error';
  sysId?: string;
  table?: string;
  message?: string;
  displayValue?: string;
  /** The error code when the row was refused by the API itself (a 400 or 413 of its own), not by a transform. */
  code?: string;
}

const STATUSES = new Set(['inserted', 'updated', 'ignored', 'skipped', 'error']);

/**
 * The reserved staging value that clears a target field whatever the map's "Copy empty fields" says
 * (ServiceNow product documentation, "Create a transform map"; `copyEmptyFields` defaults to false per
 * ServiceNow/ServiceNowDocs `markdown/application-development/servicenow-sdk/fluent-import-sets-api.md`).
 */
export const EXPLICIT_EMPTY = 'NULL';

/**
 * The row as sent: an empty value in a column the transform would otherwise skip becomes `NULL`, so
 * that a value cleared in the source clears the target field. Coalesce columns (an empty key must
 * skip the row, not match `NULL`) and mandatory columns (an empty one must fail the row) stay empty.
 */
export function withExplicitEmpties(row: Record<string, string>, info: StagingInfo): Record<string, string> {
  const keep = new Set([
    ...info.maps.flatMap((m) => m.coalesce),
    ...info.columns.filter((c) => c.mandatory).map((c) => c.name),
  ]);
  let out: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(row)) {
    if (v !== '' || keep.has(k)) continue;
    out ??= { ...row };
    out[k] = EXPLICIT_EMPTY;
  }
  return out ?? row;
}

/** Columns that identify a staging row among those of its import set: the coalesce columns, else all sent. */
function keyColumns(info: StagingInfo, rows: Record<string, string>[]): string[] {
  const coalesce = [...new Set(info.maps.flatMap((m) => m.coalesce))].sort();
  if (coalesce.length > 0) return coalesce;
  return [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();
}

const keyOf = (row: Record<string, string | undefined>, columns: string[]): string =>
  columns.map((c) => row[c] ?? '').join('\u0001');

/**
 * Writes: Table API POST/PATCH (§3.3) and the Import Set API (§3.1), whose transform maps coalesce on
 * the source reference so that a re-sent row updates the record it created.
 */
export class SnWriter extends SnStaging {
  /** Rows per `insertMultiple` call (at most 200). */
  readonly batchSize = Math.min(this.conn.batchSize ?? 200, 200);
  /** Import sets open at once (posted, transform not yet polled to the end), across every caller. */
  private readonly openImportSets = new Limiter((this.conn.concurrency ?? 4) * 4);
  private readonly mappings = new Map<string, Promise<Map<string, string> | null>>();
  /** Per staging table, how long its import sets took to transform: the first poll waits that long. */
  private readonly transformMs = new Map<string, number>();

  /** Table API POST (§3.3): one record per call. */
  async insert(table: string, record: Record<string, string>): Promise<SnRow> {
    // Not idempotent: repeated only when the request provably never ran (network refusal, 429).
    const answer = await this.request(
      {
        method: 'POST',
        path: `api/now/table/${table}`,
        op: 'write',
        what: `POST ${table}`,
        json: record,
        idempotent: false,
        searchParams: { sysparm_exclude_reference_link: 'true' },
      },
      tableOneBody,
    );
    return required(answer, `POST ${table}`).result as SnRow;
  }

  /** Table API PATCH (§3.3). */
  async patch(table: string, sysId: string, record: Record<string, string>): Promise<SnRow> {
    const answer = await this.request(
      {
        method: 'PATCH',
        path: `api/now/table/${table}/${sysId}`,
        op: 'write',
        what: `PATCH ${table}/${sysId}`,
        json: record,
        searchParams: { sysparm_exclude_reference_link: 'true' },
      },
      tableOneBody,
    );
    return required(answer, `PATCH ${table}`).result as SnRow;
  }

  /**
   * Import Set API (§3.1). One row: `POST /api/now/import/{staging}` (transform runs synchronously).
   * Several: `…/insertMultiple` in batches of at most 200, `concurrency` at once; the transform runs
   * asynchronously, so the staging rows are polled until none is pending. One outcome per input row,
   * in input order; a row-level error inside a 201, or a 400/413 the API gives that row alone, is
   * that row's outcome, not an exception. Empty values are sent as `NULL` (see `withExplicitEmpties`).
   */
  async importRows(
    staging: string,
    rows: Record<string, string>[],
    opts: { mode?: 'single' | 'multiple' | 'auto' } = {},
  ): Promise<ImportOutcome[]> {
    if (rows.length === 0) return [];
    const info = await this.stagingInfo(staging);
    // The last line of defence against duplicates (ping and the per-pass preflight refuse it first):
    // a map without a coalesce key inserts a new record for every row sent, retries included.
    const unsafe = info.maps.find((m) => m.coalesce.length === 0);
    if (unsafe)
      throw new ConfigError(
        `ServiceNow transform map "${unsafe.name}" of ${staging} has no coalesce field: every retry or replay would insert a duplicate into ${unsafe.targetTable}; nothing was sent`,
        {
          code: 'servicenow.no_coalesce',
          hint: 'mark the source reference columns as coalesce in the field maps (mlc ping names them)',
        },
      );
    const sent = rows.map((r) => withExplicitEmpties(r, info));
    const mode =
      opts.mode === 'single' || (opts.mode !== 'multiple' && rows.length === 1) ? 'single' : 'multiple';
    if (mode === 'single')
      return mapLimit(sent, this.conn.concurrency ?? 4, (row) => this.importOne(staging, row));
    const batches: Record<string, string>[][] = [];
    for (let i = 0; i < sent.length; i += this.batchSize) batches.push(sent.slice(i, i + this.batchSize));
    // The request limiter bounds the calls in flight; an import set waiting for its transform holds no
    // call, so more import sets than calls may be open (bounded across all callers, so the instance's
    // transform queue is not flooded).
    const results = await Promise.all(batches.map((batch) => this.importSplitting(staging, batch, info)));
    return results.flat();
  }

  private async importOne(staging: string, row: Record<string, string>): Promise<ImportOutcome> {
    let answer;
    try {
      answer = await this.request(
        {
          method: 'POST',
          path: `api/now/import/${staging}`,
          op: 'write',
          what: `POST import/${staging}`,
          json: row,
        },
        importBody,
      );
    } catch (err) {
      if (err instanceof RecordError) return { status: 'error', message: err.message, code: err.code };
      throw err;
    }
    const results = required(answer, `POST import/${staging}`).result;
    // Several transform maps may run on one staging table: any error is the row's error.
    const chosen =
      results.find((r) => r.status === 'error') ?? results.find((r) => r.status === 'skipped') ?? results[0];
    if (!chosen) return { status: 'error', message: 'the Import Set API answered no result for the row' };
    return {
      status: STATUSES.has(chosen.status) ? (chosen.status as ImportOutcome['status']) : 'error',
      ...(chosen.sys_id ? { sysId: chosen.sys_id } : {}),
      ...(chosen.table ? { table: chosen.table } : {}),
      ...(chosen.error_message || chosen.status_message
        ? { message: redact((chosen.error_message || chosen.status_message) as string) }
        : {}),
      ...(chosen.display_value ? { displayValue: chosen.display_value } : {}),
    };
  }

  /**
   * One insertMultiple batch. A 413 or 400 for the whole batch is not every row's fault: the batch is
   * halved and each half sent again, down to single rows, whose own 400/413 is then that row's error.
   * Any other refusal of a whole batch (403, 404) is the staging table's configuration, not a row's.
   */
  private async importSplitting(
    staging: string,
    rows: Record<string, string>[],
    info: StagingInfo,
  ): Promise<ImportOutcome[]> {
    try {
      return await this.openImportSets.run(() => this.importBatch(staging, rows, info));
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      if (err.status === 400 || err.status === 413) {
        if (rows.length === 1) return [{ status: 'error', message: err.message, code: err.code }];
        const half = Math.ceil(rows.length / 2);
        this.ctx.log?.warn(
          `ServiceNow refused an insertMultiple of ${rows.length} rows into ${staging} (${err.status}); sending it in halves`,
        );
        const [a, b] = await Promise.all([
          this.importSplitting(staging, rows.slice(0, half), info),
          this.importSplitting(staging, rows.slice(half), info),
        ]);
        return [...a, ...b];
      }
      throw new ConfigError(`${err.message} (a whole insertMultiple batch)`, {
        code: err.code,
        ...(err.status === undefined ? {} : { status: err.status }),
        hint: 'give the integration user write access to the staging table (import_set_loader / import_transformer roles, or the table ACL); mlc ping reads it',
      });
    }
  }

  private async importBatch(
    staging: string,
    rows: Record<string, string>[],
    info: StagingInfo,
  ): Promise<ImportOutcome[]> {
    const labels = await this.columnMapping(staging);
    const records = labels
      ? rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [labels.get(k) ?? k, v])))
      : rows;
    const answer = await this.request(
      {
        method: 'POST',
        path: `api/now/import/${staging}/insertMultiple`,
        op: 'write',
        what: `POST import/${staging}/insertMultiple`,
        json: { records },
      },
      insertMultipleBody,
    );
    return this.awaitTransform(
      staging,
      required(answer, `POST import/${staging}/insertMultiple`).import_set_id,
      rows,
      info,
    );
  }

  /**
   * Polls the staging rows of an import set until every row has left `pending`, then gives each sent
   * row the outcome of the staging row carrying its own coalesce values. `sys_import_row` serves only
   * to order rows sharing a key, never as a position: its numbering base is not documented (§8).
   */
  private async awaitTransform(
    staging: string,
    importSet: string,
    sent: Record<string, string>[],
    info: StagingInfo,
  ): Promise<ImportOutcome[]> {
    const count = sent.length;
    const keys = keyColumns(info, sent);
    const fields = [
      'sys_import_row',
      'sys_import_state',
      'sys_import_state_comment',
      'sys_target_sys_id',
      'sys_target_table',
      ...keys,
    ];
    const posted = Date.now();
    const deadline = posted + 120_000;
    // The first poll waits as long as this table's last import set took, so that one poll usually
    // finds every row transformed; a first poll that succeeds shortens the next wait a little.
    const expected = this.transformMs.get(staging) ?? 10;
    await sleep(expected);
    let wait = 10;
    for (let poll = 1; ; poll += 1) {
      const polledAt = Date.now() - posted;
      // One page holds the whole set; only when rows are missing from it (ACLs) does the keyset
      // loop read on.
      const query = `sys_import_set=${importSet}`;
      let { rows } = await this.page(staging, `${query}^ORDERBYsys_id`, fields, Math.max(count, 1), 0);
      if (rows.length < count) rows = await this.queryAll(staging, { query, fields, pageSize: count });
      const done =
        rows.length >= count && rows.every((r) => r.sys_import_state && r.sys_import_state !== 'pending');
      if (done) {
        this.transformMs.set(
          staging,
          poll === 1 ? Math.max(5, Math.round(expected * 0.9)) : Math.min(polledAt, 5_000),
        );
        return matchOutcomes(sent, rows, keys, importSet);
      }
      if (Date.now() > deadline) {
        throw new TransientError(
          `ServiceNow import set ${importSet} on ${staging} was still being transformed after 120 s`,
          { code: 'servicenow.transform_pending' },
        );
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 1000);
    }
  }

  /**
   * insertMultiple maps by column label unless the table's `sys_rest_insert_multiple` record says
   * column name (§3.1): returns name -> label when labels are needed, null otherwise.
   */
  private columnMapping(staging: string): Promise<Map<string, string> | null> {
    let p = this.mappings.get(staging);
    if (!p) {
      p = (async () => {
        const [config] = await this.queryAll('sys_rest_insert_multiple', {
          query: `source_table=${staging}`,
          fields: ['column_mapping'],
        });
        if (config?.column_mapping === 'name') return null;
        const info = await this.stagingInfo(staging);
        return new Map(info.columns.map((c) => [c.name, c.label || c.name]));
      })();
      p.catch(() => this.mappings.delete(staging));
      this.mappings.set(staging, p);
    }
    return p;
  }
}

/**
 * Each sent row's outcome: the staging row carrying its key, in `sys_import_row` order among rows
 * with equal keys. Rows whose key the instance stored differently (a value trimmed or cut to the
 * column's length) are paired with the staging rows left over, in the same relative order, when the
 * counts agree; otherwise they are errors naming the key.
 */
export function matchOutcomes(
  sent: Record<string, string>[],
  staged: SnRow[],
  keys: string[],
  importSet: string,
): ImportOutcome[] {
  const ordered = [...staged].sort((a, b) => Number(a.sys_import_row) - Number(b.sys_import_row));
  const byKey = new Map<string, SnRow[]>();
  for (const r of ordered) {
    const k = keyOf(r, keys);
    const list = byKey.get(k) ?? [];
    list.push(r);
    byKey.set(k, list);
  }
  const used = new Set<SnRow>();
  const found = sent.map((row) => {
    const r = byKey.get(keyOf(row, keys))?.shift();
    if (r) used.add(r);
    return r;
  });
  const leftover = ordered.filter((r) => !used.has(r));
  if (leftover.length === found.filter((r) => !r).length)
    found.forEach((r, i) => {
      if (!r) found[i] = leftover.shift();
    });
  return sent.map((row, i) => {
    const r = found[i];
    if (!r)
      return {
        status: 'error' as const,
        message: `no staging row of import set ${importSet} carries ${keys.map((k) => `${k}=${row[k] ?? ''}`).join(', ')}`,
      };
    const state = STATUSES.has(r.sys_import_state ?? '')
      ? (r.sys_import_state as ImportOutcome['status'])
      : 'error';
    return {
      status: state,
      ...(r.sys_target_sys_id ? { sysId: r.sys_target_sys_id } : {}),
      ...(r.sys_target_table ? { table: r.sys_target_table } : {}),
      ...(r.sys_import_state_comment ? { message: redact(r.sys_import_state_comment) } : {}),
    };
  });
}
