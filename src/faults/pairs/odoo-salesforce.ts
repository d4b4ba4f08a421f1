import type { FaultEnv } from '../env.js';
import { money, simRows } from '../oracle.js';
import type { ActualRecord, ExpectedRecord, PairDescriptor } from '../types.js';

type Row = Record<string, unknown>;

/** The org's custom fields as the pair's defaults name them. */
const EXT = 'Odoo_Id__c';
const LINE_EXT = 'Odoo_Line_Id__c';

const m2oId = (v: unknown): number | undefined => (Array.isArray(v) ? Number(v[0]) : undefined);
const text = (v: unknown): string => (v === false || v === null || v === undefined ? '' : String(v));
const qty = (v: unknown): string => String(Number(v ?? 0));

/** What Salesforce should hold, read from the Odoo simulator's own models. */
async function expectedFromOdoo(e: FaultEnv): Promise<ExpectedRecord[]> {
  const rows = (model: string): Promise<Row[]> => simRows(e, 'odoo', model);
  const [users, partners, products, orders, orderLines] = await Promise.all([
    rows('res.users'),
    rows('res.partner'),
    rows('product.product'),
    rows('sale.order'),
    rows('sale.order.line'),
  ]);
  const visible = (r: Row): boolean => r.pending !== true;
  const login = String((e.sims.odoo?.credentials as { login?: unknown } | undefined)?.login ?? '');
  const bot = users.find((u) => u.login === login);
  const allowed = new Set(((bot?.company_ids as number[] | undefined) ?? [1]).map(Number));
  // Shared records (no company) belong to every company the pair covers.
  const covered = (r: Row): boolean => {
    const c = m2oId(r.company_id);
    return c === undefined || allowed.has(c);
  };
  const out: ExpectedRecord[] = [];
  for (const p of products.filter(
    (r) => visible(r) && covered(r) && text(r.default_code) && r.active !== false,
  ))
    out.push({
      kind: 'product',
      key: text(p.default_code),
      fields: { name: text(p.name), price: money(p.list_price) },
    });
  const byId = new Map(partners.map((p) => [Number(p.id), p]));
  const customer = (p: Row | undefined): boolean =>
    p !== undefined && p.is_company === true && Number(p.customer_rank) > 0 && p.active !== false;
  for (const p of partners.filter((r) => visible(r) && covered(r))) {
    if (customer(p))
      out.push({ kind: 'account', key: `res.partner:${String(p.id)}`, fields: { name: text(p.name) } });
    else if (p.is_company !== true && p.active !== false && customer(byId.get(m2oId(p.parent_id) ?? -1))) {
      const parts = text(p.name).trim().split(/\s+/);
      out.push({
        kind: 'contact',
        key: `res.partner:${String(p.id)}`,
        fields: { last: parts[parts.length - 1] ?? '', account: `res.partner:${String(m2oId(p.parent_id))}` },
      });
    }
  }
  const linesOf = new Map<number, Row[]>();
  for (const l of orderLines.filter((r) => visible(r) && !r.display_type)) {
    const o = m2oId(l.order_id) ?? -1;
    linesOf.set(o, [...(linesOf.get(o) ?? []), l]);
  }
  for (const o of orders.filter((r) => visible(r) && covered(r) && r.state === 'sale')) {
    const lines = linesOf.get(Number(o.id)) ?? [];
    if (lines.length === 0) continue;
    out.push({
      kind: 'order',
      key: `sale.order:${String(o.id)}`,
      fields: {
        name: text(o.name),
        status: 'Activated',
        account: `res.partner:${String(m2oId(o.partner_id))}`,
        items: String(lines.length),
      },
    });
    for (const l of lines)
      out.push({
        kind: 'order item',
        key: `sale.order.line:${String(l.id)}`,
        fields: {
          quantity: qty(l.product_uom_qty),
          unit: money(Number(l.price_unit) * (1 - Number(l.discount ?? 0) / 100)),
        },
      });
  }
  return out;
}

