import { createHash, randomUUID } from 'node:crypto';
import { schemaInfo, type EntitySchemaInfo, type PropertyInfo } from './spec.js';

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

interface EntityMeta {
  keys: string[];
  /** Auto-numbered key: next value after the highest stored one. */
  autoNumber?: { field: string; prefix: string; width: number };
  /** Display name in 422 messages ("Inserting 'Purchase Order' record raised…"). */
  display: string;
  defaults?: Record<string, unknown>;
  /** Fields the server computes; values sent for them are ignored. */
  computed?: string[];
}

const META: Record<string, EntityMeta> = {
  Account: {
    keys: ['AccountCD'],
    display: 'Account',
    defaults: { Active: true, CurrencyID: 'USD', PostOption: 'Summary' },
    computed: ['AccountID'],
  },
  Subaccount: {
    keys: ['SubaccountCD'],
    display: 'Subaccount',
    defaults: { Active: true, Secured: false },
    computed: ['SubaccountID'],
  },
  Vendor: {
    keys: ['VendorID'],
    display: 'Vendor',
    defaults: {
      Status: 'Active',
      VendorClass: 'DEFAULT',
      CurrencyID: 'USD',
      Terms: '30D',
      PaymentMethod: 'CHECK',
    },
    computed: ['CreatedDateTime'],
  },
  PurchaseOrder: {
    keys: ['Type', 'OrderNbr'],
    autoNumber: { field: 'OrderNbr', prefix: 'PO', width: 6 },
    display: 'Purchase Order',
    defaults: { Type: 'Normal', Hold: false, CurrencyID: 'USD', Branch: 'HQ', Location: 'MAIN' },
    computed: ['Status', 'LineTotal', 'OrderTotal', 'TaxTotal', 'BaseCurrencyID'],
  },
  Bill: {
    keys: ['Type', 'ReferenceNbr'],
    autoNumber: { field: 'ReferenceNbr', prefix: '', width: 6 },
    display: 'AP Transactions',
    defaults: { Type: 'Bill', Hold: false, CurrencyID: 'USD', BranchID: 'HQ', Terms: '30D' },
    computed: ['Status', 'Amount', 'Balance', 'TaxTotal'],
  },
  Check: {
    keys: ['Type', 'ReferenceNbr'],
    autoNumber: { field: 'ReferenceNbr', prefix: '', width: 6 },
    display: 'Checks and Payments',
    defaults: {
      Type: 'Payment',
      Hold: false,
      CurrencyID: 'USD',
      PaymentMethod: 'CHECK',
      CashAccount: '10100',
    },
    computed: ['Status', 'UnappliedBalance'],
  },
  Payment: {
    keys: ['Type', 'ReferenceNbr'],
    autoNumber: { field: 'ReferenceNbr', prefix: '', width: 6 },
    display: 'Payments and Applications',
    defaults: { Type: 'Payment', Hold: false, CurrencyID: 'USD' },
    computed: ['Status', 'AvailableBalance'],
  },
};

const TYPES: Record<string, string[]> = {
  PurchaseOrder: ['Normal', 'Drop Ship', 'Blanket', 'Standard'],
  Bill: ['Bill', 'Credit Adj.', 'Debit Adj.', 'Prepayment'],
  Check: ['Payment', 'Prepayment', 'Refund', 'Voided Payment'],
  Payment: ['Payment', 'Prepayment', 'Credit Memo', 'Refund'],
};

export function metaOf(entity: string): EntityMeta {
  return META[entity] ?? { keys: [], display: entity };
}

export function hasModified(entity: string): boolean {
  return schemaInfo(entity)?.properties.has('LastModifiedDateTime') ?? false;
}

/**
 * ISO-8601 with `+00:00`, the fraction with its trailing zeros trimmed as the server prints it
 * (`.017`, `.4`, none at all: api notes §8).
 */
export function isoOffset(ms: number): string {
  return new Date(ms).toISOString().replace(/0+Z$/, 'Z').replace(/\.Z$/, 'Z').replace('Z', '+00:00');
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

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const round = (v: number): number => Math.round(v * 10_000) / 10_000;

/** Totals, statuses and line numbers the screens compute on save. */
function compute(entity: string, r: StoredRecord): void {
  const f = r.fields;
  for (const lines of Object.values(r.lines)) {
    let nbr = 0;
    for (const l of lines) nbr = Math.max(nbr, num(l.fields.LineNbr));
    for (const l of lines)
      if (l.fields.LineNbr === undefined && entity === 'PurchaseOrder') l.fields.LineNbr = ++nbr;
  }
  if (entity === 'PurchaseOrder') {
    let total = 0;
    for (const l of r.lines.Details ?? []) {
      const ext = round(num(l.fields.OrderQty) * num(l.fields.UnitCost));
      l.fields.ExtendedCost = ext;
      l.fields.LineType ??= 'Goods for IN';
      l.fields.UOM ??= 'EA';
      total += ext;
    }
    f.LineTotal = round(total);
    f.TaxTotal = 0;
    f.OrderTotal = round(total);
    f.BaseCurrencyID = 'USD';
    if (f.Status !== 'Closed' && f.Status !== 'Completed' && f.Status !== 'Canceled')
      f.Status = f.Hold === true ? 'On Hold' : 'Open';
  }
  if (entity === 'Bill') {
    let total = 0;
    for (const l of r.lines.Details ?? []) {
      const ext = round(num(l.fields.Qty ?? 1) * num(l.fields.UnitCost));
      if (l.fields.Qty === undefined) l.fields.Qty = 1;
      l.fields.ExtendedCost = ext;
      if (l.fields.Amount === undefined || typeof l.fields.Amount !== 'number') l.fields.Amount = ext;
      total += num(l.fields.Amount);
    }
    f.Amount = round(total);
    f.TaxTotal = 0;
    if (f.Status !== 'Open' && f.Status !== 'Closed') {
      f.Balance = round(total);
      f.Status = f.Hold === true ? 'On Hold' : 'Balanced';
    }
  }
  if (entity === 'Check') {
    const applied = (r.lines.Details ?? []).reduce((s, l) => s + num(l.fields.AmountPaid), 0);
    f.UnappliedBalance = round(num(f.PaymentAmount) - applied);
    if (f.Status !== 'Closed' && f.Status !== 'Printed') f.Status = f.Hold === true ? 'On Hold' : 'Balanced';
  }
  if (entity === 'Payment' && f.Status !== 'Closed') f.Status = f.Hold === true ? 'On Hold' : 'Balanced';
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
