/**
 * `load(fields, data)`: the ORM's import method, the path Odoo's CSV import takes, as
 * `odoo/orm/models.py` `load` and `_load_records` and `odoo/addons/base/models/ir_fields.py` (the
 * value converters) implement it (https://www.odoo.com/documentation/19.0/developer/reference/backend/orm.html).
 *
 * - Columns: `id` an external id (`module.name`; a bare name gets the module `__import__`), `.id` a
 *   database id, `field` a value as text, `field/id` a many2one by external id, `field/.id` a
 *   many2one by database id; a plain many2one column is matched by name.
 * - A row whose external id exists updates that record (`write`), else it is created and its
 *   `ir.model.data` row written with it (as the superuser: no right on `ir.model.data` is needed).
 * - Each row runs in its own savepoint; every failure is a message `{type, message, record, rows,
 *   field?}`. If any message is an error, the whole call is rolled back: `ids` is false.
 * - create and write run as the calling user: access rights, record rules and company checks apply.
 */
import { naiveToMicros, microsToNaive } from './domain.js';
import { OdooException } from './exceptions.js';
import type { FieldDef, ModelDef } from './models.js';
import { isEmpty, type Env, type Rec } from './store-base.js';
import type { OdooStore } from './store.js';

export interface LoadMessage {
  type: 'error' | 'warning';
  message: string;
  record?: number;
  rows?: { from: number; to: number };
  field?: string;
  field_name?: string;
  moreinfo?: string;
}

export interface LoadResult {
  ids: number[] | false;
  messages: LoadMessage[];
  nextrow: number;
}

type Column =
  | { kind: 'xmlid' }
  | { kind: 'dbid' }
  | { kind: 'value'; name: string; def: FieldDef; sub: '' | 'id' | '.id' };

/** Raised inside a row to become that row's message (a conversion that failed). */
class RowMessage extends Error {
  constructor(readonly msg: Omit<LoadMessage, 'record' | 'rows'>) {
    super(msg.message);
  }
}

class Rollback extends Error {}

const DEFAULT_MODULE = '__import__';
const TRUE_WORDS = ['1', 'true', 'yes'];
const FALSE_WORDS = ['0', 'false', 'no', ''];

export function loadRows(
  store: OdooStore,
  modelName: string,
  fields: unknown,
  data: unknown,
  env: Env,
  /** Throws the AccessError of an operation the user's groups lack on `modelName`. */
  checkAcl: (op: 'create' | 'write') => void,
): LoadResult {
  const model = store.model(modelName);
  if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string'))
    throw new OdooException('type_error', `load() fields must be a list of field names`);
  if (!Array.isArray(data) || !data.every((r) => Array.isArray(r)))
    throw new OdooException('type_error', `load() data must be a list of rows`);
  const columns = (fields as string[]).map((f) => column(model, f));
  const messages: LoadMessage[] = [];
  const ids: number[] = [];
  let errors = 0;
  const run = (): void => {
    for (const [index, row] of (data as unknown[][]).entries()) {
      const info = { record: index, rows: { from: index, to: index } };
      try {
        store.savepoint(() => {
          const { xmlid, dbid, vals, warnings } = convert(store, model, columns, row, env);
          messages.push(...warnings.map((w) => ({ ...info, ...w })));
          ids.push(loadRecord(store, model, xmlid, dbid, vals, env, checkAcl));
        });
      } catch (err) {
        if (err instanceof RowMessage) messages.push({ ...info, ...err.msg });
        else if (err instanceof OdooException)
          messages.push({ ...info, type: 'error', message: err.message });
        else throw err;
        errors += 1;
      }
      // Odoo stops after more than 10 errors when at least one row in ten fails.
      if (errors >= 10 && errors >= (index + 1) / 10) {
        messages.push({
          type: 'warning',
          message:
            'Found more than 10 errors and more than one error per 10 records, interrupted to avoid showing too many errors.',
        });
        break;
      }
    }
    if (messages.some((m) => m.type === 'error')) throw new Rollback();
  };
  try {
    store.savepoint(run);
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
    return { ids: false, messages, nextrow: 0 };
  }
  return { ids, messages, nextrow: 0 };
}