/** What the Salesforce org holds, read from the simulator's own sObject tables. */
async function actualInSalesforce(e: FaultEnv): Promise<ActualRecord[]> {
  const table = async (name: string): Promise<Row[]> =>
    (await simRows(e, 'salesforce', name)).filter((r) => r.IsDeleted !== true);
  const [products, books, entries, accounts, contacts, orders, items] = await Promise.all([
    table('Product2'),
    table('Pricebook2'),
    table('PricebookEntry'),
    table('Account'),
    table('Contact'),
    table('Order'),
    table('OrderItem'),
  ]);
  const standard = new Set(books.filter((b) => b.IsStandard === true).map((b) => text(b.Id)));
  const price = new Map<string, string[]>();
  for (const pe of entries.filter((r) => standard.has(text(r.Pricebook2Id))))
    price.set(text(pe.Product2Id), [...(price.get(text(pe.Product2Id)) ?? []), money(pe.UnitPrice)]);
  const extOf = (rows: Row[]): Map<string, string> => new Map(rows.map((r) => [text(r.Id), text(r[EXT])]));
  const accountRef = extOf(accounts);
  const itemCount = new Map<string, number>();
  for (const i of items) itemCount.set(text(i.OrderId), (itemCount.get(text(i.OrderId)) ?? 0) + 1);
  const out: ActualRecord[] = [];
  for (const p of products.filter((r) => text(r.ProductCode)))
    out.push({
      kind: 'product',
      key: text(p.ProductCode),
      // Two standard entries for one product would be a duplicate price: shown as such.
      fields: { name: text(p.Name), price: (price.get(text(p.Id)) ?? ['none']).join('+') },
    });
  for (const a of accounts.filter((r) => text(r[EXT])))
    out.push({ kind: 'account', key: text(a[EXT]), fields: { name: text(a.Name) } });
  for (const c of contacts.filter((r) => text(r[EXT])))
    out.push({
      kind: 'contact',
      key: text(c[EXT]),
      fields: { last: text(c.LastName), account: accountRef.get(text(c.AccountId)) ?? '' },
    });
  for (const o of orders.filter((r) => text(r[EXT])))
    out.push({
      kind: 'order',
      key: text(o[EXT]),
      fields: {
        name: text(o.Name),
        status: text(o.Status),
        account: accountRef.get(text(o.AccountId)) ?? '',
        items: String(itemCount.get(text(o.Id)) ?? 0),
      },
    });
  for (const i of items.filter((r) => text(r[LINE_EXT])))
    out.push({
      kind: 'order item',
      key: text(i[LINE_EXT]),
      fields: { quantity: qty(i.Quantity), unit: money(i.UnitPrice) },
    });
  return out;
}

const odooExec = (e: FaultEnv, model: string, method: string, args: unknown[]): Promise<unknown> =>
  e.control('odoo', 'POST', 'exec', { model, method, args });

export const odooSalesforce: PairDescriptor = {
  name: 'odoo-salesforce',
  source: 'odoo',
  target: 'salesforce',
  seed: 'demo',
  settings: {},
  // The org starts with its standard price book only: every Account, Product and Order comes from Odoo.
  prepare: async (e) => {
    await e.control('salesforce', 'POST', 'seed', { seed: 'volume:0' });
  },
  sourceOracle: expectedFromOdoo,
  targetOracle: actualInSalesforce,
  async tieBurst(e, count) {
    // One create call: every new customer shares one write_date.
    await odooExec(e, 'res.partner', 'create', [
      Array.from({ length: count }, (_, i) => ({
        name: `Tie Customer ${i + 1}`,
        customer_rank: 1,
        is_company: true,
      })),
    ]);
  },
  async lateCommit(e, count, seconds) {
    const txn = (await e.control('odoo', 'POST', 'long_transaction', {
      model: 'res.partner',
      vals_list: Array.from({ length: count }, (_, i) => ({
        name: `Late Customer ${i + 1}`,
        customer_rank: 1,
        is_company: true,
      })),
      backdateSeconds: seconds,
    })) as { txn: string | number };
    await e.control('odoo', 'POST', 'commit', { txn: txn.txn });
  },
  smallPages(c) {
    const conns = c.connections as Record<string, Record<string, unknown>>;
    if (conns.odoo) conns.odoo.pageSize = 4;
    if (conns.salesforce) conns.salesforce.batchSize = 3;
  },
};
