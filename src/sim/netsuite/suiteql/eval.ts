import { fromZoned, toZoned } from '../../../systems/netsuite/timezone.js';
import { SqlError, type Expr, type Select } from './parser.js';

/**
 * Evaluates a parsed SuiteQL SELECT over the simulator's tables, as strictly as NetSuite: unknown
 * tables and fields are errors, a date compared with a string literal is an error (no date literals,
 * api notes §3), bare datetime columns print as `M/D/YYYY` in the user's time zone (trap 2),
 * `TO_CHAR`/`TO_TIMESTAMP` print and parse in that zone (trap 3), ids print as strings, NULL columns
 * are left out of the item.
 */
export type ColType = 'id' | 'ref' | 'text' | 'num' | 'bool' | 'datetime' | 'date';
export type Value = string | number | Date | null;
export type Row = Record<string, Value>;

export interface TableDef {
  name: string;
  columns: Record<string, ColType>;
  /** Reference columns: the table they point at, and that table's display column (BUILTIN.DF). */
  refs?: Record<string, { table: string; display: string }>;
}

export interface Database {
  tableDef(name: string): TableDef | undefined;
  rows(name: string): readonly Row[];
  /** Display text of a referenced record (BUILTIN.DF), or of a list value. */
  display(table: string, column: string, value: Value, row: Row): string | null;
}

type Binding = Record<string, Row | null>;

interface Scope {
  aliases: Array<{ alias: string; def: TableDef }>;
}

function resolve(scope: Scope, table: string | undefined, name: string): { alias: string; def: TableDef } {
  if (table !== undefined) {
    const found = scope.aliases.find((a) => a.alias === table);
    if (!found) throw new SqlError(`Unknown identifier '${table}.${name}'`);
    if (!(name in found.def.columns))
      throw new SqlError(`Field '${name}' for record '${found.def.name}' was not found.`);
    return found;
  }
  const hits = scope.aliases.filter((a) => name in a.def.columns);
  if (hits.length === 0)
    throw new SqlError(`Field '${name}' for record '${scope.aliases[0]?.def.name ?? '?'}' was not found.`);
  if (hits.length > 1) throw new SqlError(`Column '${name}' is ambiguous`);
  return hits[0]!;
}

const MASK = /YYYY|MM|DD|HH24|MI|SS/g;

function formatMask(d: Date, mask: string, tz: string): string {
  const w = toZoned(d, tz); // YYYY-MM-DD HH:MM:SS
  const parts: Record<string, string> = {
    YYYY: w.slice(0, 4),
    MM: w.slice(5, 7),
    DD: w.slice(8, 10),
    HH24: w.slice(11, 13),
    MI: w.slice(14, 16),
    SS: w.slice(17, 19),
  };
  return mask.toUpperCase().replace(MASK, (t) => parts[t]!);
}

