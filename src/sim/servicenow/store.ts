import { randomUUID } from 'node:crypto';
import { parseQuery, matches, sortRows, type ParsedQuery, type QueryContext, type Row } from './query.js';
import { TABLES, type TableDef } from './schema.js';

/** `YYYY-MM-DD HH:MM:SS` UTC at second precision, the stored form of every date-time (§2.1). */
export function snTime(ms: number): string {
  // Every row of an import set is stamped within the same second or two: format each second once.
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }
  return lastStamp;
}
let lastSecond = NaN;
let lastStamp = '';

/** A row of the table with every field empty, built once per table. */
const EMPTY_ROWS = new WeakMap<TableDef, Row>();
function emptyRow(def: TableDef): Row {
  let row = EMPTY_ROWS.get(def);
  if (!row) {
    row = Object.fromEntries(Object.keys(def.fields).map((f) => [f, ''])) as Row;
    EMPTY_ROWS.set(def, row);
  }
  return row;
}

export function newSysId(): string {
  // 32 hex characters like a real sys_id; randomUUID draws from a cached entropy pool.
  return randomUUID().replace(/-/g, '');
}

/**
 * In-memory tables. Rows hold strings only (§2, trap 8); writes stamp `sys_created_on` /
 * `sys_updated_on` at the request's arrival, second precision, and count `sys_mod_count`.
 */
export class Store {
  readonly tables = new Map<string, Map<string, Row>>();
  private readonly counters = new Map<string, number>();
  /** ACL mode: per table, an encoded query of rows the API user may not see. */
  readonly acl = new Map<string, string>();
  /**
   * Case-insensitive value indexes, built on first use per (table, field) and kept current by insert,
   * update and delete: transform maps look rows up by coalesce key and reference value for every
   * imported row, which would otherwise scan the whole target table each time.
   */
  private readonly indexes = new Map<string, Map<string, Map<string, Set<string>>>>();
  /** Per table, a count of writes, so that derived caches (transform maps) know when to rebuild. */
  private readonly generations = new Map<string, number>();
  /** Per table, each row's insertion number: indexed look-ups answer in table order. */
  private readonly sequence = new Map<string, Map<string, number>>();
  private inserted = 0;
  private readonly contexts = new Map<string, QueryContext>();
  /** Tables created, or built-in tables changed, through `sys_db_object` / `sys_dictionary` rows. */
  private readonly custom = new Map<string, TableDef>();
  /** Built-in tables an instance does not have (the `bare` seed: no S2P staging tables). */
  private readonly absent = new Set<string>();
  /** Called after every insert, update and delete (the metadata tables reshape the schema). */
  onWrite: ((table: string, row: Row, op: 'insert' | 'update' | 'delete') => void) | undefined;

  constructor() {
    this.clear();
  }

  clear(): void {
    this.tables.clear();
    this.counters.clear();
    this.acl.clear();
    this.indexes.clear();
    this.sequence.clear();
    this.custom.clear();
    this.absent.clear();
    this.contexts.clear();
    this.bump('*');
    for (const name of TABLES.keys()) this.tables.set(name, new Map());
  }

  /**
   * Moves every row's `sys_created_on`/`sys_updated_on` `seconds` into the past, as if the data had
   * been written that long ago and nothing since: what a cron pass finds one interval after the last.
   */
  age(seconds: number): void {
    const back = (stamp: unknown): string =>
      snTime(Date.parse(`${String(stamp).replace(' ', 'T')}Z`) - seconds * 1000);
    for (const table of this.tables.values())
      for (const row of table.values()) {
        if (row.sys_created_on) row.sys_created_on = back(row.sys_created_on);
        if (row.sys_updated_on) row.sys_updated_on = back(row.sys_updated_on);
      }
    this.indexes.clear();
    this.bump('*');
  }

  /** Empties one table. */
  truncate(table: string): void {
    this.tables.get(table)?.clear();
    this.indexes.delete(table);
    this.sequence.delete(table);
    this.bump(table);
  }

  /** Changes whenever the table (or the whole store) is written. */
  generation(table: string): string {
    return `${this.generations.get('*') ?? 0}.${this.generations.get(table) ?? 0}`;
  }

  private bump(table: string): void {
    this.generations.set(table, (this.generations.get(table) ?? 0) + 1);
  }

