import { RecordError, type MlcError } from '../../errors.js';
import { fetchSaleOrders, readSaleOrders, type OdooSaleOrder } from '../../systems/odoo/sources/index.js';
import type { SfRecord, SfValues, WriteOutcome } from '../../systems/salesforce/index.js';
import type { Flow, FlowContext, SourceRecord, WriteItem, WriteResult } from '../../sync/types.js';
import type { Company } from './companies.js';
import { eachCompany, inEachCompany, type PairContext } from './context.js';
import { entryKey, mapOrder, type OrderPayload } from './mappers.js';
import { orderReconcile } from './orders-reconcile.js';

export type OrderData = OdooSaleOrder & {
  companyCode: string;
  /** The company's price book by name; null: the standard one. */
  priceBook: string | null;
  /** Read because its Salesforce Order is Draft although it should be Activated: that order's SystemModstamp. */
  draftSince?: string;
};

/**
 * Sales orders -> Orders on their company's price book (the standard one unless `priceBooks` names
 * another), with their lines as OrderItems. An order and
 * its items are written as Draft (only a Draft order takes items), then activated. An activated
 * order that must take new or changed items is moved back to Draft first, or refused when
 * `orders.reopenActivated` is off. Items go through Collections upserts by their own external id,
 * 200 per call, so an order of any size lands whole.
 */
export function orderFlows(ctx: PairContext): Flow[] {
  const { odoo, options, companies, odooTime } = ctx;
  if (!options.orders.enabled) return [];
  const states = options.orders.states;
  // Orders the orders flow failed in this pass: theirs is the failure people see, not a second one.
  const failedNow = new Set<string>();
  const record = (o: OdooSaleOrder, c: Company, draftSince?: string): SourceRecord<OrderData> => ({
    id: o.ref,
    modified: o.modified.toISOString(),
    label: o.name,
    data: {
      ...o,
      companyCode: c.code,
      priceBook: c.priceBook,
      ...(draftSince === undefined ? {} : { draftSince }),
    },
  });
  return [
    {
      name: 'orders',
      entity: 'order',
      direction: 'odoo -> salesforce',
      description: `Odoo sales orders (${states.join(', ')}) with their lines -> Salesforce Orders and OrderItems (on each company's price book)`,
      serverTime: odooTime,
      read: (window) => {
        failedNow.clear();
        return eachCompany(companies, async function* (c) {
          for await (const page of readSaleOrders(odoo, { window, scope: c, states }))
            yield page.map((o) => record(o, c));
        });
      },
      fetch: (refs) =>
        inEachCompany(companies, async (c) =>
          (await fetchSaleOrders(odoo, refs, { ...c, states })).map((o) => record(o, c)),
        ),
      map: (r) =>
        mapOrder(r.data, r.data.companyCode, {
          activate: options.orders.activate,
          priceBook: r.data.priceBook,
        }),
      write: async (items, fctx) => {
        const results = await writeOrders(ctx, items, fctx);
        results.forEach((r, i) => {
          if (!r.ok) failedNow.add((items[i] as WriteItem<OrderPayload>).payload.ref);
        });
        return results;
      },
      provides: { kind: 'order', key: (p: OrderPayload) => p.ref },
      batchSize: 20,
      reconcile: orderReconcile(ctx),
    } satisfies Flow<OrderData, OrderPayload> as Flow,
    ...(options.orders.activate
      ? [
          {
            name: 'order_activation',
            entity: 'order_activation',
            direction: 'odoo -> salesforce',
            description:
              'Salesforce Orders found Draft while Odoo holds them confirmed -> written again from Odoo and activated',
            serverTime: odooTime,
            read: () => lostActivations(ctx, record, failedNow),
            fetch: async (refs) => {
              const drafts = await ctx.sfLookups.draftOrders(refs);
              return inEachCompany(companies, async (c) =>
                (await fetchSaleOrders(odoo, refs, { ...c, states })).map((o) =>
                  record(o, c, drafts.get(o.ref)),
                ),
              );
            },
            map: (r) =>
              mapOrder(r.data, r.data.companyCode, {
                activate: true,
                priceBook: r.data.priceBook,
                ...(r.data.draftSince === undefined ? {} : { draftSince: r.data.draftSince }),
              }),
            write: (items, fctx) => writeOrders(ctx, items, fctx),
            batchSize: 20,
          } satisfies Flow<OrderData, OrderPayload> as Flow,
        ]
      : []),
  ];
}

/**
 * Orders whose activation was lost: their Salesforce Order is Draft while Odoo holds them confirmed
 * (a person moved it back, a move back to Draft arrived after the activation that followed it, an
 * activation refused). Every pass looks at the pair's Draft Orders as they are now (not at a window:
 * it runs after the orders flow, so what that flow just wrote is Activated already) and reads their
 * Odoo orders again, carrying the Draft order's SystemModstamp: the record path then writes each
 * order whole again and activates it, and the same Draft state is handled once.
 */
