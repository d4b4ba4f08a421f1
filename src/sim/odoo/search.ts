/**
 * Domain evaluation of the simulated Odoo: leaves and `&|!` trees compiled to predicates (dotted
 * paths, datetime rounding of §8/§9), ordering, paging, `read` and record browsing.
 */
import {
  domainFields,
  leafText,
  likeToRegExp,
  naiveToMicros,
  parseDatetimeLiteral,
  parseDomain,
  type DomainNode,
  type Leaf,
} from './domain.js';
import { MISSING_MESSAGE, OdooException } from './exceptions.js';
import { type FieldDef, type ModelDef } from './models.js';
import { LOG, isEmpty, type Env, type Rec } from './store-base.js';
import { StoreValues } from './computed.js';

export abstract class StoreSearch extends StoreValues {
  // ---------------------------------------------------------------- search

  protected compileLeaf(model: ModelDef, leaf: Leaf): (rec: Rec) => boolean {
    const [path, op, value] = leaf;
    const [head, ...rest] = path.split('.');
    const name = head as string;
    const def = this.field(model, name);
    if (!def && !LOG.has(name)) {
      throw new OdooException(
        'value_error',
        `Invalid field ${model.name}.${name} in ${this.version >= 19 ? 'condition' : 'leaf'} ${leafText(leaf)}`,
      );
    }
    if (rest.length > 0) {
      const relation =
        def?.relation ?? (name === 'create_uid' || name === 'write_uid' ? 'res.users' : undefined);
      if (!relation || (def && !['many2one', 'one2many', 'many2many'].includes(def.type))) {
        throw new OdooException('value_error', `Invalid path ${path} in leaf ${leafText(leaf)}`);
      }
      const sub = this.model(relation);
      const inner = this.compileLeaf(sub, [rest.join('.'), op, value]);
      return (rec) => {
        const raw = this.raw(model, rec, name);
        const ids = Array.isArray(raw) ? (raw as number[]) : typeof raw === 'number' ? [raw] : [];
        if (ids.length === 0) {
          // A null many2one behaves as a related record whose fields are all empty.
          return (op === '=' && value === false) || (op === '!=' && value !== false) || op === 'not in';
        }
        return ids.some((id) => {
          const target = this.get(relation, id);
          return target ? inner(target) : false;
        });
      };
    }
    const type =
      name === 'id'
        ? 'id'
        : name === 'create_date' || name === 'write_date'
          ? 'datetime'
          : LOG.has(name)
            ? name === 'display_name'
              ? 'char'
              : 'many2one'
            : (def as FieldDef).type;
    const get = (rec: Rec): unknown => this.raw(model, rec, name);

    if (op === 'child_of' || op === 'parent_of') {
      const ids = new Set(
        (Array.isArray(value) ? value : [value]).filter((x): x is number => typeof x === 'number'),
      );
      return (rec) => {
        let cur: Rec | undefined = rec;
        const target = type === 'id' ? rec.id : get(rec);
        if (typeof target !== 'number') return false;
        cur = this.get(type === 'id' ? model.name : (def?.relation ?? model.name), target);
        for (let depth = 0; cur && depth < 50; depth += 1) {
          if (ids.has(cur.id)) return true;
          const parent: unknown = cur.v.parent_id;
          cur =
            typeof parent === 'number'
              ? this.get(type === 'id' ? model.name : (def?.relation ?? model.name), parent)
              : undefined;
        }
        return false;
      };
    }

    if (type === 'datetime' || type === 'date') {
      const toUs = (raw: unknown): number | undefined =>
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw !== ''
            ? naiveToMicros(raw)
            : undefined;
      if (op === 'in' || op === 'not in') {
        const set = (Array.isArray(value) ? value : [value]).map((x) =>
          x === false ? undefined : parseDatetimeLiteral(x).us,
        );
        return (rec) => {
          const us = toUs(get(rec));
          const hit = set.some((x) => x === us);
          return op === 'in' ? hit : !hit;
        };
      }
      if (value === false || value === null) {
        return (rec) =>
          op === '=' ? toUs(get(rec)) === undefined : op === '!=' ? toUs(get(rec)) !== undefined : false;
      }
      const lit = parseDatetimeLiteral(value);
      const dateOnly = lit.span > 1_000_000;
      // §8/§9: on 19 comparisons are whole-second both ways: `> 'S'` is `>= S + 1 s`, `<= 'S'` is
      // `< S + 1 s`, `= 'S'` matches the whole second. Older versions compare the raw microsecond
      // value. Date-only literals compare by day.
      const whole = dateOnly || this.version >= 19;
      const within = (us: number): boolean => us >= lit.us && us < lit.us + lit.span;
      return (rec) => {
        const us = toUs(get(rec));
        if (us === undefined) return op === '!=';
        switch (op) {
          case '=':
            return whole ? within(us) : us === lit.us;
          case '!=':
            return whole ? !within(us) : us !== lit.us;
          case '>':
            return whole ? us >= lit.us + lit.span : us > lit.us;
          case '>=':
            return us >= lit.us;
          case '<':
            return us < lit.us;
          case '<=':
            return whole ? us < lit.us + lit.span : us <= lit.us;
          default:
            throw new OdooException(
              'value_error',
              `Invalid operator ${op} for datetime in leaf ${leafText(leaf)}`,
            );
        }
      };
    }

    if (
      op === 'like' ||
      op === 'ilike' ||
      op === 'not like' ||
      op === 'not ilike' ||
      op === '=like' ||
      op === '=ilike'
    ) {
      const insensitive = op.includes('ilike');
      const anchored = op.startsWith('=');
      const re = anchored
        ? likeToRegExp(String(value), true, insensitive)
        : likeToRegExp(`%${String(value)}%`, true, insensitive);
      const positive = !op.startsWith('not');
      return (rec) => {
        let raw = get(rec);
        if (type === 'many2one' && typeof raw === 'number' && def?.relation) {
          const t = this.get(def.relation, raw);
          raw = t ? this.displayName(def.relation, t) : '';
        }
        if (isEmpty(raw)) return !positive && value !== false ? true : false;
        const hit = re.test(String(raw));
        return positive ? hit : !hit;
      };
    }

    const norm = (x: unknown): unknown => (x === null || x === undefined || x === '' ? false : x);
    if (type === 'many2many' || type === 'one2many') {
      const wanted = (Array.isArray(value) ? value : [value]).filter(
        (x): x is number => typeof x === 'number',
      );
      return (rec) => {
        const ids = (get(rec) as number[]) ?? [];
        if (value === false || (Array.isArray(value) && value.length === 0 && (op === '=' || op === 'in'))) {
          return op === '=' || op === 'in' ? ids.length === 0 : ids.length > 0;
        }
        const hit = ids.some((id) => wanted.includes(id));
        return op === '=' || op === 'in' ? hit : !hit;
      };
    }

    if (type === 'many2one' && typeof value === 'string' && (op === '=' || op === '!=')) {
      return (rec) => {
        const raw = get(rec);
        const t = typeof raw === 'number' && def?.relation ? this.get(def.relation, raw) : undefined;
        const hit =
          t !== undefined && def?.relation !== undefined && this.displayName(def.relation, t) === value;
        return op === '=' ? hit : !hit;
      };
    }

    if (op === 'in' || op === 'not in') {
      if (!Array.isArray(value)) {
        throw new OdooException('value_error', `Invalid value for operator ${op} in leaf ${leafText(leaf)}`);
      }
      const set = new Set(value.map((x) => (type === 'boolean' ? x === true : norm(x))));
      return (rec) => {
        const raw = norm(get(rec));
        const hit = set.has(type === 'boolean' ? raw === true : raw);
        return op === 'in' ? hit : !hit;
      };
    }

    const target = type === 'boolean' ? value === true : norm(value);
    return (rec) => {
      const raw = type === 'boolean' ? get(rec) === true : norm(get(rec));
      switch (op) {
        case '=':
          return raw === target;
        case '!=':
          return raw !== target;
        default: {
          if (raw === false || target === false) return false;
          const a = raw as number | string;
          const b = target as number | string;
          if (op === '>') return a > b;
          if (op === '>=') return a >= b;
          if (op === '<') return a < b;
          return a <= b;
        }
      }
    };
  }