  /** Rows whose field equals value, ignoring case (as coalesce and reference look-ups compare). */
  findBy(table: string, field: string, value: string): Row[] {
    return this.findByAll(table, [[field, value]]);
  }

  /** Rows matching every (field, value) pair, ignoring case; scans only the smallest index bucket. */
  findByAll(table: string, keys: Array<[string, string]>): Row[] {
    if (keys.length === 0) return [];
    let smallest: Set<string> | undefined;
    for (const [field, value] of keys) {
      const ids = this.index(table, field).get(fold(value));
      if (!ids || ids.size === 0) return [];
      if (!smallest || ids.size < smallest.size) smallest = ids;
    }
    const out: Row[] = [];
    for (const id of smallest ?? []) {
      const row = this.get(table, id);
      if (row && keys.every(([f, v]) => fold(row[f]) === fold(v))) out.push(row);
    }
    return out;
  }

  private index(table: string, field: string): Map<string, Set<string>> {
    let byField = this.indexes.get(table);
    if (!byField) this.indexes.set(table, (byField = new Map()));
    let index = byField.get(field);
    if (!index) {
      index = new Map();
      for (const row of this.tables.get(table)?.values() ?? [])
        addTo(index, fold(row[field]), row.sys_id as string);
      byField.set(field, index);
    }
    return index;
  }

  private indexRow(table: string, row: Row): void {
    for (const [field, index] of this.indexes.get(table) ?? [])
      addTo(index, fold(row[field]), row.sys_id as string);
  }

  private unindexRow(table: string, row: Row): void {
    for (const [field, index] of this.indexes.get(table) ?? [])
      index.get(fold(row[field]))?.delete(row.sys_id as string);
  }

  def(table: string): TableDef | undefined {
    return this.custom.get(table) ?? (this.absent.has(table) ? undefined : TABLES.get(table));
  }

  /** Removes a built-in table until the store is cleared or the table is created again. */
  hide(table: string): void {
    this.absent.add(table);
    this.tables.delete(table);
    this.contexts.clear();
    this.bump('*');
  }

  /** Creates or replaces a table's definition (rows of a new table start empty). */
  define(def: TableDef): void {
    this.custom.set(def.name, def);
    if (!this.tables.has(def.name)) this.tables.set(def.name, new Map());
    this.contexts.clear();
    this.indexes.delete(def.name);
    this.bump('*');
  }

  /** Drops a table created at run time (built-in tables stay). */
  drop(table: string): void {
    if (!this.custom.delete(table) || TABLES.has(table)) return;
    this.tables.delete(table);
    this.contexts.clear();
    this.bump('*');
  }

  rows(table: string): Row[] {
    return [...(this.tables.get(table)?.values() ?? [])];
  }

  get(table: string, sysId: string): Row | undefined {
    return this.tables.get(table)?.get(sysId);
  }

  context(table: string): QueryContext {
    let ctx = this.contexts.get(table);
    if (!ctx) {
      const def = this.def(table);
      if (!def) throw new Error(`no table ${table}`);
      ctx = { table: def, tableDef: (t) => this.def(t), record: (t, id) => this.get(t, id) };
      this.contexts.set(table, ctx);
    }
    return ctx;
  }

  parse(table: string, query: string): ParsedQuery {
    return parseQuery(query, this.context(table));
  }

  /** Rows matching an encoded query, ordered by its ORDERBY terms. */
  query(table: string, query: string): Row[] {
    const ctx = this.context(table);
    const q = parseQuery(query, ctx);
    return sortRows(
      this.candidates(table, q, ctx).filter((r) => matches(q, r, ctx)),
      q,
      ctx,
    );
  }

  /**
   * The rows a query can match, in insertion order: when one AND-ed term is a plain `field=value` on
   * a text field, only the rows the index holds for that value (as an instance's indexed columns
   * such as `sys_import_set` answer); otherwise every row.
   */
  private candidates(table: string, q: ParsedQuery, ctx: QueryContext): Row[] {
    if (q.queries.length !== 1) return this.rows(table);
    const term = q.queries[0]!.find(
      (group) =>
        group.length === 1 &&
        group[0]!.op === '=' &&
        !group[0]!.field.includes('.') &&
        ctx.table.fields[group[0]!.field]?.type !== 'integer' &&
        ctx.table.fields[group[0]!.field]?.type !== 'decimal' &&
        ctx.table.fields[group[0]!.field]?.type !== 'currency',
    )?.[0];
    if (!term) return this.rows(table);
    const seq = this.sequence.get(table);
    return this.findBy(table, term.field, term.value).sort(
      (a, b) => (seq?.get(a.sys_id as string) ?? 0) - (seq?.get(b.sys_id as string) ?? 0),
    );
  }

