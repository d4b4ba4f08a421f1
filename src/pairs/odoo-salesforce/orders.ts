import { RecordError, type MlcError } from '../../errors.js';
import { fetchSaleOrders, readSaleOrders, type OdooSaleOrder } from '../../systems/odoo/sources/index.js';
import type { SfRecord, SfValues, WriteOutcome } from '../../systems/salesforce/index.js';
import type { Flow, FlowContext, SourceRecord, WriteItem, WriteResult } from '../../sync/types.js';
import { eachCompany, inEachCompany, type PairContext } from './context.js';
import { mapOrder, type OrderPayload } from './mappers.js';

type OrderData = OdooSaleOrder & { companyCode: string };

/**
 * Sales orders -> Orders on the standard price book, with their lines as OrderItems. An order and
 * its items are written as Draft (only a Draft order takes items), then activated. An activated
 * order that must take new or changed items is moved back to Draft first, or refused when
 * `orders.reopenActivated` is off. Items go through Collections upserts by their own external id,
 * 200 per call, so an order of any size lands whole.
 */
export function orderFlows(ctx: PairContext): Flow[] {
  const { odoo, options, companies, odooTime } = ctx;
  if (!options.orders.enabled) return [];
  const states = options.orders.states;
  const record = (o: OdooSaleOrder, companyCode: string): SourceRecord<OrderData> => ({
    id: o.ref,
    modified: o.modified.toISOString(),
    label: o.name,
    data: { ...o, companyCode },
  });
  return [
    {
      name: 'orders',
      entity: 'order',
      direction: 'odoo -> salesforce',
      description: `Odoo sales orders (${states.join(', ')}) with their lines -> Salesforce Orders and OrderItems (standard price book)`,
      serverTime: odooTime,
      read: (window) =>
        eachCompany(companies, async function* (c) {
          for await (const page of readSaleOrders(odoo, { window, scope: c, states }))
            yield page.map((o) => record(o, c.code));
        }),
      fetch: (refs) =>
        inEachCompany(companies, async (c) =>
          (await fetchSaleOrders(odoo, refs, { ...c, states })).map((o) => record(o, c.code)),
        ),
      map: (r) => mapOrder(r.data, r.data.companyCode, { activate: options.orders.activate }),
      write: (items, fctx) => writeOrders(ctx, items, fctx),
      provides: { kind: 'order', key: (p: OrderPayload) => p.ref },
      batchSize: 20,
    } satisfies Flow<OrderData, OrderPayload> as Flow,
  ];
}