function column(model: ModelDef, spec: string): Column {
  if (spec === 'id') return { kind: 'xmlid' };
  if (spec === '.id') return { kind: 'dbid' };
  const [name, sub, ...more] = spec.split('/');
  const def = name === undefined ? undefined : model.fields[name];
  if (!def || more.length > 0 || (sub !== undefined && !['id', '.id'].includes(sub)))
    throw new OdooException('value_error', `Invalid field '${spec}' on model '${model.name}'`);
  if (def.type === 'one2many' || def.type === 'many2many')
    throw new OdooException(
      'value_error',
      `load: the x2many column '${spec}' is not supported by this server; send one row per record`,
    );
  if (sub !== undefined && def.type !== 'many2one')
    throw new OdooException('value_error', `Invalid field '${spec}' on model '${model.name}'`);
  return { kind: 'value', name: name as string, def, sub: (sub ?? '') as '' | 'id' | '.id' };
}

/** `module.name` of an external id as the import reads it. */
export function splitXmlId(xmlid: string): { module: string; name: string } {
  const full = xmlid.includes('.') ? xmlid : `${DEFAULT_MODULE}.${xmlid}`;
  const dot = full.indexOf('.');
  return { module: full.slice(0, dot), name: full.slice(dot + 1) };
}

/** The `ir.model.data` row of an external id (pending rows count: the unique index sees them). */
export function findXmlId(store: OdooStore, xmlid: string): Rec | undefined {
  const { module, name } = splitXmlId(xmlid);
  for (const rec of store.table('ir.model.data').values())
    if (rec.v.module === module && rec.v.name === name) return rec;
  return undefined;
}

function convert(
  store: OdooStore,
  model: ModelDef,
  columns: Column[],
  row: unknown[],
  env: Env,
): { xmlid?: string; dbid?: number; vals: Record<string, unknown>; warnings: LoadMessage[] } {
  const vals: Record<string, unknown> = {};
  const warnings: LoadMessage[] = [];
  let xmlid: string | undefined;
  let dbid: number | undefined;
  columns.forEach((col, i) => {
    const raw = row[i];
    const empty = isEmpty(raw) || raw === 0;
    if (col.kind === 'xmlid') {
      if (!empty) xmlid = String(raw);
      return;
    }
    if (col.kind === 'dbid') {
      if (empty) return;
      const n = Number(raw);
      if (!Number.isInteger(n) || !store.get(model.name, n))
        throw new RowMessage({
          type: 'error',
          field: '.id',
          message: `Unknown database identifier '${String(raw)}'`,
        });
      dbid = n;
      return;
    }
    const fail = (message: string): RowMessage =>
      new RowMessage({
        type: 'error',
        field: col.name,
        field_name: col.def.string,
        message: message.replace('%(field)s', col.def.string),
      });
    if (empty) {
      vals[col.name] = false;
      return;
    }
    const text = String(raw).trim();
    switch (col.def.type) {
      case 'many2one':
        vals[col.name] = many2one(store, col, text, env, fail);
        return;
      case 'boolean': {
        const word = text.toLowerCase();
        if (TRUE_WORDS.includes(word)) vals[col.name] = true;
        else if (FALSE_WORDS.includes(word)) vals[col.name] = false;
        else {
          vals[col.name] = true;
          warnings.push({
            type: 'warning',
            field: col.name,
            message: `Unknown value '${text}' for boolean field '${col.def.string}', assuming 'yes'`,
          });
        }
        return;
      }
      case 'integer':
        if (!/^[-+]?\d+$/.test(text))
          throw fail(`'${text}' does not seem to be an integer for field '%(field)s'`);
        vals[col.name] = Number(text);
        return;
      case 'float':
      case 'monetary':
        if (Number.isNaN(Number(text)) || text === '')
          throw fail(`'${text}' does not seem to be a number for field '%(field)s'`);
        vals[col.name] = Number(text);
        return;
      case 'date':
        if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text)))
          throw fail(`'${text}' does not seem to be a valid date for field '%(field)s'`);
        vals[col.name] = text;
        return;
      case 'datetime':
        vals[col.name] = datetime(store, text, env, fail);
        return;
      case 'selection': {
        const found = col.def.selection?.find(
          (s) => s === text || s.replace(/_/g, ' ').toLowerCase() === text.toLowerCase(),
        );
        if (found === undefined) throw fail(`Value '${text}' not found in selection field '%(field)s'`);
        vals[col.name] = found;
        return;
      }
      default:
        vals[col.name] = String(raw);
    }
  });
  return {
    ...(xmlid === undefined ? {} : { xmlid }),
    ...(dbid === undefined ? {} : { dbid }),
    vals,
    warnings,
  };
}

