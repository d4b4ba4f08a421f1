import { json, type SimRequest, type SimResponse } from '../common/server.js';
import type { Row, Value } from './suiteql/eval.js';
import type { Store } from './store.js';
import { specOf, type RecordSpec } from './record-specs.js';
import { createTransaction } from './transactions.js';
import { errorBody } from './wire.js';

/**
 * The record API (api notes §4, §9) over the same tables SuiteQL reads: camelCase fields, references
 * `{links, id, refName}`, sublists `{links, items, totalResults}` with `expandSubResources=true`
 * (links only without it), unset fields absent, datetimes ISO UTC at minute precision, dates
 * `YYYY-MM-DD`. Vendors, GL accounts and departments are writable (POST 204 + Location, PATCH,
 * PUT eid: upsert, DELETE); transactions are read.
 */
const isoMinute = (d: Date): string => `${d.toISOString().slice(0, 16)}:00Z`;

export class RecordApi {
  constructor(
    private readonly store: Store,
    private readonly tz: string,
  ) {}

  private link(base: string, path: string): Array<{ rel: string; href: string }> {
    return [{ rel: 'self', href: `${base}/services/rest/record/v1/${path}` }];
  }

  private ref(base: string, table: string, id: Value): Record<string, unknown> {
    const row = this.store.get(table, Number(id));
    const display =
      table === 'account'
        ? row?.accountsearchdisplayname
        : (row?.name ?? row?.companyname ?? row?.symbol ?? row?.itemid);
    return {
      links: this.link(base, `${table}/${String(id)}`),
      id: String(id),
      ...(display === null || display === undefined ? {} : { refName: String(display) }),
    };
  }

  private render(
    base: string,
    type: string,
    spec: RecordSpec,
    row: Row,
    expand: boolean,
  ): Record<string, unknown> {
    const id = String(row.id);
    const out: Record<string, unknown> = { links: this.link(base, `${type.toLowerCase()}/${id}`), id };
    if (row.externalid !== null && row.externalid !== undefined) out.externalId = row.externalid;
    for (const [name, fs] of Object.entries(spec.fields)) {
      const v = row[fs.column];
      if (v === null || v === undefined) continue;
      switch (fs.kind) {
        case 'bool':
          out[name] = v === 'T';
          break;
        case 'ref':
          out[name] = fs.table ? this.ref(base, fs.table, v) : { id: String(v), refName: String(v) };
          break;
        case 'multi':
          out[name] = { links: [], items: [this.ref(base, fs.table!, v)], totalResults: 1 };
          break;
        case 'datetime':
          out[name] = isoMinute(v as Date);
          break;
        case 'date':
          out[name] = new Intl.DateTimeFormat('en-CA', { timeZone: this.tz }).format(v as Date);
          break;
        default:
          out[name] = v;
      }
    }
    if (spec.tranType) {
      const main = this.store.find('transactionline', (l) => l.transaction === row.id && l.mainline === 'T');
      if (main?.subsidiary) out.subsidiary = this.ref(base, 'subsidiary', main.subsidiary);
      for (const sub of spec.sublists ?? []) {
        const href = this.link(base, `${type.toLowerCase()}/${id}/${sub}`);
        if (!expand) {
          out[sub] = { links: href };
          continue;
        }
        const lines = this.store
          .rows('transactionline')
          .filter(
            (l) =>
              l.transaction === row.id &&
              l.mainline === 'F' &&
              (sub === 'item' ? l.item !== null : l.item === null),
          );
        out[sub] = {
          links: href,
          items: lines.map((l) => this.line(base, type, id, sub, l)),
          totalResults: lines.length,
        };
      }
    }
    return out;
  }

  private line(base: string, type: string, id: string, sub: string, l: Row): Record<string, unknown> {
    const out: Record<string, unknown> = {
      links: this.link(base, `${type.toLowerCase()}/${id}/${sub}/${String(l.id)}`),
      line: l.id,
    };
    if (sub === 'item' && l.item != null) out.item = this.ref(base, 'item', l.item);
    if (sub === 'expense' && l.expenseaccount != null)
      out.account = this.ref(base, 'account', l.expenseaccount);
    if (l.quantity !== null) out.quantity = l.quantity;
    if (l.rate !== null) out.rate = l.rate;
    if (l.netamount !== null) out.amount = l.netamount;
    if (l.department != null) out.department = this.ref(base, 'department', l.department);
    if (l.memo !== null) out[sub === 'item' ? 'description' : 'memo'] = l.memo;
    return out;
  }

