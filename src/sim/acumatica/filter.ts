import type { ValueType } from './spec.js';

/**
 * `$filter` of the contract-based API (api notes §2): OData-v3 style `eq ne gt ge lt le and or not`,
 * parentheses, `substringof('x',F)`, `startswith(F,'x')`, `endswith(F,'x')`, literals `'str'` (`''`
 * escapes a quote), numbers, `true`/`false`/`null`, `datetimeoffset'…'`, and custom fields
 * `cf.String(f='View.Field')`. String comparison is case-insensitive, as under SQL Server's default
 * collation.
 */
export type Node =
  | { t: 'lit'; v: unknown; kind: 'string' | 'number' | 'bool' | 'null' | 'datetime' }
  | { t: 'field'; name: string }
  | { t: 'custom'; view: string; field: string }
  | { t: 'cmp'; op: string; l: Node; r: Node }
  | { t: 'and' | 'or'; l: Node; r: Node }
  | { t: 'not'; e: Node }
  | { t: 'fn'; name: string; args: Node[] };

export class FilterError extends Error {}

type Tok = { k: 'punct' | 'str' | 'num' | 'ident' | 'dt'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if ('(),='.includes(c)) {
      out.push({ k: 'punct', v: c });
      i += 1;
      continue;
    }
    if (c === "'") {
      const [s, end] = readQuoted(src, i);
      out.push({ k: 'str', v: s });
      i = end;
      continue;
    }
    const num = /^-?\d+(\.\d+)?[mMdDfF]?/.exec(src.slice(i));
    if (num) {
      out.push({ k: 'num', v: num[0].replace(/[mMdDfF]$/, '') });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i));
    if (id) {
      i += id[0].length;
      if ((id[0] === 'datetimeoffset' || id[0] === 'datetime' || id[0] === 'guid') && src[i] === "'") {
        const [s, end] = readQuoted(src, i);
        out.push(id[0] === 'guid' ? { k: 'str', v: s } : { k: 'dt', v: s });
        i = end;
        continue;
      }
      out.push({ k: 'ident', v: id[0] });
      continue;
    }
    throw new FilterError(`unexpected character '${c}' at position ${i}`);
  }
  return out;
}

function readQuoted(src: string, start: number): [string, number] {
  let s = '';
  let i = start + 1;
  for (;;) {
    if (i >= src.length) throw new FilterError('unterminated string literal');
    if (src[i] === "'") {
      if (src[i + 1] === "'") {
        s += "'";
        i += 2;
        continue;
      }
      return [s, i + 1];
    }
    s += src[i];
    i += 1;
  }
}

const OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCS = new Set(['substringof', 'startswith', 'endswith', 'tolower', 'toupper', 'trim']);

export function parseFilter(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const isWord = (w: string): boolean => peek()?.k === 'ident' && peek()?.v.toLowerCase() === w;
  const expect = (v: string): void => {
    const t = toks[p];
    if (t?.k !== 'punct' || t.v !== v) throw new FilterError(`expected '${v}'`);
    p += 1;
  };
  const orExpr = (): Node => {
    let l = andExpr();
    while (isWord('or')) {
      p += 1;
      l = { t: 'or', l, r: andExpr() };
    }
    return l;
  };
  const andExpr = (): Node => {
    let l = notExpr();
    while (isWord('and')) {
      p += 1;
      l = { t: 'and', l, r: notExpr() };
    }
    return l;
  };
  const notExpr = (): Node => {
    if (isWord('not')) {
      p += 1;
      return { t: 'not', e: notExpr() };
    }
    return cmpExpr();
  };
  const cmpExpr = (): Node => {
    const l = primary();
    const t = peek();
    if (t?.k === 'ident' && OPS.has(t.v.toLowerCase())) {
      p += 1;
      return { t: 'cmp', op: t.v.toLowerCase(), l, r: primary() };
    }
    return l;
  };
  const primary = (): Node => {
    const t = toks[p];
    if (!t) throw new FilterError('unexpected end of filter');
    p += 1;
    if (t.k === 'punct' && t.v === '(') {
      const e = orExpr();
      expect(')');
      return e;
    }
    if (t.k === 'str') return { t: 'lit', v: t.v, kind: 'string' };
    if (t.k === 'num') return { t: 'lit', v: Number(t.v), kind: 'number' };
    if (t.k === 'dt') {
      const ms = Date.parse(t.v);
      if (Number.isNaN(ms)) throw new FilterError(`invalid datetimeoffset literal '${t.v}'`);
      return { t: 'lit', v: ms, kind: 'datetime' };
    }
    if (t.k === 'ident') {
      const w = t.v.toLowerCase();
      if (w === 'true' || w === 'false') return { t: 'lit', v: w === 'true', kind: 'bool' };
      if (w === 'null') return { t: 'lit', v: null, kind: 'null' };
      if (/^cf\.[A-Za-z]+$/.test(t.v)) {
        expect('(');
        const f = toks[p];
        if (f?.k !== 'ident' || f.v !== 'f') throw new FilterError(`expected f='View.Field' in ${t.v}(…)`);
        p += 1;
        expect('=');
        const name = toks[p];
        if (name?.k !== 'str' || !name.v.includes('.'))
          throw new FilterError(`expected f='View.Field' in ${t.v}(…)`);
        p += 1;
        expect(')');
        const [view, ...rest] = name.v.split('.');
        return { t: 'custom', view: view ?? '', field: rest.join('.') };
      }
      if (peek()?.k === 'punct' && peek()?.v === '(') {
        if (!FUNCS.has(w)) throw new FilterError(`unknown function '${t.v}'`);
        p += 1;
        const args: Node[] = [];
        if (!(peek()?.k === 'punct' && peek()?.v === ')')) {
          args.push(orExpr());
          while (peek()?.k === 'punct' && peek()?.v === ',') {
            p += 1;
            args.push(orExpr());
          }
        }
        expect(')');
        return { t: 'fn', name: w, args };
      }
      if (OPS.has(w) || w === 'and' || w === 'or' || w === 'not')
        throw new FilterError(`unexpected '${t.v}'`);
      return { t: 'field', name: t.v };
    }
    throw new FilterError(`unexpected '${t.v}'`);
  };
  const node = orExpr();
  if (p < toks.length) throw new FilterError(`unexpected '${toks[p]?.v ?? ''}' at the end of the filter`);
  return node;
}