  protected compile(model: ModelDef, node: DomainNode): (rec: Rec) => boolean {
    switch (node.kind) {
      case 'true':
        return () => true;
      case 'leaf':
        return this.compileLeaf(model, node.leaf);
      case 'not': {
        const c = this.compile(model, node.child);
        return (r) => !c(r);
      }
      case 'and': {
        const l = this.compile(model, node.left);
        const r = this.compile(model, node.right);
        return (x) => l(x) && r(x);
      }
      case 'or': {
        const l = this.compile(model, node.left);
        const r = this.compile(model, node.right);
        return (x) => l(x) || r(x);
      }
    }
  }

  protected parseOrder(model: ModelDef, order: unknown): Array<{ field: string; desc: boolean }> {
    const text = typeof order === 'string' && order.trim() !== '' ? order : model.order;
    const keys: Array<{ field: string; desc: boolean }> = [];
    for (const part of text.split(',')) {
      const m = /^\s*"?([\w.]+)"?(?:\s+(asc|desc))?(?:\s+nulls\s+(?:first|last))?\s*$/i.exec(part);
      if (!m) throw new OdooException('value_error', `Invalid "order" specified (${text}).`);
      const field = m[1] as string;
      if (!this.field(model, field) && !LOG.has(field)) throw this.invalidField(model, field);
      keys.push({ field, desc: (m[2] ?? 'asc').toLowerCase() === 'desc' });
    }
    return keys;
  }

