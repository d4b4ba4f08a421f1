import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import type { ServiceNowClient } from '../../src/systems/servicenow/client.js';
import { control, costCenter, raw, snClient, type Sim } from './helpers.js';

const ORDER = {
  u_erp_po_number: 'P00042',
  u_erp_source: 'ODOO',
  u_supplier_company_name: 'Nobody Inc',
  u_cost_center: 'CC-200',
  u_po_amount: '120.00',
  u_po_amount_currency: 'USD',
};
const line = (n: string, extra: Record<string, string> = {}) => ({
  u_erp_source: 'ODOO',
  u_erp_po_number: 'P00042',
  u_erp_po_line_number: n,
  u_product_name: `Item ${n}`,
  u_quantity: '1',
  u_unit_price: '60.00',
  u_cost_center: 'CC-200',
  ...extra,
});

describe('ServiceNow Import Set writes against the simulator', () => {
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

  it('updates the record a re-posted row created instead of duplicating it, and reports an unchanged re-post as ignored', async () => {
    const [first] = await sn.importRows('sn_fcms_intg_imp_cost_center', [costCenter('CC-900', 'Projects')]);
    expect(first).toMatchObject({ status: 'inserted', table: 'cmn_cost_center' });
    const [second] = await sn.importRows('sn_fcms_intg_imp_cost_center', [
      costCenter('CC-900', 'Projects & Bids'),
    ]);
    expect(second).toMatchObject({ status: 'updated', sysId: first!.sysId });
    const [third] = await sn.importRows('sn_fcms_intg_imp_cost_center', [
      costCenter('CC-900', 'Projects & Bids'),
    ]);
    expect(third).toMatchObject({ status: 'ignored', message: 'No field values changed' });
    const rows = await sn.queryAll('cmn_cost_center', {
      query: 'code=CC-900',
      fields: ['name', 'sys_mod_count'],
    });
    expect(rows).toEqual([
      expect.objectContaining({ sys_id: first!.sysId, name: 'Projects & Bids', sys_mod_count: '1' }),
    ]);
  });

  it('coalesces on every key of a multi-column map: the same PO number from another ERP source is a new record', async () => {
    const [a] = await sn.importRows('sn_fcms_intg_imp_order', [ORDER]);
    const [b] = await sn.importRows('sn_fcms_intg_imp_order', [{ ...ORDER, u_erp_source: 'ACUMATICA' }]);
    const [c] = await sn.importRows('sn_fcms_intg_imp_order', [{ ...ORDER, u_po_amount: '130.00' }]);
    expect([a?.status, b?.status, c?.status]).toEqual(['inserted', 'inserted', 'updated']);
    expect(c?.sysId).toBe(a?.sysId);
    expect(
      await sn.queryAll('sn_shop_purchase_order', { query: 'erp_number=P00042', fields: ['erp_source'] }),
    ).toHaveLength(2);
  });

  it("reports a row-level error inside a 201 as that record's failure, naming the missing reference (single post)", async () => {
    const [early] = await sn.importRows('sn_fcms_intg_imp_order_line', [line('1')]);
    expect(early?.status).toBe('error');
    expect(early?.message).toMatch(/P00042/);
    await sn.importRows('sn_fcms_intg_imp_order', [ORDER]);
    const [late] = await sn.importRows('sn_fcms_intg_imp_order_line', [line('1')]);
    expect(late?.status).toBe('inserted');
    const [badCc] = await sn.importRows('sn_fcms_intg_imp_order_line', [
      line('2', { u_cost_center: 'CC-400' }),
    ]);
    expect(badCc).toMatchObject({ status: 'error', message: expect.stringContaining('CC-400') });
    const [noMandatory] = await sn.importRows('sn_spend_intg_imp_invoice', [
      { u_external_invoice_number: 'B-1', u_external_invoice_source: 'ODOO', u_erp_source: 'ODOO' },
    ]);
    expect(noMandatory).toMatchObject({ status: 'error', message: expect.stringMatching(/u_invoice_date/) });
  });

  it("reports row-level errors and skipped rows of an insertMultiple as those records' outcomes, in input order", async () => {
    await control(sim, 'POST', 'faults', {
      kind: 'row_error',
      match: '^POST /api/now/import/',
      params: { message: 'Business rule aborted the insert' },
    });
    const outcomes = await sn.importRows('sn_fcms_intg_imp_cost_center', [
      costCenter('CC-901'),
      { u_code: '', u_name: 'no code' },
      costCenter('CC-902'),
      costCenter('CC-903'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['error', 'skipped', 'inserted', 'inserted']);
    expect(outcomes[0]?.message).toBe('Business rule aborted the insert');
    const codes = (await sn.queryAll('cmn_cost_center', { query: 'codeSTARTSWITHCC-90', fields: ['code'] }))
      .map((r) => r.code)
      .sort();
    expect(codes).toEqual(['CC-902', 'CC-903']);
    expect(outcomes[2]?.sysId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('returns insertMultiple outcomes per row in input order across several asynchronous batches, and re-sends update nothing twice', async () => {
    const small = snClient(sim, { batchSize: 7 });
    const rows = Array.from({ length: 30 }, (_, i) => costCenter(`CC-B${String(i).padStart(2, '0')}`));
    rows[13] = { ...rows[13]!, u_code: '' };
    const outcomes = await small.importRows('sn_fcms_intg_imp_cost_center', rows);
    expect(outcomes).toHaveLength(30);
    expect(outcomes[13]?.status).toBe('skipped');
    expect(outcomes.filter((o) => o.status === 'inserted')).toHaveLength(29);
    const created = await small.queryAll('cmn_cost_center', {
      query: 'codeSTARTSWITHCC-B',
      fields: ['code'],
    });
    const idByCode = new Map(created.map((r) => [r.code, r.sys_id]));
    outcomes.forEach((o, i) => {
      if (i !== 13) expect(o.sysId).toBe(idByCode.get(rows[i]!.u_code));
    });
    const again = await small.importRows('sn_fcms_intg_imp_cost_center', rows);
    expect(again.filter((o) => o.status === 'ignored')).toHaveLength(29);
    expect(
      await small.queryAll('cmn_cost_center', { query: 'codeSTARTSWITHCC-B', fields: ['code'] }),
    ).toHaveLength(29);
    await small.close();
  });

  it('sends column labels to insertMultiple when the staging table maps by label, and outcomes still come back per row in order', async () => {
    await control(sim, 'POST', 'insert_multiple', {
      staging: 'sn_fcms_intg_imp_cost_center',
      columnMapping: 'label',
    });
    // The wire contract first: names sent to a label-mapped table land nowhere, so the row is skipped.
    const misuse = await raw(sim, 'POST', '/api/now/import/sn_fcms_intg_imp_cost_center/insertMultiple', {
      records: [costCenter('CC-L0')],
    });
    expect(misuse.status).toBe(201);
    const c = snClient(sim);
    const outcomes = await c.importRows(
      'sn_fcms_intg_imp_cost_center',
      [costCenter('CC-L1', 'Label one'), { u_code: '' }, costCenter('CC-L2', 'Label two')],
      { mode: 'multiple' },
    );
    expect(outcomes.map((o) => o.status)).toEqual(['inserted', 'skipped', 'inserted']);
    const rows = await c.queryAll('cmn_cost_center', {
      query: 'codeSTARTSWITHCC-L^ORDERBYcode',
      fields: ['code', 'name'],
    });
    expect(rows.map((r) => [r.code, r.name])).toEqual([
      ['CC-L1', 'Label one'],
      ['CC-L2', 'Label two'],
    ]);
    await c.close();
  });

  it('resolves references by the referenced value field and inverts u_inactive into active', async () => {
    const [gl] = await sn.importRows('sn_fcms_intg_gl_account_stage', [
      { u_number: '630000', u_account_name: 'Freight In', u_inactive: 'true' },
    ]);
    expect(gl?.status).toBe('inserted');
    expect(await sn.get('sn_fin_gl_account', gl!.sysId!, ['code', 'active'])).toMatchObject({
      code: '630000',
      active: 'false',
    });
    const [child] = await sn.importRows('sn_fcms_intg_imp_cost_center', [
      { ...costCenter('CC-210'), u_parent: 'CC-200' },
    ]);
    const cc200 = (await sn.queryAll('cmn_cost_center', { query: 'code=CC-200', fields: ['code'] }))[0]!;
    expect((await sn.get('cmn_cost_center', child!.sysId!, ['parent']))?.parent).toBe(cc200.sys_id);
  });

  it('writes and patches through the Table API', async () => {
    const row = await sn.insert('sn_fin_supplier', {
      name: 'Table Vendor',
      legal_name: 'Table Vendor LLC',
      no_such_field: 'x',
    });
    expect(row.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(row).not.toHaveProperty('no_such_field');
    const patched = await sn.patch('sn_fin_supplier', row.sys_id, { status: 'active' });
    expect(patched).toMatchObject({ status: 'active', sys_mod_count: '1' });
    expect(await sn.get('sn_fin_supplier', '0'.repeat(32))).toBeNull();
  });

  it('re-reads an import outcome by staging row until the import set is purged', async () => {
    const res = await raw(sim, 'POST', '/api/now/import/sn_fcms_intg_imp_cost_center', costCenter('CC-P1'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      import_set: expect.stringMatching(/^ISET\d+/),
      staging_table: 'sn_fcms_intg_imp_cost_center',
      result: [{ transform_map: 'Master data cost center', table: 'cmn_cost_center', status: 'inserted' }],
    });
    const [staged] = (
      await raw(sim, 'GET', '/api/now/table/sn_fcms_intg_imp_cost_center?sysparm_query=u_code=CC-P1')
    ).body.result;
    expect(staged).toMatchObject({
      sys_import_state: 'inserted',
      sys_target_table: 'cmn_cost_center',
      sys_target_sys_id: res.body.result[0].sys_id,
    });
    const again = await raw(sim, 'GET', `/api/now/import/sn_fcms_intg_imp_cost_center/${staged.sys_id}`);
    expect(again.body.result[0]).toMatchObject({ status: 'inserted', sys_id: res.body.result[0].sys_id });
    await control(sim, 'POST', 'purge_import_sets');
    expect(
      (await raw(sim, 'GET', `/api/now/import/sn_fcms_intg_imp_cost_center/${staged.sys_id}`)).status,
    ).toBe(404);
  });
});
