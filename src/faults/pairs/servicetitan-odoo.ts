import { SIM_PAIR_SETTINGS } from '../../commands/sim.js';
import type { FaultEnv } from '../env.js';
import { money, simRows } from '../oracle.js';
import type { ActualRecord, ExpectedRecord, PairDescriptor } from '../types.js';

type Row = Record<string, unknown>;

/** The tenant the harness's connection reads (the simulator's first) and its Odoo company, by name. */
const TENANT = '1000001';
const COMPANY = String(
  (SIM_PAIR_SETTINGS['servicetitan-odoo']?.companies as Record<string, string | number> | undefined)?.[
    TENANT
  ] ?? '',
);

const text = (v: unknown): string => (v === false || v === null || v === undefined ? '' : String(v));
const m2oId = (v: unknown): number | undefined => (Array.isArray(v) ? Number(v[0]) : undefined);
const list = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
/** `quantity x price` per line, in line order: compares every line's values at once. */
const lines = (items: Array<[unknown, unknown]>): string =>
  items.map(([q, p]) => `${money(q)}x${money(p)}`).join('|');

const st = (e: FaultEnv, entity: string): Promise<Row[]> => simRows(e, 'servicetitan', `${entity}:${TENANT}`);

/** The Odoo company the tenant maps to, as Odoo itself holds it. */
async function companyId(e: FaultEnv): Promise<number> {
  const companies = await simRows(e, 'odoo', 'res.company');
  const found = companies.find((c) => c.name === COMPANY || String(c.id) === COMPANY);
  if (!found) throw new Error(`Odoo has no company ${COMPANY}`);
  return Number(found.id);
}

/** The references the pair writes (`ST<tenant>.C<company>.<KIND>.<id>`). */
const refOf = (company: number) => (kind: string, id: unknown) =>
  `ST${TENANT}.C${company}.${kind}.${text(id)}`;

/** Tax and shipping header amounts become lines of their own after the items (as the pair maps them). */
const extra = (...amounts: unknown[]): Array<[unknown, unknown]> =>
  amounts.filter((a) => Number(a ?? 0) !== 0).map((a) => ['1', a]);

