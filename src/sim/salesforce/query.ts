import { randomBytes } from 'node:crypto';
import type { FieldDef, ObjectDef, Schema } from './schema.js';
import { parseSoql, SoqlError, type Cond, type Literal, type SoqlQuery } from './soql.js';
import { sfTime, type Rec, type Store } from './store.js';

/** A field path of a query resolved against the schema: the hops through references, then the field. */
interface Path {
  text: string;
  hops: FieldDef[];
  field: FieldDef;
}

interface Compiled {
  object: ObjectDef;
  select: Path[];
  where?: (rec: Rec) => boolean;
  order: Array<{ path: Path; desc: boolean; nullsLast: boolean }>;
  limit?: number;
}

const DATETIME_HINT = (f: FieldDef): string =>
  `value of filter criterion for field '${f.name}' must be of type ${f.type === 'datetime' ? 'dateTime' : f.type} and should not be enclosed in quotes`;

/**
 * Compiles and runs SOQL against the store: fields and objects checked against the schema
 * (INVALID_TYPE, INVALID_FIELD), literals checked against field types (a quoted datetime is refused),
 * results held behind query locators that page with `nextRecordsUrl` and expire when idle.
 */
export class QueryEngine {
  private readonly locators = new Map<
    string,
    { object: string; select: Path[]; ids: string[]; lastUsed: number }
  >();
  /** Idle time after which a locator is gone (INVALID_QUERY_LOCATOR). */
  locatorTtlMs = 15 * 60_000;
  /** Open locators per org; the oldest is dropped beyond this. */
  maxLocators = 10;

  constructor(
    private readonly schema: Schema,
    private readonly store: Store,
  ) {}

  compile(text: string): Compiled {
    const q: SoqlQuery = parseSoql(text);
    const object = this.schema.object(q.from);
    if (!object) {
      throw new SoqlError(
        `sObject type '${q.from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
        'INVALID_TYPE',
      );
    }
    const compiled: Compiled = {
      object,
      select: q.fields.map((f) => this.path(object, f)),
      order: q.orderBy.map((o) => ({
        path: this.path(object, o.field),
        desc: o.desc,
        nullsLast: o.nullsLast,
      })),
      ...(q.limit === undefined ? {} : { limit: q.limit }),
    };
    if (q.where) compiled.where = this.predicate(object, q.where);
    return compiled;
  }

  private path(object: ObjectDef, text: string): Path {
    const parts = text.split('.');
    const hops: FieldDef[] = [];
    let current = object;
    for (const part of parts.slice(0, -1)) {
      const rel = this.schema.relationship(current.name, part);
      const target = rel?.ref ? this.schema.object(rel.ref) : undefined;
      if (!rel || !target) {
        throw new SoqlError(
          `Didn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`,
          'INVALID_FIELD',
        );
      }
      hops.push(rel);
      current = target;
    }
    const name = parts[parts.length - 1] as string;
    const field = this.schema.field(current.name, name);
    if (!field) {
      throw new SoqlError(
        `No such column '${name}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
        'INVALID_FIELD',
      );
    }
    return { text, hops, field };
  }

  private value(rec: Rec | undefined, path: Path): unknown {
    let cur = rec;
    for (const hop of path.hops) {
      const id = cur?.[hop.name];
      cur = typeof id === 'string' && hop.ref ? this.store.get(hop.ref, id) : undefined;
      if (!cur) return null;
    }
    return cur?.[path.field.name] ?? null;
  }

  private checkLiteral(f: FieldDef, lit: Literal): unknown {
    if (lit.type === 'null') return null;
    const want: Record<string, Literal['type']> = {
      datetime: 'datetime',
      date: 'date',
      boolean: 'boolean',
      double: 'number',
      currency: 'number',
    };
    const expected = want[f.type] ?? 'string';
    if (lit.type !== expected) {
      if (f.type === 'datetime' || f.type === 'date') throw new SoqlError(DATETIME_HINT(f), 'INVALID_FIELD');
      throw new SoqlError(
        `value of filter criterion for field '${f.name}' must be of type ${f.type}`,
        'INVALID_FIELD',
      );
    }
    return lit.value;
  }

  private predicate(object: ObjectDef, cond: Cond): (rec: Rec) => boolean {
    switch (cond.kind) {
      case 'and': {
        const parts = cond.parts.map((p) => this.predicate(object, p));
        return (r) => parts.every((p) => p(r));
      }
      case 'or': {
        const parts = cond.parts.map((p) => this.predicate(object, p));
        return (r) => parts.some((p) => p(r));
      }
      case 'not': {
        const inner = this.predicate(object, cond.cond);
        return (r) => !inner(r);
      }
      case 'cmp': {
        const path = this.path(object, cond.field);
        const lit = this.checkLiteral(path.field, cond.value);
        const op = cond.op;
        return (r) => {
          const v = this.value(r, path);
          if (lit === null || v === null) {
            if (op === '=') return v === lit;
            if (op === '!=') return v !== lit;
            return false;
          }
          const c = compare(path.field, v, lit);
          switch (op) {
            case '=':
              return c === 0;
            case '!=':
              return c !== 0;
            case '<':
              return c < 0;
            case '<=':
              return c <= 0;
            case '>':
              return c > 0;
            case '>=':
              return c >= 0;
          }
        };
      }
      case 'in': {
        const path = this.path(object, cond.field);
        const lits = cond.values.map((l) => this.checkLiteral(path.field, l));
        return (r) => {
          const v = this.value(r, path);
          const hit = lits.some((l) =>
            l === null ? v === null : v !== null && compare(path.field, v, l) === 0,
          );
          return cond.negated ? !hit && v !== null : hit;
        };
      }
      case 'like': {
        const path = this.path(object, cond.field);
        const re = likeRegex(cond.pattern);
        return (r) => {
          const v = this.value(r, path);
          return typeof v === 'string' && re.test(v);
        };
      }
    }
  }