  search(
    modelName: string,
    domain: unknown,
    env: Env,
    opts: { offset?: unknown; limit?: unknown; order?: unknown } = {},
  ): Rec[] {
    const model = this.model(modelName);
    const tree = parseDomain(domain);
    let pred = this.compile(model, tree);
    if (this.ruleHidden.get(env.uid)?.has(modelName)) return [];
    if (model.fields.active && env.context.active_test !== false && !domainFields(tree).has('active')) {
      const inner = pred;
      pred = (rec) => rec.v.active !== false && inner(rec);
    }
    if (this.scope) {
      const inner = pred;
      pred = (rec) => this.companyAllowed(model, rec) && inner(rec);
    }
    const keys = this.parseOrder(model, opts.order);
    const offset = typeof opts.offset === 'number' ? opts.offset : 0;
    const limit = typeof opts.limit === 'number' && opts.limit > 0 ? opts.limit : undefined;
    const idAsc = keys.length === 1 && keys[0]?.field === 'id' && !keys[0].desc;
    const out: Rec[] = [];
    for (const rec of this.table(modelName).values()) {
      if (!this.visible(rec) || !pred(rec)) continue;
      out.push(rec);
      // Ids are allocated in insertion order, so an `id asc` scan can stop early.
      if (idAsc && limit !== undefined && out.length >= offset + limit) break;
    }
    if (!idAsc) {
      const cache = new Map<Rec, unknown[]>();
      const values = (rec: Rec): unknown[] => {
        let vals = cache.get(rec);
        if (!vals) {
          vals = keys.map((k) => this.raw(model, rec, k.field));
          cache.set(rec, vals);
        }
        return vals;
      };
      out.sort((a, b) => {
        const va = values(a);
        const vb = values(b);
        for (let i = 0; i < keys.length; i += 1) {
          const c = compareValues(va[i], vb[i]);
          if (c !== 0) return (keys[i] as { desc: boolean }).desc ? -c : c;
        }
        return a.id - b.id;
      });
    }
    return out.slice(offset, limit === undefined ? undefined : offset + limit);
  }

  read(
    modelName: string,
    recs: Rec[],
    fields: unknown,
    load: unknown = '_classic_read',
  ): Array<Record<string, unknown>> {
    const model = this.model(modelName);
    const names = this.fieldList(model, fields);
    const loadMode = load === undefined || load === '_classic_read' ? '_classic_read' : String(load);
    return recs.map((rec) => {
      const row: Record<string, unknown> = { id: rec.id };
      for (const name of names) if (name !== 'id') row[name] = this.render(model, rec, name, loadMode);
      return row;
    });
  }

  fieldList(model: ModelDef, fields: unknown): string[] {
    if (
      fields === undefined ||
      fields === null ||
      fields === false ||
      (Array.isArray(fields) && fields.length === 0)
    ) {
      return Object.keys(model.fields);
    }
    if (!Array.isArray(fields))
      throw new OdooException('value_error', `Invalid fields ${JSON.stringify(fields)}`);
    for (const name of fields) {
      // §9: a field list names the model without the word "model" (the order variant has it).
      if (typeof name !== 'string' || !model.fields[name])
        throw new OdooException('value_error', `Invalid field '${String(name)}' on '${model.name}'`);
    }
    return fields as string[];
  }

  browse(modelName: string, ids: unknown): Rec[] {
    const list = Array.isArray(ids) ? ids : typeof ids === 'number' ? [ids] : [];
    const out: Rec[] = [];
    for (const id of list) {
      if (typeof id !== 'number') throw new OdooException('value_error', `Invalid id ${JSON.stringify(id)}`);
      const rec = this.get(modelName, id);
      if (rec) out.push(rec);
    }
    return out;
  }

  /** Records for a write/unlink/action: every id must exist, else MissingError (§8). */
  browseExisting(modelName: string, ids: unknown, env: Env): Rec[] {
    const list = (Array.isArray(ids) ? ids : typeof ids === 'number' ? [ids] : []) as unknown[];
    const recs = this.browse(modelName, list);
    if (recs.length !== new Set(list).size) {
      const missing = list.filter((id) => typeof id === 'number' && !this.get(modelName, id));
      throw new OdooException(
        'missing',
        `${MISSING_MESSAGE}\n(Record: ${modelName}(${missing.join(', ')},), User: ${env.uid})`,
      );
    }
    return recs;
  }
}

function compareValues(a: unknown, b: unknown): number {
  const empty = (x: unknown): boolean => x === false || x === undefined || x === null || x === '';
  // Postgres: NULLs sort last ascending.
  if (empty(a) && empty(b)) return 0;
  if (empty(a)) return 1;
  if (empty(b)) return -1;
  if (Array.isArray(a) || Array.isArray(b)) return 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
