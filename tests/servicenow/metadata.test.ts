import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import type { ServiceNowClient } from '../../src/systems/servicenow/client.js';
import { preflight } from '../../src/systems/servicenow/index.js';
import { raw, snClient, type Sim } from './helpers.js';

async function create(
  sim: Sim,
  table: string,
  record: Record<string, string>,
): Promise<Record<string, string>> {
  const r = await raw(sim, 'POST', `/api/now/table/${table}`, record);
  if (r.status !== 201) throw new Error(`POST ${table}: ${r.status} ${r.text}`);
  return r.body.result as Record<string, string>;
}

describe('ServiceNow simulator: tables, columns and transform maps created through the Table API', () => {
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

  it('a staging table, a target table, their columns and a coalescing map set up over REST take effect in the Import Set API', async () => {
    await create(sim, 'sys_db_object', { name: 'u_vendor', label: 'Vendor' });
    await create(sim, 'sys_db_object', {
      name: 'u_vendor_stage',
      label: 'Vendor stage',
      super_class: 'sys_import_set_row',
    });
    for (const [table, element] of [
      ['u_vendor', 'u_code'],
      ['u_vendor', 'u_email'],
      ['u_vendor_stage', 'u_code'],
      ['u_vendor_stage', 'u_email'],
    ] as const)
      await create(sim, 'sys_dictionary', {
        name: table,
        element,
        column_label: element === 'u_code' ? 'Code' : 'Email',
        internal_type: 'string',
        mandatory: 'false',
      });
    const map = await create(sim, 'sys_transform_map', {
      name: 'Vendor stage',
      source_table: 'u_vendor_stage',
      target_table: 'u_vendor',
      active: 'true',
      copy_empty: 'false',
    });
    for (const [field, coalesce] of [
      ['u_code', 'true'],
      ['u_email', 'false'],
    ] as const)
      await create(sim, 'sys_transform_entry', {
        map: map.sys_id as string,
        source_table: 'u_vendor_stage',
        source_field: field,
        target_table: 'u_vendor',
        target_field: field,
        coalesce,
      });

    const requirement = { staging: 'u_vendor_stage', columns: ['u_code', 'u_email'], coalesceOn: ['u_code'] };
    expect(
      await preflight(sn, [requirement, { table: 'u_vendor', query: 'u_code=V1', fields: ['u_email'] }]),
    ).toEqual([]);
    const [first] = await sn.importRows('u_vendor_stage', [{ u_code: 'V1', u_email: 'a@example.com' }]);
    expect(first).toMatchObject({ status: 'inserted', table: 'u_vendor' });
    const multi = await sn.importRows('u_vendor_stage', [
      { u_code: 'V1', u_email: '' },
      { u_code: 'V2', u_email: 'b@example.com' },
    ]);
    expect(multi.map((o) => o.status)).toEqual(['updated', 'inserted']);
    expect(multi[0]?.sysId).toBe(first?.sysId);
    const vendors = await sn.queryAll('u_vendor', { query: 'ORDERBYu_code', fields: ['u_code', 'u_email'] });
    expect(vendors.map((v) => [v.u_code, v.u_email])).toEqual([
      ['V1', ''],
      ['V2', 'b@example.com'],
    ]);
  });

  it('refuses what the platform refuses: a duplicate table, a column of an unknown table, a duplicate column', async () => {
    expect((await raw(sim, 'POST', '/api/now/table/sys_db_object', { name: 'cmn_cost_center' })).status).toBe(
      400,
    );
    expect((await raw(sim, 'POST', '/api/now/table/sys_db_object', { name: 'Bad Name' })).status).toBe(400);
    expect(
      (await raw(sim, 'POST', '/api/now/table/sys_dictionary', { name: 'u_nowhere', element: 'u_x' })).status,
    ).toBe(400);
    expect(
      (await raw(sim, 'POST', '/api/now/table/sys_dictionary', { name: 'cmn_cost_center', element: 'code' }))
        .status,
    ).toBe(400);
  });

  it('a column deleted from the dictionary disappears from the table; a column added to a built-in table appears', async () => {
    const added = await create(sim, 'sys_dictionary', {
      name: 'cmn_cost_center',
      element: 'u_region',
      column_label: 'Region',
      internal_type: 'string',
    });
    await raw(
      sim,
      'PATCH',
      `/api/now/table/cmn_cost_center/${(await sn.queryAll('cmn_cost_center', { fields: ['code'] }))[0]!.sys_id}`,
      {
        u_region: 'EMEA',
      },
    );
    expect(
      await sn.queryAll('cmn_cost_center', { query: 'u_region=EMEA', fields: ['u_region'] }),
    ).toHaveLength(1);
    expect((await raw(sim, 'DELETE', `/api/now/table/sys_dictionary/${added.sys_id}`)).status).toBe(204);
    const r = await raw(
      sim,
      'GET',
      '/api/now/table/cmn_cost_center?sysparm_fields=u_region,code&sysparm_limit=1',
    );
    expect(Object.keys(r.body.result[0])).toEqual(['code']);
  });
});
