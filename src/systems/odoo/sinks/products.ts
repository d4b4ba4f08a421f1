import type { OdooClient } from '../client.js';
import type { UpsertResult } from '../types.js';

/** A product as another system holds it, keyed by its code (Odoo's internal reference). */
export interface ProductRow {
  code: string;
  name: string;
  listPrice: number;
  active: boolean;
}

/**
 * Products into Odoo by internal reference (`default_code`) through `upsertByRef`: an existing
 * variant (archived included) is updated, a missing one created. One result per row, in order.
 */
export function upsertProducts(odoo: OdooClient, rows: readonly ProductRow[]): Promise<UpsertResult[]> {
  return odoo.upsertByRef(
    'product.product',
    'default_code',
    rows.map((r) => ({ ref: r.code, vals: { name: r.name, list_price: r.listPrice, active: r.active } })),
  );
}
