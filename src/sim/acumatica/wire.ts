import { createHash } from 'node:crypto';
import { schemaInfo, type PropertyInfo } from './spec.js';
import type { FieldProblem, PlainInput, StoredRecord } from './store.js';

/**
 * The wire form of simulated records (api notes §2, §3.1, §8): values wrapped as `{"value": …}` and
 * `{}` when empty, details only when expanded, `note` in each form the server sends, `_links` under
 * the instance's virtual directory; PUT bodies back to plain input; 422 bodies with `error` members.
 */
/**
 * ISO-8601 with `+00:00`, the fraction with its trailing zeros trimmed as the server prints it
 * (`.017`, `.4`, none at all: api notes §8).
 */
export function isoOffset(ms: number): string {
  return new Date(ms).toISOString().replace(/0+Z$/, 'Z').replace(/\.Z$/, 'Z').replace('Z', '+00:00');
}

function wrapField(v: unknown): Record<string, unknown> {
  return v === undefined || v === null ? {} : { value: v };
}

/** Wire form of a record (§2): wrapped values, `{}` for empty ones, details only when expanded. */
export function serialize(
  r: StoredRecord,
  opts: {
    expand: Set<string>;
    select?: { head: Set<string>; lines: Map<string, Set<string>> };
    version: string;
    rowNumber: number;
    /** The instance's virtual directory, which `_links` paths include (api notes §8). */
    root?: string;
  },
): Record<string, unknown> {
  const info = schemaInfo(r.entity);
  const base = `${opts.root ?? ''}/entity/Default/${opts.version}`;
  // The top-level note is `{"value": …}`; endpoints of 2020 send a plain string (api notes §8).
  const note = opts.version.startsWith('20.') ? r.note : { value: r.note };
  const out: Record<string, unknown> = { id: r.id, rowNumber: opts.rowNumber, note };
  for (const [field, prop] of info?.properties ?? new Map<string, PropertyInfo>()) {
    if (prop.kind === 'value') {
      if (opts.select && !opts.select.head.has(field)) continue;
      if (field === 'LastModifiedDateTime')
        out[field] = r.modified === null ? {} : { value: isoOffset(r.modified) };
      else if (field === 'NoteID') out[field] = { value: r.id };
      else out[field] = wrapField(r.fields[field]);
    } else if (prop.kind === 'collection') {
      if (!opts.expand.has(field)) continue;
      const lineInfo = schemaInfo(prop.schema);
      const sel = opts.select?.lines.get(field);
      out[field] = (r.lines[field] ?? []).map((l, i) => {
        const lo: Record<string, unknown> = { id: l.id, rowNumber: i + 1, note: detailNote(l.note, i) };
        for (const [lfield, lprop] of lineInfo?.properties ?? new Map<string, PropertyInfo>()) {
          if (lprop.kind !== 'value' || (sel && !sel.has(lfield))) continue;
          lo[lfield] = wrapField(l.fields[lfield]);
        }
        lo.custom = {};
        lo.files = [];
        lo._links = {
          'files:put': `${base}/files/${r.entity}/${field}/${l.id}/{filename}`,
        };
        return lo;
      });
    } else if (prop.kind === 'link') {
      if (!opts.expand.has(field)) continue;
      const linked = r.fields[field];
      out[field] =
        linked !== null && typeof linked === 'object'
          ? {
              id: linkedId(r.id, field),
              rowNumber: 1,
              note: null,
              ...wrapLinked(linked as Record<string, unknown>),
              ...(schemaInfo(prop.schema)?.properties.has('NoteID')
                ? { NoteID: { value: linkedId(r.id, field) } }
                : {}),
              custom: {},
            }
          : {};
    }
  }
  out.custom = Object.fromEntries(
    Object.entries(r.custom).map(([view, fields]) => [
      view,
      Object.fromEntries(
        Object.entries(fields).map(([k, v]) => [k, { type: 'CustomStringField', value: v }]),
      ),
    ]),
  );
  out._links = {
    self: `${base}/${r.entity}/${r.id}`,
    'files:put': `${base}/files/${r.entity}/Document/${r.id}/{filename}`,
  };
  return out;
}

