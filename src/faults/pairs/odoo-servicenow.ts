import type { FaultEnv } from '../env.js';
import { money, simRows } from '../oracle.js';
import type { ActualRecord, ExpectedRecord, PairDescriptor } from '../types.js';
import { s2pTarget } from './s2p.js';

type Row = Record<string, unknown>;

/** `[id, display name]` of an Odoo many2one as the simulator dumps it, or undefined for `false`. */
const m2oId = (v: unknown): number | undefined => (Array.isArray(v) ? Number(v[0]) : undefined);
const text = (v: unknown): string => (v === false || v === null || v === undefined ? '' : String(v));

/** The single analytic account code of a line's distribution ('' when there is none). */
function costCenterOf(distribution: unknown, codes: Map<number, string>): string {
  if (!distribution || typeof distribution !== 'object') return '';
  const ids = Object.keys(distribution as Record<string, number>);
  return ids.length === 1 ? (codes.get(Number(ids[0])) ?? `?${ids[0]}`) : `split:${ids.join('+')}`;
}

async function expectedFromOdoo(e: FaultEnv): Promise<ExpectedRecord[]> {
  const rows = (model: string): Promise<Row[]> => simRows(e, 'odoo', model);
  const [users, partners, orders, orderLines, moves, moveLines, analytic, accounts, snCostCenters] =
    await Promise.all([
      rows('res.users'),
      rows('res.partner'),
      rows('purchase.order'),
      rows('purchase.order.line'),
      rows('account.move'),
      rows('account.move.line'),
      rows('account.analytic.account'),
      rows('account.account'),
      simRows(e, 'servicenow', 'cmn_cost_center'),
    ]);
  const visible = (r: Row): boolean => r.pending !== true;
  // The pair covers the companies its bot user may use; the lowest-id one keeps bare references,
  // the others' carry `C<id>-` (as the pair sends them).
  const login = String((e.sims.odoo?.credentials as { login?: unknown } | undefined)?.login ?? '');
  const bot = users.find((u) => u.login === login);
  const allowed = new Set(((bot?.company_ids as number[] | undefined) ?? [1]).map(Number));
  const first = Math.min(...allowed);
  const ref = (r: Row): string | undefined => {
    const company = m2oId(r.company_id) ?? first;
    if (!allowed.has(company)) return undefined;
    return `${company === first ? '' : `C${company}-`}${text(r.name)}`;
  };
  const ccCodes = new Map(analytic.map((a) => [Number(a.id), text(a.code)]));
  const accountCodes = new Map(accounts.map((a) => [Number(a.id), text(a.code)]));
  const out: ExpectedRecord[] = [];
  const sent = new Map<number, string>();
  const named = new Set<number>();
  for (const o of orders.filter((r) => visible(r) && ['purchase', 'done'].includes(text(r.state)))) {
    const key = ref(o);
    if (key === undefined) continue;
    sent.set(Number(o.id), key);
    named.add(m2oId(o.partner_id) ?? -1);
    out.push({ kind: 'order', key, fields: { amount: money(o.amount_total) } });
  }
  for (const l of orderLines.filter((r) => visible(r) && r.display_type === false)) {
    const po = sent.get(m2oId(l.order_id) ?? -1);
    if (po === undefined) continue;
    out.push({
      kind: 'order line',
      key: `${po}/${String(l.id)}`,
      fields: {
        amount: money(l.price_subtotal),
        unit: money(l.price_unit),
        costCenter: costCenterOf(l.analytic_distribution, ccCodes),
      },
    });
  }
  const bills = new Map<number, string>();
  for (const m of moves.filter((r) => visible(r) && r.move_type === 'in_invoice' && r.state === 'posted')) {
    const key = ref(m);
    if (key === undefined) continue;
    bills.set(Number(m.id), key);
    named.add(m2oId(m.partner_id) ?? -1);
    out.push({ kind: 'invoice', key, fields: { amount: money(m.amount_total) } });
  }
  // Vendors: a supplier rank, or named by a purchase order or bill the pair sends.
  for (const p of partners.filter(
    (r) => visible(r) && r.active !== false && (Number(r.supplier_rank) > 0 || named.has(Number(r.id))),
  ))
    out.push({ kind: 'supplier', key: String(p.id), fields: { name: text(p.name) } });
  for (const l of moveLines.filter((r) => visible(r) && r.display_type === 'product')) {
    const bill = bills.get(m2oId(l.move_id) ?? -1);
    if (bill === undefined) continue;
    out.push({
      kind: 'invoice line',
      key: `${bill}/${String(l.id)}`,
      fields: {
        amount: money(l.price_subtotal),
        gl: accountCodes.get(m2oId(l.account_id) ?? -1) ?? '',
        costCenter: costCenterOf(l.analytic_distribution, ccCodes),
      },
    });
  }
  // Cost centers both ways: every Odoo cost center in ServiceNow, every ServiceNow one in Odoo.
  const plan = analytic.filter(
    (a) => visible(a) && text(a.code) && Array.isArray(a.plan_id) && a.plan_id[1] === 'Cost Centers',
  );
  for (const a of plan) out.push({ kind: 'cost center', key: text(a.code), fields: { name: text(a.name) } });
  for (const c of snCostCenters)
    if (text(c.code))
      out.push({ kind: 'odoo cost center', key: text(c.code), fields: { name: text(c.name) } });
  return out;
}

