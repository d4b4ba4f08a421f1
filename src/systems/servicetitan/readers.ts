import { InternalError } from '../../errors.js';
import type { ReadWindow } from '../types.js';
import { stEntity, type StEntity, type StEntityName } from './entities.js';
import { parseMoney } from './money.js';
import { exportSchema, pageSchema, type StRow } from './schemas.js';
import type { StTransport } from './transport.js';

/**
 * Reading ServiceTitan (api notes §3): windowed page-based lists and export feeds. Which one each
 * entity uses, and why, is declared in entities.ts. Every row's money fields arrive as canonical
 * decimal strings (money.ts).
 */

/** Restarts of one window allowed when rows leave it during the read (see readList). */
const MAX_RESTARTS = 5;
const MAX_IDS = 50;

/**
 * Rows of `entity` changed in the window (`modifiedOn` ≥ since, < until), page by page. Rows of
 * customers carry `survivorId`: their own id, or for a merged customer the id of the customer it was
 * merged into, followed to the end of the chain.
 */
export async function* readChanged(
  t: StTransport,
  name: StEntityName,
  opts: { window: ReadWindow; pageSize?: number; params?: Record<string, string> },
): AsyncGenerator<StRow[]> {
  const entity = stEntity(name);
  const pages =
    entity.via === 'export' ? readExportWindow(t, entity, opts.window) : readList(t, entity, opts);
  for await (const page of pages) {
    yield name === 'customers' ? await withSurvivors(t, page) : page;
  }
}

/**
 * A page-based list pinned to the window: `modifiedOnOrAfter` (inclusive), `modifiedBefore`
 * (exclusive), the inactive-rows filter, `includeTotal=true`, `page` 1, 2, … while `hasMore`.
 * Nothing can enter a window that ends in the past, but a row changed or deleted during the read
 * leaves it, and the rows behind it move one place forward: a page would then skip a row. The
 * total shrinks when that happens, so a smaller `totalCount` than the first page's restarts the
 * window, yielding only rows not yielded yet.
 * (https://developer.servicetitan.io/docs/timeouts-and-pagination)
 */