function parseMask(text: string, mask: string, tz: string): Date {
  const order: string[] = [];
  const upper = mask.toUpperCase();
  let re = '';
  let last = 0;
  for (const m of upper.matchAll(MASK)) {
    re += upper.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    re += m[0] === 'YYYY' ? '(\\d{4})' : '(\\d{1,2})';
    order.push(m[0]);
    last = m.index + m[0].length;
  }
  re += upper.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^${re}$`).exec(text.trim());
  if (!match) throw new SqlError(`'${text}' does not match the format '${mask}'`);
  const v: Record<string, number> = { YYYY: 1970, MM: 1, DD: 1, HH24: 0, MI: 0, SS: 0 };
  order.forEach((t, i) => (v[t] = Number(match[i + 1])));
  if (v.MM! < 1 || v.MM! > 12 || v.DD! < 1 || v.DD! > 31 || v.HH24! > 23 || v.MI! > 59 || v.SS! > 59)
    throw new SqlError(`'${text}' is not a valid date for the format '${mask}'`);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return fromZoned(`${v.YYYY}-${p2(v.MM!)}-${p2(v.DD!)} ${p2(v.HH24!)}:${p2(v.MI!)}:${p2(v.SS!)}`, tz);
}

/** The user's date preference (M/D/YYYY) for a bare date or datetime column. */
export function userDate(d: Date, tz: string): string {
  const w = toZoned(d, tz);
  return `${Number(w.slice(5, 7))}/${Number(w.slice(8, 10))}/${w.slice(0, 4)}`;
}

function compare(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  if (a instanceof Date || b instanceof Date) {
    if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
    throw new SqlError(
      'a date can only be compared with a date: use TO_DATE or TO_TIMESTAMP with a format (SuiteQL has no date literals)',
    );
  }
  if (typeof a === 'number' || typeof b === 'number') {
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y))
      throw new SqlError(`invalid number in comparison of '${a}' and '${b}'`);
    return x - y;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

type Tri = boolean | null;

export class Evaluator {
  constructor(
    private readonly db: Database,
    private readonly tz: string,
  ) {}

  private value(e: Expr, b: Binding, scope: Scope): Value {
    switch (e.k) {
      case 'num':
        return e.v;
      case 'str':
        return e.v;
      case 'null':
        return null;
      case 'col': {
        const { alias } = resolve(scope, e.table, e.name);
        return b[alias]?.[e.name] ?? null;
      }
      case 'star':
        throw new SqlError('* is only allowed as a select item');
      case 'neg': {
        const v = this.value(e.e, b, scope);
        return v === null ? null : -Number(v);
      }
      case 'bin': {
        if (['=', '<>', '<', '<=', '>', '>='].includes(e.op)) return triValue(this.test(e, b, scope));
        const l = this.value(e.l, b, scope);
        const r = this.value(e.r, b, scope);
        if (e.op === '||')
          return `${l === null ? '' : asText(l, this.tz)}${r === null ? '' : asText(r, this.tz)}`;
        if (l === null || r === null) return null;
        const x = Number(l);
        const y = Number(r);
        if (e.op === '+') return x + y;
        if (e.op === '-') return x - y;
        if (e.op === '*') return x * y;
        return x / y;
      }
      case 'fn': {
        // TO_TIMESTAMP('…') and friends on literals: evaluated once per query, not once per row.
        if (this.constants.has(e)) return this.constants.get(e)!;
        const v = this.call(e, b, scope);
        if (isConstant(e)) this.constants.set(e, v);
        return v;
      }
      default:
        return triValue(this.test(e, b, scope));
    }
  }

  private readonly constants = new Map<Expr, Value>();

  private call(e: Extract<Expr, { k: 'fn' }>, b: Binding, scope: Scope): Value {
    const arg = (i: number): Value => {
      const a = e.args[i];
      if (!a) throw new SqlError(`${e.name.toUpperCase()} needs more arguments`);
      return this.value(a, b, scope);
    };
    switch (e.name) {
      case 'to_char': {
        const v = arg(0);
        if (v === null) return null;
        if (v instanceof Date)
          return formatMask(v, e.args[1] ? String(arg(1)) : 'YYYY-MM-DD HH24:MI:SS', this.tz);
        return String(v);
      }
      case 'to_date':
      case 'to_timestamp': {
        const v = arg(0);
        if (v === null) return null;
        if (!e.args[1])
          throw new SqlError(
            `${e.name.toUpperCase()} needs a format: the user's date preference is not assumed`,
          );
        return parseMask(String(v), String(arg(1)), this.tz);
      }
      case 'to_number': {
        const v = arg(0);
        return v === null ? null : Number(v);
      }
      case 'nvl':
      case 'coalesce': {
        for (let i = 0; i < e.args.length; i += 1) {
          const v = arg(i);
          if (v !== null) return v;
        }
        return null;
      }
      case 'upper':
      case 'lower': {
        const v = arg(0);
        if (v === null) return null;
        return e.name === 'upper' ? asText(v, this.tz).toUpperCase() : asText(v, this.tz).toLowerCase();
      }
      case 'abs': {
        const v = arg(0);
        return v === null ? null : Math.abs(Number(v));
      }
      case 'builtin.df': {
        const a = e.args[0];
        if (!a || a.k !== 'col') throw new SqlError('BUILTIN.DF takes a field');
        const { alias, def } = resolve(scope, a.table, a.name);
        const v = b[alias]?.[a.name] ?? null;
        if (v === null) return null;
        return this.db.display(def.name, a.name, v, b[alias] as Row) ?? asText(v, this.tz);
      }
      default:
        throw new SqlError(`Unknown function ${e.name.toUpperCase()}`);
    }
  }

  test(e: Expr, b: Binding, scope: Scope): Tri {
    switch (e.k) {
      case 'and': {
        const l = this.test(e.l, b, scope);
        if (l === false) return false;
        const r = this.test(e.r, b, scope);
        if (r === false) return false;
        return l === null || r === null ? null : true;
      }
      case 'or': {
        const l = this.test(e.l, b, scope);
        if (l === true) return true;
        const r = this.test(e.r, b, scope);
        if (r === true) return true;
        return l === null || r === null ? null : false;
      }
      case 'not': {
        const v = this.test(e.e, b, scope);
        return v === null ? null : !v;
      }
      case 'bin': {
        if (!['=', '<>', '<', '<=', '>', '>='].includes(e.op)) return truthy(this.value(e, b, scope));
        const c = compare(this.value(e.l, b, scope), this.value(e.r, b, scope));
        if (c === null) return null;
        switch (e.op) {
          case '=':
            return c === 0;
          case '<>':
            return c !== 0;
          case '<':
            return c < 0;
          case '<=':
            return c <= 0;
          case '>':
            return c > 0;
          default:
            return c >= 0;
        }
      }
      case 'in': {
        const v = this.value(e.e, b, scope);
        if (v === null) return null;
        let unknown = false;
        for (const item of e.list) {
          const c = compare(v, this.value(item, b, scope));
          if (c === 0) return !e.not;
          if (c === null) unknown = true;
        }
        return unknown ? null : e.not;
      }
      case 'between': {
        const v = this.value(e.e, b, scope);
        const lo = compare(v, this.value(e.lo, b, scope));
        const hi = compare(v, this.value(e.hi, b, scope));
        if (lo === null || hi === null) return null;
        const inside = lo >= 0 && hi <= 0;
        return e.not ? !inside : inside;
      }
      case 'isnull': {
        const isNull = this.value(e.e, b, scope) === null;
        return e.not ? !isNull : isNull;
      }
      case 'like': {
        const v = this.value(e.e, b, scope);
        const pattern = this.value(e.pattern, b, scope);
        if (v === null || pattern === null) return null;
        const re = new RegExp(
          `^${String(pattern)
            .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
            .replace(/%/g, '.*')
            .replace(/_/g, '.')}$`,
          's',
        );
        const hit = re.test(asText(v, this.tz));
        return e.not ? !hit : hit;
      }
      default:
        return truthy(this.value(e, b, scope));
    }
  }

  /**
   * Runs the query: the rows of one REST page (`offset`, `limit`) rendered as NetSuite prints them,
   * and the total the query returns.
   */
  run(
    sel: Select,
    page: { offset: number; limit: number } = { offset: 0, limit: Number.MAX_SAFE_INTEGER },
  ): { rows: Array<Record<string, string | number>>; total: number } {
    const def = (name: string): TableDef => {
      const d = this.db.tableDef(name);
      if (!d) throw new SqlError(`Record '${name}' was not found.`);
      return d;
    };
    const scope: Scope = { aliases: [{ alias: sel.from.alias, def: def(sel.from.table) }] };
    let bindings: Binding[] = this.db.rows(sel.from.table).map((r) => ({ [sel.from.alias]: r }));
    for (const join of sel.joins) {
      const jdef = def(join.ref.table);
      if (scope.aliases.some((a) => a.alias === join.ref.alias))
        throw new SqlError(`alias ${join.ref.alias} is used twice`);
      const before: Scope = { aliases: [...scope.aliases] };
      scope.aliases.push({ alias: join.ref.alias, def: jdef });
      const rows = this.db.rows(join.ref.table);
      const key = equiKey(join.on, join.ref.alias, jdef, before);
      let index: Map<string, Row[]> | undefined;
      if (key) {
        index = new Map();
        for (const r of rows) {
          const v = r[key.column];
          if (v === null || v === undefined) continue;
          const k = String(v instanceof Date ? v.getTime() : v);
          const list = index.get(k) ?? [];
          list.push(r);
          index.set(k, list);
        }
      }
      const next: Binding[] = [];
      for (const b of bindings) {
        let candidates: readonly Row[] = rows;
        if (index && key) {
          const v = this.value(key.other, b, before);
          candidates = v === null ? [] : (index.get(String(v instanceof Date ? v.getTime() : v)) ?? []);
        }
        let matched = false;
        for (const r of candidates) {
          const nb = { ...b, [join.ref.alias]: r };
          if (this.test(join.on, nb, scope) === true) {
            next.push(nb);
            matched = true;
          }
        }
        if (!matched && join.kind === 'left') next.push({ ...b, [join.ref.alias]: null });
      }
      bindings = next;
    }
    // Every name must resolve even when no row exists, as NetSuite validates before it runs.
    for (const item of sel.items) this.check(item.expr, scope);
    if (sel.where) this.check(sel.where, scope);
    if (sel.where) bindings = bindings.filter((b) => this.test(sel.where!, b, scope) === true);

    const named = new Map<string, Expr>();
    sel.items.forEach((it) => {
      if (it.alias) named.set(it.alias, it.expr);
    });
    if (sel.orderBy.length > 0) {
      const keys = sel.orderBy.map((o) => {
        const e =
          o.expr.k === 'col' && o.expr.table === undefined && named.has(o.expr.name)
            ? named.get(o.expr.name)!
            : o.expr.k === 'num'
              ? (sel.items[o.expr.v - 1]?.expr ?? o.expr)
              : o.expr;
        this.check(e, scope);
        return { e, desc: o.desc };
      });
      const decorated = bindings.map((b) => ({ b, v: keys.map((k) => this.value(k.e, b, scope)) }));
      decorated.sort((x, y) => {
        for (let i = 0; i < keys.length; i += 1) {
          const a = x.v[i] ?? null;
          const c = y.v[i] ?? null;
          // Oracle sorts NULLs last ascending.
          const d = a === null ? (c === null ? 0 : 1) : c === null ? -1 : (compare(a, c) ?? 0);
          if (d !== 0) return keys[i]!.desc ? -d : d;
        }
        return 0;
      });
      bindings = decorated.map((d) => d.b);
    }
    if (sel.distinct) {
      const seen = new Set<string>();
      bindings = bindings.filter((b) => {
        const k = JSON.stringify(this.project(sel, b, scope));
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    }
    if (sel.offset !== undefined) bindings = bindings.slice(sel.offset);
    if (sel.fetch !== undefined) bindings = bindings.slice(0, sel.fetch);
    return {
      rows: bindings.slice(page.offset, page.offset + page.limit).map((b) => this.project(sel, b, scope)),
      total: bindings.length,
    };
  }

  private check(e: Expr, scope: Scope): void {
    switch (e.k) {
      case 'col':
        resolve(scope, e.table, e.name);
        return;
      case 'star':
        if (e.table && !scope.aliases.some((a) => a.alias === e.table))
          throw new SqlError(`Unknown alias ${e.table}`);
        return;
      case 'fn':
        e.args.forEach((a) => this.check(a, scope));
        return;
      case 'bin':
      case 'and':
      case 'or':
        this.check(e.l, scope);
        this.check(e.r, scope);
        return;
      case 'not':
      case 'neg':
      case 'isnull':
        this.check(e.e, scope);
        return;
      case 'in':
        this.check(e.e, scope);
        e.list.forEach((x) => this.check(x, scope));
        return;
      case 'between':
        [e.e, e.lo, e.hi].forEach((x) => this.check(x, scope));
        return;
      case 'like':
        this.check(e.e, scope);
        this.check(e.pattern, scope);
        return;
      default:
        return;
    }
  }

  private project(sel: Select, b: Binding, scope: Scope): Record<string, string | number> {
    const out: Record<string, string | number> = {};
    const put = (name: string, v: Value, type?: ColType): void => {
      if (v === null) return; // NULL columns are left out of the item
      if (v instanceof Date) out[name] = userDate(v, this.tz);
      else if (type === 'id' || type === 'ref') out[name] = String(v);
      else out[name] = v;
    };
    sel.items.forEach((item, i) => {
      const e = item.expr;
      if (e.k === 'star') {
        for (const a of scope.aliases) {
          if (e.table !== undefined && a.alias !== e.table) continue;
          for (const [c, t] of Object.entries(a.def.columns)) put(c, b[a.alias]?.[c] ?? null, t);
        }
        return;
      }
      if (e.k === 'col') {
        const { alias, def } = resolve(scope, e.table, e.name);
        put(item.alias ?? e.name, b[alias]?.[e.name] ?? null, def.columns[e.name]);
        return;
      }
      put(item.alias ?? `expr${i + 1}`, this.value(e, b, scope));
    });
    return out;
  }
}

function isConstant(e: Expr): boolean {
  switch (e.k) {
    case 'num':
    case 'str':
    case 'null':
      return true;
    case 'fn':
      return e.name !== 'builtin.df' && e.args.every(isConstant);
    case 'bin':
      return isConstant(e.l) && isConstant(e.r);
    case 'neg':
      return isConstant(e.e);
    default:
      return false;
  }
}

function triValue(t: Tri): Value {
  return t === null ? null : t ? 'T' : 'F';
}

function truthy(v: Value): Tri {
  if (v === null) return null;
  return v === 'T' || v === 1 || v === '1';
}

function asText(v: Value, tz: string): string {
  if (v instanceof Date) return userDate(v, tz);
  return String(v);
}

/** A top-level `new.col = expr(earlier tables)` conjunct of a join condition, for a hash join. */
function equiKey(
  on: Expr,
  alias: string,
  def: TableDef,
  before: Scope,
): { column: string; other: Expr } | undefined {
  const conjuncts: Expr[] = [];
  const walk = (e: Expr): void => {
    if (e.k === 'and') {
      walk(e.l);
      walk(e.r);
    } else conjuncts.push(e);
  };
  walk(on);
  const mentions = (e: Expr): boolean => {
    switch (e.k) {
      case 'col':
        return (
          e.table === alias || (e.table === undefined && !before.aliases.some((a) => e.name in a.def.columns))
        );
      case 'fn':
        return e.args.some(mentions);
      case 'bin':
        return mentions(e.l) || mentions(e.r);
      case 'neg':
        return mentions(e.e);
      default:
        return e.k === 'num' || e.k === 'str' || e.k === 'null' ? false : true;
    }
  };
  for (const c of conjuncts) {
    if (c.k !== 'bin' || c.op !== '=') continue;
    for (const [mine, other] of [
      [c.l, c.r],
      [c.r, c.l],
    ] as const) {
      if (
        mine.k === 'col' &&
        mine.table === alias &&
        mine.name in def.columns &&
        !mentions(other) &&
        other.k === 'col'
      )
        return { column: mine.name, other };
    }
  }
  return undefined;
}
