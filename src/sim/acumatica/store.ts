import { randomUUID } from 'node:crypto';
import { schemaInfo, type EntitySchemaInfo } from './spec.js';
import { TYPES, compute, hasModified, metaOf } from './screens.js';
import { serialize } from './wire.js';

/**
 * In-memory records of the simulated Acumatica instance and the PUT upsert semantics of api notes
 * §3.1: matched by `id`, else by all key fields, else inserted with auto-numbered keys; detail lines
 * without `id` are APPENDED (the duplication trap, §6 trap 6), lines with `id` are updated,
 * `{"id":…,"delete":true}` removes a line; validation failures answer 422 with `error` members.
 */
export interface Line {
  id: string;
  fields: Record<string, unknown>;
  note: string;
}

export interface StoredRecord {
  id: string;
  entity: string;
  fields: Record<string, unknown>;
  lines: Record<string, Line[]>;
  note: string;
  custom: Record<string, Record<string, unknown>>;
  /** LastModifiedDateTime (ms), null for entities without it (Subaccount). */
  modified: number | null;
}

export interface FieldProblem {
  /** `null` for the header; the collection and index of a line otherwise. */
  line: { collection: string; index: number } | null;
  field: string | null;
  message: string;
}

export class UpsertRefused extends Error {
  constructor(
    readonly problems: FieldProblem[],
    readonly echo: Record<string, unknown>,
    readonly inserting: boolean,
  ) {
    super('record refused');
  }
}

export class PreconditionFailed extends Error {}

export class Store {
  private readonly data = new Map<string, Map<string, StoredRecord>>();
  /** Branches of the company (CompaniesStructure). */
  branches: Array<{ BranchID: string; BranchName: string }> = [];
  company = { CompanyID: 'ACME', CompanyName: 'Company' };
  private seq = 0;

  reset(): void {
    this.data.clear();
    this.branches = [];
  }

  table(entity: string): Map<string, StoredRecord> {
    let t = this.data.get(entity);
    if (!t) {
      t = new Map();
      this.data.set(entity, t);
    }
    return t;
  }

  counts(): Record<string, number> {
    return Object.fromEntries([...this.data].map(([k, v]) => [k, v.size]));
  }

  /** Records in primary-key order (§2 "results come back in the entity's primary-key order"). */
  ordered(entity: string): StoredRecord[] {
    const keys = metaOf(entity).keys;
    const sortKey = (r: StoredRecord): string =>
      keys.length ? keys.map((k) => String(r.fields[k] ?? '').toUpperCase()).join('\u0000') : r.id;
    return [...this.table(entity).values()].sort((a, b) =>
      sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0,
    );
  }

  findByKeys(entity: string, keyValues: unknown[]): StoredRecord | undefined {
    const keys = metaOf(entity).keys;
    if (keys.length === 0 || keyValues.length !== keys.length) return undefined;
    const want = keyValues.map((v) => String(v).trim().toUpperCase());
    for (const r of this.table(entity).values()) {
      if (
        keys.every(
          (k, i) =>
            String(r.fields[k] ?? '')
              .trim()
              .toUpperCase() === want[i],
        )
      )
        return r;
    }
    return undefined;
  }

  exists(entity: string, keyField: string, value: unknown): boolean {
    const v = String(value).trim().toUpperCase();
    for (const r of this.table(entity).values())
      if (
        String(r.fields[keyField] ?? '')
          .trim()
          .toUpperCase() === v
      )
        return true;
    return false;
  }

