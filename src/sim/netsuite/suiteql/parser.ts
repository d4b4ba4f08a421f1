/**
 * A parser for the subset of SuiteQL (Oracle SQL as NetSuite accepts it, api notes §3) that
 * integrations send: SELECT [DISTINCT] items FROM table [alias] [[LEFT [OUTER]|INNER] JOIN table
 * alias ON …]… [WHERE …] [ORDER BY …] [OFFSET n ROWS] [FETCH FIRST|NEXT n ROWS ONLY], with AND/OR/NOT,
 * comparisons, [NOT] IN, [NOT] BETWEEN, IS [NOT] NULL, [NOT] LIKE, arithmetic, `||`, and function
 * calls (TO_CHAR, TO_DATE, TO_TIMESTAMP, NVL, UPPER, LOWER, BUILTIN.DF…). `WITH` is refused as
 * NetSuite refuses it; anything else unknown is a syntax error naming where it stopped.
 */
export class SqlError extends Error {}

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'null' }
  | { k: 'col'; table?: string; name: string }
  | { k: 'star'; table?: string }
  | { k: 'fn'; name: string; args: Expr[] }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'and' | 'or'; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'neg'; e: Expr }
  | { k: 'in'; e: Expr; list: Expr[]; not: boolean }
  | { k: 'between'; e: Expr; lo: Expr; hi: Expr; not: boolean }
  | { k: 'isnull'; e: Expr; not: boolean }
  | { k: 'like'; e: Expr; pattern: Expr; not: boolean };

export interface SelectItem {
  expr: Expr;
  alias?: string;
}
export interface TableRef {
  table: string;
  alias: string;
}
export interface Join {
  kind: 'inner' | 'left';
  ref: TableRef;
  on: Expr;
}
export interface OrderItem {
  expr: Expr;
  desc: boolean;
}
export interface Select {
  distinct: boolean;
  items: SelectItem[];
  from: TableRef;
  joins: Join[];
  where?: Expr;
  orderBy: OrderItem[];
  offset?: number;
  fetch?: number;
}

type Tok = { t: 'num' | 'str' | 'id' | 'op' | 'eof'; v: string; at: number };

