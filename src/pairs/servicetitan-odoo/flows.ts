/**
 * The flows of servicetitan-odoo, in dependency order: business units (analytic accounts), vendors
 * and customers (partners) before the purchase orders, vendor bills, sale orders and invoices that
 * name them.
 *
 * Invoices and payments "both ways": ServiceTitan has no API to create an invoice (invoices come from
 * jobs; api notes §4), so invoices go one way, ServiceTitan -> Odoo customer invoices, and each
 * invoice written is then marked exported in ServiceTitan (`invoices/markasexported`) with its Odoo
 * reference: that is what flows back. Payments move both ways: taken in ServiceTitan (field
 * collections, collections.ts, option `collections`) they are registered on the Odoo invoice; made
 * in Odoo (payments.ts, option `payments`) they are created in ServiceTitan once per `exportId`.
 * Neither direction sends back what the other wrote (memo markers, see both files).
 */
import { RecordError } from '../../errors.js';
import {
  analyticAccountSink,
  customerInvoiceSink,
  orderLines,
  partnerSink,
  purchaseOrderSink,
  saleOrderSink,
  vendorBillSink,
  type SinkResult,
} from '../../systems/odoo/sinks/index.js';
import type { StRow } from '../../systems/servicetitan/index.js';
import type { Flow, FlowContext, WriteItem, WriteResult } from '../../sync/types.js';
import { stFlow, toWriteResults, type PairContext } from './context.js';
import {
  mapBusinessUnit,
  mapCustomer,
  mapInventoryBill,
  mapInvoice,
  mapJob,
  mapPurchaseOrder,
  mapVendor,
  type DocumentPayload,
  type LinePayload,
  type PartnerPayload,
} from './mappers.js';
import { collectionFlow } from './collections.js';
import { paymentFlow } from './payments.js';
import { Products, type ProductRef } from './products.js';
import type { Scope } from './refs.js';
import { jobTaskFlow } from './tasks.js';

/** The ids of the Odoo records a document names, or the record's error when one went missing since the check. */
async function resolveIds(
  ctx: FlowContext,
  p: DocumentPayload,
  partnerKind: 'vendor' | 'customer',
): Promise<{ partner: number; analytic: number | null; order: number | null } | RecordError> {
  const partner = await ctx.dims.get(partnerKind, p.partnerRef);
  const analytic = p.analyticRef ? await ctx.dims.get('analytic', p.analyticRef) : undefined;
  const order = p.orderRef ? await ctx.dims.get('purchase_order', p.orderRef) : undefined;
  if (!partner || (p.analyticRef && !analytic) || (p.orderRef && !order))
    return new RecordError(`a record ${p.ref} names is no longer in Odoo`, {
      code: 'dimension.gone',
      hint: 'run the next pass, then `mlc replay <audit id>`',
    });
  return {
    partner: Number(partner),
    analytic: analytic ? Number(analytic) : null,
    order: order ? Number(order) : null,
  };
}

const distribution = (analytic: number | null): Record<string, unknown> =>
  analytic === null ? {} : { analytic_distribution: { [String(analytic)]: 100 } };

/** Writes documents whose names resolve; the others fail alone. */
async function writeDocuments(
  items: WriteItem<DocumentPayload>[],
  ctx: FlowContext,
  partnerKind: 'vendor' | 'customer',
  build: (
    p: DocumentPayload,
    ids: { partner: number; analytic: number | null; order: number | null },
    product: (code?: string) => ProductRef,
  ) => Promise<unknown>,
  products: (codes: Array<string | undefined>) => Promise<(code?: string) => ProductRef>,
  sink: (built: unknown[]) => Promise<SinkResult[]>,
): Promise<WriteResult[]> {
  const out: Array<WriteResult | undefined> = [];
  const built: unknown[] = [];
  const product = await products(items.flatMap((i) => i.payload.lines.map((l) => l.code)));
  for (const item of items) {
    const ids = await resolveIds(ctx, item.payload, partnerKind);
    if (ids instanceof RecordError) out.push({ ok: false, error: ids });
    else {
      out.push(undefined);
      built.push(await build(item.payload, ids, product));
    }
  }
  const written = toWriteResults(await sink(built));
  let k = 0;
  return out.map((r) => r ?? (written[k++] as WriteResult));
}

