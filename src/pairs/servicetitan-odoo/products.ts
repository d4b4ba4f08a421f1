/**
 * Products of order and invoice lines: Odoo requires a product (and its unit) on every purchase and
 * sale order line that is not a section or note (the `accountable_required_fields` check of
 * purchase.order.line and sale.order.line). A line takes the product whose internal reference is the
 * ServiceTitan SKU code, or else the configured fallback product.
 */
import { ConfigError } from '../../errors.js';
import type { OdooClient } from '../../systems/odoo/client.js';
import { m2o } from '../values.js';
import type { Scope } from './refs.js';

export interface ProductRef {
  id: number;
  uom: number | null;
}

export class Products {
  private readonly byCode = new Map<string, ProductRef | null>();
  private fallbackOf: Promise<ProductRef> | undefined;

  constructor(
    private readonly odoo: OdooClient,
    private readonly fallbackName: string,
  ) {}

  /** A look-up for the codes of a batch: each code's product, or the fallback. */
  async forCodes(codes: Array<string | undefined>, scope: Scope): Promise<(code?: string) => ProductRef> {
    const fallback = await this.fallback(scope);
    const wanted = [...new Set(codes.filter((c): c is string => !!c && !this.byCode.has(c)))];
    if (wanted.length > 0) {
      const rows = await this.odoo.searchRead('product.product', [['default_code', 'in', wanted]], {
        fields: ['id', 'default_code', 'uom_id'],
        order: 'id asc',
        context: { allowed_company_ids: [scope.company] },
      });
      for (const code of wanted) this.byCode.set(code, null);
      for (const r of rows)
        if (typeof r.default_code === 'string' && !this.byCode.get(r.default_code))
          this.byCode.set(r.default_code, { id: r.id, uom: m2o(r.uom_id)?.id ?? null });
    }
    return (code) => (code ? this.byCode.get(code) : undefined) ?? fallback;
  }

  private fallback(scope: Scope): Promise<ProductRef> {
    this.fallbackOf ??= (async () => {
      for (const field of ['default_code', 'name']) {
        const [row] = await this.odoo.searchRead('product.product', [[field, '=', this.fallbackName]], {
          fields: ['id', 'uom_id'],
          order: 'id asc',
          limit: 1,
          context: { allowed_company_ids: [scope.company] },
        });
        if (row) return { id: row.id, uom: m2o(row.uom_id)?.id ?? null };
      }
      throw new ConfigError(`Odoo has no product "${this.fallbackName}" for lines without a known SKU`, {
        code: 'config.fallback_product_missing',
        hint: 'create it in Odoo (a service product), or name another one in the pair option products.fallback',
      });
    })();
    this.fallbackOf.catch(() => (this.fallbackOf = undefined));
    return this.fallbackOf;
  }
}
