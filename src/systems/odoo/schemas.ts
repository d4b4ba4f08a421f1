/**
 * zod shapes of Odoo's raw payloads and helpers for its value quirks (api notes §2.2, §8):
 * empty is `false` (never null), many2one is `[id, "display name"]`, datetimes are naive UTC
 * `YYYY-MM-DD HH:MM:SS` (never parse them as local time), x2many are id lists,
 * `analytic_distribution` is an object `{"<ids>": percent}` or `false`.
 */
import { z } from 'zod';
import { fromNaiveUtc } from '../types.js';

/**
 * The zod shape of one raw value by the field's `fields_get` type. Odoo's unions (`[id, name]` or
 * `false`, a string or `false`) are single `z.custom` predicates rather than `z.union`s: they run
 * for every value of every row read (a million values in a pass of 10,000 orders), and a union
 * allocates a result per alternative tried, which came to half of all the memory such a pass used.
 * The custom message says what was expected.
 */
const NAIVE_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isInt = Number.isInteger;
const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

const VALUE_SCHEMAS: Record<string, z.ZodType> = {
  // `[id, "display name"]`, a bare id with `load=None`, or false.
  many2one: z.custom(
    (v) =>
      v === false ||
      isInt(v) ||
      (Array.isArray(v) && v.length === 2 && isInt(v[0]) && typeof v[1] === 'string'),
    'expected [id, "name"], an id or false',
  ),
  x2many: z.custom((v) => Array.isArray(v) && v.every(isInt), 'expected a list of ids'),
  datetime: z.custom(
    (v) => v === false || (typeof v === 'string' && NAIVE_DATETIME.test(v)),
    'expected "YYYY-MM-DD HH:MM:SS" or false',
  ),
  date: z.custom(
    (v) => v === false || (typeof v === 'string' && DATE.test(v)),
    'expected "YYYY-MM-DD" or false',
  ),
  number: z.number(),
  boolean: z.boolean(),
  json: z.custom(
    (v) => v === false || isObject(v) || Array.isArray(v),
    'expected an object, a list or false',
  ),
  text: z.custom((v) => v === false || typeof v === 'string', 'expected a string or false'),
  unknown: z.unknown(),
};

export function valueSchemaFor(type: string): z.ZodType {
  switch (type) {
    case 'many2one':
      return VALUE_SCHEMAS.many2one!;
    case 'one2many':
    case 'many2many':
      return VALUE_SCHEMAS.x2many!;
    case 'datetime':
      return VALUE_SCHEMAS.datetime!;
    case 'date':
      return VALUE_SCHEMAS.date!;
    case 'integer':
    case 'float':
    case 'monetary':
      return VALUE_SCHEMAS.number!;
    case 'boolean':
      return VALUE_SCHEMAS.boolean!;
    case 'json':
    case 'properties':
      return VALUE_SCHEMAS.json!;
    case 'char':
    case 'text':
    case 'html':
    case 'selection':
    case 'binary':
      return VALUE_SCHEMAS.text!;
    default:
      return VALUE_SCHEMAS.unknown!;
  }
}

/** The rows of a read: objects with an integer id and each requested field by its type. */
export function rowsSchemaFor(fields: readonly string[], typeOf: (field: string) => string): z.ZodType {
  return z.array(
    z.object({
      id: z.number().int(),
      ...Object.fromEntries(fields.filter((f) => f !== 'id').map((f) => [f, valueSchemaFor(typeOf(f))])),
    }),
  );
}

/** `common.version()` over XML-RPC. */
export const xmlrpcVersionSchema = z.looseObject({
  server_version: z.string(),
  server_version_info: z.array(z.union([z.number(), z.string()])).optional(),
});

/** `GET /web/version`. */
export const webVersionSchema = z.looseObject({
  version: z.string(),
  version_info: z.array(z.union([z.number(), z.string()])).optional(),
});

/** JSON-2 error body (§1.4): `{name, message, arguments, context, debug}`. */
export const json2ErrorSchema = z.looseObject({
  name: z.string().optional(),
  message: z.string().optional(),
  arguments: z.array(z.unknown()).optional(),
  debug: z.string().optional(),
});

export const contextGetSchema = z.looseObject({ uid: z.number().int() });

export const fieldsGetSchema = z.record(
  z.string(),
  z.looseObject({
    type: z.string(),
    string: z.string().optional(),
    relation: z.string().optional(),
    required: z.boolean().optional(),
  }),
);

export const idListSchema = z.array(z.number().int());

/** Major version from `"19.0"`, `"saas~18.2"`, `"17.0+e"` or a `version_info` array. */
export function majorVersion(version: string, info?: Array<number | string>): number {
  const first = info?.[0];
  if (typeof first === 'number') return first;
  const m = /(\d+)(?:\.\d+)?/.exec(version);
  return m ? Number(m[1]) : NaN;
}

// ----------------------------------------------------------------------------- value helpers

/** Id of a many2one value (`[id, name]`, a bare id with `load=None`, `false` or null) or null. */
export function m2oId(value: unknown): number | null {
  if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
  if (typeof value === 'number') return value;
  return null;
}

/** Display name of a many2one value or null. */
export function m2oName(value: unknown): string | null {
  if (Array.isArray(value) && typeof value[1] === 'string') return value[1];
  return null;
}

/** Datetime (naive UTC, §2.2) or date as a Date; empty (`false`/null) → null. Never local time. */
export function odooDate(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  return fromNaiveUtc(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value} 00:00:00` : value);
}

/** A date field as `YYYY-MM-DD` or null. */
export function odooDay(value: unknown): string | null {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null;
}

/** Text/selection/char: Odoo's `false` for empty → null. */
export function odooText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function odooNumber(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

export function x2mIds(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

/** `analytic_distribution` as `{ accountIds: number[], percent }[]`; keys may join several ids ("3,7"). */
export function analyticDistribution(value: unknown): Array<{ accountIds: number[]; percent: number }> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).map(([key, percent]) => ({
    accountIds: key
      .split(',')
      .map((k) => Number(k.trim()))
      .filter((n) => Number.isInteger(n)),
    percent: typeof percent === 'number' ? percent : Number(percent),
  }));
}

/** Formats a Date as a domain literal: naive UTC `YYYY-MM-DD HH:MM:SS` (a `Z` suffix is a 500, §8). */
export function domainDatetime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
