/**
 * Writing to Odoo by external id: the ORM's `load(fields, data)` (the import Odoo's CSV import
 * runs; `odoo/orm/models.py` `load`, https://www.odoo.com/documentation/19.0/developer/reference/backend/orm.html),
 * for models with no free reference field (project.task).
 *
 * A row with an `id` column `module.name` creates the record and its `ir.model.data` row in one
 * transaction, or, when that external id exists, writes the record it names. A repeated call is
 * therefore harmless (a create whose answer was lost is repeated as an update; the unique index on
 * `ir.model.data (module, name)` refuses a concurrent second create), so calls are retried and need
 * no read-back. `load` answers `{ids, messages, nextrow}`; when any row fails it keeps nothing
 * (`ids: false`) and lists the errors by row index.
 */
import { z } from 'zod';
import { InternalError, RecordError } from '../../errors.js';
import { checkWriteGuard } from '../../http/write-guard.js';
import { OdooWriter } from './writers.js';

/** A cell of a load row: text as the import reads it; empty (null, false, '') is Odoo's `False`. */
export type LoadValue = string | number | boolean | null;

export interface XmlIdRow {
  /** The name part of the external id (`module.name`): letters, digits, `_` and `-`, no dot. */
  name: string;
  /** Column -> value: `field`, `field/id` (many2one by external id), `field/.id` (by database id). */
  values: Record<string, LoadValue>;
}

export interface XmlIdResult {
  name: string;
  id?: number;
  error?: RecordError;
}

const loadAnswerSchema = z.object({
  ids: z.union([z.array(z.number().int()), z.literal(false)]),
  messages: z.array(
    z
      .object({
        type: z.string(),
        message: z.string(),
        record: z.number().int().optional(),
        field: z.string().optional(),
      })
      .passthrough(),
  ),
});
type LoadAnswer = z.infer<typeof loadAnswerSchema>;

/** A name valid in an external id: Odoo splits `module.name` at the first dot, data files refuse a second. */
const XMLID_NAME = /^[A-Za-z0-9_-]+$/;

const cell = (v: LoadValue | undefined): string =>
  v === null || v === undefined || v === false ? '' : v === true ? '1' : String(v);

export class OdooLoader extends OdooWriter {
  /**
   * Writes each row as the record of external id `module.name` in `model`: created with its
   * `ir.model.data` row when the id is new, else updated. Batches of `batchSize`; a batch Odoo
   * refuses is split: the rows it names as failed fail alone (RecordError with Odoo's message), the
   * others are loaded again. One result per row, in order.
   */
  async loadByXmlId(
    model: string,
    module: string,
    rows: XmlIdRow[],
    opts: { context?: Record<string, unknown> } = {},
  ): Promise<XmlIdResult[]> {
    for (const name of [module, ...rows.map((r) => r.name)])
      if (!XMLID_NAME.test(name))
        throw new InternalError(`"${name}" is not a valid external id part (letters, digits, _ and - only)`, {
          code: 'odoo.bad_xmlid',
        });
    const byName = new Map<string, Record<string, LoadValue>>();
    for (const r of rows) byName.set(r.name, r.values);
    const names = [...byName.keys()];
    const outcome = new Map<string, XmlIdResult>();
    for (let i = 0; i < names.length; i += this.batchSize)
      await this.loadBatch(model, module, names.slice(i, i + this.batchSize), byName, outcome, opts.context);
    return rows.map((r) => outcome.get(r.name) ?? { name: r.name });
  }

  protected async loadBatch(
    model: string,
    module: string,
    names: string[],
    byName: Map<string, Record<string, LoadValue>>,
    outcome: Map<string, XmlIdResult>,
    context: Record<string, unknown> | undefined,
  ): Promise<void> {
    const columns = [...new Set(names.flatMap((n) => Object.keys(byName.get(n) ?? {})))];
    const data = names.map((n) => [`${module}.${n}`, ...columns.map((c) => cell(byName.get(n)?.[c]))]);
    const answer = await this.loadOnce(model, ['id', ...columns], data, context);
    const ids = answer.ids;
    if (ids !== false) {
      if (ids.length !== names.length)
        throw new InternalError(`Odoo ${model}.load: ${names.length} rows sent, ${ids.length} ids answered`, {
          code: 'odoo.bad_payload',
        });
      names.forEach((n, i) => outcome.set(n, { name: n, id: ids[i] as number }));
      return;
    }
    const errors = new Map<number, string[]>();
    for (const m of answer.messages)
      if (m.type === 'error' && m.record !== undefined)
        errors.set(m.record, [...(errors.get(m.record) ?? []), m.message]);
    if (errors.size === 0) {
      // Refused without naming a row: each row alone tells which one.
      const general = answer.messages.map((m) => m.message).join('; ') || 'no reason given';
      if (names.length === 1) outcome.set(names[0] as string, failed(model, names[0] as string, [general]));
      else for (const n of names) await this.loadBatch(model, module, [n], byName, outcome, context);
      return;
    }
    for (const [i, n] of names.entries()) {
      const messages = errors.get(i);
      if (messages) outcome.set(n, failed(model, n, messages));
    }
    const rest = names.filter((_, i) => !errors.has(i));
    if (rest.length > 0) await this.loadBatch(model, module, rest, byName, outcome, context);
  }

  /** One `load` call, retried: keyed by external ids it is idempotent (see above). */
  protected async loadOnce(
    model: string,
    fields: string[],
    data: string[][],
    context: Record<string, unknown> | undefined,
  ): Promise<LoadAnswer> {
    const raw = await this.retry(`odoo.${model}.load`, true, () => {
      checkWriteGuard();
      return this.orm(model, 'load', undefined, {
        fields,
        data,
        ...(context === undefined ? {} : { context }),
      });
    });
    const parsed = loadAnswerSchema.safeParse(raw);
    if (!parsed.success)
      throw new InternalError(`Odoo ${model}.load: unexpected answer ${JSON.stringify(raw).slice(0, 200)}`, {
        code: 'odoo.bad_payload',
      });
    return parsed.data;
  }

  /**
   * name -> database id of the records of `model` holding external ids `module.<name>`
   * (`ir.model.data`, readable by every internal user).
   */
  async xmlIdsOf(model: string, module: string, names: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < names.length; i += this.pageSize) {
      const rows = await this.searchRead(
        'ir.model.data',
        [
          ['module', '=', module],
          ['model', '=', model],
          ['name', 'in', names.slice(i, i + this.pageSize)],
        ],
        { fields: ['name', 'res_id'] },
      );
      for (const r of rows)
        if (typeof r.name === 'string' && typeof r.res_id === 'number') out.set(r.name, r.res_id);
    }
    return out;
  }
}

function failed(model: string, name: string, messages: string[]): XmlIdResult {
  const text = messages.join('; ');
  const refused = /not allowed to|top-secret records|unauthorized or invalid companies/i.test(text);
  return {
    name,
    error: new RecordError(`Odoo refused ${model} ${name}: ${text}`, {
      code: refused ? 'odoo.access_denied' : 'odoo.load_refused',
      ...(refused
        ? { hint: "grant the bot user's groups the right to create and write these records in that company" }
        : {}),
    }),
  };
}
