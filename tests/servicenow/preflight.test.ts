import { s2pDimensionRequirements } from '../../src/pairs/s2p.js';
import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import type { ServiceNowClient } from '../../src/systems/servicenow/client.js';
import { preflight, type ServiceNowRequirement } from '../../src/systems/servicenow/index.js';
import { control, raw, snClient, stats, type Sim } from './helpers.js';

const ORDER: ServiceNowRequirement = {
  staging: 'sn_fcms_intg_imp_order',
  columns: ['u_erp_po_number', 'u_erp_source', 'u_po_amount', 'u_cost_center'],
  coalesceOn: ['u_erp_po_number', 'u_erp_source'],
};
const COST_CENTER: ServiceNowRequirement = {
  staging: 'sn_fcms_intg_imp_cost_center',
  columns: ['u_code', 'u_name', 'u_erp_source', 'u_valid_to'],
  coalesceOn: ['u_code'],
};
const READS: ServiceNowRequirement[] = [
  { table: 'sn_fin_gl_account', query: 'active!=false', fields: ['code'] },
  { table: 'sn_fin_supplier', query: 'erp_source=ODOO', fields: ['erp_company_code'] },
];
const ALL = [...READS, ORDER, COST_CENTER];

/** Requests the simulator answered per route since the last reset of its counters. */
async function routeCounts(sim: Sim): Promise<Record<string, number>> {
  const s = await stats(sim);
  await fetch(`${sim.url}/_sim/stats`, { method: 'DELETE' });
  return s.byRoute;
}

async function mapOf(sim: Sim, staging: string): Promise<string> {
  const r = await raw(sim, 'GET', `/api/now/table/sys_transform_map?sysparm_query=source_table=${staging}`);
  return r.body.result[0].sys_id as string;
}

describe('ServiceNow preflight: the refusals of mlc ping, cheap enough for every pass', () => {
  let sim: Sim;
  let sn: ServiceNowClient;
  beforeEach(async () => {
    sim = await startServiceNowSim({ seed: 'demo' });
    sn = snClient(sim);
  });
  afterEach(async () => {
    await sn.close();
    await sim.close();
  });

  it('refuses nothing on the seeded instance, and ping agrees', async () => {
    expect(await preflight(sn, ALL)).toEqual([]);
    const ping = await sn.ping([ORDER as never, COST_CENTER as never], READS as never);
    expect(ping.checks.filter((c) => !c.ok)).toEqual([]);
    expect(ping.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'table sn_fin_gl_account (active!=false)',
        'staging sn_fcms_intg_imp_order rows',
        'transform map "Order stage" coalesce',
        'transform map "Order stage" empty values',
      ]),
    );
  });

  it('refuses a map that stopped coalescing with the very check ping prints, and notices the change on the next call', async () => {
    expect(await preflight(sn, ALL)).toEqual([]);
    await control(sim, 'POST', 'coalesce', { staging: 'sn_fcms_intg_imp_order', coalesce: false });
    const refused = await preflight(sn, ALL);
    expect(refused).toEqual([
      {
        name: 'transform map "Order stage" coalesce',
        ok: false,
        detail: expect.stringMatching(/no coalesce field: every retry or replay would insert a duplicate/),
      },
    ]);
    const ping = await sn.ping([ORDER as never, COST_CENTER as never], READS as never);
    expect(ping.ok).toBe(false);
    expect(ping.checks.filter((c) => !c.ok)).toEqual(refused);
  });

  it('reads the metadata of every staging table in three bulk reads, and sees an admin change on the next call', async () => {
    await routeCounts(sim);
    await preflight(sn, ALL);
    const counts = await routeCounts(sim);
    // One read per metadata table, whatever the number of staging tables.
    expect(counts['GET /api/now/table/sys_transform_entry']).toBe(1);
    expect(counts['GET /api/now/table/sys_dictionary']).toBe(1);
    expect(counts['GET /api/now/table/sys_transform_map']).toBe(1);
    // An admin edit through the Table API moves a stamp: the next call re-reads and sees it.
    const map = await mapOf(sim, 'sn_fcms_intg_imp_cost_center');
    expect(
      (await raw(sim, 'PATCH', `/api/now/table/sys_transform_map/${map}`, { copy_empty: 'true' })).status,
    ).toBe(200);
    const refused = await preflight(sn, ALL);
    expect(refused).toEqual([
      expect.objectContaining({
        name: 'transform map "Master data cost center" empty values',
        detail: expect.stringMatching(
          /"Copy empty fields" is on .*u_account_number.*every update would blank/,
        ),
      }),
    ]);
  });

  it('accepts "Copy empty fields" on a map whose every field map is a column mlc sends', async () => {
    const map = await mapOf(sim, 'sn_fcms_intg_imp_cost_center');
    await raw(sim, 'PATCH', `/api/now/table/sys_transform_map/${map}`, { copy_empty: 'true' });
    const all = {
      ...COST_CENTER,
      columns: [
        'u_code',
        'u_name',
        'u_account_number',
        'u_erp_source',
        'u_parent',
        'u_valid_from',
        'u_valid_to',
      ],
    };
    expect(await preflight(sn, [all])).toEqual([]);
  });

  it('refuses a read whose query names a field the integration user cannot read (403 with field ACLs enforced)', async () => {
    await control(sim, 'POST', 'field_acl', {
      enforce: true,
      table: 'sn_fin_supplier',
      deny: ['erp_source'],
    });
    const refused = await preflight(sn, ALL);
    expect(refused).toEqual([
      {
        name: 'table sn_fin_supplier (erp_source=ODOO)',
        ok: false,
        detail: expect.stringMatching(
          /names a field the integration user cannot read or that does not exist/,
        ),
      },
    ]);
    // A typo in a field name is found the same way (the property makes unknown fields 403 too).
    expect(
      await preflight(sn, [{ table: 'sn_fin_gl_account', query: 'actve!=false', fields: ['code'] }]),
    ).toHaveLength(1);
  });

  it('refuses a staging table whose rows the integration user cannot read (insertMultiple outcomes come from them)', async () => {
    await control(sim, 'POST', 'table_acl', { table: 'sn_fcms_intg_imp_order', read: false });
    const refused = await preflight(sn, ALL);
    expect(refused).toEqual([
      {
        name: 'staging sn_fcms_intg_imp_order rows',
        ok: false,
        detail: expect.stringMatching(/insufficient rights/),
      },
    ]);
  });

  it("checks the dimension reads of the S2P pairs with the pass's own queries", async () => {
    const reads = s2pDimensionRequirements(
      { costCenter: 'cmn_cost_center', glAccount: 'sn_fin_gl_account', supplier: 'sn_fin_supplier' },
      'ODOO',
    );
    expect(await preflight(sn, reads)).toEqual([]);
    await control(sim, 'POST', 'field_acl', { enforce: true, table: 'sn_fin_gl_account', deny: ['active'] });
    expect((await preflight(sn, reads)).map((c) => c.name)).toEqual([
      'table sn_fin_gl_account (active!=false)',
    ]);
  });
});
