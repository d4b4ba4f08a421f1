/** Analytic accounts (account.analytic.account) of one analytic plan, keyed by `code`. */
import { ConfigError } from '../../../errors.js';
import type { OdooClient } from '../client.js';
import { companyContext, fromUpsert, refusedAsRecords, type SinkResult, type SinkScope } from './common.js';

export interface AnalyticItem {
  /** The account's code (its reference). */
  ref: string;
  name: string;
  active: boolean;
}

export function analyticAccountSink(odoo: OdooClient, scope: SinkScope & { plan: string }) {
  let planId: Promise<number> | undefined;
  const plan = (): Promise<number> => {
    planId ??= odoo
      .searchRead('account.analytic.plan', [['name', '=', scope.plan]], {
        fields: ['id'],
        limit: 1,
        context: companyContext(scope),
      })
      .then((rows) => {
        const id = rows[0]?.id;
        if (id === undefined)
          throw new ConfigError(`Odoo has no analytic plan named "${scope.plan}"`, {
            code: 'odoo.analytic_plan_missing',
            hint: 'create it in Accounting > Configuration > Analytic Plans, or set the pair option analyticPlan',
          });
        return id;
      });
    planId.catch(() => (planId = undefined));
    return planId;
  };
  return {
    model: 'account.analytic.account',
    refField: 'code',
    plan,
    async write(items: AnalyticItem[]): Promise<SinkResult[]> {
      if (items.length === 0) return [];
      const planOf = await plan();
      return refusedAsRecords(items.length, 'analytic accounts (account.analytic.account)', async () =>
        (
          await odoo.upsertByRef(
            'account.analytic.account',
            'code',
            items.map((i) => ({
              ref: i.ref,
              vals: { name: i.name, active: i.active, plan_id: planOf, company_id: scope.company },
            })),
          )
        ).map(fromUpsert),
      );
    },
  };
}
