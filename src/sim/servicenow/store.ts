import { randomBytes } from 'node:crypto';
import { parseQuery, matches, sortRows, type ParsedQuery, type QueryContext, type Row } from './query.js';
import { TABLES, type TableDef } from './schema.js';

/** `YYYY-MM-DD HH:MM:SS` UTC at second precision, the stored form of every date-time (§2.1). */
export function snTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function newSysId(): string {
  return randomBytes(16).toString('hex');
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

  constructor() {
    this.clear();
  }

  clear(): void {
    this.tables.clear();
    this.counters.clear();
    this.acl.clear();
    for (const name of TABLES.keys()) this.tables.set(name, new Map());
  }

  def(table: string): TableDef | undefined {
    return TABLES.get(table);
  }

  rows(table: string): Row[] {
    return [...(this.tables.get(table)?.values() ?? [])];
  }

  get(table: string, sysId: string): Row | undefined {
    return this.tables.get(table)?.get(sysId);
  }

  context(table: string): QueryContext {
    const def = this.def(table);
    if (!def) throw new Error(`no table ${table}`);
    return { table: def, tableDef: (t) => this.def(t), record: (t, id) => this.get(t, id) };
  }

  parse(table: string, query: string): ParsedQuery {
    return parseQuery(query, this.context(table));
  }

  /** Rows matching an encoded query, ordered by its ORDERBY terms. */
  query(table: string, query: string): Row[] {
    const ctx = this.context(table);
    const q = parseQuery(query, ctx);
    return sortRows(
      this.rows(table).filter((r) => matches(q, r, ctx)),
      q,
      ctx,
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
    const row: Row = {};
    for (const f of Object.keys(def.fields)) row[f] = '';
    Object.assign(row, this.clean(table, values));
    if (def.numberPrefix && 'number' in def.fields && !row.number) row.number = this.nextNumber(def);
    row.sys_id = sysId ?? newSysId();
    row.sys_created_on = snTime(at);
    row.sys_updated_on = row.sys_created_on;
    row.sys_created_by = user;
    row.sys_updated_by = user;
    row.sys_mod_count = '0';
    this.tables.get(table)?.set(row.sys_id, row);
    return row;
  }

  /** Applies changed values; answers the fields that changed (none: the row is left untouched). */
  update(table: string, sysId: string, values: Record<string, unknown>, at: number, user: string): string[] {
    const row = this.get(table, sysId);
    if (!row) return [];
    const clean = this.clean(table, values);
    const changed = Object.keys(clean).filter((k) => (row[k] ?? '') !== clean[k]);
    if (changed.length === 0) return [];
    for (const k of changed) row[k] = clean[k] as string;
    row.sys_updated_on = snTime(at);
    row.sys_updated_by = user;
    row.sys_mod_count = String(Number(row.sys_mod_count ?? '0') + 1);
    return changed;
  }

  delete(table: string, sysId: string): boolean {
    return this.tables.get(table)?.delete(sysId) ?? false;
  }

  /** The display value of a record (its display field). */
  display(table: string, sysId: string): string {
    const def = this.def(table);
    const row = this.get(table, sysId);
    if (!def || !row) return '';
    return row[def.display] ?? '';
  }
}
