import { z } from 'zod';
import type { AcuRow } from './types.js';

/**
 * Raw payload shapes of the contract-based REST API and the value-object quirk (api notes §2, §3.1):
 * every field travels as `{"value": …}`, an empty field as `{}`, errors ride inside as `"error"`.
 */

/** `POST /identity/connect/token` answer (§1.1). */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive().default(3600),
  token_type: z.string(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** OAuth error body, e.g. `{"error":"invalid_grant"}` (§1.1). */
export const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/** `HttpError` body of 400/401/412/500 answers (§5). */
export const httpErrorSchema = z
  .object({
    message: z.string().optional(),
    exceptionMessage: z.string().nullable().optional(),
    exceptionType: z.string().nullable().optional(),
    stackTrace: z.string().nullable().optional(),
    modelState: z.record(z.string(), z.array(z.string())).optional(),
    messageDetail: z.string().optional(),
  })
  .passthrough();
export type HttpErrorBody = z.infer<typeof httpErrorSchema>;

/** `GET /entity` (§1.4). */
export const endpointsSchema = z.object({
  version: z.object({ acumaticaBuildVersion: z.string().optional() }).passthrough().optional(),
  endpoints: z.array(
    z.object({ name: z.string(), version: z.string(), href: z.string().optional() }).passthrough(),
  ),
});

/** One entity as it comes over the wire: an `id` GUID plus wrapped fields. */
export const rawEntitySchema = z.object({ id: z.string().min(1) }).passthrough();
export const rawEntityListSchema = z.array(rawEntitySchema);
export type RawEntity = z.infer<typeof rawEntitySchema>;

/** Members every entity carries besides its fields (§2 "Common members"). */
const PASS_THROUGH = new Set(['id', 'rowNumber', 'error', '_links', 'files', 'delete']);

function isValueObject(v: unknown): v is { value?: unknown; error?: string } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.every((k) => k === 'value' || k === 'error' || k === 'type');
}

/**
 * Unwraps one raw entity: `{"value":x}` → x, `{}` → null, `note` → string, detail collections and
 * linked entities recursively; `custom` becomes `{View: {Field: value}}`.
 */
export function unwrapEntity(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(raw)) {
    if (PASS_THROUGH.has(key)) out[key] = v;
    else if (key === 'note') out[key] = noteText(v);
    else if (key === 'custom') out[key] = unwrapCustom(v);
    else out[key] = unwrapValue(v);
  }
  return out;
}

/**
 * `note` arrives as `{"value": "…"}` (top level, 22.200.001 and later), a plain string (2020
 * endpoints), or on detail lines and linked entities also `null` or `""` (api notes §8): always a string.
 */
export function noteText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isValueObject(v) && typeof v.value === 'string') return v.value;
  return '';
}

function unwrapValue(v: unknown): unknown {
  if (Array.isArray(v))
    return v.map((x) =>
      x !== null && typeof x === 'object' ? unwrapEntity(x as Record<string, unknown>) : x,
    );
  if (isValueObject(v)) return v.value === undefined ? null : v.value;
  if (v !== null && typeof v === 'object') return unwrapEntity(v as Record<string, unknown>);
  return v;
}

function unwrapCustom(v: unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  if (v === null || typeof v !== 'object') return out;
  for (const [view, fields] of Object.entries(v as Record<string, unknown>)) {
    if (fields === null || typeof fields !== 'object') continue;
    const o: Record<string, unknown> = {};
    for (const [f, fv] of Object.entries(fields as Record<string, unknown>))
      o[f] = isValueObject(fv) ? (fv.value ?? null) : fv;
    out[view] = o;
  }
  return out;
}

/**
 * Wraps a plain record for PUT: scalars → `{"value":x}` (Date → ISO string), arrays → detail lines
 * (each wrapped), plain objects → linked entities; `id` and `delete` pass as they are; values that
 * are already `{"value":…}` pass unchanged; `custom` must already be in the wire shape.
 * `undefined` and `null` are left out: the 24.200.001 schema types `value` without null, so a
 * field cannot be cleared through this client.
 */
export function wrapEntity(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    if (v === undefined || v === null) continue;
    if (key === 'id' || key === 'delete' || key === 'custom') out[key] = v;
    else if (key === 'rowNumber' || key === '_links' || key === 'error' || key === 'files') continue;
    else out[key] = wrapValue(v);
  }
  return out;
}

function wrapValue(v: unknown): unknown {
  if (v instanceof Date) return { value: v.toISOString().replace('Z', '+00:00') };
  if (Array.isArray(v)) return v.map((x) => wrapEntity(x as Record<string, unknown>));
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v);
    if (keys.length > 0 && keys.every((k) => k === 'value')) return v;
    return wrapEntity(v as Record<string, unknown>);
  }
  return { value: v };
}

/** A field-level error found in a 422 answer: `Details[2].Account` → "Account '9' cannot be found". */
export interface FieldError {
  field: string;
  error: string;
}

/** Collects `error` members from a 422 entity, its fields and its detail lines (§3.1, §6 trap 7). */
export function collectErrors(raw: unknown, path = ''): FieldError[] {
  const found: FieldError[] = [];
  if (raw === null || typeof raw !== 'object') return found;
  if (Array.isArray(raw)) {
    raw.forEach((line, i) => found.push(...collectErrors(line, `${path}[${i + 1}]`)));
    return found;
  }
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'error' && typeof v === 'string' && v.trim() !== '') {
      found.push({ field: path === '' ? '(record)' : path, error: v.trim() });
    } else if (v !== null && typeof v === 'object' && key !== '_links' && key !== 'custom') {
      found.push(...collectErrors(v, path === '' ? key : `${path}.${key}`));
    }
  }
  return found;
}

/** ISO-8601 with an explicit offset, the form `datetimeoffset'…'` filters need (§2, §6 trap 10). */
export function toDateTimeOffset(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** Quotes a string literal for `$filter` (OData: `'` doubled). */
export function filterString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A raw entity as a row: values unwrapped, the `id` GUID kept. */
export function toRow(raw: Record<string, unknown> & { id: string }): AcuRow {
  return { ...unwrapEntity(raw), id: raw.id };
}
