import type { Database, Row, TableDef, Value } from './suiteql/eval.js';
import { STATUS_TEXT, TABLES } from './schema.js';

/**
 * The simulated account's data: one array of rows per SuiteQL table, internal ids per table, and
 * `lastmodifieddate` stamped on every change (the record API shows it at minute precision, §9).
 */
export class Store implements Database {
  private readonly data = new Map<string, Row[]>();
  private readonly byId = new Map<string, Map<number, Row>>();
  private nextId = new Map<string, number>();
  /** The clock stamps are taken from; tests may move it. */
  now: () => number = Date.now;

  constructor() {
    this.clear();
  }

  clear(): void {
    for (const t of TABLES.keys()) {
      this.data.set(t, []);
      this.byId.set(t, new Map());
      this.nextId.set(t, 1);
    }
  }

  tableDef(name: string): TableDef | undefined {
    return TABLES.get(name);
  }

  rows(name: string): readonly Row[] {
    return this.data.get(name) ?? [];
  }

  get(table: string, id: number): Row | undefined {
    return this.byId.get(table)?.get(id);
  }

  find(table: string, pred: (r: Row) => boolean): Row | undefined {
    return this.rows(table).find(pred);
  }

  /** Inserts a row with the next id (unless given) and the current stamp; every column defaults to null. */
  insert(table: string, values: Record<string, Value>, at = this.now()): Row {
    const def = TABLES.get(table);
    if (!def) throw new Error(`no table ${table}`);
    const row: Row = {};
    for (const c of Object.keys(def.columns)) row[c] = null;
    for (const [k, v] of Object.entries(values)) {
      if (!(k in def.columns)) throw new Error(`no column ${table}.${k}`);
      row[k] = v;
    }
    if ('id' in def.columns && table !== 'transactionline') {
      if (typeof row.id !== 'number') row.id = this.nextId.get(table)!;
      this.nextId.set(table, Math.max(this.nextId.get(table)!, (row.id as number) + 1));
      this.byId.get(table)!.set(row.id as number, row);
    }
    if ('lastmodifieddate' in def.columns && !(values.lastmodifieddate instanceof Date))
      row.lastmodifieddate = new Date(at - (at % 1000));
    this.data.get(table)!.push(row);
    return row;
  }

  /** Changes a row in place and stamps it. */
  update(table: string, row: Row, values: Record<string, Value>, at = this.now()): Row {
    const def = TABLES.get(table)!;
    for (const [k, v] of Object.entries(values)) {
      if (!(k in def.columns)) throw new Error(`no column ${table}.${k}`);
      row[k] = v;
    }
    if ('lastmodifieddate' in def.columns) row.lastmodifieddate = new Date(at - (at % 1000));
    return row;
  }

  remove(table: string, pred: (r: Row) => boolean): void {
    const rows = this.data.get(table)!;
    const keep = rows.filter((r) => !pred(r));
    this.data.set(table, keep);
    const ids = this.byId.get(table)!;
    for (const r of rows) if (pred(r) && typeof r.id === 'number') ids.delete(r.id);
  }

  /** Moves every stamp `seconds` into the past (`/_sim/age`). */
  age(seconds: number): void {
    for (const rows of this.data.values())
      for (const r of rows)
        for (const [k, v] of Object.entries(r))
          if (v instanceof Date) r[k] = new Date(v.getTime() - seconds * 1000);
  }

  display(table: string, column: string, value: Value, row: Row): string | null {
    if (table === 'transaction' && column === 'status')
      return STATUS_TEXT[String(row.type)]?.[String(value)] ?? String(value);
    const ref = TABLES.get(table)?.refs?.[column];
    if (!ref) return value === null ? null : String(value);
    const target = this.get(ref.table, Number(value));
    const shown = target?.[ref.display];
    return shown === null || shown === undefined ? null : String(shown);
  }

  /** Next line id of a transaction (line ids are unique per transaction, the header line is 0). */
  nextLineId(transaction: number): number {
    const lines = this.rows('transactionline').filter((l) => l.transaction === transaction);
    return lines.reduce((m, l) => Math.max(m, Number(l.id)), -1) + 1;
  }

  uniqueKey(): number {
    const n = this.nextId.get('transactionline')!;
    this.nextId.set('transactionline', n + 1);
    return n;
  }
}
