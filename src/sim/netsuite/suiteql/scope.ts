import { SqlError, type Expr } from './parser.js';
import type { TableDef } from './eval.js';

/** The aliases visible at a point of the FROM clause and their tables. */
export interface Scope {
  aliases: Array<{ alias: string; def: TableDef }>;
}

/** A top-level `new.col = expr(earlier tables)` conjunct of a join condition, for a hash join. */
export function equiKey(
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

/** The table (alias) a column belongs to; unknown or ambiguous names are errors as NetSuite words them. */
export function resolve(
  scope: Scope,
  table: string | undefined,
  name: string,
): { alias: string; def: TableDef } {
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

/** Every name of an expression resolves, as NetSuite validates a query before it runs it. */
export function checkNames(e: Expr, scope: Scope): void {
  switch (e.k) {
    case 'col':
      resolve(scope, e.table, e.name);
      return;
    case 'star':
      if (e.table && !scope.aliases.some((a) => a.alias === e.table))
        throw new SqlError(`Unknown alias ${e.table}`);
      return;
    case 'fn':
      e.args.forEach((a) => checkNames(a, scope));
      return;
    case 'bin':
    case 'and':
    case 'or':
      checkNames(e.l, scope);
      checkNames(e.r, scope);
      return;
    case 'not':
    case 'neg':
    case 'isnull':
      checkNames(e.e, scope);
      return;
    case 'in':
      checkNames(e.e, scope);
      e.list.forEach((x) => checkNames(x, scope));
      return;
    case 'between':
      [e.e, e.lo, e.hi].forEach((x) => checkNames(x, scope));
      return;
    case 'like':
      checkNames(e.e, scope);
      checkNames(e.pattern, scope);
      return;
    default:
      return;
  }
}