async function* lostActivations(
  ctx: PairContext,
  record: (o: OdooSaleOrder, c: Company, draftSince?: string) => SourceRecord<OrderData>,
  failedNow: ReadonlySet<string>,
): AsyncGenerator<SourceRecord<OrderData>[]> {
  const drafts = await ctx.sfLookups.draftOrders();
  for (const ref of failedNow) drafts.delete(ref);
  if (drafts.size === 0) return;
  for (const c of await ctx.companies.all()) {
    const orders = await fetchSaleOrders(ctx.odoo, [...drafts.keys()], {
      ...c,
      states: ctx.options.orders.states,
    });
    const lost = orders.filter((o) => o.state === 'sale');
    if (lost.length > 0) yield lost.map((o) => record(o, c, drafts.get(o.ref)));
  }
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
  const bookIds = new Map<string | null, string>();
  for (const it of items)
    if (!bookIds.has(it.payload.priceBook))
      bookIds.set(it.payload.priceBook, await sfLookups.bookId(it.payload.priceBook));
  const header = (p: OrderPayload): SfValues => ({
    Name: p.name,
    Account: { [f.externalId]: p.accountRef },
    EffectiveDate: p.effectiveDate,
    Pricebook2Id: bookIds.get(p.priceBook),
    [f.company]: p.companyCode,
  });
  const before = await ordersByRef(
    ctx,
    items.map((i) => i.payload.ref),
  );
  const headOut = new Map<number, WriteOutcome>();

  // 1. New orders are created, as Draft: the only write that names a status it does not mean to
  // change. A create is not repeated on a lost answer (its late arrival would meet the repeat's
  // order); the pass stops instead, and the next one finds the order the create left, if any. An
  // order that exists after all (the external id is unique: DUPLICATE_VALUE) joins the updates.
  const fresh = items.map((it, i) => ({ it, i })).filter(({ it }) => !before.has(it.payload.ref));
  if (fresh.length > 0) {
    const outs = await sf.create(
      'Order',
      fresh.map(({ it }) => ({
        [f.externalId]: it.payload.ref,
        ...header(it.payload),
        Status: 'Draft',
      })),
    );
    const raced: Array<{ i: number; error: MlcError }> = [];
    fresh.forEach(({ i }, k) => {
      const o = outs[k] as WriteOutcome;
      if (o.ok) headOut.set(i, { ...o, created: true });
      else if (errorCode(o.error) === 'DUPLICATE_VALUE') raced.push({ i, error: o.error });
      else fail(i, o.error);
    });
    if (raced.length > 0) {
      const found = await ordersByRef(
        ctx,
        raced.map((r) => (items[r.i] as WriteItem<OrderPayload>).payload.ref),
      );
      for (const r of raced) {
        const ref = (items[r.i] as WriteItem<OrderPayload>).payload.ref;
        const row = found.get(ref);
        if (row) before.set(ref, row);
        else fail(r.i, r.error);
      }
    }
  }

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
  // Price book entries of the items in their order's book, checked present by the dimension check.
  const entryOf = new Map<string, string>();
  for (const it of items)
    for (const line of it.payload.items) {
      const key = entryKey(line.code, it.payload.priceBook);
      if (!entryOf.has(key)) {
        const id = await fctx.dims.get('pricebook_entry', key);
        if (id) entryOf.set(key, id);
      }
    }

  // 2. Activated orders that must change go back to Draft (or are refused). Not repeated on a lost
  // answer either: a late "Draft" landing after the repeat and the activation that follows would
  // undo that activation; the pass stops and the next one writes the order again from what it finds.
  const updates = items
    .map((it, i) => ({ it, i }))
    .filter(({ it, i }) => !headOut.has(i) && !failed.has(i) && before.has(it.payload.ref));
  const reopen: Array<{ i: number; id: string }> = [];
  for (const { it, i } of updates) {
    const prior = before.get(it.payload.ref) as SfRecord;
    if (prior.Status !== 'Activated') continue;
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
      continue;
    }
    reopen.push({ i, id: prior.Id });
  }
  if (reopen.length > 0) {
    const outs = await sf.update(
      'Order',
      reopen.map((r) => ({ Id: r.id, Status: 'Draft' })),
      { repeat: false },
    );
    reopen.forEach((r, k) => {
      const o = outs[k] as WriteOutcome;
      if (!o.ok) fail(r.i, o.error);
    });
  }

  // 3. Headers of existing orders, without a status: whenever this write lands, it leaves the status
  // as it finds it.
  const heads = updates.filter(({ i }) => !failed.has(i));
  if (heads.length > 0) {
    const outs = await sf.upsert(
      'Order',
      f.externalId,
      heads.map(({ it }): SfValues => ({ [f.externalId]: it.payload.ref, ...header(it.payload) })),
    );
    heads.forEach(({ i }, k) => {
      const o = outs[k] as WriteOutcome;
      headOut.set(i, o);
      if (!o.ok) fail(i, o.error);
    });
  }

  // 4. Items. Order products whose line is gone from Odoo, or whose product changed (Salesforce
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
      const entry = entryOf.get(entryKey(line.code, it.payload.priceBook));
      if (!entry) {
        fail(
          i,
          new RecordError(
            `Order ${it.payload.name}: product ${line.code} has no active entry in ${it.payload.priceBook === null ? 'the standard price book' : `price book "${it.payload.priceBook}"`}`,
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

  // 5. Activation, once every item is in (repeating it is harmless).
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

/** The pair's Orders by external id, with their status. */
async function ordersByRef(ctx: PairContext, refs: string[]): Promise<Map<string, SfRecord>> {
  const { f, sfLookups } = ctx;
  return new Map(
    (await sfLookups.where('Order', ['Status', f.externalId], f.externalId, refs)).map((r) => [
      String(r[f.externalId]),
      r,
    ]),
  );
}

const errorCode = (e: MlcError): unknown => (e.data as { errorCode?: unknown } | undefined)?.errorCode;