  private find(spec: RecordSpec, key: string): Row | undefined {
    const eid = key.startsWith('eid:') ? decodeURIComponent(key.slice(4)) : undefined;
    const row =
      eid !== undefined
        ? this.store.find(spec.table, (r) => r.externalid === eid)
        : /^\d+$/.test(key)
          ? this.store.get(spec.table, Number(key))
          : undefined;
    if (!row || (spec.tranType && row.type !== spec.tranType)) return undefined;
    return row;
  }

  /** Body fields to column values, refused as NetSuite refuses them (unknown field, bad reference). */
  private columns(spec: RecordSpec, body: unknown, creating: boolean): Record<string, Value> | SimResponse {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return errorBody(400, 'INVALID_CONTENT', 'The request body is not a JSON object.');
    const out: Record<string, Value> = {};
    for (const [name, v] of Object.entries(body as Record<string, unknown>)) {
      if (name === 'externalId') {
        out.externalid = v === null ? null : String(v);
        continue;
      }
      if (name === 'id' || name === 'links') continue;
      const fs = spec.fields[name];
      if (!fs || fs.readOnly)
        return errorBody(
          400,
          'NONEXISTENT_FIELD',
          `Field '${name}' does not exist or cannot be set on this record.`,
          name,
        );
      if (v === null) {
        out[fs.column] = null;
        continue;
      }
      switch (fs.kind) {
        case 'bool':
          if (typeof v !== 'boolean')
            return errorBody(
              400,
              'INVALID_FIELD_VALUE',
              `Invalid value for field ${name}: expected a boolean.`,
              name,
            );
          out[fs.column] = v ? 'T' : 'F';
          break;
        case 'ref':
        case 'multi': {
          const refs =
            fs.kind === 'multi'
              ? ((v as { items?: Array<{ id?: unknown }> }).items ?? [])
              : [v as { id?: unknown }];
          const id = refs[0]?.id;
          if (id === undefined || refs.length === 0)
            return errorBody(
              400,
              'INVALID_FIELD_VALUE',
              `Invalid value for field ${name}: expected {"id": …}.`,
              name,
            );
          if (fs.table && !this.store.get(fs.table, Number(id)))
            return errorBody(
              400,
              'INVALID_FIELD_VALUE',
              `Invalid Field Value ${String(id)} for the following field: ${name}`,
              name,
            );
          out[fs.column] = fs.table ? Number(id) : String(id);
          break;
        }
        default:
          out[fs.column] = typeof v === 'number' ? v : String(v);
      }
    }
    if (creating)
      for (const [name, fs] of Object.entries(spec.fields))
        if (fs.required && (out[fs.column] === undefined || out[fs.column] === null))
          return errorBody(400, 'USER_ERROR', `Please enter value(s) for: ${name}`, name);
    return out;
  }

