/**
 * Partners (res.partner) keyed by `ref`: customers (with their contacts and addresses as child
 * partners of the company partner) and suppliers. Customer and supplier rank are set on create so
 * that Odoo lists them as such before a first invoice or bill.
 */
import type { OdooClient } from '../client.js';
import { companyContext, fromUpsert, refusedAsRecords, type SinkResult, type SinkScope } from './common.js';

export interface PartnerItem {
  ref: string;
  role: 'customer' | 'supplier';
  vals: Record<string, unknown>;
  /** Contacts and addresses, each with its own ref (written under the partner as parent). */
  children?: Array<{ ref: string; vals: Record<string, unknown> }>;
}

export function partnerSink(odoo: OdooClient, scope: SinkScope) {
  return {
    model: 'res.partner',
    refField: 'ref',
    async write(items: PartnerItem[]): Promise<SinkResult[]> {
      return refusedAsRecords(items.length, 'partners (res.partner)', async () => {
        const rank = (i: PartnerItem) => (i.role === 'customer' ? 'customer_rank' : 'supplier_rank');
        const existing = await odoo.searchRead('res.partner', [['ref', 'in', items.map((i) => i.ref)]], {
          fields: ['id', 'ref', 'customer_rank', 'supplier_rank'],
          context: { active_test: false, ...companyContext(scope) },
        });
        const ranked = new Map(existing.map((r) => [String(r.ref), r]));
        const rows = items.map((i) => {
          const had = ranked.get(i.ref);
          const keepRank = had && Number(had[rank(i)] ?? 0) > 0;
          return {
            ref: i.ref,
            vals: { ...i.vals, company_id: scope.company, ...(keepRank ? {} : { [rank(i)]: 1 }) },
          };
        });
        const parents = (await odoo.upsertByRef('res.partner', 'ref', rows)).map(fromUpsert);
        const children: Array<{ ref: string; vals: Record<string, unknown> }> = [];
        const owner = new Map<string, number>();
        items.forEach((item, n) => {
          const p = parents[n];
          if (!p?.ok) return;
          for (const c of item.children ?? []) {
            children.push({ ref: c.ref, vals: { ...c.vals, parent_id: p.id, company_id: scope.company } });
            owner.set(c.ref, n);
          }
        });
        if (children.length === 0) return parents;
        const written = await odoo.upsertByRef('res.partner', 'ref', children);
        const out = [...parents];
        for (const c of written) {
          const n = owner.get(c.ref) as number;
          // A child that fails fails its partner's record (replayed as one).
          if (c.error && out[n]?.ok) out[n] = { ok: false, error: c.error };
        }
        return out;
      });
    },
  };
}