async function* readList(
  t: StTransport,
  entity: StEntity,
  opts: { window: ReadWindow; pageSize?: number; params?: Record<string, string> },
): AsyncGenerator<StRow[]> {
  const seen = new Set<string>();
  const pageSize = String(opts.pageSize ?? t.pageSize);
  for (let restart = 0; ; restart += 1) {
    let firstTotal: number | undefined;
    let shrunk = false;
    for (let page = 1; ; page += 1) {
      const params = new URLSearchParams({ page: String(page), pageSize, includeTotal: 'true' });
      if (opts.window.since) params.set('modifiedOnOrAfter', opts.window.since.toISOString());
      params.set('modifiedBefore', opts.window.until.toISOString());
      if (entity.inactive) params.set(entity.inactive.param, entity.inactive.value);
      if (entity.sort) params.set('sort', entity.sort);
      if (t.externalDataApplicationGuid)
        params.set('externalDataApplicationGuid', t.externalDataApplicationGuid);
      for (const [k, v] of Object.entries(opts.params ?? {})) params.set(k, v);
      const body = await fetchPage(t, entity, params);
      const fresh = body.data.filter((row) => {
        const key = `${row.id}|${String(row.modifiedOn ?? '')}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      if (fresh.length > 0) yield fresh.map((r) => normalizeMoney(r, entity.money));
      const total = body.totalCount ?? undefined;
      if (firstTotal === undefined) firstTotal = total;
      else if (total !== undefined && total < firstTotal) {
        shrunk = true;
        break;
      }
      if (!body.hasMore) break;
    }
    if (!shrunk || restart >= MAX_RESTARTS) return;
  }
}

async function fetchPage(t: StTransport, entity: StEntity, params: URLSearchParams) {
  const res = await t.call('GET', entity.module, entity.list, {
    op: `servicetitan.list.${entity.name}`,
    kind: 'list',
    idempotent: true,
    searchParams: params,
    money: entity.money,
  });
  const parsed = pageSchema.safeParse(res.body);
  if (!parsed.success)
    throw new InternalError(`GET ${entity.list}: the page does not have the documented envelope`, {
      code: 'servicetitan.bad_page',
      data: { issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) },
    });
  return parsed.data;
}

/**
 * The export feed from the window's start (`from=<since>`, or the beginning), followed with
 * `continueFrom` while `hasMore`; rows outside the window are dropped (a later pass reads them).
 */
async function* readExportWindow(
  t: StTransport,
  entity: StEntity,
  window: ReadWindow,
): AsyncGenerator<StRow[]> {
  const since = window.since?.getTime();
  const until = window.until.getTime();
  for await (const chunk of exportFeed(
    t,
    entity.name,
    window.since ? window.since.toISOString() : undefined,
  )) {
    const rows = chunk.rows.filter((r) => {
      const at = typeof r.modifiedOn === 'string' ? Date.parse(r.modifiedOn) : NaN;
      // A row without a change stamp cannot be placed in a window: it belongs to the first one.
      if (Number.isNaN(at)) return since === undefined;
      return at < until && (since === undefined || at >= since);
    });
    if (rows.length > 0) yield rows;
  }
}

/**
 * An export feed (api notes §3.2): `from` is a previous `continueFrom` token, an ISO date, or
 * nothing (the beginning). Yields each chunk with the token that continues after it; a consumer
 * that keeps the token as its cursor stores the last one once the chunk is handled. Exports return
 * active, inactive and deleted rows and ignore the list filters.
 */
export async function* exportFeed(
  t: StTransport,
  name: StEntityName,
  from?: string,
  opts: { includeRecentChanges?: boolean } = {},
): AsyncGenerator<{ rows: StRow[]; continueFrom: string; hasMore: boolean }> {
  const entity = stEntity(name);
  if (!entity.export)
    throw new InternalError(`ServiceTitan has no export of ${name}`, { code: 'servicetitan.no_export' });
  let token = from;
  for (let guard = 0; guard < 1_000_000; guard += 1) {
    const params = new URLSearchParams();
    if (token !== undefined) params.set('from', token);
    if (opts.includeRecentChanges) params.set('includeRecentChanges', 'true');
    const res = await t.call('GET', entity.module, entity.export, {
      op: `servicetitan.export.${name}`,
      kind: 'list',
      idempotent: true,
      searchParams: params,
      money: entity.money,
    });
    const parsed = exportSchema.safeParse(res.body);
    if (!parsed.success)
      throw new InternalError(`GET ${entity.export}: the answer does not have the export envelope`, {
        code: 'servicetitan.bad_page',
      });
    yield {
      rows: parsed.data.data.map((r) => normalizeMoney(r, entity.money)),
      continueFrom: parsed.data.continueFrom,
      hasMore: parsed.data.hasMore,
    };
    if (!parsed.data.hasMore) return;
    if (parsed.data.continueFrom === token)
      throw new InternalError(`GET ${entity.export}: hasMore with the same continueFrom token`, {
        code: 'servicetitan.export_stuck',
      });
    token = parsed.data.continueFrom;
  }
}

/** Records by id as they are now (replay, look-ups), 50 ids per request (api notes §7 trap 11), inactive ones included. */
export async function getByIds(t: StTransport, name: StEntityName, ids: readonly number[]): Promise<StRow[]> {
  const entity = stEntity(name);
  if (name === 'customer_contacts')
    throw new InternalError('customer contacts are read by customer (readChanged), not by contact id', {
      code: 'servicetitan.no_get_by_id',
    });
  const out: StRow[] = [];
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += MAX_IDS) {
    const chunk = unique.slice(i, i + MAX_IDS);
    const params = new URLSearchParams({ pageSize: String(MAX_IDS), page: '1' });
    // Vendors declare `ids` as an array (one `ids=` per id); the other lists take a comma-separated string.
    if (name === 'vendors') for (const id of chunk) params.append('ids', String(id));
    else params.set('ids', chunk.join(','));
    if (entity.inactive) params.set(entity.inactive.param, entity.inactive.value);
    const body = await fetchPage(t, entity, params);
    out.push(...body.data.map((r) => normalizeMoney(r, entity.money)));
  }
  return name === 'customers' ? withSurvivors(t, out) : out;
}

/**
 * Follows `mergedToId` (api notes §7 trap 3): merged customers stay, inactive, with the id of the
 * customer that absorbed them, which may itself have been merged since. Returns merged id →
 * surviving id, looked up with `active=Any`. A chain that loops or ends at a missing customer maps
 * to the last id found.
 */
export async function followMergedCustomers(
  t: StTransport,
  rows: readonly StRow[],
): Promise<Map<number, number>> {
  const next = new Map<number, number>();
  for (const r of rows) if (typeof r.mergedToId === 'number') next.set(r.id, r.mergedToId);
  const known = new Set(rows.map((r) => r.id));
  let pending = [...new Set(next.values())].filter((id) => !known.has(id));
  for (let depth = 0; pending.length > 0 && depth < 10; depth += 1) {
    const found = await getByIdsRaw(t, pending);
    pending = [];
    for (const r of found) {
      known.add(r.id);
      if (typeof r.mergedToId === 'number') {
        next.set(r.id, r.mergedToId);
        if (!known.has(r.mergedToId)) pending.push(r.mergedToId);
      }
    }
  }
  const out = new Map<number, number>();
  for (const start of next.keys()) {
    let id = start;
    const visited = new Set<number>([id]);
    for (let to = next.get(id); to !== undefined && !visited.has(to); to = next.get(id)) {
      id = to;
      visited.add(id);
    }
    out.set(start, id);
  }
  return out;
}

async function getByIdsRaw(t: StTransport, ids: number[]): Promise<StRow[]> {
  const entity = stEntity('customers');
  const out: StRow[] = [];
  for (let i = 0; i < ids.length; i += MAX_IDS) {
    const params = new URLSearchParams({
      ids: ids.slice(i, i + MAX_IDS).join(','),
      pageSize: String(MAX_IDS),
      active: 'Any',
    });
    out.push(...(await fetchPage(t, entity, params)).data);
  }
  return out;
}

async function withSurvivors(t: StTransport, rows: StRow[]): Promise<StRow[]> {
  const survivors = await followMergedCustomers(t, rows);
  return rows.map((r) => ({ ...r, survivorId: survivors.get(r.id) ?? r.id }));
}

/** Money keys anywhere in a row (items included) as canonical decimal strings. */
export function normalizeMoney<T>(value: T, keys: readonly string[]): T {
  if (keys.length === 0) return value;
  return walk(value, new Set(keys)) as T;
}

function walk(value: unknown, keys: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, keys));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (keys.has(k) && (typeof v === 'string' || typeof v === 'number')) {
      try {
        out[k] = parseMoney(v);
      } catch {
        throw new InternalError(`ServiceTitan sent ${k} = ${JSON.stringify(v)}, which is not an amount`, {
          code: 'servicetitan.bad_amount',
        });
      }
    } else out[k] = walk(v, keys);
  }
  return out;
}

/**
 * A row as the engine's `SourceRecord`: the id carries the tenant (`<tenant>/<id>`, so two tenants'
 * records never share an id-map key), `modified` is the row's `modifiedOn` (falling back to
 * `createdOn` for models where it is optional), `label` the entity's human reference.
 */
export function toSourceRecord(
  tenant: string,
  name: StEntityName,
  row: StRow,
): { id: string; modified: string; label: string; data: StRow } {
  const entity = stEntity(name);
  const modified =
    typeof row.modifiedOn === 'string'
      ? row.modifiedOn
      : typeof row.createdOn === 'string'
        ? row.createdOn
        : '';
  return { id: `${tenant}/${row.id}`, modified, label: entity.label(row) || String(row.id), data: row };
}

/** The ServiceTitan id of a `toSourceRecord` id (`"1000001/42"` → 42); throws on another tenant's id. */
export function fromSourceId(tenant: string, sourceId: string): number {
  const m = /^(\d+)\/(\d+)$/.exec(sourceId);
  if (!m || m[1] !== tenant)
    throw new InternalError(`${sourceId} is not a record id of ServiceTitan tenant ${tenant}`, {
      code: 'servicetitan.foreign_id',
    });
  return Number(m[2]);
}