async function writeOrders(
  ctx: PairContext,
  items: WriteItem<OrderPayload>[],
  fctx: FlowContext,
): Promise<WriteResult[]> {
  const { sf, f, sfLookups, options } = ctx;
  const failed = new Map<number, MlcError>();
  const fail = (i: number, e: MlcError): void => {
    if (!failed.has(i)) failed.set(i, e);
  };
  const refs = items.map((i) => i.payload.ref);
  const before = new Map(
    (await sfLookups.where('Order', ['Status', f.externalId], f.externalId, refs)).map((r) => [
      String(r[f.externalId]),
      r,
    ]),
  );
  const existingItems = new Map<string, SfRecord>();
  const itemsOfOrder = new Map<string, SfRecord[]>();
  const orderIds = [...before.values()].map((r) => r.Id);
  if (orderIds.length > 0) {
    for (const r of await sfLookups.where(
      'OrderItem',
      ['OrderId', 'PricebookEntryId', f.lineExternalId],
      'OrderId',
      orderIds,
    )) {
      existingItems.set(String(r[f.lineExternalId]), r);
      itemsOfOrder.set(String(r.OrderId), [...(itemsOfOrder.get(String(r.OrderId)) ?? []), r]);
    }
  }
  // Price book entries of the items, checked present by the dimension check.
  const entryOf = new Map<string, string>();
  for (const it of items)
    for (const line of it.payload.items)
      if (!entryOf.has(line.code)) {
        const id = await fctx.dims.get('pricebook_entry', line.code);
        if (id) entryOf.set(line.code, id);
      }

  // 1. Activated orders that must change go back to Draft (or are refused).
  const reopen: Array<{ i: number; id: string }> = [];
  items.forEach((it, i) => {
    const prior = before.get(it.payload.ref);
    if (prior?.Status !== 'Activated') return;
    if (!options.orders.reopenActivated) {
      fail(
        i,
        new RecordError(
          `Salesforce order ${it.payload.name} is activated: it takes no new or changed order products`,
          {
            code: 'odoo_salesforce.order_activated',
            hint: 'set the order back to Draft in Salesforce (or enable orders.reopenActivated), then mlc replay',
          },
        ),
      );
      return;
    }
    reopen.push({ i, id: prior.Id });
  });
  if (reopen.length > 0) {
    const outs = await sf.update(
      'Order',
      reopen.map((r) => ({ Id: r.id, Status: 'Draft' })),
    );
    reopen.forEach((r, k) => {
      const o = outs[k] as WriteOutcome;
      if (!o.ok) fail(r.i, o.error);
    });
  }

  // 2. The order headers, as Draft.
  const book = await sfLookups.standardBook();
  const heads = items.map((it, i) => ({ it, i })).filter(({ i }) => !failed.has(i));
  const headOut = new Map<number, WriteOutcome>();
  if (heads.length > 0) {
    const outs = await sf.upsert(
      'Order',
      f.externalId,
      heads.map(({ it }): SfValues => ({
        [f.externalId]: it.payload.ref,
        Account: { [f.externalId]: it.payload.accountRef },
        EffectiveDate: it.payload.effectiveDate,
        Status: 'Draft',
        Pricebook2Id: book,
        [f.company]: it.payload.companyCode,
      })),
    );
    heads.forEach(({ i }, k) => {
      const o = outs[k] as WriteOutcome;
      headOut.set(i, o);
      if (!o.ok) fail(i, o.error);
    });
  }

  // 3. Items. Order products whose line is gone from Odoo, or whose product changed (Salesforce
  // never changes an order product's price book entry), are deleted first; new ones name their order
  // and price book entry; existing ones change quantity, price and description.
  const lines: Array<{ i: number; values: SfValues }> = [];
  const stale: Array<{ i: number; id: string }> = [];
  for (const [i, o] of headOut) {
    if (!o.ok || failed.has(i)) continue;
    const it = items[i] as WriteItem<OrderPayload>;
    const wanted = new Set(it.payload.items.map((l) => l.ref));
    for (const prior of itemsOfOrder.get(o.id) ?? [])
      if (!wanted.has(String(prior[f.lineExternalId]))) stale.push({ i, id: prior.Id });
    for (const line of it.payload.items) {
      const entry = entryOf.get(line.code);
      if (!entry) {
        fail(
          i,
          new RecordError(
            `Order ${it.payload.name}: product ${line.code} has no active standard price book entry`,
            {
              code: 'odoo_salesforce.no_price_entry',
            },
          ),
        );
        break;
      }
      let prior = existingItems.get(line.ref);
      if (prior && (prior.OrderId !== o.id || prior.PricebookEntryId !== entry)) {
        stale.push({ i, id: prior.Id });
        prior = undefined;
      }
      lines.push({
        i,
        values: {
          [f.lineExternalId]: line.ref,
          Quantity: line.quantity,
          UnitPrice: line.unitPrice,
          Description: line.description,
          ...(prior ? {} : { OrderId: o.id, PricebookEntryId: entry }),
        },
      });
    }
  }
  const gone = stale.filter((s) => !failed.has(s.i));
  if (gone.length > 0) {
    const outs = await sf.delete(gone.map((s) => s.id));
    gone.forEach((s, k) => {
      const o = outs[k] as WriteOutcome;
      if (!o.ok) fail(s.i, o.error);
    });
  }
  const todo = lines.filter((l) => !failed.has(l.i));
  if (todo.length > 0) {
    const outs = await sf.upsert(
      'OrderItem',
      f.lineExternalId,
      todo.map((l) => l.values),
    );
    todo.forEach((l, k) => {
      const o = outs[k] as WriteOutcome;
      if (!o.ok) fail(l.i, o.error);
    });
  }

  // 4. Activation, once every item is in.
  const activate = items
    .map((it, i) => ({ it, i }))
    .filter(({ it, i }) => it.payload.activate && !failed.has(i) && headOut.get(i)?.ok);
  if (activate.length > 0) {
    const outs = await sf.update(
      'Order',
      activate.map(({ i }) => ({ Id: (headOut.get(i) as { id: string }).id, Status: 'Activated' })),
    );
    activate.forEach(({ i }, k) => {
      const o = outs[k] as WriteOutcome;
      if (!o.ok) fail(i, o.error);
    });
  }
  return items.map((it, i): WriteResult => {
    const e = failed.get(i);
    if (e) return { ok: false, error: e };
    const o = headOut.get(i) as WriteOutcome & { ok: true };
    return { ok: true, targetId: o.id, response: { created: o.created, items: it.payload.items.length } };
  });
}