export function buildFlows(pc: PairContext): Flow[] {
  const { st, odoo, options } = pc;
  const scoped = <T>(make: (scope: Scope) => T) => {
    let cache: { company: number; sink: T } | undefined;
    return (scope: Scope): T => {
      if (cache?.company !== scope.company) cache = { company: scope.company, sink: make(scope) };
      return cache.sink;
    };
  };
  const catalog = new Products(odoo, options.products.fallback);
  const analytics = scoped((s) =>
    analyticAccountSink(odoo, { company: s.company, plan: options.analyticPlan }),
  );
  const partners = scoped((s) => partnerSink(odoo, { company: s.company }));
  const pos = scoped((s) => purchaseOrderSink(odoo, { company: s.company, confirm: true }));
  const bills = scoped((s) => vendorBillSink(odoo, { company: s.company, post: options.bills === 'posted' }));
  // Sale orders stay quotations: a job's total keeps changing until it is invoiced.
  const sales = scoped((s) => saleOrderSink(odoo, { company: s.company, confirm: false }));
  const invoices = scoped((s) =>
    customerInvoiceSink(odoo, { company: s.company, post: options.invoices === 'posted' }),
  );

  /** Customers as they are now, with survivors, keyed by id (documents name the surviving customer). */
  const survivorsOf = async (rows: StRow[], key: (r: StRow) => unknown): Promise<StRow[]> => {
    const ids = [...new Set(rows.map(key).filter((v): v is number => typeof v === 'number'))];
    if (ids.length === 0) return rows;
    const customers = await st.getByIds('customers', ids);
    const survivor = new Map(customers.map((c) => [c.id, (c.survivorId as number | undefined) ?? c.id]));
    return rows.map((r) => {
      const id = key(r);
      return typeof id === 'number' ? { ...r, customerSurvivorId: survivor.get(id) ?? id } : r;
    });
  };
  /** Every contact of the tenant, by customer (one list read per pass). */
  let contacts: Promise<Map<number, StRow[]>> | undefined;
  const contactsByCustomer = (): Promise<Map<number, StRow[]>> => {
    contacts ??= (async () => {
      const out = new Map<number, StRow[]>();
      const until = new Date((await st.serverTime()).getTime() + 1000);
      for await (const page of st.readChanged('customer_contacts', { window: { since: null, until } }))
        for (const c of page) {
          const id = Number(c.customerId);
          out.set(id, [...(out.get(id) ?? []), c]);
        }
      return out;
    })();
    contacts.catch(() => (contacts = undefined));
    return contacts;
  };

  const partnerWrite = async (items: WriteItem<PartnerPayload>[], _ctx: FlowContext, scope: Scope) =>
    toWriteResults(await partners(scope).write(items.map((i) => i.payload)));

  const flows: Flow[] = [
    stFlow(pc, {
      name: 'business_units',
      entity: 'business_unit',
      source: 'business_units',
      target: 'account.analytic.account',
      description: `ServiceTitan business units -> Odoo analytic accounts of the plan "${options.analyticPlan}"`,
      map: mapBusinessUnit,
      write: async (items, _ctx, scope) =>
        toWriteResults(await analytics(scope).write(items.map((i) => i.payload))),
      provides: { kind: 'analytic', key: (p) => p.ref },
    }),
    stFlow(pc, {
      name: 'vendors',
      entity: 'vendor',
      source: 'vendors',
      target: 'res.partner',
      description: 'ServiceTitan vendors -> Odoo supplier partners',
      map: mapVendor,
      write: partnerWrite,
      provides: { kind: 'vendor', key: (p) => p.ref },
    }),
    stFlow(pc, {
      name: 'customers',
      entity: 'customer',
      source: 'customers',
      target: 'res.partner',
      description:
        'ServiceTitan customers (merged ones followed to the survivor) -> Odoo customer partners with contacts',
      enrich: async (rows) => {
        const byCustomer = await contactsByCustomer();
        return rows.map((r) => ({ ...r, contacts: byCustomer.get(r.id) ?? [] }));
      },
      // Customers whose contacts changed in the window, though they did not.
      async *more(window, seen) {
        const ids = new Set<number>();
        for await (const page of st.readChanged('customer_contacts', { window }))
          for (const c of page) if (!seen.has(Number(c.customerId))) ids.add(Number(c.customerId));
        if (ids.size > 0) yield await st.getByIds('customers', [...ids]);
      },
      map: mapCustomer,
      write: partnerWrite,
      provides: { kind: 'customer', key: (p) => p.ref },
    }),
    stFlow(pc, {
      name: 'purchase_orders',
      entity: 'purchase_order',
      source: 'purchase_orders',
      target: 'purchase.order',
      description:
        'ServiceTitan purchase orders -> confirmed Odoo purchase orders, lines on the business unit',
      enrich: async (rows) => {
        const ids = [
          ...new Set(rows.map((r) => r.vendorId).filter((v): v is number => typeof v === 'number')),
        ];
        const names = new Map(
          (ids.length ? await st.getByIds('vendors', ids) : []).map((v) => [v.id, v.name]),
        );
        return rows.map((r) => ({ ...r, vendorName: names.get(r.vendorId as number) ?? null }));
      },
      map: mapPurchaseOrder,
      write: (items, ctx, scope) =>
        writeDocuments(
          items,
          ctx,
          'vendor',
          async (p, ids, product) => {
            const uomField = await odoo.fieldName('purchase.order.line', 'product_uom_id');
            const planned = p.vals.date_order === undefined ? {} : { date_planned: p.vals.date_order };
            return {
              ref: p.ref,
              vals: { ...p.vals, partner_id: ids.partner },
              lines: p.lines.map((l: LinePayload) => {
                const prod = product(l.code);
                return {
                  product_id: prod.id,
                  ...(prod.uom === null ? {} : { [uomField]: prod.uom }),
                  ...planned,
                  name: l.name,
                  product_qty: l.quantity,
                  price_unit: l.price,
                  ...distribution(ids.analytic),
                };
              }),
            };
          },
          (codes) => catalog.forCodes(codes, scope),
          (built) => pos(scope).write(built as never),
        ),
      provides: { kind: 'purchase_order', key: (p) => p.ref },
    }),
    stFlow(pc, {
      name: 'vendor_bills',
      entity: 'vendor_bill',
      source: 'inventory_bills',
      target: 'account.move',
      description: `ServiceTitan inventory bills -> Odoo vendor bills (${options.bills}) linked to their purchase order`,
      map: mapInventoryBill,
      write: (items, ctx, scope) =>
        writeDocuments(
          items,
          ctx,
          'vendor',
          async (p, ids, product) => {
            let origin: Record<string, unknown> = {};
            let poLines: Array<{ id: number }> = [];
            if (ids.order !== null) {
              const [po] = await odoo.read('purchase.order', [ids.order], ['name']);
              if (typeof po?.name === 'string') origin = { invoice_origin: po.name };
              poLines = await orderLines(odoo, 'purchase.order.line', ids.order, scope);
            }
            return {
              ref: p.ref,
              vals: { ...p.vals, ...origin, partner_id: ids.partner },
              lines: p.lines.map((l, i) => ({
                product_id: product(l.code).id,
                name: l.name,
                quantity: l.quantity,
                price_unit: l.price,
                ...distribution(ids.analytic),
                ...(poLines[i] ? { purchase_line_id: poLines[i].id } : {}),
              })),
            };
          },
          (codes) => catalog.forCodes(codes, scope),
          (built) => bills(scope).write(built as never),
        ),
    }),
  ];
  if (options.jobs === 'sale_order')
    flows.push(
      stFlow(pc, {
        name: 'jobs',
        entity: 'job',
        source: 'jobs',
        target: 'sale.order',
        description: 'ServiceTitan jobs -> Odoo sale orders (quotations) of the surviving customer',
        enrich: (rows) => survivorsOf(rows, (r) => r.customerId),
        map: mapJob,
        write: (items, ctx, scope) =>
          writeDocuments(
            items,
            ctx,
            'customer',
            async (p, ids, product) => {
              const fields = await odoo.fieldsGet('sale.order.line');
              const uomField = ['product_uom_id', 'product_uom'].find((f) => f in fields);
              return {
                ref: p.ref,
                vals: { ...p.vals, partner_id: ids.partner },
                lines: p.lines.map((l) => {
                  const prod = product(l.code);
                  return {
                    product_id: prod.id,
                    ...(uomField && prod.uom !== null ? { [uomField]: prod.uom } : {}),
                    name: l.name,
                    product_uom_qty: l.quantity,
                    price_unit: l.price,
                  };
                }),
              };
            },
            (codes) => catalog.forCodes(codes, scope),
            (built) => sales(scope).write(built as never),
          ),
      }),
    );
  if (options.jobs === 'project_task')
    flows.push(jobTaskFlow(pc, (rows) => survivorsOf(rows, (r) => r.customerId)));
  if (options.invoices !== 'off')
    flows.push(
      stFlow(pc, {
        name: 'invoices',
        entity: 'invoice',
        source: 'invoices',
        target: 'account.move',
        description: `ServiceTitan invoices -> Odoo customer invoices (${options.invoices}), then marked exported in ServiceTitan`,
        enrich: (rows) => survivorsOf(rows, (r) => (r.customer as { id?: unknown } | undefined)?.id),
        map: mapInvoice,
        write: async (items, ctx, scope) => {
          const results = await writeDocuments(
            items,
            ctx,
            'customer',
            async (p, ids, product) => ({
              ref: p.ref,
              vals: { ...p.vals, partner_id: ids.partner },
              lines: p.lines.map((l) => ({
                product_id: product(l.code).id,
                name: l.name,
                quantity: l.quantity,
                price_unit: l.price,
                ...distribution(ids.analytic),
              })),
            }),
            (codes) => catalog.forCodes(codes, scope),
            (built) => invoices(scope).write(built as never),
          );
          return markExported(pc, items, results);
        },
        // The invoices field payments are registered on (collections.ts).
        provides: { kind: 'invoice', key: (p) => p.ref },
      }),
    );
  if (options.invoices !== 'off' && options.collections.enabled) flows.push(collectionFlow(pc));
  if (options.invoices !== 'off' && options.payments) flows.push(paymentFlow(pc, options.payments.typeId));
  return flows;
}

