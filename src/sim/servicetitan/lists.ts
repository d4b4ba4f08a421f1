import { json, type SimResponse } from '../common/server.js';
import { traceId } from './auth.js';
import type { SimStore, SimEntity, Row } from './store.js';

/**
 * List and export endpoints (api notes §3, §8): page/pageSize (1–5000, default 50; page 0 is read
 * as 1), includeTotal (`totalCount` null otherwise), ids (at most 50), active (`True` by default) or
 * activeState (`ActiveOnly` by default), modifiedOnOrAfter (≥), modifiedBefore (<),
 * createdOnOrAfter, createdBefore, sort (`±Id`, `±ModifiedOn`, `±CreatedOn`), and the few
 * entity-specific filters mlc uses. Exports: `from` (a token or a date), opaque `continueFrom`,
 * active, inactive and deleted rows in change order.
 */
export interface ListRoute {
  entity: SimEntity;
  kind: 'list' | 'bare' | 'export';
  windowRequired?: boolean;
}

export const LIST_ROUTES: Record<string, ListRoute> = {
  'settings /tenant/{tenant}/business-units': { entity: 'business_units', kind: 'list' },
  'settings /tenant/{tenant}/export/business-units': { entity: 'business_units', kind: 'export' },
  'crm /tenant/{tenant}/customers': { entity: 'customers', kind: 'list' },
  'crm /tenant/{tenant}/export/customers': { entity: 'customers', kind: 'export' },
  'crm /tenant/{tenant}/customers/contacts': {
    entity: 'customer_contacts',
    kind: 'list',
    windowRequired: true,
  },
  'crm /tenant/{tenant}/export/customers/contacts': { entity: 'customer_contacts', kind: 'export' },
  'crm /tenant/{tenant}/locations': { entity: 'locations', kind: 'list' },
  'crm /tenant/{tenant}/export/locations': { entity: 'locations', kind: 'export' },
  'inventory /tenant/{tenant}/vendors': { entity: 'vendors', kind: 'list' },
  'inventory /tenant/{tenant}/purchase-orders': { entity: 'purchase_orders', kind: 'list' },
  'inventory /tenant/{tenant}/export/purchase-orders': { entity: 'purchase_orders', kind: 'export' },
  'accounting /tenant/{tenant}/inventory-bills': { entity: 'inventory_bills', kind: 'bare' },
  'accounting /tenant/{tenant}/inventory-bills/paginated': { entity: 'inventory_bills', kind: 'list' },
  'accounting /tenant/{tenant}/export/inventory-bills': { entity: 'inventory_bills', kind: 'export' },
  'accounting /tenant/{tenant}/invoices': { entity: 'invoices', kind: 'list' },
  'accounting /tenant/{tenant}/export/invoices': { entity: 'invoices', kind: 'export' },
  'accounting /tenant/{tenant}/payments': { entity: 'payments', kind: 'list' },
  'accounting /tenant/{tenant}/export/payments': { entity: 'payments', kind: 'export' },
  'accounting /tenant/{tenant}/payment-types': { entity: 'payment_types', kind: 'list' },
  'jpm /tenant/{tenant}/jobs': { entity: 'jobs', kind: 'list' },
  'jpm /tenant/{tenant}/export/jobs': { entity: 'jobs', kind: 'export' },
};

export function apiError(status: number, title: string, errors: Record<string, string[]> = {}): SimResponse {
  const types: Record<number, string> = {
    400: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
    404: 'https://tools.ietf.org/html/rfc7231#section-6.5.4',
    409: 'https://tools.ietf.org/html/rfc7231#section-6.5.8',
    422: 'https://tools.ietf.org/html/rfc4918#section-11.2',
    429: 'https://tools.ietf.org/html/rfc6585#section-4',
  };
  return json(status, {
    type: types[status] ?? 'about:blank',
    title,
    status,
    traceId: traceId(),
    errors,
    data: {},
  });
}

export type ListAnswer =
  { ok: true; body: Record<string, unknown> | unknown[]; rows: Row[] } | { ok: false; res: SimResponse };

const SORT = /^([+-]?)\s*(Id|ModifiedOn|Modified|CreatedOn)$/i;

