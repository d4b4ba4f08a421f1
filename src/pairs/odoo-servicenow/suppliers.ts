import type { OdooRow } from '../../systems/odoo/client.js';
import type { Flow, SourceRecord } from '../../sync/types.js';
import { importFlat, type StagingRow } from '../s2p.js';
import { bool, isoUtc, m2o, num, text } from '../values.js';
import { mapSupplier, type SupplierData } from './mappers.js';
import type { FlowContext } from './context.js';
import { f } from './fields.js';

/** Suppliers: Odoo vendors -> ServiceNow supplier staging. */
export function supplierFlows(ctx: FlowContext): Flow[] {
  const { odoo, sn, t, opts, options, companyDomain, odooTime, batchSize } = ctx;
  const flows: Flow[] = [];

  // ---- suppliers ---------------------------------------------------------------------------------
  const supplier = (r: OdooRow): SourceRecord<SupplierData> => ({
    id: String(r.id),
    modified: isoUtc(r.write_date) ?? new Date(0).toISOString(),
    label: text(r.name) ?? `partner ${r.id}`,
    data: {
      id: r.id,
      name: text(r.name) ?? '',
      ref: text(r.ref),
      vat: text(r.vat),
      email: text(r.email),
      city: text(r.city),
      country: m2o(r.country_id)?.name ?? null,
      active: r.active === undefined ? true : bool(r.active),
    },
  });
  if (options.suppliers.enabled) {
    // §9: supplier_rank rises only when a bill is posted, so a vendor whose confirmed purchase orders
    // are not billed yet has rank 0. A vendor is a partner with a supplier rank, or one that a purchase
    // order or vendor bill this pair sends names.
    const poStates = options.purchaseOrders.enabled ? options.purchaseOrders.states : [];
    const docQueries: Array<{ model: string; domain: unknown[] }> = [
      ...(poStates.length > 0 ? [{ model: 'purchase.order', domain: [['state', 'in', poStates]] }] : []),
      ...(options.vendorBills.enabled
        ? [
            {
              model: 'account.move',
              domain: [
                ['move_type', '=', 'in_invoice'],
                ['state', '=', 'posted'],
              ],
            },
          ]
        : []),
    ];
    /** Partners among `ids` that a sent document names. */
    const namedByDocuments = async (ids: number[]): Promise<Set<number>> => {
      const named = new Set<number>();
      if (ids.length === 0) return named;
      const scope = await companyDomain();
      for (const q of docQueries) {
        const rows = await odoo.searchRead(q.model, [...q.domain, ...scope, ['partner_id', 'in', ids]], {
          fields: ['id', 'partner_id'],
        });
        for (const r of rows) {
          const p = m2o(r.partner_id)?.id;
          if (p !== undefined) named.add(p);
        }
      }
      return named;
    };
    const vendorsAmong = async (rows: OdooRow[]): Promise<OdooRow[]> => {
      const unranked = rows.filter((r) => !(num(r.supplier_rank) > 0)).map((r) => r.id);
      const named = await namedByDocuments(unranked);
      return rows.filter((r) => num(r.supplier_rank) > 0 || named.has(r.id));
    };
    flows.push({
      name: 'suppliers',
      entity: 'supplier',
      direction: 'odoo -> servicenow',
      description: `Odoo vendors (res.partner with a supplier rank, or named by a sent purchase order or bill) -> ${t.supplierStaging}`,
      serverTime: odooTime,
      async *read(window) {
        const sent = new Set<number>();
        for await (const page of odoo.readChanged('res.partner', {
          fields: f('res.partner'),
          window,
          activeTest: false,
        })) {
          const vendors = await vendorsAmong(page);
          for (const v of vendors) sent.add(v.id);
          if (vendors.length > 0) yield vendors.map(supplier);
        }
        // Documents changed in this window whose vendor did not change: the vendor goes first.
        const wanted = new Set<number>();
        const scope = await companyDomain();
        for (const q of docQueries) {
          for await (const page of odoo.readChanged(q.model, {
            fields: ['id', 'partner_id', 'write_date'],
            window,
            domain: [...q.domain, ...scope],
          })) {
            for (const r of page) {
              const p = m2o(r.partner_id)?.id;
              if (p !== undefined && !sent.has(p)) wanted.add(p);
            }
          }
        }
        const ids = [...wanted].sort((a, b) => a - b);
        for (let i = 0; i < ids.length; i += batchSize) {
          const rows = await odoo.searchRead('res.partner', [['id', 'in', ids.slice(i, i + batchSize)]], {
            fields: f('res.partner'),
            order: 'id asc',
            context: { active_test: false },
          });
          if (rows.length > 0) yield rows.map(supplier);
        }
      },
      async fetch(idList) {
        const rows = await odoo.searchRead('res.partner', [['id', 'in', idList.map(Number)]], {
          fields: f('res.partner'),
          context: { active_test: false },
        });
        return (await vendorsAmong(rows)).map(supplier);
      },
      map: (r) => mapSupplier(r.data, opts),
      write: (items) => importFlat(sn, t.supplierStaging, items as never),
      provides: { kind: 'supplier', key: (p: StagingRow) => p.u_erp_company_code ?? '' },
    } satisfies Flow<SupplierData, StagingRow> as Flow);
  }

  return flows;
}