async function expectedFromServiceTitan(e: FaultEnv): Promise<ExpectedRecord[]> {
  const [units, vendors, customers, contacts, orders, bills, jobs, invoices, company, moves] =
    await Promise.all([
      st(e, 'business_units'),
      st(e, 'vendors'),
      st(e, 'customers'),
      st(e, 'customer_contacts'),
      st(e, 'purchase_orders'),
      st(e, 'inventory_bills'),
      st(e, 'jobs'),
      st(e, 'invoices'),
      companyId(e),
      simRows(e, 'odoo', 'account.move'),
    ]);
  const ref = refOf(company);
  const live = (r: Row): boolean => r._deleted !== true;
  const out: ExpectedRecord[] = [];
  for (const b of units.filter(live))
    out.push({ kind: 'analytic account', key: ref('BU', b.id), fields: { name: text(b.name) } });
  for (const v of vendors.filter(live))
    out.push({ kind: 'vendor', key: ref('VEND', v.id), fields: { name: text(v.name) } });
  // A merged customer is not written: its documents go to the customer that absorbed it.
  const merged = (c: Row): boolean => c.mergedToId !== undefined && c.mergedToId !== null;
  const sent = new Set<number>();
  for (const c of customers.filter((r) => live(r) && !merged(r))) {
    sent.add(Number(c.id));
    out.push({ kind: 'customer', key: ref('CUST', c.id), fields: { name: text(c.name) } });
  }
  for (const k of contacts.filter(live)) {
    const owner = customers.find((c) => c.id === k.customerId);
    if (!owner || !sent.has(Number(owner.id)) || !text(k.value)) continue;
    if (!['Email', 'Phone', 'MobilePhone'].includes(text(k.type))) continue;
    out.push({
      kind: 'contact',
      key: `${ref('CUST', owner.id)}.K${text(k.id)}`,
      fields: { name: `${text(owner.name)} (${text(k.type)})` },
    });
  }
  for (const po of orders.filter((r) => live(r) && r.status !== 'Canceled')) {
    const items = list(po.items).map((i): [unknown, unknown] => [i.quantity, i.cost]);
    out.push({
      kind: 'purchase order',
      key: ref('PO', po.id),
      fields: {
        amount: money(po.total),
        vendor: ref('VEND', po.vendorId),
        lines: lines([...items, ...extra(po.tax, po.shipping)]),
      },
    });
  }
  for (const b of bills.filter((r) => live(r) && r.active !== false)) {
    const items = [...list(b.items)]
      .sort((x, y) => Number(x.order ?? 0) - Number(y.order ?? 0))
      .map((i): [unknown, unknown] => [i.quantity, i.cost]);
    out.push({
      kind: 'vendor bill',
      key: ref('BILL', b.id),
      fields: {
        amount: money(b.billAmount),
        vendor: ref('VEND', (b.vendor as Row | undefined)?.id),
        lines: lines([...items, ...extra(b.taxAmount, b.shippingAmount)]),
      },
    });
  }
  for (const j of jobs.filter((r) => live(r) && r.jobStatus !== 'Canceled'))
    out.push({
      kind: 'sale order',
      key: ref('JOB', j.id),
      fields: { amount: money(j.total), customer: ref('CUST', j.customerId) },
    });
  const moveName = new Map(moves.map((m) => [text(m.ref), text(m.name)]));
  for (const inv of invoices.filter((r) => live(r) && r.active !== false)) {
    const items = [...list(inv.items)]
      .sort((x, y) => Number(x.order ?? 0) - Number(y.order ?? 0))
      .map((i): [unknown, unknown] => [i.quantity, i.price]);
    const key = ref('INV', inv.id);
    out.push({
      kind: 'customer invoice',
      key,
      fields: {
        amount: money(inv.total),
        customer: ref('CUST', (inv.customer as Row | undefined)?.id),
        lines: lines([...items, ...extra(inv.salesTax)]),
      },
    });
    // Return path: each invoice written is marked exported in ServiceTitan with its Odoo number.
    out.push({
      kind: 'exported invoice',
      key,
      fields: { status: 'Exported', exportId: moveName.get(key) ?? '(not in Odoo)' },
    });
  }
  return out;
}

async function actualOdoo(e: FaultEnv): Promise<ActualRecord[]> {
  const odoo = (model: string): Promise<Row[]> => simRows(e, 'odoo', model);
  const [analytic, partners, orders, orderLines, moves, moveLines, sales, company, invoices] =
    await Promise.all([
      odoo('account.analytic.account'),
      odoo('res.partner'),
      odoo('purchase.order'),
      odoo('purchase.order.line'),
      odoo('account.move'),
      odoo('account.move.line'),
      odoo('sale.order'),
      companyId(e),
      st(e, 'invoices'),
    ]);
  const prefix = `ST${TENANT}.C${company}.`;
  const ours = (field: string) => (r: Row) => text(r[field]).startsWith(prefix);
  const partnerRef = new Map(partners.map((p) => [Number(p.id), text(p.ref)]));
  const linesOf = (rows: Row[], parent: string, id: unknown, qty: string): string =>
    lines(
      rows
        .filter((l) => m2oId(l[parent]) === Number(id))
        .sort((a, b) => Number(a.sequence ?? 0) - Number(b.sequence ?? 0) || Number(a.id) - Number(b.id))
        .map((l): [unknown, unknown] => [l[qty], l.price_unit]),
    );
  const out: ActualRecord[] = [];
  for (const a of analytic.filter(ours('code')))
    out.push({ kind: 'analytic account', key: text(a.code), fields: { name: text(a.name) } });
  for (const p of partners.filter(ours('ref'))) {
    const kind = /\.K\d+$/.test(text(p.ref))
      ? 'contact'
      : text(p.ref).includes('.VEND.')
        ? 'vendor'
        : 'customer';
    out.push({ kind, key: text(p.ref), fields: { name: text(p.name) } });
  }
  for (const po of orders.filter(ours('origin')))
    out.push({
      kind: 'purchase order',
      key: text(po.origin),
      fields: {
        amount: money(po.amount_total),
        vendor: partnerRef.get(m2oId(po.partner_id) ?? -1) ?? '',
        lines: linesOf(orderLines, 'order_id', po.id, 'product_qty'),
      },
    });
  const productLines = moveLines.filter((l) => l.display_type === 'product');
  for (const m of moves.filter(ours('ref'))) {
    const kind = m.move_type === 'in_invoice' ? 'vendor bill' : 'customer invoice';
    out.push({
      kind,
      key: text(m.ref),
      fields: {
        amount: money(m.amount_total),
        [kind === 'vendor bill' ? 'vendor' : 'customer']: partnerRef.get(m2oId(m.partner_id) ?? -1) ?? '',
        lines: linesOf(productLines, 'move_id', m.id, 'quantity'),
      },
    });
  }
  for (const s of sales.filter(ours('client_order_ref')))
    out.push({
      kind: 'sale order',
      key: text(s.client_order_ref),
      fields: {
        amount: money(s.amount_total),
        customer: partnerRef.get(m2oId(s.partner_id) ?? -1) ?? '',
      },
    });
  // ServiceTitan's side of the return path.
  for (const inv of invoices.filter((r) => r.syncStatus === 'Exported'))
    out.push({
      kind: 'exported invoice',
      key: `${prefix}INV.${text(inv.id)}`,
      fields: { status: text(inv.syncStatus), exportId: text(inv.exportId) },
    });
  return out;
}