async function actualOdooServiceNow(e: FaultEnv): Promise<ActualRecord[]> {
  const analytic = await simRows(e, 'odoo', 'account.analytic.account');
  const target = await s2pTarget(e, 'ODOO');
  // The seed's own GL accounts are not this pair's to write (it only checks them).
  const out = target.filter((r) => r.kind !== 'gl account');
  for (const a of analytic)
    if (text(a.code) && Array.isArray(a.plan_id) && a.plan_id[1] === 'Cost Centers')
      out.push({ kind: 'odoo cost center', key: text(a.code), fields: { name: text(a.name) } });
  return out;
}

export const odooServiceNow: PairDescriptor = {
  name: 'odoo-servicenow',
  source: 'odoo',
  target: 'servicenow',
  seed: 'volume:30',
  settings: {},
  // Odoo's chart has an expense account (630000) that ServiceNow's seed lacks: a clean pass would
  // exit 3 on it by design, so the instance gets it first.
  prepare: async (e) => {
    await e.control('servicenow', 'POST', 'exec', {
      table: 'sn_fin_gl_account',
      record: {
        code: '630000',
        name: 'Freight In',
        currency: 'USD',
        category: 'Expense',
        type: 'Expense',
        active: 'true',
      },
    });
  },
  sourceOracle: expectedFromOdoo,
  targetOracle: actualOdooServiceNow,
  async tieBurst(e, count) {
    const exec = (model: string, method: string, args: unknown[]): Promise<unknown> =>
      e.control('odoo', 'POST', 'exec', { model, method, args });
    // One create call: every new vendor shares one write_date.
    await exec('res.partner', 'create', [
      Array.from({ length: count }, (_, i) => ({
        name: `Tie Vendor ${i + 1}`,
        supplier_rank: 1,
        is_company: true,
      })),
    ]);
    // One write call on many order lines: they (and their orders) share one write_date.
    const lines = (await simRows(e, 'odoo', 'purchase.order.line')).slice(0, count);
    await exec('purchase.order.line', 'write', [lines.map((l) => Number(l.id)), { price_unit: 77.7 }]);
  },
  async lateCommit(e, count, seconds) {
    const txn = (await e.control('odoo', 'POST', 'long_transaction', {
      model: 'res.partner',
      vals_list: Array.from({ length: count }, (_, i) => ({
        name: `Late Vendor ${i + 1}`,
        supplier_rank: 1,
        is_company: true,
      })),
      backdateSeconds: seconds,
    })) as { txn: string | number };
    await e.control('odoo', 'POST', 'commit', { txn: txn.txn });
  },
  smallPages(c) {
    const conns = c.connections as Record<string, Record<string, unknown>>;
    if (conns.odoo) conns.odoo.pageSize = 4;
    if (conns.servicenow) {
      conns.servicenow.pageSize = 4;
      conns.servicenow.batchSize = 7;
    }
  },
};