  /** True when ACL mode hides this row from the API user. */
  hidden(table: string, row: Row): boolean {
    const hide = this.acl.get(table);
    if (!hide) return false;
    const ctx = this.context(table);
    return matches(parseQuery(hide, ctx), row, ctx);
  }

  private nextNumber(def: TableDef): string {
    const n = (this.counters.get(def.name) ?? 1000) + 1;
    this.counters.set(def.name, n);
    return `${def.numberPrefix ?? ''}${String(n).padStart(7, '0')}`;
  }

  /** Keeps only known fields, as strings (unknown fields are ignored on write, like the real API). */
  clean(table: string, values: Record<string, unknown>): Row {
    const def = this.def(table);
    const out: Row = {};
    if (!def) return out;
    for (const [k, v] of Object.entries(values)) {
      if (!(k in def.fields) || (k.startsWith('sys_') && !def.staging)) continue;
      if (k === 'sys_id' || k === 'sys_created_on' || k === 'sys_updated_on' || k === 'sys_mod_count')
        continue;
      out[k] =
        v === null || v === undefined
          ? ''
          : typeof v === 'object'
            ? JSON.stringify(v).replace(/:/g, '=')
            : String(v);
    }
    return out;
  }

  insert(table: string, values: Record<string, unknown>, at: number, user: string, sysId?: string): Row {
    const def = this.def(table);
    if (!def) throw new Error(`no table ${table}`);
    const row: Row = { ...emptyRow(def) };
    Object.assign(row, this.clean(table, values));
    if (def.numberPrefix && 'number' in def.fields && !row.number) row.number = this.nextNumber(def);
    row.sys_id = sysId ?? newSysId();
    row.sys_created_on = snTime(at);
    row.sys_updated_on = row.sys_created_on;
    row.sys_created_by = user;
    row.sys_updated_by = user;
    row.sys_mod_count = '0';
    this.tables.get(table)?.set(row.sys_id, row);
    let seq = this.sequence.get(table);
    if (!seq) this.sequence.set(table, (seq = new Map()));
    seq.set(row.sys_id, (this.inserted += 1));
    this.indexRow(table, row);
    this.bump(table);
    this.onWrite?.(table, row, 'insert');
    return row;
  }

  /** Applies changed values; answers the fields that changed (none: the row is left untouched). */
  update(table: string, sysId: string, values: Record<string, unknown>, at: number, user: string): string[] {
    const row = this.get(table, sysId);
    if (!row) return [];
    const clean = this.clean(table, values);
    const changed = Object.keys(clean).filter((k) => (row[k] ?? '') !== clean[k]);
    if (changed.length === 0) return [];
    this.unindexRow(table, row);
    for (const k of changed) row[k] = clean[k] as string;
    row.sys_updated_on = snTime(at);
    row.sys_updated_by = user;
    row.sys_mod_count = String(Number(row.sys_mod_count ?? '0') + 1);
    this.indexRow(table, row);
    this.bump(table);
    this.onWrite?.(table, row, 'update');
    return changed;
  }

  /** Sets system-maintained fields of a row (import state and the like) without touching its stamps. */
  assign(table: string, row: Row, values: Record<string, string>): void {
    this.unindexRow(table, row);
    Object.assign(row, values);
    this.indexRow(table, row);
    this.bump(table);
  }

  delete(table: string, sysId: string): boolean {
    const row = this.get(table, sysId);
    if (!row) return false;
    this.unindexRow(table, row);
    this.sequence.get(table)?.delete(sysId);
    this.bump(table);
    const deleted = this.tables.get(table)?.delete(sysId) ?? false;
    this.onWrite?.(table, row, 'delete');
    return deleted;
  }

  /** The display value of a record (its display field). */
  display(table: string, sysId: string): string {
    const def = this.def(table);
    const row = this.get(table, sysId);
    if (!def || !row) return '';
    return row[def.display] ?? '';
  }
}

const fold = (v: string | undefined): string => (v ?? '').toLowerCase();

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let ids = index.get(key);
  if (!ids) index.set(key, (ids = new Set()));
  ids.add(id);
}
