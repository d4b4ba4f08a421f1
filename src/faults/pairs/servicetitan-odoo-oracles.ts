import { SIM_PAIR_SETTINGS } from '../../commands/sim.js';
import { SIM_TENANTS } from '../../sim/servicetitan/index.js';
import type { FaultEnv } from '../env.js';
import { money, simRows } from '../oracle.js';
import type { ActualRecord, ExpectedRecord } from '../types.js';

/**
 * The oracles of servicetitan-odoo over every tenant of the simulator, each in the Odoo company the
 * pair's settings map it to: what ServiceTitan says Odoo must hold (and what ServiceTitan must hold
 * back: invoices marked exported, Odoo payments created once), and what the two systems hold.
 */

export type Row = Record<string, unknown>;

export const text = (v: unknown): string => (v === false || v === null || v === undefined ? '' : String(v));
const m2oId = (v: unknown): number | undefined => (Array.isArray(v) ? Number(v[0]) : undefined);
const list = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
/** `quantity x price` per line, in line order: compares every line's values at once. */
const lines = (items: Array<[unknown, unknown]>): string =>
  items.map(([q, p]) => `${money(q)}x${money(p)}`).join('|');

/** The tenant ids of the simulator, first one first (the pair instance named after the pair reads it). */
export const TENANTS = SIM_TENANTS.map((t) => t.tenantId);

export const st = (e: FaultEnv, entity: string, tenant: string): Promise<Row[]> =>
  simRows(e, 'servicetitan', `${entity}:${tenant}`);

/** A tenant and the id of the Odoo company it maps to, as Odoo itself holds that company. */
export interface TenantScope {
  tenant: string;
  company: number;
  /** `ST<tenant>.C<company>.`: the start of every reference the pair writes for the tenant. */
  prefix: string;
}

export async function scopes(e: FaultEnv): Promise<TenantScope[]> {
  const mapped = (SIM_PAIR_SETTINGS['servicetitan-odoo']?.companies ?? {}) as Record<string, string | number>;
  const companies = await simRows(e, 'odoo', 'res.company');
  return TENANTS.map((tenant) => {
    const name = String(mapped[tenant] ?? '');
    const found = companies.find((c) => c.name === name || String(c.id) === name);
    if (!found) throw new Error(`tenant ${tenant}: Odoo has no company "${name}"`);
    const company = Number(found.id);
    return { tenant, company, prefix: `ST${tenant}.C${company}.` };
  });
}

/** Tax and shipping header amounts become lines of their own after the items (as the pair maps them). */
const extra = (...amounts: unknown[]): Array<[unknown, unknown]> =>
  amounts.filter((a) => Number(a ?? 0) !== 0).map((a) => ['1', a]);

