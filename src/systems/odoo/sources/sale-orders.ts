import type { OdooClient } from '../client.js';
import { m2oId, m2oName, odooDate, odooDay, odooNumber, odooText } from '../schemas.js';
import type { OdooRow } from '../types.js';
import { productCodes } from './products.js';
import {
  chunk,
  companyContext,
  companyDomain,
  idOfRef,
  odooRef,
  owner,
  type CompanyScope,
  type SourceRead,
} from './scope.js';

/**
 * Sales orders with their lines. The header is read by its own `write_date` (line quantity, price
 * and product changes bump it, api notes §8); section and note lines are left out.
 */
export interface OdooSaleLine {
  id: number;
  /** `sale.order.line:<id>`. */
  ref: string;
  sequence: number;
  productId: number | null;
  productCode: string | null;
  description: string;
  quantity: number;
  priceUnit: number;
  discount: number;
}

export interface OdooSaleOrder {
  id: number;
  /** `sale.order:<id>`. */
  ref: string;
  name: string;
  company: number;
  customerRef: string | null;
  clientRef: string | null;
  state: string;
  orderDate: string | null;
  currency: string | null;
  amountTotal: number;
  lines: OdooSaleLine[];
  modified: Date;
}

export const SALE_ORDER_FIELDS = [
  'id',
  'name',
  'partner_id',
  'client_order_ref',
  'date_order',
  'state',
  'currency_id',
  'amount_total',
  'company_id',
  'write_date',
] as const;
export const SALE_LINE_FIELDS = [
  'id',
  'order_id',
  'sequence',
  'display_type',
  'product_id',
  'name',
  'product_uom_qty',
  'price_unit',
  'discount',
] as const;

/** Lines of the given orders, grouped by order id, in (sequence, id) order. */
async function linesOf(
  odoo: OdooClient,
  orderIds: number[],
  scope: CompanyScope,
): Promise<Map<number, OdooSaleLine[]>> {
  const rows: OdooRow[] = [];
  for (const ids of chunk(orderIds, 100)) {
    let last = 0;
    for (;;) {
      const page = await odoo.searchRead(
        'sale.order.line',
        [
          ['order_id', 'in', ids],
          ['id', '>', last],
        ],
        { fields: [...SALE_LINE_FIELDS], order: 'id asc', limit: 500, context: companyContext(scope) },
      );
      rows.push(...page);
      if (page.length < 500) break;
      last = (page[page.length - 1] as OdooRow).id;
    }
  }
  const products = rows.filter((r) => odooText(r.display_type) === null);
  const codes = await productCodes(
    odoo,
    products.map((r) => m2oId(r.product_id)).filter((n): n is number => n !== null),
  );
  const out = new Map<number, OdooSaleLine[]>();
  for (const r of products) {
    const order = m2oId(r.order_id);
    if (order === null) continue;
    const product = m2oId(r.product_id);
    const line: OdooSaleLine = {
      id: r.id,
      ref: odooRef('sale.order.line', r.id),
      sequence: odooNumber(r.sequence),
      productId: product,
      productCode: product === null ? null : (codes.get(product) ?? null),
      description: odooText(r.name) ?? '',
      quantity: odooNumber(r.product_uom_qty),
      priceUnit: odooNumber(r.price_unit),
      discount: odooNumber(r.discount),
    };
    const list = out.get(order);
    if (list) list.push(line);
    else out.set(order, [line]);
  }
  for (const list of out.values()) list.sort((a, b) => a.sequence - b.sequence || a.id - b.id);
  return out;
}

async function withLines(odoo: OdooClient, rows: OdooRow[], scope: CompanyScope): Promise<OdooSaleOrder[]> {
  const lines = await linesOf(
    odoo,
    rows.map((r) => r.id),
    scope,
  );
  return rows.map((r) => {
    const partner = m2oId(r.partner_id);
    return {
      id: r.id,
      ref: odooRef('sale.order', r.id),
      name: odooText(r.name) ?? `sale.order ${r.id}`,
      company: owner(r, scope),
      customerRef: partner === null ? null : odooRef('res.partner', partner),
      clientRef: odooText(r.client_order_ref),
      state: odooText(r.state) ?? 'draft',
      orderDate: odooDay(r.date_order),
      currency: m2oName(r.currency_id),
      amountTotal: odooNumber(r.amount_total),
      lines: lines.get(r.id) ?? [],
      modified: odooDate(r.write_date) ?? new Date(0),
    };
  });
}

/** Changed sales orders in `states` of one company, each with its lines, in keyset pages. */
export async function* readSaleOrders(
  odoo: OdooClient,
  read: SourceRead & { states: string[] },
): AsyncGenerator<OdooSaleOrder[]> {
  const domain = [['state', 'in', read.states], ...(await companyDomain(odoo, 'sale.order', read.scope))];
  for await (const page of odoo.readChanged('sale.order', {
    fields: [...SALE_ORDER_FIELDS],
    window: read.window,
    domain,
    context: companyContext(read.scope),
    ...(read.pageSize === undefined ? {} : { pageSize: read.pageSize }),
  }))
    yield await withLines(odoo, page, read.scope);
}

/** Sales orders by reference (`sale.order:<id>`) as they are now, with lines. */
export async function fetchSaleOrders(
  odoo: OdooClient,
  refs: string[],
  scope: CompanyScope & { states: string[] },
): Promise<OdooSaleOrder[]> {
  const ids = refs.map((r) => idOfRef('sale.order', r)).filter((n): n is number => n !== undefined);
  if (ids.length === 0) return [];
  const rows = await odoo.searchRead(
    'sale.order',
    [['id', 'in', ids], ['state', 'in', scope.states], ...(await companyDomain(odoo, 'sale.order', scope))],
    { fields: [...SALE_ORDER_FIELDS], order: 'id asc', context: companyContext(scope) },
  );
  return withLines(odoo, rows, scope);
}