/**
 * A detail line's empty note comes as `null`, `""` or `{"value": ""}` (api notes §8): the simulator
 * rotates through the three so that clients meet each.
 */
function detailNote(note: string, index: number): unknown {
  if (note !== '') return { value: note };
  return [null, '', { value: '' }][index % 3];
}

/** A stable GUID for a linked entity (its own NoteID on the server). */
function linkedId(owner: string, field: string): string {
  const h = createHash('sha1').update(`${owner}/${field}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function wrapLinked(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'id') out[k] = v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v))
      out[k] = wrapLinked(v as Record<string, unknown>);
    else out[k] = wrapField(v);
  }
  return out;
}

/** Turns a wire body (validated against the schema) into PlainInput. */
export function toPlainInput(entity: string, body: Record<string, unknown>): PlainInput {
  const info = schemaInfo(entity);
  const input: PlainInput = { fields: {}, lines: {} };
  for (const [k, v] of Object.entries(body)) {
    if (k === 'id' && typeof v === 'string') input.id = v;
    else if (k === 'note') input.note = unwrapOne(v) as string;
    else if (k === 'custom' && v !== null && typeof v === 'object')
      input.custom = unwrapCustom(v as Record<string, unknown>);
    else if (k === 'rowNumber' || k === 'error' || k === 'files' || k === '_links' || k === 'delete')
      continue;
    else {
      const prop = info?.properties.get(k);
      if (prop?.kind === 'collection' && Array.isArray(v)) {
        input.lines[k] = v.map((line: Record<string, unknown>) => {
          const l: PlainInput['lines'][string][number] = { fields: {} };
          for (const [lk, lv] of Object.entries(line)) {
            if (lk === 'id' && typeof lv === 'string') l.id = lv;
            else if (lk === 'delete') l.delete = lv === true;
            else if (lk === 'note') l.note = unwrapOne(lv) as string;
            else if (
              lk === 'rowNumber' ||
              lk === 'custom' ||
              lk === 'error' ||
              lk === '_links' ||
              lk === 'files'
            )
              continue;
            else if (isWrapped(lv)) l.fields[lk] = unwrapOne(lv);
          }
          return l;
        });
      } else if (prop?.kind === 'link' && v !== null && typeof v === 'object') {
        input.fields[k] = unwrapDeep(v as Record<string, unknown>);
      } else if (prop?.kind === 'value' && isWrapped(v)) {
        const value = unwrapOne(v);
        if (value !== undefined) input.fields[k] = value;
      }
      // Fields outside the contract are ignored, as the server ignores them.
    }
  }
  return input;
}

function isWrapped(v: unknown): v is { value?: unknown } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function unwrapOne(v: unknown): unknown {
  return isWrapped(v) ? v.value : v;
}

function unwrapDeep(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'id') out[k] = v;
    else if (isWrapped(v) && 'value' in v) out[k] = v.value;
    else if (isWrapped(v)) out[k] = unwrapDeep(v as Record<string, unknown>);
  }
  return out;
}

function unwrapCustom(o: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [view, fields] of Object.entries(o)) {
    if (!isWrapped(fields)) continue;
    out[view] = Object.fromEntries(
      Object.entries(fields as Record<string, unknown>).map(([k, v]) => [k, unwrapOne(v)]),
    );
  }
  return out;
}

/** Attaches the problems to the echoed entity as `error` members (§3.1 422 body). */
export function withErrors(
  echo: Record<string, unknown>,
  problems: FieldProblem[],
  display: string,
  inserting: boolean,
): Record<string, unknown> {
  const out = structuredClone(echo);
  out.error = `${inserting ? 'Inserting ' : 'Updating '} '${display}' record raised at least one error. Please review the errors.`;
  for (const pr of problems) {
    let target: Record<string, unknown> = out;
    if (pr.line) {
      const lines = (out[pr.line.collection] ??= []) as Array<Record<string, unknown>>;
      target = lines[pr.line.index] ?? (lines[pr.line.index] = { rowNumber: pr.line.index + 1 });
    }
    if (pr.field === null) target.error = pr.message;
    else {
      const cur = target[pr.field];
      target[pr.field] = { ...(isWrapped(cur) ? cur : {}), error: pr.message };
    }
  }
  return out;
}