  handle(req: SimRequest, base: string, rest: string): SimResponse {
    const [type = '', key, ...more] = rest.split('/');
    const found = specOf(type);
    if (!found) return errorBody(404, 'NONEXISTENT_ID', `Record type '${type}' does not exist.`);
    const [name, spec] = found;
    if (more.length > 0) return errorBody(404, 'NONEXISTENT_ID', 'The record instance does not exist.');
    const body = (): unknown => {
      try {
        return req.body.length ? (JSON.parse(req.body.toString('utf8')) as unknown) : {};
      } catch {
        return undefined;
      }
    };
    if (req.method === 'GET') {
      if (key === undefined) return this.list(base, name, spec, req);
      const row = this.find(spec, key);
      if (!row) return errorBody(404, 'NONEXISTENT_ID', 'The record instance does not exist.');
      return json(200, this.render(base, name, spec, row, req.query.get('expandSubResources') === 'true'), {
        'content-type': 'application/vnd.oracle.resource+json; type=singular; charset=UTF-8',
      });
    }
    if (spec.tranType && req.method === 'POST' && key === undefined)
      return createTransaction(this.store, this.tz, base, name, spec, body());
    if (!spec.writable)
      return errorBody(
        405,
        'METHOD_NOT_ALLOWED',
        `${req.method} is not supported for ${name} by this account.`,
      );
    const location = (row: Row): Record<string, string> => ({
      location: `${base}/services/rest/record/v1/${name.toLowerCase()}/${String(row.id)}`,
    });
    if (req.method === 'POST' && key === undefined) {
      const cols = this.columns(spec, body(), true);
      if (isResponse(cols)) return cols;
      const dup = this.duplicate(spec, cols);
      if (dup) return dup;
      const row = this.store.insert(spec.table, cols);
      return { status: 204, headers: location(row) };
    }
    if (key === undefined) return errorBody(405, 'METHOD_NOT_ALLOWED', `${req.method} needs a record id.`);
    const existing = this.find(spec, key);
    if (req.method === 'DELETE') {
      if (!existing) return errorBody(404, 'NONEXISTENT_ID', 'The record instance does not exist.');
      this.store.remove(spec.table, (r) => r === existing);
      return { status: 204 };
    }
    if (req.method === 'PATCH') {
      if (!existing) return errorBody(404, 'NONEXISTENT_ID', 'The record instance does not exist.');
      const cols = this.columns(spec, body(), false);
      if (isResponse(cols)) return cols;
      const dup = this.duplicate(spec, cols, existing);
      if (dup) return dup;
      this.store.update(spec.table, existing, cols);
      return { status: 204 };
    }
    if (req.method === 'PUT') {
      if (!key.startsWith('eid:'))
        return errorBody(405, 'METHOD_NOT_ALLOWED', 'PUT is an upsert by external id: …/eid:{externalId}.');
      const eid = decodeURIComponent(key.slice(4));
      const cols = this.columns(spec, body(), !existing);
      if (isResponse(cols)) return cols;
      cols.externalid = eid;
      const dup = this.duplicate(spec, cols, existing);
      if (dup) return dup;
      if (existing) {
        this.store.update(spec.table, existing, cols);
        return { status: 204 };
      }
      const row = this.store.insert(spec.table, cols);
      return { status: 204, headers: location(row) };
    }
    return errorBody(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported here.`);
  }

  /** Account numbers and vendor ids are unique in an account. */
  private duplicate(spec: RecordSpec, cols: Record<string, Value>, self?: Row): SimResponse | undefined {
    const unique = spec.table === 'account' ? 'acctnumber' : spec.table === 'vendor' ? 'entityid' : undefined;
    if (!unique || cols[unique] === undefined) return undefined;
    const other = this.store.find(spec.table, (r) => r[unique] === cols[unique] && r !== self);
    return other
      ? errorBody(400, 'DUP_ENTITY', `A record with ${unique} ${String(cols[unique])} already exists.`)
      : undefined;
  }

  private list(base: string, name: string, spec: RecordSpec, req: SimRequest): SimResponse {
    const limit = Number(req.query.get('limit') ?? '1000');
    const offset = Number(req.query.get('offset') ?? '0');
    if (!(limit >= 1 && limit <= 1000) || !(offset >= 0))
      return errorBody(400, 'INVALID_PARAMETER', 'Invalid limit or offset.', 'limit');
    const rows = this.store.rows(spec.table).filter((r) => !spec.tranType || r.type === spec.tranType);
    const page = rows.slice(offset, offset + limit);
    return json(200, {
      links: this.link(base, `${name.toLowerCase()}?limit=${limit}&offset=${offset}`),
      count: page.length,
      hasMore: offset + page.length < rows.length,
      items: page.map((r) => ({
        links: this.link(base, `${name.toLowerCase()}/${String(r.id)}`),
        id: String(r.id),
      })),
      offset,
      totalResults: rows.length,
    });
  }
}

function isResponse(v: Record<string, Value> | SimResponse): v is SimResponse {
  return typeof (v as SimResponse).status === 'number' && 'headers' in v && 'body' in v;
}