  /**
   * PUT create-or-update with plain (unwrapped) input. `stamp` is the request's arrival time.
   * `precondition` carries If-Match / If-None-Match (`*`).
   */
  upsert(
    entity: string,
    input: PlainInput,
    stamp: number,
    precondition: { ifMatch?: boolean; ifNoneMatch?: boolean } = {},
  ): { record: StoredRecord; created: boolean } {
    const meta = metaOf(entity);
    const info = schemaInfo(entity);
    if (!info) throw new Error(`no schema for ${entity}`);
    let existing: StoredRecord | undefined;
    if (typeof input.id === 'string') existing = this.table(entity).get(input.id.toLowerCase());
    if (
      !existing &&
      meta.keys.length > 0 &&
      meta.keys.every((k) => valuePresent(input.fields[k]) && input.fields[k] !== '<NEW>')
    ) {
      existing = this.findByKeys(
        entity,
        meta.keys.map((k) => input.fields[k]),
      );
    }
    if (precondition.ifNoneMatch && existing) throw new PreconditionFailed('The record already exists.');
    if (precondition.ifMatch && !existing) throw new PreconditionFailed('The record does not exist.');

    const record: StoredRecord = existing
      ? structuredClone(existing)
      : {
          id: typeof input.id === 'string' ? input.id.toLowerCase() : randomUUID(),
          entity,
          fields: { ...meta.defaults },
          lines: {},
          note: '',
          custom: {},
          modified: null,
        };
    const problems: FieldProblem[] = [];
    for (const [field, v] of Object.entries(input.fields)) {
      if (field === 'LastModifiedDateTime' || meta.computed?.includes(field)) continue;
      if (
        existing &&
        meta.keys.includes(field) &&
        valuePresent(v) &&
        String(v).toUpperCase() !== String(existing.fields[field] ?? '').toUpperCase() &&
        input.id !== undefined
      ) {
        problems.push({ line: null, field, message: `The key field ${field} cannot be changed.` });
        continue;
      }
      if (v === undefined) continue;
      // A linked entity (MainContact, its Address) is updated field by field, like the screen's view.
      record.fields[field] =
        info.properties.get(field)?.kind === 'link' && isPlainObject(v)
          ? mergeLinked(record.fields[field], v)
          : v;
    }
    if (input.note !== undefined) record.note = input.note;
    if (input.custom) {
      for (const [view, fields] of Object.entries(input.custom))
        record.custom[view] = { ...record.custom[view], ...fields };
    }
    for (const [collection, lines] of Object.entries(input.lines)) {
      const current = (record.lines[collection] ??= []);
      lines.forEach((line, index) => {
        if (typeof line.id === 'string') {
          const pos = current.findIndex((l) => l.id === (line.id as string).toLowerCase());
          if (pos < 0) {
            problems.push({
              line: { collection, index },
              field: null,
              message: `The line with id ${line.id} cannot be found.`,
            });
            return;
          }
          if (line.delete === true) {
            current.splice(pos, 1);
            return;
          }
          const target = current[pos] as Line;
          Object.assign(target.fields, stripComputedLine(line.fields));
          if (line.note !== undefined) target.note = line.note;
          return;
        }
        if (line.delete === true) return;
        // §3.1: a line without id is added as a new line, also when an equal line exists.
        current.push({ id: randomUUID(), fields: stripComputedLine(line.fields), note: line.note ?? '' });
      });
    }
    const inserting = !existing;
    if (inserting && meta.autoNumber) {
      const f = meta.autoNumber.field;
      if (!valuePresent(record.fields[f]) || record.fields[f] === '<NEW>')
        record.fields[f] = this.nextNumber(entity);
    }
    problems.push(...this.validate(entity, record, info));
    if (problems.length > 0) {
      if (inserting && meta.autoNumber) record.fields[meta.autoNumber.field] = '<NEW>';
      throw new UpsertRefused(
        problems,
        serialize(record, { expand: new Set(Object.keys(record.lines)), version: '', rowNumber: 1 }),
        inserting,
      );
    }
    compute(entity, record);
    // A save that changes nothing keeps LastModifiedDateTime (api notes §8, recorded upsert).
    if (hasModified(entity) && (!existing || changed(existing, record))) record.modified = stamp;
    this.table(entity).set(record.id, record);
    return { record, created: inserting };
  }

  remove(entity: string, id: string): boolean {
    return this.table(entity).delete(id.toLowerCase());
  }

  private nextNumber(entity: string): string {
    const an = metaOf(entity).autoNumber;
    if (!an) return '';
    let max = 0;
    for (const r of this.table(entity).values()) {
      const m = /(\d+)$/.exec(String(r.fields[an.field] ?? ''));
      if (m?.[1]) max = Math.max(max, Number(m[1]));
    }
    return `${an.prefix}${String(max + 1).padStart(an.width, '0')}`;
  }