/** The names of the entity fields a filter refers to (checked against the contract before evaluating). */
export function fieldsOf(node: Node): string[] {
  switch (node.t) {
    case 'field':
      return [node.name];
    case 'cmp':
    case 'and':
    case 'or':
      return [...fieldsOf(node.l), ...fieldsOf(node.r)];
    case 'not':
      return fieldsOf(node.e);
    case 'fn':
      return node.args.flatMap(fieldsOf);
    default:
      return [];
  }
}

export interface FilterRow {
  get(field: string): unknown;
  type(field: string): ValueType | undefined;
  custom(view: string, field: string): unknown;
}

export function evaluate(node: Node, row: FilterRow): boolean {
  return truthy(value(node, row));
}

function truthy(v: unknown): boolean {
  return v === true;
}

function value(node: Node, row: FilterRow): unknown {
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'field': {
      const v = row.get(node.name);
      if (row.type(node.name) === 'DateTimeValue' && typeof v === 'string') return Date.parse(v);
      return v;
    }
    case 'custom':
      return row.custom(node.view, node.field);
    case 'and':
      return truthy(value(node.l, row)) && truthy(value(node.r, row));
    case 'or':
      return truthy(value(node.l, row)) || truthy(value(node.r, row));
    case 'not':
      return !truthy(value(node.e, row));
    case 'fn': {
      const args = node.args.map((a) => value(a, row));
      const s = (i: number): string =>
        args[i] === null || args[i] === undefined ? '' : String(args[i]).toUpperCase();
      switch (node.name) {
        case 'substringof':
          return s(1).includes(s(0));
        case 'startswith':
          return s(0).startsWith(s(1));
        case 'endswith':
          return s(0).endsWith(s(1));
        case 'tolower':
          return args[0] === null || args[0] === undefined ? null : String(args[0]).toLowerCase();
        case 'toupper':
          return args[0] === null || args[0] === undefined ? null : String(args[0]).toUpperCase();
        case 'trim':
          return args[0] === null || args[0] === undefined ? null : String(args[0]).trim();
        default:
          return false;
      }
    }
    case 'cmp':
      return compare(node.op, value(node.l, row), value(node.r, row), node, row);
  }
}

function compare(
  op: string,
  a: unknown,
  b: unknown,
  node: Extract<Node, { t: 'cmp' }>,
  row: FilterRow,
): boolean {
  const isDate = [node.l, node.r].some(
    (n) =>
      (n.t === 'lit' && n.kind === 'datetime') || (n.t === 'field' && row.type(n.name) === 'DateTimeValue'),
  );
  const norm = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    if (isDate && typeof v === 'string') return Date.parse(v);
    if (typeof v === 'string') return v.trim().toUpperCase();
    return v;
  };
  const x = norm(a);
  const y = norm(b);
  if (op === 'eq') return x === y;
  if (op === 'ne') return x !== y;
  if (x === null || y === null) return false;
  if (typeof x !== typeof y) return false;
  const c =
    (x as number | string) < (y as number | string)
      ? -1
      : (x as number | string) > (y as number | string)
        ? 1
        : 0;
  switch (op) {
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    default:
      return c <= 0;
  }
}
