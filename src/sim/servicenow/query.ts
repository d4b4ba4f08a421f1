import type { FieldDef, TableDef } from './schema.js';

/**
 * Encoded queries (api notes §2): `field<op>value` terms joined by `^` (AND) and `^OR` (OR, binding
 * tighter than AND), `^NQ` (a new OR-ed query), `ORDERBYfield` / `ORDERBYDESCfield`, dot-walking one
 * level (`company.name=Acme`). A term naming an unknown field is dropped silently, as the real
 * instance does by default (`glide.invalid_query.returns_no_rows=false`, trap 2).
 */
export type Row = Record<string, string>;

export interface Term {
  field: string;
  op: string;
  value: string;
}

export interface ParsedQuery {
  /** OR of ANDs of OR-groups. An empty list matches every row. */
  queries: Term[][][];
  order: Array<{ field: string; desc: boolean }>;
}

/** Operators, longest first so that `>=` wins over `>` and `NOT IN` over `IN`. */
const OPERATORS = [
  'ISNOTEMPTY',
  'ISEMPTY',
  'NOT IN',
  'NOT LIKE',
  'NOTLIKE',
  'STARTSWITH',
  'ENDSWITH',
  'LIKE',
  'IN',
  '!=',
  '>=',
  '<=',
  '=',
  '>',
  '<',
];
const FIELD = /^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?/;

export interface QueryContext {
  table: TableDef;
  /** Resolves a table by name (dot-walking). */
  tableDef(name: string): TableDef | undefined;
  /** Loads a record by sys_id (dot-walking). */
  record(table: string, sysId: string): Row | undefined;
}

/** The definition of a field, possibly dot-walked; undefined when any part is unknown. */
export function fieldDef(ctx: QueryContext, field: string): FieldDef | undefined {
  if (!field.includes('.')) return ctx.table.fields[field];
  const [head, tail] = field.split('.', 2) as [string, string | undefined];
  const d = ctx.table.fields[head];
  if (!d) return undefined;
  if (tail === undefined) return d;
  if (d.type !== 'reference' || !d.ref) return undefined;
  return ctx.tableDef(d.ref)?.fields[tail];
}

/** The stored value of a field, possibly dot-walked. */
export function fieldValue(ctx: QueryContext, row: Row, field: string): string {
  if (!field.includes('.')) return row[field] ?? '';
  const [head, tail] = field.split('.', 2) as [string, string | undefined];
  const v = row[head] ?? '';
  if (tail === undefined) return v;
  const d = ctx.table.fields[head];
  if (!d?.ref || !v) return '';
  return ctx.record(d.ref, v)?.[tail] ?? '';
}

function parseTerm(text: string, ctx: QueryContext): Term | undefined {
  const m = FIELD.exec(text);
  if (!m) return undefined;
  const field = m[0];
  const rest = text.slice(field.length);
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (!op) return undefined;
  if (!fieldDef(ctx, field)) return undefined;
  return { field, op: op === 'NOTLIKE' ? 'NOT LIKE' : op, value: rest.slice(op.length) };
}

export function parseQuery(text: string, ctx: QueryContext): ParsedQuery {
  const order: ParsedQuery['order'] = [];
  const queries: Term[][][] = [];
  for (const part of text.split('^NQ')) {
    const groups: Term[][] = [];
    let terms = 0;
    for (const raw of part.split('^')) {
      if (raw === '') continue;
      if (raw.startsWith('ORDERBYDESC')) {
        const f = raw.slice('ORDERBYDESC'.length);
        if (fieldDef(ctx, f)) order.push({ field: f, desc: true });
        continue;
      }
      if (raw.startsWith('ORDERBY')) {
        const f = raw.slice('ORDERBY'.length);
        if (fieldDef(ctx, f)) order.push({ field: f, desc: false });
        continue;
      }
      terms += 1;
      // Field names are lower case, so an upper-case `OR` prefix is always the `^OR` joiner.
      const isOr = raw.startsWith('OR');
      const term = parseTerm(isOr ? raw.slice(2) : raw, ctx);
      if (!term) continue;
      const lastGroup = groups[groups.length - 1];
      if (isOr && lastGroup) lastGroup.push(term);
      else groups.push([term]);
    }
    // A part whose every term was dropped matches every row (it is OR-ed with the others).
    if (groups.length > 0 || terms > 0) queries.push(groups);
  }
  return { queries, order };
}