  /** Business rules of the screens behind the entities (required fields, selectors, types). */
  private validate(entity: string, record: StoredRecord, info: EntitySchemaInfo): FieldProblem[] {
    const p: FieldProblem[] = [];
    const head = (field: string, message: string): void => {
      p.push({ line: null, field, message });
    };
    const f = record.fields;
    const required = (field: string, label: string): boolean => {
      if (valuePresent(f[field])) return true;
      head(field, `'${label}' cannot be empty.`);
      return false;
    };
    const types = TYPES[entity];
    if (types && valuePresent(f.Type) && !types.includes(String(f.Type)))
      head('Type', `The value '${String(f.Type)}' is not in the list of allowed values.`);
    const vendorField = entity === 'PurchaseOrder' ? 'VendorID' : 'Vendor';
    if (entity === 'PurchaseOrder' || entity === 'Bill' || entity === 'Check') {
      if (required(vendorField, 'Vendor') && !this.exists('Vendor', 'VendorID', f[vendorField])) {
        head(vendorField, `Vendor '${String(f[vendorField])}' cannot be found in the system.`);
      }
    }
    const branchField = entity === 'PurchaseOrder' ? 'Branch' : entity === 'Bill' ? 'BranchID' : undefined;
    if (
      branchField &&
      valuePresent(f[branchField]) &&
      this.branches.length > 0 &&
      !this.branches.some((b) => b.BranchID.toUpperCase() === String(f[branchField]).toUpperCase())
    ) {
      head(branchField, `Branch '${String(f[branchField])}' cannot be found in the system.`);
    }
    if (entity === 'Account') {
      required('AccountCD', 'Account');
      if (valuePresent(f.Type) && !['Asset', 'Liability', 'Income', 'Expense'].includes(String(f.Type)))
        head('Type', `The value '${String(f.Type)}' is not in the list of allowed values.`);
      required('Type', 'Type');
    }
    if (entity === 'Subaccount') required('SubaccountCD', 'Subaccount');
    if (entity === 'Vendor') {
      required('VendorID', 'Vendor ID');
      required('VendorName', 'Vendor Name');
    }
    if (entity === 'Payment') required('CustomerID', 'Customer');
    for (const [collection, lines] of Object.entries(record.lines)) {
      const prop = info.properties.get(collection);
      if (prop?.kind !== 'collection') continue;
      lines.forEach((line, index) => {
        const lf = line.fields;
        if (valuePresent(lf.Account) && !this.exists('Account', 'AccountCD', lf.Account)) {
          p.push({
            line: { collection, index },
            field: 'Account',
            message: `Account '${String(lf.Account)}' cannot be found in the system.`,
          });
        }
        if (valuePresent(lf.Subaccount) && !this.exists('Subaccount', 'SubaccountCD', lf.Subaccount)) {
          p.push({
            line: { collection, index },
            field: 'Subaccount',
            message: `Subaccount '${String(lf.Subaccount)}' cannot be found in the system.`,
          });
        }
        for (const q of ['OrderQty', 'Qty']) {
          if (typeof lf[q] === 'number' && (lf[q] as number) < 0 && entity === 'PurchaseOrder') {
            p.push({
              line: { collection, index },
              field: q,
              message: `'${q}' must be greater than or equal to 0.`,
            });
          }
        }
      });
    }
    return p;
  }
}

/** A PUT body with values unwrapped. */
export interface PlainInput {
  id?: string;
  note?: string;
  custom?: Record<string, Record<string, unknown>>;
  fields: Record<string, unknown>;
  lines: Record<
    string,
    Array<{ id?: string; delete?: boolean; note?: string; fields: Record<string, unknown> }>
  >;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function mergeLinked(current: unknown, update: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = isPlainObject(current) ? { ...current } : {};
  for (const [k, v] of Object.entries(update)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) ? mergeLinked(out[k], v) : v;
  }
  return out;
}

function changed(before: StoredRecord, after: StoredRecord): boolean {
  const content = (r: StoredRecord): string =>
    JSON.stringify([r.fields, r.lines, r.note, r.custom], (_k, v: unknown) =>
      isPlainObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
    );
  return content(before) !== content(after);
}

function valuePresent(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

function stripComputedLine(fields: Record<string, unknown>): Record<string, unknown> {
  const out = { ...fields };
  delete out.LineNbr;
  return out;
}

export { hasModified, metaOf } from './screens.js';
export { isoOffset, serialize, toPlainInput, withErrors } from './wire.js';