export function listRows(
  store: SimStore,
  tenant: string,
  route: ListRoute,
  q: URLSearchParams,
  declared: Set<string>,
): ListAnswer {
  const bad = (field: string, message: string): ListAnswer => ({
    ok: false,
    res: apiError(400, 'One or more validation errors occurred.', { [field]: [message] }),
  });
  let rows = [...store.table(tenant, route.entity).values()].filter((r) => r._deleted !== true);
  const idValues = q
    .getAll('ids')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (idValues.length > 50) return bad('ids', 'Maximum 50 ids can be requested at once.');
  if (idValues.length > 0) {
    const ids = new Set(idValues.map(Number));
    rows = rows.filter((r) => ids.has(r.id));
  }
  if (declared.has('active')) {
    const active = (q.get('active') ?? 'True').toLowerCase();
    if (active === 'true') rows = rows.filter((r) => r.active !== false);
    else if (active === 'false') rows = rows.filter((r) => r.active === false);
  }
  if (declared.has('activeState')) {
    const state = (q.get('activeState') ?? 'ActiveOnly').toLowerCase();
    if (state === 'activeonly') rows = rows.filter((r) => r.active !== false);
    else if (state === 'inactiveonly') rows = rows.filter((r) => r.active === false);
  }
  const from = time(q.get('modifiedOnOrAfter'));
  const before = time(q.get('modifiedBefore'));
  if (route.windowRequired && from === undefined && before === undefined)
    return bad('modifiedBefore', 'Either modifiedBefore or modifiedOnOrAfter parameter must be specified');
  if (from !== undefined) rows = rows.filter((r) => Date.parse(r.modifiedOn) >= from);
  if (before !== undefined) rows = rows.filter((r) => Date.parse(r.modifiedOn) < before);
  const cFrom = time(q.get('createdOnOrAfter'));
  const cBefore = time(q.get('createdBefore'));
  if (cFrom !== undefined) rows = rows.filter((r) => Date.parse(r.createdOn) >= cFrom);
  if (cBefore !== undefined) rows = rows.filter((r) => Date.parse(r.createdOn) < cBefore);
  const customerId = q.get('customerId');
  if (customerId !== null && declared.has('customerId'))
    rows = rows.filter(
      (r) => Number(r.customerId ?? (r.customer as { id?: number } | undefined)?.id) === Number(customerId),
    );
  const customerIds = q.get('customerIds');
  if (customerIds !== null) {
    const set = new Set(customerIds.split(',').map(Number));
    rows = rows.filter((r) => set.has(Number(r.customerId)));
  }
  const applied = q.get('appliedToInvoiceIds');
  if (applied !== null && route.entity === 'payments') {
    const set = new Set(applied.split(',').map(Number));
    rows = rows.filter((r) =>
      ((r.appliedTo as Array<{ appliedTo: number }> | undefined) ?? []).some((a) => set.has(a.appliedTo)),
    );
  }
  const status = q.get('status');
  if (status !== null && route.entity === 'purchase_orders') rows = rows.filter((r) => r.status === status);
  const sort = q.get('sort');
  if (sort !== null && declared.has('sort')) {
    const m = SORT.exec(sort.trim());
    if (!m)
      return bad(
        'sort',
        `Sorting by '${sort}' is not supported. Available fields are: Id, ModifiedOn, CreatedOn.`,
      );
    const dir = m[1] === '-' ? -1 : 1;
    const field = (m[2] ?? 'Id').toLowerCase();
    const key = (r: Row): string | number =>
      field === 'id' ? r.id : field === 'createdon' ? r.createdOn : r.modifiedOn;
    rows.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return (ka < kb ? -1 : ka > kb ? 1 : a.id - b.id) * dir;
    });
  } else rows.sort((a, b) => a.id - b.id);
  const page = Math.max(1, Number(q.get('page') ?? '1'));
  const pageSize = Number(q.get('pageSize') ?? '50');
  if (!(pageSize >= 1 && pageSize <= 5000))
    return bad('pageSize', 'The field PageSize must be between 1 and 5000.');
  const slice = rows.slice((page - 1) * pageSize, page * pageSize);
  if (route.kind === 'bare') return { ok: true, body: slice, rows: slice };
  const includeTotal = (q.get('includeTotal') ?? 'false').toLowerCase() === 'true';
  return {
    ok: true,
    rows: slice,
    body: {
      page,
      pageSize,
      hasMore: page * pageSize < rows.length,
      totalCount: includeTotal ? rows.length : null,
      data: slice,
    },
  };
}

function time(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** Export tokens: opaque to clients; here the position (modifiedOn, id) after the last row sent. */
function token(modifiedOn: string, id: number): string {
  return Buffer.from(JSON.stringify([modifiedOn, id])).toString('base64');
}

function position(from: string | null): { at: string; id: number } | { error: string } | undefined {
  if (from === null || from === '') return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(from)) {
    const t = Date.parse(from);
    if (Number.isNaN(t)) return { error: `'${from}' is not a valid date or continuation token.` };
    return { at: new Date(t).toISOString(), id: -1 };
  }
  try {
    const v = JSON.parse(Buffer.from(from, 'base64').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number')
      return { at: v[0], id: v[1] };
  } catch {
    // falls through
  }
  return { error: 'The continuation token is not valid.' };
}

export function exportRows(
  store: SimStore,
  tenant: string,
  route: ListRoute,
  q: URLSearchParams,
  pageSize: number,
): ListAnswer {
  const pos = position(q.get('from'));
  if (pos && 'error' in pos)
    return {
      ok: false,
      res: apiError(400, 'One or more validation errors occurred.', { from: [pos.error] }),
    };
  const all = store
    .inChangeOrder(tenant, route.entity)
    .filter((r) => !pos || r.modifiedOn > pos.at || (r.modifiedOn === pos.at && r.id > pos.id));
  const slice = all
    .slice(0, pageSize)
    .map((r) => ({ ...r, active: r._deleted === true ? false : r.active !== false }));
  const last = slice[slice.length - 1];
  const continueFrom = last
    ? token(last.modifiedOn, last.id)
    : pos
      ? token(pos.at, pos.id)
      : token(new Date(0).toISOString(), -1);
  return { ok: true, rows: slice, body: { hasMore: all.length > slice.length, continueFrom, data: slice } };
}