function compare(a: string, b: string, numeric: boolean): number {
  if (numeric) {
    const x = Number(a);
    const y = Number(b);
    if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  }
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function isNumeric(d: FieldDef | undefined): boolean {
  return d?.type === 'integer' || d?.type === 'decimal' || d?.type === 'currency';
}

function matchTerm(term: Term, row: Row, ctx: QueryContext): boolean {
  const v = fieldValue(ctx, row, term.field);
  const numeric = isNumeric(fieldDef(ctx, term.field));
  const lv = v.toLowerCase();
  const lq = term.value.toLowerCase();
  switch (term.op) {
    case '=':
      return compare(v, term.value, numeric) === 0;
    case '!=':
      return compare(v, term.value, numeric) !== 0;
    case '>':
      return v !== '' && compare(v, term.value, numeric) > 0;
    case '>=':
      return v !== '' && compare(v, term.value, numeric) >= 0;
    case '<':
      return v !== '' && compare(v, term.value, numeric) < 0;
    case '<=':
      return v !== '' && compare(v, term.value, numeric) <= 0;
    case 'IN':
      return term.value.split(',').some((x) => compare(v, x, numeric) === 0);
    case 'NOT IN':
      return !term.value.split(',').some((x) => compare(v, x, numeric) === 0);
    case 'LIKE':
      return lv.includes(lq);
    case 'NOT LIKE':
      return !lv.includes(lq);
    case 'STARTSWITH':
      return lv.startsWith(lq);
    case 'ENDSWITH':
      return lv.endsWith(lq);
    case 'ISEMPTY':
      return v === '';
    case 'ISNOTEMPTY':
      return v !== '';
    default:
      return true;
  }
}

export function matches(q: ParsedQuery, row: Row, ctx: QueryContext): boolean {
  if (q.queries.length === 0) return true;
  return q.queries.some((groups) => groups.every((group) => group.some((t) => matchTerm(t, row, ctx))));
}

/** Sorts by the ORDERBY terms (stable; insertion order otherwise). */
export function sortRows(rows: Row[], q: ParsedQuery, ctx: QueryContext): Row[] {
  if (q.order.length === 0) return rows;
  return [...rows].sort((a, b) => {
    for (const o of q.order) {
      const c = compare(
        fieldValue(ctx, a, o.field),
        fieldValue(ctx, b, o.field),
        isNumeric(fieldDef(ctx, o.field)),
      );
      if (c !== 0) return o.desc ? -c : c;
    }
    return 0;
  });
}

/**
 * The first field an encoded query names that does not exist or is in `denied` (dot-walks checked
 * whole and by their first part), or undefined. With `glide.export.query.enforce_field_acl` on, such
 * a query answers 403 instead of dropping the term (api notes §8).
 */
export function unreadableQueryField(
  text: string,
  ctx: QueryContext,
  denied: ReadonlySet<string>,
): string | undefined {
  for (const part of text.split('^NQ')) {
    for (const raw of part.split('^')) {
      if (raw === '') continue;
      const body = raw.startsWith('ORDERBYDESC')
        ? raw.slice('ORDERBYDESC'.length)
        : raw.startsWith('ORDERBY')
          ? raw.slice('ORDERBY'.length)
          : raw.startsWith('OR')
            ? raw.slice(2)
            : raw;
      const m = FIELD.exec(body);
      const field = m?.[0] ?? body;
      if (!fieldDef(ctx, field) || denied.has(field) || denied.has(field.split('.')[0] ?? field))
        return field;
    }
  }
  return undefined;
}