/** Marks the invoices written to Odoo as exported in ServiceTitan, with their Odoo number. */
async function markExported(
  pc: PairContext,
  items: WriteItem<DocumentPayload>[],
  results: WriteResult[],
): Promise<WriteResult[]> {
  const done = results
    .map((r, n) => ({ r, item: items[n] as WriteItem<DocumentPayload> }))
    .filter(
      (x): x is { r: Extract<WriteResult, { ok: true }>; item: WriteItem<DocumentPayload> } =>
        x.r.ok && x.r.targetId !== null,
    );
  if (done.length === 0) return results;
  const moves = await pc.odoo.read(
    'account.move',
    done.map((d) => Number(d.r.targetId)),
    ['name'],
  );
  const nameOf = new Map(moves.map((m) => [String(m.id), typeof m.name === 'string' ? m.name : null]));
  const marks = await pc.st.markInvoicesExported(
    done.map((d) => ({
      invoiceId:
        d.item.record.data && typeof (d.item.record.data as StRow).id === 'number'
          ? (d.item.record.data as StRow).id
          : 0,
      externalId: nameOf.get(d.r.targetId as string) ?? d.item.payload.ref,
      externalMessage: `Odoo ${d.item.payload.ref}`,
    })),
  );
  const failed = new Map(marks.filter((m) => !m.success).map((m) => [m.invoiceId, m.errorMessage]));
  return results.map((r, n) => {
    const id = (items[n]?.record.data as StRow | undefined)?.id;
    if (!r.ok || id === undefined || !failed.has(id)) return r;
    return {
      ok: false,
      error: new RecordError(
        `invoice written to Odoo, but ServiceTitan did not mark it exported: ${failed.get(id) ?? 'no reason given'}`,
        {
          code: 'servicetitan.mark_exported_failed',
          hint: '`mlc replay <audit id>` marks it again (the Odoo invoice is not written twice)',
        },
      ),
    };
  });
}
