import { RecordError } from '../../errors.js';
import type { OdooRow } from '../../systems/odoo/client.js';
import type { SnRow } from '../../systems/servicenow/client.js';
import type { Flow, SourceRecord, WriteResult } from '../../sync/types.js';
import { importFlat, type StagingRow } from '../s2p.js';
import { bool, isoUtc, m2o, text } from '../values.js';
import {
  costCenterCanonical,
  mapCostCenterToOdoo,
  mapCostCenterToServiceNow,
  type CostCenterData,
} from './mappers.js';
import type { FlowContext } from './context.js';
import { f } from './fields.js';

/** Cost centers both ways: Odoo analytic accounts of the cost-center plan <-> ServiceNow cmn_cost_center (two-way, no echo: both directions hash the same canonical form). */
export function costCenterFlows(ctx: FlowContext): Flow[] {
  const { odoo, sn, t, opts, options, companies, odooTime, snTime } = ctx;
  const flows: Flow[] = [];

  const planDomain = [['plan_id.name', '=', options.costCenters.analyticPlan]];
  // ---- cost centers, Odoo -> ServiceNow ----------------------------------------------------------
  const odooCostCenter = async (r: OdooRow): Promise<SourceRecord<CostCenterData>> => {
    // An analytic account of one company maps through that company's code map; a shared one
    // (no company) through the pair's.
    const owner = m2o(r.company_id)?.id;
    const companyMap = owner === undefined ? undefined : (await companies.all()).get(owner)?.costCenterMap;
    return {
      id: text(r.code) ?? `odoo-analytic-${r.id}`,
      modified: isoUtc(r.write_date) ?? new Date(0).toISOString(),
      label: `${text(r.code) ?? `#${r.id}`} ${text(r.name) ?? ''}`.trim(),
      data: {
        code: text(r.code),
        name: text(r.name) ?? '',
        active: r.active === undefined ? true : bool(r.active),
        ...(companyMap === undefined || Object.keys(companyMap).length === 0 ? {} : { companyMap }),
      },
    };
  };
  /** Cost centers shared by every company, or of a covered one. */
  const ccDomain = async (): Promise<unknown[]> => [
    ...planDomain,
    ['company_id', 'in', [false, ...(await companies.ids())]],
  ];
  if (options.costCenters.direction === 'both' || options.costCenters.direction === 'to-servicenow') {
    flows.push({
      name: 'cost_centers_to_servicenow',
      entity: 'cost_center',
      direction: 'odoo -> servicenow',
      description: `Odoo analytic accounts of plan "${options.costCenters.analyticPlan}" -> ${t.costCenter}`,
      serverTime: odooTime,
      async *read(window) {
        const domain = await ccDomain();
        for await (const page of odoo.readChanged('account.analytic.account', {
          fields: f('account.analytic.account'),
          window,
          domain,
          activeTest: false,
        })) {
          yield await Promise.all(page.map(odooCostCenter));
        }
      },
      async fetch(codes) {
        const rows = await odoo.searchRead(
          'account.analytic.account',
          [...(await ccDomain()), ['code', 'in', codes]],
          {
            fields: f('account.analytic.account'),
            context: { active_test: false },
          },
        );
        return Promise.all(rows.map(odooCostCenter));
      },
      map: (r) => mapCostCenterToServiceNow(r.data, r.label, r.modified, opts),
      hashOf: (p: StagingRow) =>
        costCenterCanonical(p.u_code ?? '', p.u_name ?? '', (p.u_valid_to ?? '') === ''),
      write: (items) => importFlat(sn, t.costCenterStaging, items as never),
      provides: { kind: 'cost_center', key: (p: StagingRow) => p.u_code ?? '' },
    } satisfies Flow<CostCenterData, StagingRow> as Flow);
  }

  // ---- cost centers, ServiceNow -> Odoo ----------------------------------------------------------
  const snCostCenter = (r: SnRow): SourceRecord<CostCenterData> => {
    const modified = isoUtc(r.sys_updated_on) ?? new Date(0).toISOString();
    const validTo = r.valid_to ?? '';
    return {
      id: r.code || `sn-${r.sys_id}`,
      modified,
      label: `${r.code || r.sys_id} ${r.name ?? ''}`.trim(),
      // A cost center whose validity ended on or before its last change is archived in Odoo.
      data: {
        code: r.code || null,
        name: r.name ?? '',
        active: validTo === '' || validTo.slice(0, 10) > modified.slice(0, 10),
      },
    };
  };
  if (options.costCenters.direction === 'both' || options.costCenters.direction === 'to-odoo') {
    let planId: Promise<number> | undefined;
    const resolvePlan = (): Promise<number> =>
      (planId ??= odoo
        .searchRead('account.analytic.plan', [['name', '=', options.costCenters.analyticPlan]], {
          fields: ['id', 'name'],
        })
        .then((rows) => {
          const plan = rows[0];
          if (!plan) {
            throw new RecordError(`Odoo has no analytic plan named "${options.costCenters.analyticPlan}"`, {
              code: 'odoo.no_analytic_plan',
              hint: 'create the plan in Odoo (Accounting > Configuration > Analytic Plans) or set costCenters.analyticPlan',
            });
          }
          return plan.id;
        }));
    const ccFields = ['sys_id', 'code', 'name', 'valid_to', 'sys_updated_on'];
    flows.push({
      name: 'cost_centers_to_odoo',
      entity: 'cost_center',
      direction: 'servicenow -> odoo',
      description: `${t.costCenter} -> Odoo analytic accounts of plan "${options.costCenters.analyticPlan}"`,
      serverTime: snTime,
      async *read(window) {
        for await (const page of sn.readChanged(t.costCenter, { fields: ccFields, window }))
          yield page.map(snCostCenter);
      },
      async fetch(codes) {
        const rows = await sn.queryAll(t.costCenter, { query: `codeIN${codes.join(',')}`, fields: ccFields });
        return rows.map(snCostCenter);
      },
      map: (r) => mapCostCenterToOdoo(r.data, r.label, opts),
      hashOf: (p) => costCenterCanonical(options.costCenters.map[p.code] ?? p.code, p.name, p.active),
      async write(items): Promise<WriteResult[]> {
        let plan: number;
        try {
          plan = await resolvePlan();
        } catch (err) {
          planId = undefined;
          if (err instanceof RecordError) return items.map(() => ({ ok: false, error: err }));
          throw err;
        }
        const results = await odoo.upsertByRef(
          'account.analytic.account',
          'code',
          items.map((i) => ({
            ref: i.payload.code,
            vals: { code: i.payload.code, name: i.payload.name, active: i.payload.active, plan_id: plan },
          })),
        );
        return results.map((r) =>
          r.error
            ? { ok: false, error: r.error }
            : {
                ok: true,
                targetId: r.id === undefined ? null : String(r.id),
                response: { id: r.id, created: r.created },
              },
        );
      },
    } satisfies Flow<CostCenterData, { code: string; name: string; active: boolean }> as Flow);
  }

  return flows;
}