function many2one(
  store: OdooStore,
  col: Extract<Column, { kind: 'value' }>,
  text: string,
  env: Env,
  fail: (message: string) => RowMessage,
): number {
  const relation = col.def.relation as string;
  const notFound = (kind: string): RowMessage =>
    fail(`No matching record found for ${kind} '${text}' in field '%(field)s'`);
  if (col.sub === '.id') {
    const n = Number(text);
    if (!Number.isInteger(n)) throw fail(`Invalid database id '${text}' for the field '%(field)s'`);
    if (!store.get(relation, n)) throw notFound('database id');
    return n;
  }
  if (col.sub === 'id') {
    const imd = findXmlId(store, text);
    const id = imd?.v.model === relation ? Number(imd.v.res_id) : NaN;
    if (!store.get(relation, id)) throw notFound('external id');
    return id;
  }
  // By name: an exact match among the records the user sees (name_search with '=').
  const matches = store.search(relation, [['name', '=', text]], env, { limit: 2 });
  const first = matches[0];
  if (!first) throw notFound('name');
  return first.id;
}

/** Import datetimes are in the user's time zone (context `tz`, else the user's, else UTC), stored in UTC. */
function datetime(store: OdooStore, text: string, env: Env, fail: (m: string) => RowMessage): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?$/.exec(text);
  if (!m) throw fail(`'${text}' does not seem to be a valid datetime for field '%(field)s'`);
  const naive = `${m[1]} ${(m[2] ?? '00:00:00').padEnd(8, ':00')}`;
  const user = store.get('res.users', env.uid);
  const tz = String(env.context.tz || user?.v.tz || 'UTC');
  const asUtc = naiveToMicros(naive);
  return microsToNaive(asUtc - offsetMicros(tz, asUtc / 1000));
}

/** The offset of time zone `tz` from UTC at instant `ms`, in microseconds. */
function offsetMicros(tz: string, ms: number): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(ms));
  } catch {
    return 0;
  }
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return (local - Math.floor(ms / 1000) * 1000) * 1000;
}

/** `_load_records` for one row: update through the external id or database id, else create. */
function loadRecord(
  store: OdooStore,
  model: ModelDef,
  xmlid: string | undefined,
  dbid: number | undefined,
  vals: Record<string, unknown>,
  env: Env,
  checkAcl: (op: 'create' | 'write') => void,
): number {
  const write = (rec: Rec): number => {
    checkAcl('write');
    store.write(model.name, [rec], vals, env);
    return rec.id;
  };
  if (xmlid === undefined) {
    if (dbid !== undefined) return write(store.browseExisting(model.name, [dbid], env)[0] as Rec);
    checkAcl('create');
    return (store.create(model.name, [vals], env)[0] as Rec).id;
  }
  const { module, name } = splitXmlId(xmlid);
  const imd = findXmlId(store, xmlid);
  if (imd) {
    if (imd.v.model !== model.name)
      throw new OdooException(
        'validation',
        `For external id ${module}.${name} when trying to create/update a record of model ${model.name} found record of different model ${String(imd.v.model)} (${imd.id})`,
      );
    const rec = store.get(model.name, Number(imd.v.res_id));
    if (rec) return write(rec);
    // The record is gone: its external id is dropped and the record created again.
    store.unlink('ir.model.data', [imd], env);
  }
  checkAcl('create');
  const rec = store.create(model.name, [vals], env)[0] as Rec;
  store.create('ir.model.data', [{ module, name, model: model.name, res_id: rec.id, noupdate: false }], {
    ...env,
    uid: 1,
  });
  return rec.id;
}
