import { fromZoned, toZoned } from '../../../systems/netsuite/timezone.js';
import { SqlError, type Expr } from './parser.js';
import type { Value } from './eval.js';

/**
 * Value semantics of the simulated SuiteQL: format masks for TO_CHAR / TO_DATE / TO_TIMESTAMP in the
 * user's time zone, the user's date preference for bare dates, Oracle-style comparisons (no date
 * literals), and the three-valued logic helpers.
 */
export type Tri = boolean | null;

const MASK = /YYYY|MM|DD|HH24|MI|SS/g;

export function formatMask(d: Date, mask: string, tz: string): string {
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

export function parseMask(text: string, mask: string, tz: string): Date {
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

export function compare(a: Value, b: Value): number | null {
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

/** Membership key: numbers and numeric strings compare as numbers (Oracle's implicit conversion). */
export function inKey(v: Value): string {
  if (v instanceof Date)
    throw new SqlError('a date cannot be compared with a literal list: use TO_DATE or TO_TIMESTAMP');
  if (typeof v === 'number') return `#${v}`;
  const s = String(v);
  return s.trim() !== '' && !Number.isNaN(Number(s)) ? `#${Number(s)}` : `s:${s}`;
}

export function isConstant(e: Expr): boolean {
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

export function triValue(t: Tri): Value {
  return t === null ? null : t ? 'T' : 'F';
}

export function truthy(v: Value): Tri {
  if (v === null) return null;
  return v === 'T' || v === 1 || v === '1';
}

export function asText(v: Value, tz: string): string {
  if (v instanceof Date) return userDate(v, tz);
  return String(v);
}