let burst = 0;

export const serviceTitanOdoo: PairDescriptor = {
  name: 'servicetitan-odoo',
  source: 'servicetitan',
  target: 'odoo',
  seed: 'volume:20',
  settings: {},
  sourceOracle: expectedFromServiceTitan,
  targetOracle: actualOdoo,
  /**
   * ServiceTitan's `modifiedOn` has millisecond precision and the simulator never stamps two changes
   * alike, so a burst of edits made back to back (consecutive stamps) stands in for a tie: they
   * still cross the small pages' boundaries between two passes.
   */
  async tieBurst(e, count) {
    burst += 1;
    const touch = (entity: string, id: unknown, changes: Row): Promise<unknown> =>
      e.control('servicetitan', 'POST', 'touch', { tenant: TENANT, entity, id, changes });
    const [customers, vendors, orders] = await Promise.all([
      st(e, 'customers'),
      st(e, 'vendors'),
      st(e, 'purchase_orders'),
    ]);
    await Promise.all([
      ...customers
        .slice(0, count)
        .map((c) =>
          touch('customers', c.id, { name: `${text(c.name).replace(/ \(b\d+\)$/, '')} (b${burst})` }),
        ),
      ...vendors.slice(0, 1).map((v) => touch('vendors', v.id, { name: `Vendor burst ${burst}` })),
      ...orders
        .slice(0, Math.ceil(count / 3))
        .map((po) => touch('purchase_orders', po.id, { summary: `burst ${burst}` })),
    ]);
  },
  /**
   * The simulator cannot hold a transaction open, but it can move every stamp back (`/_sim/age`):
   * `count` customers renamed now and then aged `seconds` carry a change stamp behind the cursor, as
   * a commit that landed late would (rows already synced move back too, which no pass minds).
   */
  async lateCommit(e, count, seconds) {
    const customers = (await st(e, 'customers')).slice(-count);
    for (const c of customers)
      await e.control('servicetitan', 'POST', 'touch', {
        tenant: TENANT,
        entity: 'customers',
        id: c.id,
        changes: { name: `${text(c.name)} (late)` },
      });
    await e.control('servicetitan', 'POST', 'age', { ms: seconds * 1000 });
  },
  smallPages(c) {
    const conns = c.connections as Record<string, Record<string, unknown>>;
    if (conns.servicetitan) conns.servicetitan.pageSize = 4;
    if (conns.odoo) conns.odoo.pageSize = 4;
  },
};
