import { checkNames, equiKey, resolve, type Scope } from './scope.js';
import { SqlError, type Expr, type Select } from './parser.js';
import {
  asText,
  compare,
  formatMask,
  inKey,
  isConstant,
  parseMask,
  triValue,
  truthy,
  userDate,
  type Tri,
} from './values.js';

export { userDate };

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
  private readonly inSets = new Map<Expr, Set<string> | null>();

  private inSet(e: Extract<Expr, { k: 'in' }>): Set<string> | null {
    let set = this.inSets.get(e);
    if (set === undefined) {
      set = e.list.every((x) => x.k === 'num' || x.k === 'str')
        ? new Set(e.list.map((x) => inKey((x as { v: Value }).v)))
        : null;
      this.inSets.set(e, set);
    }
    return set;
  }

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
        // A list of literals (the usual `id IN (…)`) is looked up in a set built once per query.
        const set = this.inSet(e);
        if (set) {
          const hit = set.has(inKey(v));
          return e.not ? !hit : hit;
        }
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
    for (const item of sel.items) checkNames(item.expr, scope);
    if (sel.where) checkNames(sel.where, scope);
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
        checkNames(e, scope);
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