const KEYWORDS = new Set(
  'select distinct from where and or not in between is null like join left right inner outer full on order by asc desc offset fetch first next rows row only as with union'.split(
    ' ',
  ),
);

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '-' && src[i + 1] === '-') {
      while (i < src.length && src[i] !== '\n') i += 1;
      continue;
    }
    if (c === "'") {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= src.length) throw new SqlError(`unterminated string literal at ${i}`);
        if (src[j] === "'") {
          if (src[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += src[j];
        j += 1;
      }
      out.push({ t: 'str', v, at: i });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i))!;
      out.push({ t: 'num', v: m[0], at: i });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$#]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0], at: i });
      i += m[0].length;
      continue;
    }
    if (c === '"') {
      const j = src.indexOf('"', i + 1);
      if (j < 0) throw new SqlError(`unterminated quoted identifier at ${i}`);
      out.push({ t: 'id', v: src.slice(i + 1, j), at: i });
      i = j + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['<=', '>=', '<>', '!=', '||'].includes(two)) {
      out.push({ t: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    if ('=<>(),.*+-/'.includes(c)) {
      out.push({ t: 'op', v: c, at: i });
      i += 1;
      continue;
    }
    throw new SqlError(`unexpected character ${JSON.stringify(c)} at ${i}`);
  }
  out.push({ t: 'eof', v: '', at: src.length });
  return out;
}

export function parseSelect(src: string): Select {
  const toks = lex(src);
  let p = 0;
  const peek = (o = 0): Tok => toks[Math.min(p + o, toks.length - 1)]!;
  const isKw = (kw: string, o = 0): boolean => peek(o).t === 'id' && peek(o).v.toLowerCase() === kw;
  const isOp = (op: string): boolean => peek().t === 'op' && peek().v === op;
  const fail = (what: string): never => {
    const t = peek();
    throw new SqlError(
      `${what} at position ${t.at} (near ${t.t === 'eof' ? 'end of query' : JSON.stringify(t.v)})`,
    );
  };
  const kw = (k: string): void => {
    if (!isKw(k)) fail(`expected ${k.toUpperCase()}`);
    p += 1;
  };
  const op = (o: string): void => {
    if (!isOp(o)) fail(`expected "${o}"`);
    p += 1;
  };
  const ident = (): string => {
    const t = peek();
    if (t.t !== 'id' || KEYWORDS.has(t.v.toLowerCase())) fail('expected a name');
    p += 1;
    return t.v.toLowerCase();
  };
  const int = (): number => {
    const t = peek();
    if (t.t !== 'num' || !/^\d+$/.test(t.v)) fail('expected a whole number');
    p += 1;
    return Number(t.v);
  };

  function primary(): Expr {
    const t = peek();
    if (t.t === 'num') {
      p += 1;
      return { k: 'num', v: Number(t.v) };
    }
    if (t.t === 'str') {
      p += 1;
      return { k: 'str', v: t.v };
    }
    if (isOp('(')) {
      p += 1;
      const e = expr();
      op(')');
      return e;
    }
    if (isOp('*')) {
      p += 1;
      return { k: 'star' };
    }
    if (t.t === 'id') {
      if (isKw('null')) {
        p += 1;
        return { k: 'null' };
      }
      if (KEYWORDS.has(t.v.toLowerCase())) fail('expected an expression');
      p += 1;
      let name = t.v.toLowerCase();
      // a.b, a.*, or a dotted function name (BUILTIN.DF)
      if (isOp('.')) {
        p += 1;
        if (isOp('*')) {
          p += 1;
          return { k: 'star', table: name };
        }
        const second = peek();
        if (second.t !== 'id') fail('expected a column name');
        p += 1;
        if (isOp('(')) name = `${name}.${second.v.toLowerCase()}`;
        else return { k: 'col', table: name, name: second.v.toLowerCase() };
      }
      if (isOp('(')) {
        p += 1;
        const args: Expr[] = [];
        if (!isOp(')')) {
          args.push(expr());
          while (isOp(',')) {
            p += 1;
            args.push(expr());
          }
        }
        op(')');
        return { k: 'fn', name, args };
      }
      return { k: 'col', name };
    }
    return fail('expected an expression');
  }
  function unary(): Expr {
    if (isOp('-')) {
      p += 1;
      return { k: 'neg', e: unary() };
    }
    return primary();
  }
  function mul(): Expr {
    let l = unary();
    while (isOp('*') || isOp('/')) {
      const o = peek().v;
      p += 1;
      l = { k: 'bin', op: o, l, r: unary() };
    }
    return l;
  }
  function add(): Expr {
    let l = mul();
    while (isOp('+') || isOp('-') || isOp('||')) {
      const o = peek().v;
      p += 1;
      l = { k: 'bin', op: o, l, r: mul() };
    }
    return l;
  }
  function cmp(): Expr {
    const l = add();
    const t = peek();
    if (t.t === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      p += 1;
      return { k: 'bin', op: t.v === '!=' ? '<>' : t.v, l, r: add() };
    }
    let not = false;
    if (isKw('not') && (isKw('in', 1) || isKw('between', 1) || isKw('like', 1))) {
      not = true;
      p += 1;
    }
    if (isKw('in')) {
      p += 1;
      op('(');
      const list = [expr()];
      while (isOp(',')) {
        p += 1;
        list.push(expr());
      }
      op(')');
      if (list.length > 1000) throw new SqlError('an IN list holds at most 1000 values');
      return { k: 'in', e: l, list, not };
    }
    if (isKw('between')) {
      p += 1;
      const lo = add();
      kw('and');
      return { k: 'between', e: l, lo, hi: add(), not };
    }
    if (isKw('like')) {
      p += 1;
      return { k: 'like', e: l, pattern: add(), not };
    }
    if (isKw('is')) {
      p += 1;
      let n = false;
      if (isKw('not')) {
        p += 1;
        n = true;
      }
      kw('null');
      return { k: 'isnull', e: l, not: n };
    }
    return l;
  }
  function notE(): Expr {
    if (isKw('not')) {
      p += 1;
      return { k: 'not', e: notE() };
    }
    return cmp();
  }
  function andE(): Expr {
    let l = notE();
    while (isKw('and')) {
      p += 1;
      l = { k: 'and', l, r: notE() };
    }
    return l;
  }
  function expr(): Expr {
    let l = andE();
    while (isKw('or')) {
      p += 1;
      l = { k: 'or', l, r: andE() };
    }
    return l;
  }
  function tableRef(): TableRef {
    const table = ident();
    let alias = table;
    if (isKw('as')) p += 1;
    if (peek().t === 'id' && !KEYWORDS.has(peek().v.toLowerCase())) alias = ident();
    return { table, alias };
  }

  if (isKw('with')) throw new SqlError('WITH is not supported in SuiteQL');
  kw('select');
  let distinct = false;
  if (isKw('distinct')) {
    p += 1;
    distinct = true;
  }
  const items: SelectItem[] = [];
  do {
    if (items.length > 0) p += 1;
    const e = expr();
    let alias: string | undefined;
    if (isKw('as')) {
      p += 1;
      alias = ident();
    } else if (peek().t === 'id' && !KEYWORDS.has(peek().v.toLowerCase())) alias = ident();
    items.push(alias === undefined ? { expr: e } : { expr: e, alias });
  } while (isOp(','));
  kw('from');
  const from = tableRef();
  const joins: Join[] = [];
  for (;;) {
    let kind: 'inner' | 'left' | undefined;
    if (isKw('join')) kind = 'inner';
    else if (isKw('inner') && isKw('join', 1)) {
      p += 1;
      kind = 'inner';
    } else if (isKw('left')) {
      p += 1;
      if (isKw('outer')) p += 1;
      kind = 'left';
    } else if (isKw('right') || isKw('full')) fail('only INNER and LEFT joins are supported');
    if (!kind) break;
    kw('join');
    const ref = tableRef();
    kw('on');
    joins.push({ kind, ref, on: expr() });
  }
  const select: Select = { distinct, items, from, joins, orderBy: [] };
  if (isKw('where')) {
    p += 1;
    select.where = expr();
  }
  if (isKw('order')) {
    p += 1;
    kw('by');
    do {
      if (select.orderBy.length > 0) p += 1;
      const e = expr();
      let desc = false;
      if (isKw('asc')) p += 1;
      else if (isKw('desc')) {
        p += 1;
        desc = true;
      }
      select.orderBy.push({ expr: e, desc });
    } while (isOp(','));
  }
  if (isKw('offset')) {
    p += 1;
    select.offset = int();
    if (isKw('rows') || isKw('row')) p += 1;
  }
  if (isKw('fetch')) {
    p += 1;
    if (isKw('first') || isKw('next')) p += 1;
    else fail('expected FIRST or NEXT');
    select.fetch = int();
    if (isKw('rows') || isKw('row')) p += 1;
    kw('only');
  }
  if (peek().t !== 'eof') fail('unexpected text after the query');
  return select;
}