  /** Runs a query: the first page and a locator for the rest. */
  run(text: string, opts: { all: boolean; batchSize: number; version: string }): unknown {
    const c = this.compile(text);
    let rows = [...this.store.table(c.object.name).values()].filter((r) => opts.all || r.IsDeleted !== true);
    if (c.where) rows = rows.filter(c.where);
    if (c.order.length > 0) {
      rows.sort((a, b) => {
        for (const o of c.order) {
          const x = this.value(a, o.path);
          const y = this.value(b, o.path);
          if (x === null || y === null) {
            if (x === y) continue;
            return (x === null) !== o.nullsLast ? -1 : 1;
          }
          const d = compare(o.path.field, x, y);
          if (d !== 0) return o.desc ? -d : d;
        }
        return 0;
      });
    }
    if (c.limit !== undefined) rows = rows.slice(0, c.limit);
    const ids = rows.map((r) => r.Id);
    return this.page(
      { object: c.object.name, select: c.select, ids, lastUsed: Date.now() },
      undefined,
      0,
      opts,
    );
  }

  /** `GET /query/{locator}-{offset}`. */
  more(locatorPath: string, opts: { batchSize: number; version: string }): unknown {
    const m = /^(01g[A-Za-z0-9]+)-(\d+)$/.exec(locatorPath);
    const entry = m ? this.locators.get(m[1] as string) : undefined;
    if (!m || !entry || Date.now() - entry.lastUsed > this.locatorTtlMs) {
      if (m) this.locators.delete(m[1] as string);
      throw new SoqlError('invalid query locator', 'INVALID_QUERY_LOCATOR');
    }
    entry.lastUsed = Date.now();
    return this.page(entry, m[1], Number(m[2]), opts);
  }

  private page(
    entry: { object: string; select: Path[]; ids: string[]; lastUsed: number },
    locator: string | undefined,
    offset: number,
    opts: { batchSize: number; version: string },
  ): unknown {
    const slice = entry.ids.slice(offset, offset + opts.batchSize);
    const done = offset + slice.length >= entry.ids.length;
    let id = locator;
    if (!done && !id) {
      id = `01g${randomBytes(6).toString('hex').toUpperCase()}`.slice(0, 15);
      this.locators.set(id, entry);
      while (this.locators.size > this.maxLocators)
        this.locators.delete(this.locators.keys().next().value as string);
    }
    if (done && id) this.locators.delete(id);
    const records = slice.flatMap((rid) => {
      const rec = this.store.get(entry.object, rid);
      return rec ? [this.render(entry.object, rec, entry.select, opts.version)] : [];
    });
    return {
      totalSize: entry.ids.length,
      done,
      ...(done
        ? {}
        : { nextRecordsUrl: `/services/data/v${opts.version}/query/${id}-${offset + slice.length}` }),
      records,
    };
  }

  expireLocators(): void {
    this.locators.clear();
  }

  /** A record as the REST API shows it: `attributes`, selected fields, relationship objects. */
  render(object: string, rec: Rec, select: Path[], version: string): Record<string, unknown> {
    const out: Record<string, unknown> = { attributes: attributes(object, rec.Id, version) };
    for (const p of select) {
      if (p.hops.length === 0) {
        out[p.field.name] = renderValue(p.field, rec[p.field.name]);
        continue;
      }
      let holder = out;
      let cur: Rec | undefined = rec;
      for (const hop of p.hops) {
        const name = hop.relationship as string;
        const id: unknown = cur?.[hop.name];
        cur = typeof id === 'string' && hop.ref ? this.store.get(hop.ref, id) : undefined;
        if (!cur) {
          if (!(name in holder)) holder[name] = null;
          holder = {};
          break;
        }
        const existing = holder[name];
        if (!existing || typeof existing !== 'object')
          holder[name] = { attributes: attributes(hop.ref as string, cur.Id, version) };
        holder = holder[name] as Record<string, unknown>;
      }
      if (cur) holder[p.field.name] = renderValue(p.field, cur[p.field.name]);
    }
    return out;
  }
}

export function attributes(object: string, id: string, version: string): { type: string; url: string } {
  return { type: object, url: `/services/data/v${version}/sobjects/${object}/${id}` };
}

export function renderValue(f: FieldDef, v: unknown): unknown {
  if (v === undefined || v === null) return f.type === 'boolean' ? false : null;
  if (f.type === 'datetime' && typeof v === 'number') return sfTime(v);
  return v;
}

/** Ids and references compare as they are (case-sensitive); text compares case-insensitively. */
function compare(f: FieldDef, a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  const x = String(a);
  const y = String(b);
  if (f.type === 'id' || f.type === 'reference' || f.type === 'date') return x < y ? -1 : x > y ? 1 : 0;
  const lx = x.toLowerCase();
  const ly = y.toLowerCase();
  return lx < ly ? -1 : lx > ly ? 1 : 0;
}

function likeRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\' && i + 1 < pattern.length) {
      re += pattern.charAt(++i).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'is');
}
