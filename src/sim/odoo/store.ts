/**
 * The in-memory ORM of the simulated Odoo: records, create/write/unlink/read/search, domains,
 * ordering, stored computes and the `write_date` rules of the api notes §2.3 and §8.
 *
 * Timestamps: every record keeps `create_date`/`write_date` in microseconds; all writes of one
 * request share ONE timestamp (the request's arrival, like Postgres' transaction start); values are
 * served truncated to the second.
 */
import {
  domainFields,
  leafText,
  likeToRegExp,
  microsToNaive,
  naiveToMicros,
  parseDatetimeLiteral,
  parseDomain,
  type DomainNode,
  type Leaf,
} from './domain.js';
import { MISSING_MESSAGE, OdooException } from './exceptions.js';
import { PyFloat } from './pyvalue.js';
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

const LOG = new Set(['id', 'display_name', 'create_date', 'write_date', 'create_uid', 'write_uid']);
/** PO line fields that feed stored header computes (amounts, date_planned): §8 measured bumps. */
const PO_LINE_TRIGGERS = [
  'product_qty',
  'price_unit',
  'discount',
  'date_planned',
  'product_id',
  'taxes_id',
  'tax_ids',
  'order_id',
];
const MOVE_LINE_AMOUNT = [
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

const round2 = (n: number): number => Math.round((n + Number.EPSILON) * 100) / 100;
const isEmpty = (v: unknown): boolean => v === undefined || v === null || v === false || v === '';

export class OdooStore {
  readonly models: Map<string, ModelDef>;
  private tables = new Map<string, Map<number, Rec>>();
  private nextIds = new Map<string, number>();
  private sequences = new Map<string, number>();
  private pendingTxns = new Set<number>();
  private nextTxn = 1;
  private undo: Array<() => void> | undefined;
  private mutation = 0;
  private childIndex = new Map<string, { at: number; index: Map<number, number[]> }>();

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

  private visible(rec: Rec | undefined): rec is Rec {
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

  private touch(rec: Rec): void {
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

  private children(model: string, inverse: string, parentId: number): number[] {
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
  private companyAllowed(model: ModelDef, rec: Rec): boolean {
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

  private field(model: ModelDef, name: string): FieldDef | undefined {
    return model.fields[name];
  }

  private invalidField(model: ModelDef, name: string): OdooException {
    return new OdooException('value_error', `Invalid field '${name}' on model '${model.name}'`);
  }

  // ---------------------------------------------------------------- values

  displayName(model: string, rec: Rec): string {
    const v = rec.v;
    const s = (x: unknown): string => (typeof x === 'string' ? x : '');
    switch (model) {
      case 'res.partner': {
        const parent = typeof v.parent_id === 'number' ? this.get('res.partner', v.parent_id) : undefined;
        return parent ? `${s(parent.v.name)}, ${s(v.name)}` : s(v.name);
      }
      case 'purchase.order':
        return isEmpty(v.partner_ref) ? s(v.name) : `${s(v.name)} (${s(v.partner_ref)})`;
      case 'purchase.order.line':
      case 'sale.order.line': {
        const order =
          typeof v.order_id === 'number' ? this.get(model.replace('.line', ''), v.order_id) : undefined;
        return `${order ? s(order.v.name) : ''}: ${s(v.name).split('\n')[0] ?? ''}`;
      }
      case 'account.account':
        return `${s(v.code)} ${s(v.name)}`;
      case 'account.analytic.account':
      case 'product.product':
        return isEmpty(v[model === 'product.product' ? 'default_code' : 'code'])
          ? s(v.name)
          : `[${s(v[model === 'product.product' ? 'default_code' : 'code'])}] ${s(v.name)}`;
      case 'account.move': {
        if (!isEmpty(v.name) && v.name !== '/') return s(v.name);
        const label =
          v.move_type === 'in_invoice'
            ? 'Draft Bill'
            : v.move_type === 'out_invoice'
              ? 'Draft Invoice'
              : 'Draft Entry';
        return `${label} (* ${rec.id})`;
      }
      case 'account.move.line': {
        const move = typeof v.move_id === 'number' ? this.get('account.move', v.move_id) : undefined;
        return [move ? this.displayName('account.move', move) : '', s(v.name)].filter(Boolean).join(' - ');
      }
      case 'account.payment':
        return isEmpty(v.name) ? 'Draft Payment' : s(v.name);
      case 'res.partner.bank':
        return s(v.acc_number);
      case 'ir.model.data':
        return `${s(v.module)}.${s(v.name)}`;
      default:
        return isEmpty(v.name) ? `${model},${rec.id}` : s(v.name);
    }
  }

  /** Raw value of a field: stored, computed on the fly, or derived (m2o as id, x2many as ids). */
  raw(model: ModelDef, rec: Rec, name: string): unknown {
    switch (name) {
      case 'id':
        return rec.id;
      case 'display_name':
        return this.displayName(model.name, rec);
      case 'create_date':
        return rec.createUs;
      case 'write_date':
        return rec.writeUs;
      case 'create_uid':
        return rec.createUid;
      case 'write_uid':
        return rec.writeUid;
      default:
        break;
    }
    const def = model.fields[name];
    if (!def) return false;
    if (def.type === 'one2many' && def.relation && def.inverse) {
      let ids = this.children(def.relation, def.inverse, rec.id);
      if (model.name === 'account.move' && name === 'invoice_line_ids') {
        ids = ids.filter((id) => {
          const t = this.get('account.move.line', id)?.v.display_type;
          return t === 'product' || t === 'line_section' || t === 'line_note';
        });
      }
      return ids;
    }
    if (def.computed && !(name in rec.v)) return this.compute(model.name, rec, name);
    // §9: from 18 an account's code is company-dependent: it answers for the current company only.
    if (model.name === 'account.account' && name === 'code' && this.version >= 18) {
      const cids = rec.v.company_ids;
      if (Array.isArray(cids) && cids.length > 0 && !cids.includes(this.currentCompany)) return false;
    }
    const value = rec.v[name];
    if (value === undefined || value === null)
      return def.type === 'many2many'
        ? []
        : def.type === 'integer' || def.type === 'float' || def.type === 'monetary'
          ? 0
          : false;
    return value;
  }

  private compute(model: string, rec: Rec, name: string): unknown {
    const v = rec.v;
    const num = (x: unknown): number => (typeof x === 'number' ? x : 0);
    if (model === 'purchase.order.line' || model === 'account.move.line' || model === 'sale.order.line') {
      const qty = num(
        v[
          model === 'purchase.order.line'
            ? 'product_qty'
            : model === 'sale.order.line'
              ? 'product_uom_qty'
              : 'quantity'
        ],
      );
      const subtotal = round2(qty * num(v.price_unit) * (1 - num(v.discount) / 100));
      const taxField =
        model === 'purchase.order.line' ? (this.version >= 19 ? 'tax_ids' : 'taxes_id') : 'tax_ids';
      const rate = ((v[taxField] as number[] | undefined) ?? []).reduce(
        (acc, id) => acc + num(this.get('account.tax', id)?.v.amount),
        0,
      );
      const tax = round2((subtotal * rate) / 100);
      const parentModel = model === 'account.move.line' ? 'account.move' : model.replace('.line', '');
      const parentField = model === 'account.move.line' ? 'move_id' : 'order_id';
      const parent =
        typeof v[parentField] === 'number' ? this.get(parentModel, v[parentField] as number) : undefined;
      switch (name) {
        case 'price_subtotal':
          return v.display_type === 'payment_term' ? 0 : subtotal;
        case 'price_tax':
          return tax;
        case 'price_total':
          return round2(subtotal + tax);
        case 'product_uom_qty':
          return qty;
        case 'qty_to_invoice':
          return round2(num(v.qty_received) - num(v.qty_invoiced));
        case 'balance':
          return round2(num(v.debit) - num(v.credit));
        case 'amount_currency':
          return round2(num(v.debit) - num(v.credit));
        case 'move_name':
          return parent ? (parent.v.name ?? false) : false;
        case 'date':
          return parent ? (parent.v.date ?? false) : false;
        case 'parent_state':
          return parent ? (parent.v.state ?? false) : false;
        case 'state':
        case 'company_id':
        case 'partner_id':
        case 'currency_id':
          return parent ? (parent.v[name] ?? false) : false;
        default:
          return false;
      }
    }
    if (model === 'res.partner') {
      if (name === 'complete_name') return this.displayName(model, rec);
      if (name === 'commercial_partner_id') {
        let cur = rec;
        while (typeof cur.v.parent_id === 'number' && !cur.v.is_company) {
          const parent = this.get('res.partner', cur.v.parent_id);
          if (!parent) break;
          cur = parent;
        }
        return cur.id;
      }
    }
    if (model === 'account.move' && name === 'commercial_partner_id') return v.partner_id ?? false;
    if (name.startsWith('amount_') || name === 'balance') return 0;
    return false;
  }

  /** A value as Odoo serializes it in read results (§2.2, §8): `false` for empty, never null. */
  render(model: ModelDef, rec: Rec, name: string, load: string): unknown {
    const def = model.fields[name];
    const raw = this.raw(model, rec, name);
    if (name === 'create_date' || name === 'write_date') return microsToNaive(raw as number);
    if (!def) return raw;
    switch (def.type) {
      case 'many2one': {
        if (typeof raw !== 'number' || !def.relation) return false;
        if (load !== '_classic_read') return raw;
        const target = this.get(def.relation, raw);
        return [raw, target ? this.displayName(def.relation, target) : ''];
      }
      case 'one2many':
      case 'many2many':
        return Array.isArray(raw) ? [...raw] : [];
      case 'integer':
        return typeof raw === 'number' ? raw : 0;
      case 'float':
      case 'monetary':
        return new PyFloat(typeof raw === 'number' ? raw : 0);
      case 'boolean':
        return raw === true;
      case 'json':
        // analytic_distribution: {"24": 100.0}, shares as floats.
        return raw !== null && typeof raw === 'object'
          ? Object.fromEntries(
              Object.entries(raw as Record<string, unknown>).map(([k, x]) => [
                k,
                typeof x === 'number' ? new PyFloat(x) : x,
              ]),
            )
          : false;
      default:
        return isEmpty(raw) ? false : raw;
    }
  }

  // ---------------------------------------------------------------- search

  private compileLeaf(model: ModelDef, leaf: Leaf): (rec: Rec) => boolean {
    const [path, op, value] = leaf;
    const [head, ...rest] = path.split('.');
    const name = head as string;
    const def = this.field(model, name);
    if (!def && !LOG.has(name)) {
      throw new OdooException(
        'value_error',
        `Invalid field ${model.name}.${name} in ${this.version >= 19 ? 'condition' : 'leaf'} ${leafText(leaf)}`,
      );
    }
    if (rest.length > 0) {
      const relation =
        def?.relation ?? (name === 'create_uid' || name === 'write_uid' ? 'res.users' : undefined);
      if (!relation || (def && !['many2one', 'one2many', 'many2many'].includes(def.type))) {
        throw new OdooException('value_error', `Invalid path ${path} in leaf ${leafText(leaf)}`);
      }
      const sub = this.model(relation);
      const inner = this.compileLeaf(sub, [rest.join('.'), op, value]);
      return (rec) => {
        const raw = this.raw(model, rec, name);
        const ids = Array.isArray(raw) ? (raw as number[]) : typeof raw === 'number' ? [raw] : [];
        if (ids.length === 0) {
          // A null many2one behaves as a related record whose fields are all empty.
          return (op === '=' && value === false) || (op === '!=' && value !== false) || op === 'not in';
        }
        return ids.some((id) => {
          const target = this.get(relation, id);
          return target ? inner(target) : false;
        });
      };
    }
    const type =
      name === 'id'
        ? 'id'
        : name === 'create_date' || name === 'write_date'
          ? 'datetime'
          : LOG.has(name)
            ? name === 'display_name'
              ? 'char'
              : 'many2one'
            : (def as FieldDef).type;
    const get = (rec: Rec): unknown => this.raw(model, rec, name);

    if (op === 'child_of' || op === 'parent_of') {
      const ids = new Set(
        (Array.isArray(value) ? value : [value]).filter((x): x is number => typeof x === 'number'),
      );
      return (rec) => {
        let cur: Rec | undefined = rec;
        const target = type === 'id' ? rec.id : get(rec);
        if (typeof target !== 'number') return false;
        cur = this.get(type === 'id' ? model.name : (def?.relation ?? model.name), target);
        for (let depth = 0; cur && depth < 50; depth += 1) {
          if (ids.has(cur.id)) return true;
          const parent: unknown = cur.v.parent_id;
          cur =
            typeof parent === 'number'
              ? this.get(type === 'id' ? model.name : (def?.relation ?? model.name), parent)
              : undefined;
        }
        return false;
      };
    }

    if (type === 'datetime' || type === 'date') {
      const toUs = (raw: unknown): number | undefined =>
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw !== ''
            ? naiveToMicros(raw)
            : undefined;
      if (op === 'in' || op === 'not in') {
        const set = (Array.isArray(value) ? value : [value]).map((x) =>
          x === false ? undefined : parseDatetimeLiteral(x).us,
        );
        return (rec) => {
          const us = toUs(get(rec));
          const hit = set.some((x) => x === us);
          return op === 'in' ? hit : !hit;
        };
      }
      if (value === false || value === null) {
        return (rec) =>
          op === '=' ? toUs(get(rec)) === undefined : op === '!=' ? toUs(get(rec)) !== undefined : false;
      }
      const lit = parseDatetimeLiteral(value);
      const dateOnly = lit.span > 1_000_000;
      // §8/§9: on 19 comparisons are whole-second both ways: `> 'S'` is `>= S + 1 s`, `<= 'S'` is
      // `< S + 1 s`, `= 'S'` matches the whole second. Older versions compare the raw microsecond
      // value. Date-only literals compare by day.
      const whole = dateOnly || this.version >= 19;
      const within = (us: number): boolean => us >= lit.us && us < lit.us + lit.span;
      return (rec) => {
        const us = toUs(get(rec));
        if (us === undefined) return op === '!=';
        switch (op) {
          case '=':
            return whole ? within(us) : us === lit.us;
          case '!=':
            return whole ? !within(us) : us !== lit.us;
          case '>':
            return whole ? us >= lit.us + lit.span : us > lit.us;
          case '>=':
            return us >= lit.us;
          case '<':
            return us < lit.us;
          case '<=':
            return whole ? us < lit.us + lit.span : us <= lit.us;
          default:
            throw new OdooException(
              'value_error',
              `Invalid operator ${op} for datetime in leaf ${leafText(leaf)}`,
            );
        }
      };
    }

    if (
      op === 'like' ||
      op === 'ilike' ||
      op === 'not like' ||
      op === 'not ilike' ||
      op === '=like' ||
      op === '=ilike'
    ) {
      const insensitive = op.includes('ilike');
      const anchored = op.startsWith('=');
      const re = anchored
        ? likeToRegExp(String(value), true, insensitive)
        : likeToRegExp(`%${String(value)}%`, true, insensitive);
      const positive = !op.startsWith('not');
      return (rec) => {
        let raw = get(rec);
        if (type === 'many2one' && typeof raw === 'number' && def?.relation) {
          const t = this.get(def.relation, raw);
          raw = t ? this.displayName(def.relation, t) : '';
        }
        if (isEmpty(raw)) return !positive && value !== false ? true : false;
        const hit = re.test(String(raw));
        return positive ? hit : !hit;
      };
    }

    const norm = (x: unknown): unknown => (x === null || x === undefined || x === '' ? false : x);
    if (type === 'many2many' || type === 'one2many') {
      const wanted = (Array.isArray(value) ? value : [value]).filter(
        (x): x is number => typeof x === 'number',
      );
      return (rec) => {
        const ids = (get(rec) as number[]) ?? [];
        if (value === false || (Array.isArray(value) && value.length === 0 && (op === '=' || op === 'in'))) {
          return op === '=' || op === 'in' ? ids.length === 0 : ids.length > 0;
        }
        const hit = ids.some((id) => wanted.includes(id));
        return op === '=' || op === 'in' ? hit : !hit;
      };
    }

    if (type === 'many2one' && typeof value === 'string' && (op === '=' || op === '!=')) {
      return (rec) => {
        const raw = get(rec);
        const t = typeof raw === 'number' && def?.relation ? this.get(def.relation, raw) : undefined;
        const hit =
          t !== undefined && def?.relation !== undefined && this.displayName(def.relation, t) === value;
        return op === '=' ? hit : !hit;
      };
    }

    if (op === 'in' || op === 'not in') {
      if (!Array.isArray(value)) {
        throw new OdooException('value_error', `Invalid value for operator ${op} in leaf ${leafText(leaf)}`);
      }
      const set = new Set(value.map((x) => (type === 'boolean' ? x === true : norm(x))));
      return (rec) => {
        const raw = norm(get(rec));
        const hit = set.has(type === 'boolean' ? raw === true : raw);
        return op === 'in' ? hit : !hit;
      };
    }

    const target = type === 'boolean' ? value === true : norm(value);
    return (rec) => {
      const raw = type === 'boolean' ? get(rec) === true : norm(get(rec));
      switch (op) {
        case '=':
          return raw === target;
        case '!=':
          return raw !== target;
        default: {
          if (raw === false || target === false) return false;
          const a = raw as number | string;
          const b = target as number | string;
          if (op === '>') return a > b;
          if (op === '>=') return a >= b;
          if (op === '<') return a < b;
          return a <= b;
        }
      }
    };
  }

  private compile(model: ModelDef, node: DomainNode): (rec: Rec) => boolean {
    switch (node.kind) {
      case 'true':
        return () => true;
      case 'leaf':
        return this.compileLeaf(model, node.leaf);
      case 'not': {
        const c = this.compile(model, node.child);
        return (r) => !c(r);
      }
      case 'and': {
        const l = this.compile(model, node.left);
        const r = this.compile(model, node.right);
        return (x) => l(x) && r(x);
      }
      case 'or': {
        const l = this.compile(model, node.left);
        const r = this.compile(model, node.right);
        return (x) => l(x) || r(x);
      }
    }
  }

  private parseOrder(model: ModelDef, order: unknown): Array<{ field: string; desc: boolean }> {
    const text = typeof order === 'string' && order.trim() !== '' ? order : model.order;
    const keys: Array<{ field: string; desc: boolean }> = [];
    for (const part of text.split(',')) {
      const m = /^\s*"?([\w.]+)"?(?:\s+(asc|desc))?(?:\s+nulls\s+(?:first|last))?\s*$/i.exec(part);
      if (!m) throw new OdooException('value_error', `Invalid "order" specified (${text}).`);
      const field = m[1] as string;
      if (!this.field(model, field) && !LOG.has(field)) throw this.invalidField(model, field);
      keys.push({ field, desc: (m[2] ?? 'asc').toLowerCase() === 'desc' });
    }
    return keys;
  }

  search(
    modelName: string,
    domain: unknown,
    env: Env,
    opts: { offset?: unknown; limit?: unknown; order?: unknown } = {},
  ): Rec[] {
    const model = this.model(modelName);
    const tree = parseDomain(domain);
    let pred = this.compile(model, tree);
    if (this.ruleHidden.get(env.uid)?.has(modelName)) return [];
    if (model.fields.active && env.context.active_test !== false && !domainFields(tree).has('active')) {
      const inner = pred;
      pred = (rec) => rec.v.active !== false && inner(rec);
    }
    if (this.scope) {
      const inner = pred;
      pred = (rec) => this.companyAllowed(model, rec) && inner(rec);
    }
    const keys = this.parseOrder(model, opts.order);
    const offset = typeof opts.offset === 'number' ? opts.offset : 0;
    const limit = typeof opts.limit === 'number' && opts.limit > 0 ? opts.limit : undefined;
    const idAsc = keys.length === 1 && keys[0]?.field === 'id' && !keys[0].desc;
    const out: Rec[] = [];
    for (const rec of this.table(modelName).values()) {
      if (!this.visible(rec) || !pred(rec)) continue;
      out.push(rec);
      // Ids are allocated in insertion order, so an `id asc` scan can stop early.
      if (idAsc && limit !== undefined && out.length >= offset + limit) break;
    }
    if (!idAsc) {
      const cache = new Map<Rec, unknown[]>();
      const values = (rec: Rec): unknown[] => {
        let vals = cache.get(rec);
        if (!vals) {
          vals = keys.map((k) => this.raw(model, rec, k.field));
          cache.set(rec, vals);
        }
        return vals;
      };
      out.sort((a, b) => {
        const va = values(a);
        const vb = values(b);
        for (let i = 0; i < keys.length; i += 1) {
          const c = compareValues(va[i], vb[i]);
          if (c !== 0) return (keys[i] as { desc: boolean }).desc ? -c : c;
        }
        return a.id - b.id;
      });
    }
    return out.slice(offset, limit === undefined ? undefined : offset + limit);
  }

  read(
    modelName: string,
    recs: Rec[],
    fields: unknown,
    load: unknown = '_classic_read',
  ): Array<Record<string, unknown>> {
    const model = this.model(modelName);
    const names = this.fieldList(model, fields);
    const loadMode = load === undefined || load === '_classic_read' ? '_classic_read' : String(load);
    return recs.map((rec) => {
      const row: Record<string, unknown> = { id: rec.id };
      for (const name of names) if (name !== 'id') row[name] = this.render(model, rec, name, loadMode);
      return row;
    });
  }

  fieldList(model: ModelDef, fields: unknown): string[] {
    if (
      fields === undefined ||
      fields === null ||
      fields === false ||
      (Array.isArray(fields) && fields.length === 0)
    ) {
      return Object.keys(model.fields);
    }
    if (!Array.isArray(fields))
      throw new OdooException('value_error', `Invalid fields ${JSON.stringify(fields)}`);
    for (const name of fields) {
      // §9: a field list names the model without the word "model" (the order variant has it).
      if (typeof name !== 'string' || !model.fields[name])
        throw new OdooException('value_error', `Invalid field '${String(name)}' on '${model.name}'`);
    }
    return fields as string[];
  }

  browse(modelName: string, ids: unknown): Rec[] {
    const list = Array.isArray(ids) ? ids : typeof ids === 'number' ? [ids] : [];
    const out: Rec[] = [];
    for (const id of list) {
      if (typeof id !== 'number') throw new OdooException('value_error', `Invalid id ${JSON.stringify(id)}`);
      const rec = this.get(modelName, id);
      if (rec) out.push(rec);
    }
    return out;
  }

  /** Records for a write/unlink/action: every id must exist, else MissingError (§8). */
  browseExisting(modelName: string, ids: unknown, env: Env): Rec[] {
    const list = (Array.isArray(ids) ? ids : typeof ids === 'number' ? [ids] : []) as unknown[];
    const recs = this.browse(modelName, list);
    if (recs.length !== new Set(list).size) {
      const missing = list.filter((id) => typeof id === 'number' && !this.get(modelName, id));
      throw new OdooException(
        'missing',
        `${MISSING_MESSAGE}\n(Record: ${modelName}(${missing.join(', ')},), User: ${env.uid})`,
      );
    }
    return recs;
  }

  // ---------------------------------------------------------------- writes

  private coerce(model: ModelDef, name: string, def: FieldDef, value: unknown): unknown {
    if (value === null || value === undefined) return false;
    switch (def.type) {
      case 'many2one': {
        if (value === false || value === 0) return false;
        const id = Array.isArray(value) ? value[0] : value;
        if (typeof id !== 'number' || !Number.isInteger(id)) {
          throw new OdooException(
            'value_error',
            `Wrong value for ${model.name}.${name}: ${JSON.stringify(value)}`,
          );
        }
        if (def.relation && !this.get(def.relation, id)) {
          throw new OdooException(
            'validation',
            `The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\nModel: ${model.description} (${model.name})\nField: ${def.string} (${name})`,
          );
        }
        return id;
      }
      case 'integer':
      case 'float':
      case 'monetary': {
        if (value === false) return 0;
        const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof n !== 'number' || Number.isNaN(n)) {
          throw new OdooException(
            'value_error',
            `Wrong value for ${model.name}.${name}: ${JSON.stringify(value)}`,
          );
        }
        return def.type === 'integer' ? Math.trunc(n) : def.type === 'monetary' ? round2(n) : n;
      }
      case 'boolean':
        return Boolean(value);
      case 'selection':
        if (value === false || value === '') return false;
        if (!def.selection?.includes(String(value))) {
          throw new OdooException('value_error', `Wrong value for ${model.name}.${name}: '${String(value)}'`);
        }
        return String(value);
      case 'datetime': {
        if (value === false || value === '') return false;
        const lit = parseDatetimeLiteral(value);
        return microsToNaive(lit.us);
      }
      case 'date': {
        if (value === false || value === '') return false;
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
          throw new OdooException(
            'value_error',
            `time data ${JSON.stringify(value)} does not match format '%Y-%m-%d'`,
          );
        }
        return value.slice(0, 10);
      }
      case 'json':
        if (value === false) return false;
        if (typeof value !== 'object' || Array.isArray(value)) {
          throw new OdooException(
            'value_error',
            `Wrong value for ${model.name}.${name}: ${JSON.stringify(value)}`,
          );
        }
        return JSON.parse(JSON.stringify(value)) as unknown;
      default:
        if (value === false) return false;
        return typeof value === 'string' ? value : String(value);
    }
  }

  private defaults(modelName: string, v: Record<string, unknown>, env: Env): void {
    const model = this.model(modelName);
    for (const [name, def] of Object.entries(model.fields)) {
      if (!(name in v) && def.default !== undefined && !def.computed) v[name] = def.default;
    }
    const today = microsToNaive(env.now).slice(0, 10);
    const set = (name: string, value: unknown): void => {
      if (model.fields[name] && isEmpty(v[name])) v[name] = value;
    };
    switch (modelName) {
      case 'purchase.order':
        set('company_id', this.currentCompany);
        // Purchase order numbers come from a sequence per company (§9).
        if (v.name === 'New' || isEmpty(v.name))
          v.name = `P${String(this.nextSequence(this.companyKey('purchase.order', v.company_id))).padStart(5, '0')}`;
        set('date_order', microsToNaive(env.now));
        set('currency_id', 2);
        set('user_id', env.uid);
        break;
      case 'sale.order':
        if (v.name === 'New' || isEmpty(v.name))
          v.name = `S${String(this.nextSequence('sale.order')).padStart(5, '0')}`;
        set('date_order', microsToNaive(env.now));
        set('currency_id', 2);
        set('company_id', this.currentCompany);
        break;
      case 'account.move': {
        if (isEmpty(v.journal_id)) {
          const type = String(v.move_type ?? 'entry');
          const jt = type.startsWith('in_') ? 'purchase' : type.startsWith('out_') ? 'sale' : 'general';
          const journal = this.all('account.journal').find((j) => j.v.type === jt);
          if (journal) v.journal_id = journal.id;
        }
        set('date', isEmpty(v.invoice_date) ? today : v.invoice_date);
        set('currency_id', 2);
        set('company_id', this.currentCompany);
        if (!('name' in v)) v.name = false;
        break;
      }
      case 'account.payment': {
        if (isEmpty(v.journal_id)) {
          const journal = this.all('account.journal').find((j) => j.v.type === 'bank');
          if (journal) v.journal_id = journal.id;
        }
        set('date', today);
        set('currency_id', 2);
        if (!('name' in v)) v.name = false;
        break;
      }
      case 'hr.employee':
      case 'account.analytic.account':
        // An explicit `false` is a shared record; only a missing value takes the current company.
        if (!('company_id' in v)) v.company_id = this.currentCompany;
        break;
      default:
        break;
    }
  }

  private checkRequired(model: ModelDef, v: Record<string, unknown>): void {
    for (const [name, def] of Object.entries(model.fields)) {
      if (!def.required || def.computed || LOG.has(name)) continue;
      if (def.type === 'float' || def.type === 'integer' || def.type === 'monetary' || def.type === 'boolean')
        continue;
      if (isEmpty(v[name])) {
        throw new OdooException(
          'validation',
          `The operation cannot be completed: Missing required value for the field '${def.string}' (${name}).\nModel: '${model.description}' (${model.name})\n- create/update: a mandatory field is not set\n- delete: another model requires the record being deleted, you can archive it instead\n`,
        );
      }
    }
  }

  create(modelName: string, valsList: unknown[], env: Env, opts: WriteOptions = {}): Rec[] {
    const model = this.model(modelName);
    const stamp = opts.stamp ?? env.now;
    const created: Rec[] = [];
    const pending: Array<{ rec: Rec; x2m: Array<[string, FieldDef, unknown]> }> = [];
    for (const vals of valsList) {
      if (vals === null || typeof vals !== 'object' || Array.isArray(vals)) {
        throw new OdooException(
          'value_error',
          `Invalid values ${JSON.stringify(vals)} for ${modelName}.create()`,
        );
      }
      const v: Record<string, unknown> = {};
      const x2m: Array<[string, FieldDef, unknown]> = [];
      for (const [name, value] of Object.entries(vals as Record<string, unknown>)) {
        const def = model.fields[name];
        if (!def) throw this.invalidField(model, name);
        if (LOG.has(name) || def.computed) continue;
        if (def.type === 'one2many' || def.type === 'many2many') x2m.push([name, def, value]);
        else v[name] = this.coerce(model, name, def, value);
      }
      this.defaults(modelName, v, env);
      if (modelName === 'purchase.order.line' || modelName === 'sale.order.line') {
        if (isEmpty(v.name) && typeof v.product_id === 'number')
          v.name = this.get('product.product', v.product_id)?.v.name ?? false;
      }
      if (modelName === 'account.move.line' && isEmpty(v.display_type)) v.display_type = 'product';
      // A journal item's partner is its entry's, unless given.
      if (modelName === 'account.move.line' && !('partner_id' in v) && typeof v.move_id === 'number')
        v.partner_id = this.get('account.move', v.move_id)?.v.partner_id ?? false;
      this.checkRequired(model, v);
      const rec = this.insertRaw(modelName, v, stamp, env.uid, opts.txn);
      created.push(rec);
      pending.push({ rec, x2m });
    }
    for (const { rec, x2m } of pending) {
      for (const [name, def, value] of x2m) this.applyX2m(model, rec, name, def, value, env, opts);
    }
    for (const rec of created) this.afterChange(modelName, rec, Object.keys(rec.v), env, opts, true);
    return created;
  }

  write(modelName: string, recs: Rec[], vals: unknown, env: Env, opts: WriteOptions = {}): void {
    const model = this.model(modelName);
    if (vals === null || typeof vals !== 'object' || Array.isArray(vals)) {
      throw new OdooException(
        'value_error',
        `Invalid values ${JSON.stringify(vals)} for ${modelName}.write()`,
      );
    }
    const simple: Record<string, unknown> = {};
    const x2m: Array<[string, FieldDef, unknown]> = [];
    for (const [name, value] of Object.entries(vals as Record<string, unknown>)) {
      const def = model.fields[name];
      if (!def) throw this.invalidField(model, name);
      if (LOG.has(name) || def.computed) continue;
      if (def.type === 'one2many' || def.type === 'many2many') x2m.push([name, def, value]);
      else simple[name] = this.coerce(model, name, def, value);
    }
    for (const rec of recs) {
      this.touch(rec);
      Object.assign(rec.v, simple);
      this.checkRequired(model, rec.v);
      rec.writeUs = opts.stamp ?? env.now;
      rec.writeUid = env.uid;
      for (const [name, def, value] of x2m) this.applyX2m(model, rec, name, def, value, env, opts);
      this.mutation += 1;
      this.afterChange(modelName, rec, Object.keys(vals as Record<string, unknown>), env, opts, false);
    }
  }

  unlink(modelName: string, recs: Rec[], env: Env): void {
    const model = this.model(modelName);
    const table = this.table(modelName);
    for (const rec of recs) {
      if (modelName === 'account.move' && rec.v.state === 'posted') {
        throw new OdooException('user_error', 'You cannot delete an entry which has been posted once.');
      }
      if (modelName === 'purchase.order' && rec.v.state !== 'cancel') {
        throw new OdooException(
          'user_error',
          'In order to delete a purchase order, you must cancel it first.',
        );
      }
      // Cascade: lines go with their document.
      for (const [, def] of Object.entries(model.fields)) {
        if (def.type === 'one2many' && def.relation && def.inverse && def.relation !== modelName) {
          const kids = this.browse(def.relation, this.children(def.relation, def.inverse, rec.id));
          if (kids.length > 0) this.unlink(def.relation, kids, env);
        }
      }
      table.delete(rec.id);
      this.mutation += 1;
      if (this.undo) this.undo.push(() => table.set(rec.id, rec));
      this.afterChange(modelName, rec, ['__unlink__'], env, {}, false);
    }
  }

  /** x2many commands 0–6 (api notes §3); a plain id list on a many2many is a replace. */
  private applyX2m(
    model: ModelDef,
    rec: Rec,
    name: string,
    def: FieldDef,
    value: unknown,
    env: Env,
    opts: WriteOptions,
  ): void {
    const relation = def.relation as string;
    const bad = (): OdooException =>
      new OdooException('value_error', `Invalid command ${JSON.stringify(value)} for ${model.name}.${name}`);
    if (value === false || value === null) value = [[5]];
    if (!Array.isArray(value)) throw bad();
    const commands: unknown[][] = value.every((x) => typeof x === 'number')
      ? [[6, 0, value]]
      : (value as unknown[][]);
    if (def.type === 'one2many') {
      const inverse = def.inverse as string;
      for (const cmd of commands) {
        if (!Array.isArray(cmd)) throw bad();
        const [code, id, payload] = cmd as [number, number, unknown];
        switch (code) {
          case 0:
            this.create(
              relation,
              [{ ...(payload as Record<string, unknown>), [inverse]: rec.id }],
              env,
              opts,
            );
            break;
          case 1:
            this.write(relation, this.browseExisting(relation, [id], env), payload, env, opts);
            break;
          case 2:
          case 3:
            this.unlink(relation, this.browseExisting(relation, [id], env), env);
            break;
          case 4:
            this.write(relation, this.browseExisting(relation, [id], env), { [inverse]: rec.id }, env, opts);
            break;
          case 5:
            this.unlink(relation, this.browse(relation, this.children(relation, inverse, rec.id)), env);
            break;
          case 6: {
            const keep = new Set((payload as number[] | undefined) ?? []);
            const drop = this.children(relation, inverse, rec.id).filter((cid) => !keep.has(cid));
            this.unlink(relation, this.browse(relation, drop), env);
            for (const kid of keep)
              this.write(
                relation,
                this.browseExisting(relation, [kid], env),
                { [inverse]: rec.id },
                env,
                opts,
              );
            break;
          }
          default:
            throw bad();
        }
      }
      return;
    }
    let ids = [...(((rec.v[name] as number[] | undefined) ?? []) as number[])];
    for (const cmd of commands) {
      if (!Array.isArray(cmd)) throw bad();
      const [code, id, payload] = cmd as [number, number, unknown];
      switch (code) {
        case 0:
          ids.push(...this.create(relation, [payload], env, opts).map((r) => r.id));
          break;
        case 1:
          this.write(relation, this.browseExisting(relation, [id], env), payload, env, opts);
          break;
        case 2:
          this.unlink(relation, this.browseExisting(relation, [id], env), env);
          ids = ids.filter((x) => x !== id);
          break;
        case 3:
          ids = ids.filter((x) => x !== id);
          break;
        case 4:
          this.browseExisting(relation, [id], env);
          if (!ids.includes(id)) ids.push(id);
          break;
        case 5:
          ids = [];
          break;
        case 6:
          ids = [...new Set((payload as number[] | undefined) ?? [])];
          this.browseExisting(relation, ids, env);
          break;
        default:
          throw bad();
      }
    }
    rec.v[name] = ids;
  }

  /** Stored-compute side effects (api notes §2.3 and §8). */
  private afterChange(
    modelName: string,
    rec: Rec,
    changed: string[],
    env: Env,
    opts: WriteOptions,
    isCreate: boolean,
  ): void {
    const stamp = opts.stamp ?? env.now;
    if (modelName === 'purchase.order.line') {
      // §8: qty/price/date change, line create/unlink bump the header; a description-only change does not.
      if (isCreate || changed.includes('__unlink__') || changed.some((c) => PO_LINE_TRIGGERS.includes(c))) {
        const po =
          typeof rec.v.order_id === 'number' ? this.get('purchase.order', rec.v.order_id) : undefined;
        if (po) this.recomputePurchase(po, stamp, env.uid);
      }
    } else if (modelName === 'purchase.order' && (isCreate || changed.includes('order_line'))) {
      this.recomputePurchase(rec, stamp, env.uid);
    } else if (modelName === 'account.move.line') {
      const move = typeof rec.v.move_id === 'number' ? this.get('account.move', rec.v.move_id) : undefined;
      if (!move || rec.v.display_type === 'payment_term') return;
      // §8: on a draft bill even a description-only line edit bumps the move.
      const amounts =
        isCreate || changed.includes('__unlink__') || changed.some((c) => MOVE_LINE_AMOUNT.includes(c));
      if (amounts || move.v.state === 'draft') this.recomputeMove(move, stamp, env.uid, amounts);
    } else if (
      modelName === 'account.move' &&
      (isCreate || changed.includes('invoice_line_ids') || changed.includes('line_ids'))
    ) {
      this.recomputeMove(rec, stamp, env.uid, true);
    } else if (modelName === 'sale.order.line') {
      const so = typeof rec.v.order_id === 'number' ? this.get('sale.order', rec.v.order_id) : undefined;
      if (so) this.recomputeSale(so, stamp, env.uid);
    } else if (modelName === 'sale.order' && isCreate) {
      this.recomputeSale(rec, stamp, env.uid);
    }
  }

  recomputePurchase(po: Rec, stamp: number, uid: number): void {
    const lineModel = this.model('purchase.order.line');
    let untaxed = 0;
    let tax = 0;
    let planned: string | undefined;
    for (const id of this.children('purchase.order.line', 'order_id', po.id)) {
      const line = this.get('purchase.order.line', id);
      if (!line || !isEmpty(line.v.display_type)) continue;
      untaxed += this.raw(lineModel, line, 'price_subtotal') as number;
      tax += this.raw(lineModel, line, 'price_tax') as number;
      const d = line.v.date_planned;
      if (typeof d === 'string' && (planned === undefined || d < planned)) planned = d;
    }
    this.touch(po);
    po.v.amount_untaxed = round2(untaxed);
    po.v.amount_tax = round2(tax);
    po.v.amount_total = round2(untaxed + tax);
    po.v.date_planned = planned ?? false;
    po.writeUs = stamp;
    po.writeUid = uid;
    this.mutation += 1;
  }

  recomputeSale(so: Rec, stamp: number, uid: number): void {
    const lineModel = this.model('sale.order.line');
    let untaxed = 0;
    for (const id of this.children('sale.order.line', 'order_id', so.id)) {
      const line = this.get('sale.order.line', id);
      if (line) untaxed += this.raw(lineModel, line, 'price_subtotal') as number;
    }
    this.touch(so);
    so.v.amount_untaxed = round2(untaxed);
    so.v.amount_total = round2(untaxed);
    so.writeUs = stamp;
    so.writeUid = uid;
    this.mutation += 1;
  }

  /** Amounts of a bill and its payment-term line on the payable account (211000). */
  recomputeMove(move: Rec, stamp: number, uid: number, amounts = true): void {
    this.touch(move);
    move.writeUs = stamp;
    move.writeUid = uid;
    this.mutation += 1;
    if (!amounts) return;
    const lineModel = this.model('account.move.line');
    let untaxed = 0;
    let tax = 0;
    let termLine: Rec | undefined;
    const incoming = String(move.v.move_type ?? '').startsWith('in_');
    for (const id of this.children('account.move.line', 'move_id', move.id)) {
      const line = this.get('account.move.line', id);
      if (!line) continue;
      if (line.v.display_type === 'payment_term') {
        termLine = line;
        continue;
      }
      if (line.v.display_type !== 'product') continue;
      const sub = this.raw(lineModel, line, 'price_subtotal') as number;
      untaxed += sub;
      tax += this.raw(lineModel, line, 'price_tax') as number;
      const debit = incoming ? sub : 0;
      const credit = incoming ? 0 : sub;
      if (line.v.debit !== debit || line.v.credit !== credit) {
        this.touch(line);
        line.v.debit = debit;
        line.v.credit = credit;
      }
    }
    const total = round2(untaxed + tax);
    move.v.amount_untaxed = round2(untaxed);
    move.v.amount_tax = round2(tax);
    move.v.amount_total = total;
    move.v.amount_residual = move.v.payment_state === 'paid' ? 0 : total;
    if (!String(move.v.move_type ?? '').includes('invoice')) return;
    const payable = this.all('account.account').find((a) => a.v.code === (incoming ? '211000' : '121000'));
    if (!payable) return;
    const vals = { debit: incoming ? 0 : total, credit: incoming ? total : 0 };
    if (termLine) {
      if (termLine.v.debit !== vals.debit || termLine.v.credit !== vals.credit) {
        this.touch(termLine);
        Object.assign(termLine.v, vals);
        termLine.writeUs = stamp;
      }
    } else if (total !== 0) {
      this.insertRaw(
        'account.move.line',
        {
          move_id: move.id,
          display_type: 'payment_term',
          account_id: payable.id,
          name: false,
          partner_id: move.v.partner_id ?? false,
          quantity: 1,
          price_unit: 0,
          ...vals,
        },
        stamp,
        uid,
        move.txn,
      );
    }
  }

  // ---------------------------------------------------------------- business actions

  action(modelName: string, method: string, recs: Rec[], env: Env): unknown {
    const model = this.model(modelName);
    // §9: some actions return None (XML-RPC cannot marshal it; JSON-2 answers null).
    let none = false;
    for (const rec of recs) {
      const v = rec.v;
      const bump = (vals: Record<string, unknown>): void => this.write(modelName, [rec], vals, env);
      switch (`${modelName}.${method}`) {
        case 'purchase.order.button_confirm':
          if (v.state === 'draft' || v.state === 'sent')
            bump({ state: 'purchase', date_approve: microsToNaive(env.now) });
          break;
        case 'purchase.order.button_cancel':
          bump({ state: 'cancel' });
          none = true;
          break;
        case 'purchase.order.button_draft':
          bump({ state: 'draft' });
          break;
        case 'sale.order.action_confirm':
          bump({ state: 'sale' });
          break;
        case 'sale.order.action_cancel':
          bump({ state: 'cancel' });
          break;
        case 'account.move.action_post': {
          if (v.state === 'posted')
            throw new OdooException(
              'user_error',
              `The entry ${String(v.name)} (id ${rec.id}) is already posted.`,
            );
          const lines = this.children('account.move.line', 'move_id', rec.id);
          if (lines.length === 0)
            throw new OdooException('user_error', 'You need to add a line before posting.');
          if (String(v.move_type).includes('invoice') && isEmpty(v.partner_id)) {
            throw new OdooException(
              'user_error',
              "The field 'Vendor' is required, please complete it to validate the Vendor Bill.",
            );
          }
          const date =
            typeof v.invoice_date === 'string' && v.invoice_date
              ? v.invoice_date
              : microsToNaive(env.now).slice(0, 10);
          const year = date.slice(0, 4);
          const prefix =
            v.move_type === 'in_invoice'
              ? 'BILL'
              : v.move_type === 'out_invoice'
                ? 'INV'
                : v.move_type === 'in_refund'
                  ? 'RBILL'
                  : 'MISC';
          // Bill numbers come from each company's journal sequence (§9: both companies have a BILL/…/0001).
          const name =
            isEmpty(v.name) || v.name === '/'
              ? `${prefix}/${year}/${String(this.nextSequence(this.companyKey(`${prefix}/${year}`, v.company_id))).padStart(4, '0')}`
              : v.name;
          // §9: posting a vendor bill raises the vendor's supplier_rank (confirming a PO does not).
          if (v.move_type === 'in_invoice' && typeof v.partner_id === 'number') {
            const partner = this.get('res.partner', v.partner_id);
            // Odoo raises it with plain SQL: the partner's write_date does not move.
            if (partner) {
              this.touch(partner);
              partner.v.supplier_rank = Number(partner.v.supplier_rank ?? 0) + 1;
            }
          }
          bump({
            state: 'posted',
            name,
            ...(isEmpty(v.invoice_date) && String(v.move_type).includes('invoice')
              ? { invoice_date: date }
              : {}),
          });
          break;
        }
        case 'account.move.button_draft':
          bump({ state: 'draft' });
          break;
        case 'account.move.button_cancel':
          bump({ state: 'cancel' });
          break;
        case 'account.payment.action_post': {
          const year = String(v.date ?? microsToNaive(env.now)).slice(0, 4);
          const name = isEmpty(v.name)
            ? `PBNK1/${year}/${String(this.nextSequence(`PBNK1/${year}`)).padStart(5, '0')}`
            : v.name;
          bump({ state: this.version >= 18 ? 'in_process' : 'posted', name });
          break;
        }
        case 'account.payment.action_draft':
          bump({ state: 'draft' });
          break;
        case 'account.payment.action_cancel':
          bump({ state: this.version >= 18 ? 'canceled' : 'cancel' });
          break;
        default:
          throw new OdooException('unknown_method', `The method '${model.name}.${method}' does not exist`);
      }
    }
    return none ? null : true;
  }

  fieldsGet(
    modelName: string,
    allfields: unknown,
    attributes: unknown,
  ): Record<string, Record<string, unknown>> {
    const model = this.model(modelName);
    const names =
      Array.isArray(allfields) && allfields.length > 0
        ? (allfields as string[]).filter((n) => model.fields[n])
        : Object.keys(model.fields);
    const attrs = Array.isArray(attributes) && attributes.length > 0 ? (attributes as string[]) : undefined;
    const out: Record<string, Record<string, unknown>> = {};
    for (const name of names) {
      const def = model.fields[name] as FieldDef;
      const full: Record<string, unknown> = {
        type: def.type,
        string: def.string,
        required: def.report?.required ?? def.required === true,
        readonly: def.report?.readonly ?? (def.readonly === true || def.computed === true),
        store:
          def.report?.store ??
          (!(
            def.computed && !['amount_untaxed', 'amount_tax', 'amount_total', 'date_planned'].includes(name)
          ) &&
            def.type !== 'one2many'),
        sortable: def.type !== 'one2many',
        company_dependent: def.report?.company_dependent ?? false,
      };
      if (def.relation) full.relation = def.relation;
      if (def.inverse) full.relation_field = def.inverse;
      if (def.selection)
        full.selection = def.selection.map((s) => [
          s,
          s.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()),
        ]);
      out[name] = attrs ? Object.fromEntries(Object.entries(full).filter(([k]) => attrs.includes(k))) : full;
    }
    return out;
  }

  /** Rows of a model for `/_sim/state`, with microsecond timestamps and pending-transaction flags. */
  dump(modelName: string): Array<Record<string, unknown>> {
    const model = this.model(modelName);
    return [...this.table(modelName).values()].map((rec) => {
      const row: Record<string, unknown> = { id: rec.id };
      for (const name of Object.keys(model.fields)) {
        if (LOG.has(name) || model.fields[name]?.type === 'one2many') continue;
        row[name] = this.render(model, rec, name, '_classic_read');
      }
      row.create_date = microsToNaive(rec.createUs, true);
      row.write_date = microsToNaive(rec.writeUs, true);
      row.write_date_us = rec.writeUs;
      row.pending = rec.txn !== undefined && this.pendingTxns.has(rec.txn);
      return row;
    });
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, table] of this.tables) if (table.size > 0) out[name] = table.size;
    return out;
  }
}

function compareValues(a: unknown, b: unknown): number {
  const empty = (x: unknown): boolean => x === false || x === undefined || x === null || x === '';
  // Postgres: NULLs sort last ascending.
  if (empty(a) && empty(b)) return 0;
  if (empty(a)) return 1;
  if (empty(b)) return -1;
  if (Array.isArray(a) || Array.isArray(b)) return 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
