/**
 * Domain evaluation and datetime literal rules of the simulated Odoo (api notes §2.1, §2.3, §8).
 */
import { OdooException } from './exceptions.js';

export const OPERATORS = new Set([
  '=',
  '!=',
  '<>',
  '>',
  '>=',
  '<',
  '<=',
  'in',
  'not in',
  'like',
  'not like',
  'ilike',
  'not ilike',
  '=like',
  '=ilike',
  'child_of',
  'parent_of',
]);

/** Microseconds since the epoch of a naive UTC `YYYY-MM-DD HH:MM:SS[.ffffff]` or a date. */
export function naiveToMicros(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/.exec(text);
  if (!m)
    throw new OdooException('value_error', `time data '${text}' does not match format '%Y-%m-%d %H:%M:%S'`);
  const ms = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
  const frac = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'));
  return ms * 1000 + frac;
}

let lastSecond = NaN;
let lastNaive = '';

export function microsToNaive(us: number, withMicros = false): string {
  // Rows written together share their second: format each second once.
  const second = Math.floor(us / 1_000_000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastNaive = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }
  const base = lastNaive;
  if (!withMicros) return base;
  const frac = us - Math.floor(us / 1_000_000) * 1_000_000;
  return `${base}.${String(frac).padStart(6, '0')}`;
}

export interface DatetimeLiteral {
  /** Start of the literal, microseconds; fractional seconds are dropped (§8). */
  us: number;
  /** Resolution of the literal: one second, or one day for a date-only literal. */
  span: number;
}

/**
 * Parses a datetime literal of a domain. §8: naive `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS`,
 * date only and fractional seconds are accepted; a `Z` or `+00:00` suffix is a ValueError (500).
 */
export function parseDatetimeLiteral(value: unknown): DatetimeLiteral {
  if (typeof value !== 'string') {
    throw new OdooException('value_error', `Invalid datetime value ${JSON.stringify(value)}`);
  }
  const text = value.trim();
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(text) && /\d{2}:\d{2}/.test(text)) {
    throw new OdooException('value_error', `expecting only datetimes with no timezone: '${text}'`);
  }
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const us = naiveToMicros(text);
  if (dateOnly) return { us, span: 86_400_000_000 };
  return { us: Math.floor(us / 1_000_000) * 1_000_000, span: 1_000_000 };
}

export type Leaf = [string, string, unknown];
export type DomainNode =
  | { kind: 'leaf'; leaf: Leaf }
  | { kind: 'not'; child: DomainNode }
  | { kind: 'and' | 'or'; left: DomainNode; right: DomainNode }
  | { kind: 'true' };

/** Parses a prefix-notation domain; consecutive terms are implicitly AND-ed. */
export function parseDomain(domain: unknown): DomainNode {
  if (domain === undefined || domain === null || domain === false) return { kind: 'true' };
  if (!Array.isArray(domain))
    throw new OdooException('value_error', `Invalid domain ${JSON.stringify(domain)}`);
  const stack: DomainNode[] = [];
  for (let i = domain.length - 1; i >= 0; i -= 1) {
    const item: unknown = domain[i];
    if (item === '&' || item === '|') {
      const left = stack.pop();
      const right = stack.pop();
      if (!left || !right) throw new OdooException('value_error', `Invalid domain ${JSON.stringify(domain)}`);
      stack.push({ kind: item === '&' ? 'and' : 'or', left, right });
    } else if (item === '!') {
      const child = stack.pop();
      if (!child) throw new OdooException('value_error', `Invalid domain ${JSON.stringify(domain)}`);
      stack.push({ kind: 'not', child });
    } else if (
      Array.isArray(item) &&
      item.length === 3 &&
      typeof item[0] === 'string' &&
      typeof item[1] === 'string'
    ) {
      const op = item[1].toLowerCase() === '<>' ? '!=' : item[1].toLowerCase();
      if (!OPERATORS.has(op))
        throw new OdooException('value_error', `Invalid operator in condition ${leafText(item as Leaf)}`);
      stack.push({ kind: 'leaf', leaf: [item[0], op, item[2]] });
    } else {
      throw new OdooException('value_error', `Invalid leaf ${JSON.stringify(item)}`);
    }
  }
  let node: DomainNode = { kind: 'true' };
  for (let i = stack.length - 1; i >= 0; i -= 1) {
    const n = stack[i] as DomainNode;
    node = node.kind === 'true' ? n : { kind: 'and', left: n, right: node };
  }
  return node;
}

export function leafText(leaf: Leaf): string {
  const v = (x: unknown): string =>
    typeof x === 'string' ? `'${x}'` : x === false ? 'False' : x === true ? 'True' : JSON.stringify(x);
  return `(${v(leaf[0])}, ${v(leaf[1])}, ${v(leaf[2])})`;
}

export function domainFields(node: DomainNode, out: Set<string> = new Set()): Set<string> {
  if (node.kind === 'leaf') out.add(node.leaf[0].split('.')[0] as string);
  else if (node.kind === 'not') domainFields(node.child, out);
  else if (node.kind === 'and' || node.kind === 'or') {
    domainFields(node.left, out);
    domainFields(node.right, out);
  }
  return out;
}

export function likeToRegExp(pattern: string, anchored: boolean, insensitive: boolean): RegExp {
  let body = '';
  for (const ch of pattern) {
    if (ch === '%') body += '.*';
    else if (ch === '_') body += '.';
    else body += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(anchored ? `^${body}$` : body, insensitive ? 'is' : 's');
}