async function expectedOfTenant(e: FaultEnv, s: TenantScope, moves: Row[]): Promise<ExpectedRecord[]> {
  const [units, vendors, customers, contacts, orders, bills, jobs, invoices, payments] = await Promise.all(
    [
      'business_units',
      'vendors',
      'customers',
      'customer_contacts',
      'purchase_orders',
      'inventory_bills',
      'jobs',
      'invoices',
      'payments',
    ].map((entity) => st(e, entity, s.tenant)),
  );
  const ref = (kind: string, id: unknown): string => `${s.prefix}${kind}.${text(id)}`;
  const live = (r: Row): boolean => r._deleted !== true;
  const out: ExpectedRecord[] = [];
  for (const b of units!.filter(live))
    out.push({ kind: 'analytic account', key: ref('BU', b.id), fields: { name: text(b.name) } });
  for (const v of vendors!.filter(live))
    out.push({ kind: 'vendor', key: ref('VEND', v.id), fields: { name: text(v.name) } });
  // A merged customer is not written: its documents go to the customer that absorbed it.
  const merged = (c: Row): boolean => c.mergedToId !== undefined && c.mergedToId !== null;
  const sent = new Set<number>();
  for (const c of customers!.filter((r) => live(r) && !merged(r))) {
    sent.add(Number(c.id));
    out.push({ kind: 'customer', key: ref('CUST', c.id), fields: { name: text(c.name) } });
  }
  for (const k of contacts!.filter(live)) {
    const owner = customers!.find((c) => c.id === k.customerId);
    if (!owner || !sent.has(Number(owner.id)) || !text(k.value)) continue;
    if (!['Email', 'Phone', 'MobilePhone'].includes(text(k.type))) continue;
    out.push({
      kind: 'contact',
      key: `${ref('CUST', owner.id)}.K${text(k.id)}`,
      fields: { name: `${text(owner.name)} (${text(k.type)})` },
    });
  }
  for (const po of orders!.filter((r) => live(r) && r.status !== 'Canceled')) {
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
  for (const b of bills!.filter((r) => live(r) && r.active !== false)) {
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
  for (const j of jobs!.filter((r) => live(r) && r.jobStatus !== 'Canceled'))
    out.push({
      kind: 'sale order',
      key: ref('JOB', j.id),
      fields: { amount: money(j.total), customer: ref('CUST', j.customerId) },
    });
  const moveName = new Map(moves.map((m) => [text(m.ref), text(m.name)]));
  for (const inv of invoices!.filter((r) => live(r) && r.active !== false)) {
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
  // Payments taken in the field: each split registered once in Odoo on its invoice, for its amount.
  // Those mlc created from Odoo payments (memo marker) are not.
  for (const p of payments!.filter((r) => live(r) && r.active !== false)) {
    if (/\[ODOO\.C\d+\.PAY\.\d+\]/.test(text(p.memo))) continue;
    for (const a of list(p.appliedTo)) {
      if (Number(a.appliedAmount ?? 0) <= 0) continue;
      out.push({
        kind: 'field payment',
        key: ref('PAY', `${text(p.id)}-${text(a.appliedTo)}`),
        fields: { invoice: ref('INV', a.appliedTo), amount: money(a.appliedAmount) },
      });
    }
  }
  return out;
}

/** The memo of an Odoo payment (`memo` from 18, `ref` before). */
const memoOf = (p: Row): string => text(p.memo ?? p.ref);
/** An Odoo payment mlc registered from a ServiceTitan payment: never sent back. */
const fromServiceTitan = (p: Row): boolean => /^ST\d+\.C\d+\.PAY\.\d+-\d+$/.test(memoOf(p));

/** Odoo states of a confirmed payment (18+: in_process/paid; before: posted). */
const DONE = ['in_process', 'paid', 'posted'];

/**
 * The ServiceTitan payments the Odoo payments call for: each confirmed inbound customer payment
 * reconciled with exactly one invoice the pair wrote for a tenant, in that tenant, once, under
 * `ODOO.C<company>.PAY.<id>`, applied to that invoice for the payment's amount, on its date.
 */
export function paymentsDue(scopes: TenantScope[], payments: Row[], moves: Row[]): ExpectedRecord[] {
  const refOf = new Map(moves.map((m) => [Number(m.id), text(m.ref)]));
  const out: ExpectedRecord[] = [];
  for (const p of payments) {
    if (p.payment_type !== 'inbound' || p.partner_type !== 'customer' || !DONE.includes(text(p.state)))
      continue;
    if (fromServiceTitan(p)) continue;
    const refs = ((p.reconciled_invoice_ids as number[] | undefined) ?? []).map((id) => refOf.get(id) ?? '');
    if (refs.length !== 1) continue;
    const s = scopes.find((x) => refs[0]!.startsWith(`${x.prefix}INV.`));
    if (!s) continue;
    out.push({
      kind: 'payment',
      key: `ODOO.C${s.company}.PAY.${text(p.id)}`,
      fields: {
        tenant: s.tenant,
        invoice: refs[0]!.slice(`${s.prefix}INV.`.length),
        amount: money(p.amount),
        paidOn: text(p.date).slice(0, 10),
      },
    });
  }
  return out;
}

/** ServiceTitan payments that no Odoo payment calls for, per tenant (there must be none). */
const STRAY = 'payments no Odoo payment calls for';

export async function expectedFromServiceTitan(e: FaultEnv): Promise<ExpectedRecord[]> {
  const [all, moves, payments] = await Promise.all([
    scopes(e),
    simRows(e, 'odoo', 'account.move'),
    simRows(e, 'odoo', 'account.payment'),
  ]);
  const out: ExpectedRecord[] = [];
  for (const s of all) {
    out.push(...(await expectedOfTenant(e, s, moves)));
    out.push({ kind: STRAY, key: s.tenant, fields: { exportIds: '' } });
  }
  out.push(...paymentsDue(all, payments, moves));
  return out;
}

export async function actualOdoo(e: FaultEnv): Promise<ActualRecord[]> {
  const odoo = (model: string): Promise<Row[]> => simRows(e, 'odoo', model);
  const [all, analytic, partners, orders, orderLines, moves, moveLines, sales, payments] = await Promise.all([
    scopes(e),
    odoo('account.analytic.account'),
    odoo('res.partner'),
    odoo('purchase.order'),
    odoo('purchase.order.line'),
    odoo('account.move'),
    odoo('account.move.line'),
    odoo('sale.order'),
    odoo('account.payment'),
  ]);
  const ours = (field: string) => (r: Row) => all.some((s) => text(r[field]).startsWith(s.prefix));
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
  const moveRef = new Map(moves.map((m) => [Number(m.id), text(m.ref)]));
  for (const p of payments.filter(
    (r) => fromServiceTitan(r) && all.some((x) => memoOf(r).startsWith(x.prefix)),
  ))
    out.push({
      kind: 'field payment',
      key: memoOf(p),
      fields: {
        invoice: ((p.reconciled_invoice_ids as number[] | undefined) ?? [])
          .map((id) => moveRef.get(id) ?? '')
          .join('+'),
        amount: money(p.amount),
      },
    });
  // ServiceTitan's side of the return paths, tenant by tenant.
  const due = new Set(paymentsDue(all, payments, moves).map((p) => p.key));
  for (const s of all) {
    const [invoices, stPayments] = await Promise.all([
      st(e, 'invoices', s.tenant),
      st(e, 'payments', s.tenant),
    ]);
    for (const inv of invoices.filter((r) => r._deleted !== true && r.syncStatus === 'Exported'))
      out.push({
        kind: 'exported invoice',
        key: `${s.prefix}INV.${text(inv.id)}`,
        fields: { status: text(inv.syncStatus), exportId: text(inv.exportId) },
      });
    const fromOdoo = stPayments.filter((p) => p._deleted !== true && text(p._exportId).startsWith('ODOO.'));
    for (const p of fromOdoo) {
      const applied = list(p.appliedTo);
      out.push({
        kind: 'payment',
        key: text(p._exportId),
        fields: {
          tenant: s.tenant,
          invoice: applied.map((a) => text(a.appliedTo)).join('+'),
          amount: money(p.total),
          paidOn: text(p.date).slice(0, 10),
        },
      });
    }
    const stray = fromOdoo.map((p) => text(p._exportId)).filter((id) => !due.has(id));
    out.push({ kind: STRAY, key: s.tenant, fields: { exportIds: stray.sort().join(' ') } });
  }
  return out;
}
