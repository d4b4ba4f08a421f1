import type { SimResponse } from '../common/server.js';
import type { RecordSpec } from './record-specs.js';
import { writeTransaction, type TransactionInput } from './seed.js';
import type { Store } from './store.js';
import { errorBody } from './wire.js';

/**
 * POST of a purchase order or vendor bill (204 + Location): header fields, `subsidiary`, and the
 * `item` / `expense` sublists as `{items: [...]}`; every reference must exist.
 */
export function createTransaction(
  store: Store,
  tz: string,
  base: string,
  name: string,
  spec: RecordSpec,
  body: unknown,
): SimResponse {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return errorBody(400, 'INVALID_CONTENT', 'The request body is not a JSON object.');
  const b = body as Record<string, unknown>;
  const refId = (v: unknown, table: string, field: string): number | SimResponse | null => {
    if (v === undefined || v === null) return null;
    const id = Number((v as { id?: unknown }).id);
    if (!store.get(table, id))
      return errorBody(
        400,
        'INVALID_FIELD_VALUE',
        `Invalid Field Value ${String((v as { id?: unknown }).id)} for the following field: ${field}`,
        field,
      );
    return id;
  };
  const subsidiary = refId(b.subsidiary, 'subsidiary', 'subsidiary');
  const entity = refId(b.entity, 'vendor', 'entity');
  if (typeof subsidiary === 'object' && subsidiary !== null) return subsidiary;
  if (typeof entity === 'object' && entity !== null) return entity;
  if (subsidiary === null || entity === null)
    return errorBody(
      400,
      'USER_ERROR',
      `Please enter value(s) for: ${subsidiary === null ? 'subsidiary' : 'entity'}`,
    );
  const lines: TransactionInput['lines'] = [];
  for (const sub of spec.sublists ?? []) {
    const items = ((b[sub] as { items?: unknown[] } | undefined)?.items ?? []) as Array<
      Record<string, unknown>
    >;
    for (const [i, l] of items.entries()) {
      const path = `${sub}.items[${i}]`;
      const department = refId(l.department, 'department', `${path}.department`);
      if (typeof department === 'object' && department !== null) return department;
      if (sub === 'expense') {
        const account = refId(l.account, 'account', `${path}.account`);
        if (typeof account === 'object' && account !== null) return account;
        if (account === null || typeof l.amount !== 'number')
          return errorBody(400, 'USER_ERROR', `Please enter value(s) for: ${path}.account, amount`, path);
        lines.push({
          account,
          amount: l.amount,
          department,
          memo: typeof l.memo === 'string' ? l.memo : null,
        });
      } else {
        const item = refId(l.item, 'item', `${path}.item`);
        if (typeof item === 'object' && item !== null) return item;
        if (item === null || typeof l.quantity !== 'number' || typeof l.rate !== 'number')
          return errorBody(
            400,
            'USER_ERROR',
            `Please enter value(s) for: ${path}.item, quantity, rate`,
            path,
          );
        const memo = typeof l.description === 'string' ? l.description : null;
        lines.push({ item, quantity: l.quantity, rate: l.rate, department, memo });
      }
    }
  }
  for (const k of Object.keys(b))
    if (
      ![
        'tranId',
        'entity',
        'subsidiary',
        'tranDate',
        'dueDate',
        'memo',
        'otherRefNum',
        'externalId',
        ...(spec.sublists ?? []),
      ].includes(k)
    )
      return errorBody(
        400,
        'NONEXISTENT_FIELD',
        `Field '${k}' does not exist or cannot be set on this record.`,
        k,
      );
  const tranDate =
    typeof b.tranDate === 'string' ? b.tranDate : new Date(store.now()).toISOString().slice(0, 10);
  const row = writeTransaction(
    store,
    {
      type: spec.tranType as TransactionInput['type'],
      tranid:
        typeof b.tranId === 'string' ? b.tranId : `${spec.tranType}${store.rows('transaction').length + 1}`,
      subsidiary,
      entity,
      trandate: tranDate,
      ...(typeof b.dueDate === 'string' ? { duedate: b.dueDate } : {}),
      memo: typeof b.memo === 'string' ? b.memo : null,
      otherrefnum: typeof b.otherRefNum === 'string' ? b.otherRefNum : null,
      externalid: typeof b.externalId === 'string' ? b.externalId : null,
      lines,
    },
    tz,
  );
  return {
    status: 204,
    headers: { location: `${base}/services/rest/record/v1/${name.toLowerCase()}/${String(row.id)}` },
  };
}
