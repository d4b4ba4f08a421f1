/**
 * The in-memory ORM of the simulated Odoo, first layer: tables, ids, sequences, transactions (undo
 * on error), long transactions, and the multi-company rules (api notes §1.1, §9).
 *
 * Timestamps: every record keeps `create_date`/`write_date` in microseconds; all writes of one
 * request share ONE timestamp (the request's arrival, like Postgres' transaction start); values are
 * served truncated to the second. The layers: store-base.ts → computed.ts (values) → search.ts
 * (domain evaluation) → writes.ts → actions.ts (business actions, stored computes) → store.ts.
 */

import { OdooException } from './exceptions.js';
import { buildModels, type FieldDef, type ModelDef, type SimVersion } from './models.js';

export interface Env {
  /** The request's timestamp, microseconds since the epoch. */
  now: number;
  uid: number;
  context: Record<string, unknown>;
}

export interface Rec {
  id: number;
  v: Record<string, unknown>;
  createUs: number;
  writeUs: number;
  createUid: number;
  writeUid: number;
  /** Set while the record belongs to an uncommitted (long) transaction: invisible to reads. */
  txn?: number;
}

export interface WriteOptions {
  /** Overrides the request timestamp (long transactions, seeds). */
  stamp?: number;
  txn?: number;
}

export const LOG = new Set(['id', 'display_name', 'create_date', 'write_date', 'create_uid', 'write_uid']);
/** PO line fields that feed stored header computes (amounts, date_planned): §8 measured bumps. */
export const PO_LINE_TRIGGERS = [
  'product_qty',
  'price_unit',
  'discount',
  'date_planned',
  'product_id',
  'taxes_id',
  'tax_ids',
  'order_id',
];
export const MOVE_LINE_AMOUNT = [
  'quantity',
  'price_unit',
  'discount',
  'tax_ids',
  'account_id',
  'debit',
  'credit',
  'move_id',
  'display_type',
];

export const round2 = (n: number): number => Math.round((n + Number.EPSILON) * 100) / 100;
export const isEmpty = (v: unknown): boolean => v === undefined || v === null || v === false || v === '';

export abstract class StoreBase {
  /** A field's raw value (computed.ts). */
  abstract raw(model: ModelDef, rec: Rec, name: string): unknown;

  readonly models: Map<string, ModelDef>;
  protected tables = new Map<string, Map<number, Rec>>();
  protected nextIds = new Map<string, number>();
  protected sequences = new Map<string, number>();
  protected pendingTxns = new Set<number>();
  protected nextTxn = 1;
  protected undo: Array<() => void> | undefined;
  protected mutation = 0;
  protected childIndex = new Map<string, { at: number; index: Map<number, number[]> }>();

  /**
   * The companies the running call may see and its current company (env.company), set per call by
   * `enterCompanies`; undefined outside calls (seeds): everything visible, company 1 current.
   */
  scope: { allowed: number[]; current: number } | undefined;
  /** Models whose record rules hide every record from a user (uid → models). */
  readonly ruleHidden = new Map<number, Set<string>>();

  constructor(readonly version: SimVersion) {
    this.models = buildModels(version);
  }

  // ---------------------------------------------------------------- plumbing

  model(name: string): ModelDef {
    const m = this.models.get(name);
    if (!m)
      throw new OdooException(
        'unknown_model',
        `the model '${name}' does not exist`,
        `Object ${name} doesn't exist`,
      );
    return m;
  }

  table(name: string): Map<number, Rec> {
    let t = this.tables.get(name);
    if (!t) {
      t = new Map();
      this.tables.set(name, t);
    }
    return t;
  }

  protected visible(rec: Rec | undefined): rec is Rec {
    return rec !== undefined && (rec.txn === undefined || !this.pendingTxns.has(rec.txn));
  }

  get(model: string, id: number): Rec | undefined {
    const rec = this.table(model).get(id);
    return this.visible(rec) ? rec : undefined;
  }

  /** All visible records of a model, in id order. */
  all(model: string): Rec[] {
    const out: Rec[] = [];
    for (const rec of this.table(model).values()) if (this.visible(rec)) out.push(rec);
    return out;
  }

  /**
   * Moves every record's create and write stamps `seconds` into the past, as if the data had been
   * written that long ago and nothing since: what a cron pass finds one interval after the last.
   */
  age(seconds: number): void {
    const us = Math.round(seconds * 1_000_000);
    for (const table of this.tables.values())
      for (const rec of table.values()) {
        rec.createUs -= us;
        rec.writeUs -= us;
      }
    this.mutation += 1;
  }

  clear(): void {
    this.tables.clear();
    this.nextIds.clear();
    this.sequences.clear();
    this.pendingTxns.clear();
    this.childIndex.clear();
    this.scope = undefined;
    this.ruleHidden.clear();
    this.mutation += 1;
  }

  /** Runs `fn` as one transaction: any exception undoes every change it made. */
  transaction<T>(fn: () => T): T {
    if (this.undo) return fn();
    this.undo = [];
    try {
      const out = fn();
      this.undo = undefined;
      return out;
    } catch (err) {
      const log = this.undo ?? [];
      this.undo = undefined;
      for (let i = log.length - 1; i >= 0; i -= 1) (log[i] as () => void)();
      this.mutation += 1;
      throw err;
    }
  }

