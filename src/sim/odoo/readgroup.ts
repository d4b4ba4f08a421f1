/**
 * `formatted_read_group` (19.0, the successor of `read_group`): one level of grouping per groupby
 * field, `"<field>:<sum|min|max|avg|count|count_distinct>"` and `"__count"` aggregates, each group
 * with its groupby values (many2one as `[id, name]`) and an `__extra_domain` selecting it.
 */
import { OdooException } from './exceptions.js';
import { PyFloat } from './pyvalue.js';
import type { Env, OdooStore, Rec } from './store.js';

export function formattedReadGroup(
  store: OdooStore,
  modelName: string,
  args: Record<string, unknown>,
  env: Env,
): Array<Record<string, unknown>> {
  const model = store.model(modelName);
  const groupby = Array.isArray(args.groupby) ? (args.groupby as unknown[]).map(String) : [];
  const aggregates = Array.isArray(args.aggregates) ? (args.aggregates as unknown[]).map(String) : [];
  for (const g of groupby) {
    if (!model.fields[g.split(':')[0] as string])
      throw new OdooException('value_error', `Invalid field '${g}' on model '${modelName}'`);
  }
  const recs = store.search(modelName, args.domain ?? [], env);
  const groups = new Map<string, Rec[]>();
  for (const rec of recs) {
    const key = JSON.stringify(groupby.map((g) => store.raw(model, rec, g.split(':')[0] as string)));
    const list = groups.get(key);
    if (list) list.push(rec);
    else groups.set(key, [rec]);
  }
  const out = [...groups.values()].map((members) => {
    const first = members[0] as Rec;
    const row: Record<string, unknown> = {};
    const extra: unknown[] = [];
    for (const g of groupby) {
      const field = g.split(':')[0] as string;
      row[g] = store.render(model, first, field, '_classic_read');
      extra.push([field, '=', store.raw(model, first, field)]);
    }
    row.__extra_domain = extra;
    for (const spec of aggregates) {
      if (spec === '__count') {
        row.__count = members.length;
        continue;
      }
      const [field, fn] = spec.split(':') as [string, string | undefined];
      const def = model.fields[field];
      if (!def || !fn)
        throw new OdooException('value_error', `Invalid aggregate '${spec}' on model '${modelName}'`);
      const values = members.map((r) => store.raw(model, r, field)).filter((v) => v !== false);
      const nums = values.filter((v): v is number => typeof v === 'number');
      const float = def.type === 'float' || def.type === 'monetary';
      const asNumber = (n: number): unknown => (float ? new PyFloat(Math.round(n * 100) / 100) : n);
      switch (fn) {
        case 'sum':
          row[spec] = asNumber(nums.reduce((a, b) => a + b, 0));
          break;
        case 'min':
          row[spec] = nums.length ? asNumber(Math.min(...nums)) : false;
          break;
        case 'max':
          row[spec] = nums.length ? asNumber(Math.max(...nums)) : false;
          break;
        case 'avg':
          row[spec] = nums.length ? new PyFloat(nums.reduce((a, b) => a + b, 0) / nums.length) : false;
          break;
        case 'count':
          row[spec] = values.length;
          break;
        case 'count_distinct':
          row[spec] = new Set(values.map((v) => JSON.stringify(v))).size;
          break;
        default:
          throw new OdooException('value_error', `Invalid aggregate function '${fn}'`);
      }
    }
    return row;
  });
  // Groups sort by their groupby values (a many2one by its display name), as `order` asks.
  const order = typeof args.order === 'string' && args.order.trim() ? args.order : groupby.join(',');
  const keys = order
    .split(',')
    .map((k) => k.trim().split(/\s+/))
    .filter(([f]) => f);
  const sortValue = (row: Record<string, unknown>, f: string): unknown => {
    const v = row[f];
    return Array.isArray(v) ? v[1] : v instanceof PyFloat ? v.value : v;
  };
  out.sort((a, b) => {
    for (const [f, dir] of keys) {
      const va = sortValue(a, f as string);
      const vb = sortValue(b, f as string);
      if (va === vb) continue;
      const c = String(va) < String(vb) ? -1 : 1;
      return dir?.toLowerCase() === 'desc' ? -c : c;
    }
    return 0;
  });
  const offset = typeof args.offset === 'number' ? args.offset : 0;
  const limit = typeof args.limit === 'number' ? args.limit : undefined;
  return out.slice(offset, limit === undefined ? undefined : offset + limit);
}
