import type { OdooRow } from '../../systems/odoo/client.js';
import type { Flow, SourceRecord } from '../../sync/types.js';
import { isoUtc, text } from '../values.js';
import { mapGlAccount, type AccountData } from './mappers.js';
import { type CompanyScope } from './companies.js';
import type { FlowContext } from './context.js';
import { f } from './fields.js';

/** GL accounts: checked to exist in ServiceNow by code, per company, never written. */
export function glAccountFlows(ctx: FlowContext): Flow[] {
  const { odoo, t, opts, options, companies, odooTime } = ctx;
  const flows: Flow[] = [];

  // ---- GL accounts (checked, never written) --------------------------------------------------------
  // Codes are company-dependent (§9): each covered company's accounts are read with that company
  // first in allowed_company_ids, and checked through its own code map. An account of the first
  // company keeps its plain id as source id; another company's is `<id>@<company>`.
  const account = (r: OdooRow, company: CompanyScope): SourceRecord<AccountData> => ({
    id: company.primary ? String(r.id) : `${r.id}@${company.id}`,
    modified: isoUtc(r.write_date) ?? new Date(0).toISOString(),
    label: `${text(r.code) ?? ''} ${text(r.name) ?? ''}`.trim(),
    data: {
      id: r.id,
      code: text(r.code) ?? '',
      name: text(r.name) ?? '',
      type: text(r.account_type) ?? '',
      ...(Object.keys(company.glAccountMap).length === 0 ? {} : { glAccountMap: company.glAccountMap }),
    },
  });
  const accountsOf = (company: CompanyScope, rows: OdooRow[]): SourceRecord<AccountData>[] =>
    // Another company's account (code false here) is read in its own company's pass.
    rows.filter((r) => text(r.code) !== null).map((r) => account(r, company));
  if (options.glAccounts.check) {
    const domain = [['account_type', 'in', options.glAccounts.types]];
    flows.push({
      name: 'gl_accounts',
      entity: 'gl_account',
      direction: 'odoo -> servicenow (check only)',
      description: `Odoo accounts of types ${options.glAccounts.types.join(', ')} must exist in ${t.glAccount} (by code)`,
      serverTime: odooTime,
      checkOnly: true,
      async *read(window) {
        for (const company of (await companies.all()).values()) {
          for await (const page of odoo.readChanged('account.account', {
            fields: f('account.account'),
            window,
            domain,
            context: { allowed_company_ids: [company.id] },
          })) {
            const records = accountsOf(company, page);
            if (records.length > 0) yield records;
          }
        }
      },
      async fetch(idList) {
        const out: SourceRecord<AccountData>[] = [];
        for (const company of (await companies.all()).values()) {
          const wanted = idList
            .map((id) => /^(\d+)(?:@(\d+))?$/.exec(id))
            .filter((m): m is RegExpExecArray => m !== null)
            .filter((m) => (m[2] === undefined ? company.primary : Number(m[2]) === company.id))
            .map((m) => Number(m[1]));
          if (wanted.length === 0) continue;
          const rows = await odoo.searchRead('account.account', [['id', 'in', wanted]], {
            fields: f('account.account'),
            context: { allowed_company_ids: [company.id] },
          });
          out.push(...accountsOf(company, rows));
        }
        return out;
      },
      map: (r) => mapGlAccount(r.data, opts, options.glAccounts.types),
      write: async (items) => items.map(() => ({ ok: true, targetId: null })),
    } satisfies Flow<AccountData, { code: string }> as Flow);
  }

  return flows;
}
