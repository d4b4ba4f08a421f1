import { fromNaiveUtc } from '../systems/types.js';

/**
 * Tolerant readers of source values for the pairs' enrichment steps. Odoo sends `false` for empty and
 * many2one as `[id, name]`; ServiceNow sends strings with `""` for empty.
 */
export function m2o(v: unknown): { id: number; name: string } | null {
  if (Array.isArray(v) && typeof v[0] === 'number') return { id: v[0], name: String(v[1] ?? '') };
  if (typeof v === 'number') return { id: v, name: String(v) };
  if (v !== null && typeof v === 'object' && 'id' in v && typeof (v as { id: unknown }).id === 'number') {
    const o = v as { id: number; name?: unknown };
    return { id: o.id, name: String(o.name ?? o.id) };
  }
  return null;
}

export function text(v: unknown): string | null {
  if (v === false || v === null || v === undefined) return null;
  const s = String(v);
  return s === '' ? null : s;
}

export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return 0;
}

export function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === 1;
}

export function ids(v: unknown): number[] {
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
}

/** ISO-8601 UTC from a naive UTC datetime string, a Date, or an ISO string. */
export function isoUtc(v: unknown): string | null {
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'string' || v === '') return null;
  // A document and its lines, and the documents of one import, mostly share their stamp.
  if (v === lastStamp) return lastIso;
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? new Date(v).toISOString() : fromNaiveUtc(v).toISOString();
  lastStamp = v;
  lastIso = iso;
  return iso;
}
let lastStamp = '';
let lastIso = '';

/** Naive UTC `YYYY-MM-DD HH:MM:SS` (ServiceNow literals) from any of the above. */
export function naive(v: unknown): string | null {
  const iso = isoUtc(v);
  return iso === null ? null : iso.slice(0, 19).replace('T', ' ');
}

/** Odoo date fields: `YYYY-MM-DD` or false. */
export function date(v: unknown): string | null {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return typeof v === 'string' && v !== '' ? v.slice(0, 10) : null;
}

export function maxIso(values: Array<string | null>): string {
  return (
    values
      .filter((v): v is string => v !== null)
      .sort()
      .at(-1) ?? new Date(0).toISOString()
  );
}
