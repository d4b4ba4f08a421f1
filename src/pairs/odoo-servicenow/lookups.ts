import type { OdooClient } from '../../systems/odoo/client.js';
import { m2o, num, text } from '../values.js';

/**
 * Look-ups of Odoo master data the readers need to enrich documents (analytic account codes,
 * account codes, product types), loaded once per pass.
 */
export class OdooLookups {
  private analytic: Promise<Map<number, { code: string | null; plan: string | null }>> | undefined;
  private readonly accounts = new Map<number, Promise<Map<number, { code: string; name: string }>>>();
  private readonly productTypes = new Map<number, string | null>();

  constructor(
    private readonly odoo: OdooClient,
    private readonly plan: string,
  ) {}

  analyticAccounts(): Promise<Map<number, { code: string | null; plan: string | null }>> {
    return (this.analytic ??= this.odoo
      .searchRead('account.analytic.account', [], {
        fields: ['id', 'code', 'plan_id'],
        context: { active_test: false },
      })
      .then(
        (rows) =>
          new Map(rows.map((r) => [r.id, { code: text(r.code), plan: m2o(r.plan_id)?.name ?? null }])),
      ));
  }

  /**
   * Account codes as `company` sees them. Codes are company-dependent (§9): read without that
   * company first in `allowed_company_ids`, another company's accounts answer `code: false`.
   */
  accountCodes(company: number): Promise<Map<number, { code: string; name: string }>> {
    let cached = this.accounts.get(company);
    if (!cached) {
      cached = this.odoo
        .searchRead('account.account', [], {
          fields: ['id', 'code', 'name'],
          context: { active_test: false, allowed_company_ids: [company] },
        })
        .then(
          (rows) => new Map(rows.map((r) => [r.id, { code: text(r.code) ?? '', name: text(r.name) ?? '' }])),
        );
      cached.catch(() => this.accounts.delete(company));
      this.accounts.set(company, cached);
    }
    return cached;
  }

  async productTypesOf(productIds: number[]): Promise<Map<number, string | null>> {
    const missing = [...new Set(productIds)].filter((id) => !this.productTypes.has(id));
    if (missing.length > 0) {
      const rows = await this.odoo.searchRead('product.product', [['id', 'in', missing]], {
        fields: ['id', 'type'],
        context: { active_test: false },
      });
      for (const id of missing) this.productTypes.set(id, null);
      for (const r of rows) this.productTypes.set(r.id, text(r.type));
    }
    return this.productTypes;
  }

  /**
   * Reads the cost centers of an `analytic_distribution` (`{"12": 100.0}` or `{"3,7": 50.0}`):
   * accounts of the cost-center plan only. Answers a plain function once the accounts are loaded.
   */
  async costCenters(): Promise<(distribution: unknown) => Array<{ code: string; share: number }>> {
    const analytic = await this.analyticAccounts();
    return (distribution) => this.costCentersIn(analytic, distribution);
  }

  private costCentersIn(
    analytic: Map<number, { code: string | null; plan: string | null }>,
    distribution: unknown,
  ): Array<{ code: string; share: number }> {
    if (distribution === null || typeof distribution !== 'object') return [];
    const out = new Map<string, number>();
    for (const [key, share] of Object.entries(distribution as Record<string, unknown>)) {
      for (const id of key.split(',').map(Number)) {
        const a = analytic.get(id);
        if (a?.code && a.plan === this.plan) out.set(a.code, (out.get(a.code) ?? 0) + num(share));
      }
    }
    return [...out].map(([code, s]) => ({ code, share: Math.round(s * 100) / 100 }));
  }
}

export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