  /**
   * A savepoint inside the running transaction (Postgres `SAVEPOINT`): an exception undoes what `fn`
   * changed and is rethrown, leaving the rest of the transaction as it was.
   */
  savepoint<T>(fn: () => T): T {
    const log = this.undo;
    if (!log) return this.transaction(fn);
    const mark = log.length;
    try {
      return fn();
    } catch (err) {
      for (let i = log.length - 1; i >= mark; i -= 1) (log[i] as () => void)();
      log.length = mark;
      this.mutation += 1;
      throw err;
    }
  }

  protected touch(rec: Rec): void {
    if (!this.undo) return;
    const snapshot = { v: { ...rec.v }, writeUs: rec.writeUs, writeUid: rec.writeUid };
    this.undo.push(() => {
      rec.v = snapshot.v;
      rec.writeUs = snapshot.writeUs;
      rec.writeUid = snapshot.writeUid;
    });
  }

  nextSequence(key: string): number {
    const n = (this.sequences.get(key) ?? 0) + 1;
    this.sequences.set(key, n);
    const undo = this.undo;
    if (undo) undo.push(() => this.sequences.set(key, n - 1));
    return n;
  }

  /** Inserts a record as is (seeding): no validation, no defaults beyond the given values. */
  insertRaw(model: string, v: Record<string, unknown>, stamp: number, uid = 1, txn?: number): Rec {
    const table = this.table(model);
    const id = this.nextIds.get(model) ?? 1;
    this.nextIds.set(model, id + 1);
    const rec: Rec = {
      id,
      v,
      createUs: stamp,
      writeUs: stamp,
      createUid: uid,
      writeUid: uid,
      ...(txn === undefined ? {} : { txn }),
    };
    table.set(id, rec);
    this.mutation += 1;
    if (this.undo) {
      this.undo.push(() => {
        table.delete(id);
        this.nextIds.set(model, Math.min(this.nextIds.get(model) ?? id, id));
      });
    }
    return rec;
  }

  beginTxn(): number {
    const txn = this.nextTxn++;
    this.pendingTxns.add(txn);
    return txn;
  }

  commitTxn(txn: number): boolean {
    this.mutation += 1;
    return this.pendingTxns.delete(txn);
  }

  protected children(model: string, inverse: string, parentId: number): number[] {
    const key = `${model}.${inverse}`;
    let cached = this.childIndex.get(key);
    if (!cached || cached.at !== this.mutation) {
      const index = new Map<number, number[]>();
      for (const rec of this.table(model).values()) {
        if (!this.visible(rec)) continue;
        const p = rec.v[inverse];
        if (typeof p === 'number') {
          const list = index.get(p);
          if (list) list.push(rec.id);
          else index.set(p, [rec.id]);
        }
      }
      cached = { at: this.mutation, index };
      this.childIndex.set(key, cached);
    }
    return cached.index.get(parentId) ?? [];
  }

  /**
   * Multi-company rules (api notes §1.1, §9): a call sees the records of its allowed companies,
   * `context.allowed_company_ids` (each must be one of the user's `company_ids`, else AccessError) or
   * else all of the user's companies; its current company is the first allowed one, or the user's
   * `company_id`. Company-dependent values (account codes) answer for the current company.
   */
  enterCompanies(env: Env): void {
    const user = this.get('res.users', env.uid);
    const userCompanies = user
      ? Array.isArray(user.v.company_ids) && user.v.company_ids.length > 0
        ? (user.v.company_ids as number[])
        : typeof user.v.company_id === 'number'
          ? [user.v.company_id]
          : []
      : [...this.table('res.company').keys()];
    const main = typeof user?.v.company_id === 'number' ? user.v.company_id : (userCompanies[0] ?? 1);
    const asked = env.context.allowed_company_ids;
    if (Array.isArray(asked) && asked.length > 0) {
      if (!asked.every((c) => typeof c === 'number' && userCompanies.includes(c)))
        throw new OdooException('access_error', 'Access to unauthorized or invalid companies.');
      this.scope = { allowed: asked as number[], current: asked[0] as number };
    } else {
      this.scope = { allowed: userCompanies, current: main };
    }
  }

  get currentCompany(): number {
    return this.scope?.current ?? 1;
  }

  /** Whether a record of `model` belongs to the call's allowed companies (or to none: shared). */
  protected companyAllowed(model: ModelDef, rec: Rec): boolean {
    const scope = this.scope;
    if (!scope || model.name === 'res.users' || model.name === 'res.company') return true;
    if (model.fields.company_ids && model.fields.company_ids.type === 'many2many') {
      const ids = rec.v.company_ids;
      return !Array.isArray(ids) || ids.length === 0 || ids.some((c) => scope.allowed.includes(c as number));
    }
    if (!model.fields.company_id) return true;
    const c = model.fields.company_id.computed ? this.raw(model, rec, 'company_id') : rec.v.company_id;
    return typeof c !== 'number' || scope.allowed.includes(c);
  }

  /** Sequence key per company: company 1 keeps the plain key. */
  companyKey(key: string, company: unknown): string {
    return typeof company === 'number' && company !== 1 ? `${key}:${company}` : key;
  }

  protected field(model: ModelDef, name: string): FieldDef | undefined {
    return model.fields[name];
  }

  protected invalidField(model: ModelDef, name: string): OdooException {
    return new OdooException('value_error', `Invalid field '${name}' on model '${model.name}'`);
  }
}
