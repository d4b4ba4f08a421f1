import { nextSecond, snRows, startPairEnv, type PairEnv } from '../helpers/pair.js';

/**
 * The netsuite-servicenow pair end to end: the real CLI against the NetSuite and ServiceNow
 * simulators over HTTP (M2M token, SuiteQL, Import Sets), with a temporary config and state file.
 */
const PAIR = 'netsuite-servicenow';
const SYSTEMS = ['netsuite', 'servicenow'];
const OPTIONS = {
  [PAIR]: {
    subsidiaries: { '1': { legalEntity: 'Acme Distribution' }, '2': { legalEntity: 'Acme Europe' } },
  },
};

type Row = Record<string, string>;
const sn = snRows;

async function snWrite(envp: PairEnv, method: string, path: string, body: unknown): Promise<Row> {
  const sim = envp.sims.servicenow!;
  const { username, password } = sim.credentials as { username: string; password: string };
  const res = await fetch(`${sim.running.url}/api/now/table/${path}`, {
    method,
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { result: Row }).result;
}

async function ns(envp: PairEnv, table: string): Promise<Array<Record<string, unknown>>> {
  return (await envp.control('netsuite', 'GET', `state?name=${table}`)) as Array<Record<string, unknown>>;
}

const written = (out: { flows: Array<{ written: number }> }): number =>
  out.flows.reduce((n, f) => n + f.written, 0);
const flowOf = (out: { flows: Array<{ flow: string }> }, name: string): any =>
  out.flows.find((f) => f.flow === name);
const pass = (stdout: string): any => JSON.parse(stdout).data.outcomes[0];

describe('netsuite-servicenow end to end', () => {
  let e: PairEnv;
  afterEach(async () => {
    await e?.close();
  });

  it('syncs two subsidiaries whose document numbers repeat, each to its legal entity, and an idle pass writes nothing', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    const first = await e.cli('sync', PAIR, '--json');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const out = pass(first.stdout);
    expect(out.flows.map((f: { flow: string }) => f.flow)).toEqual([
      'gl_accounts',
      'cost_centers_to_servicenow',
      'cost_centers_to_netsuite',
      'vendors',
      'purchase_orders',
      'vendor_bills',
      'gl_postings',
    ]);
    // Expense accounts of both subsidiaries; AP and bank accounts are skipped.
    const gl = (await sn(e, 'sn_fin_gl_account', 'erp_source=NETSUITE')).map((a) => a.code).sort();
    expect(gl).toEqual(['6000', '6010', '6100', '6110', '6200']);
    expect(flowOf(out, 'gl_accounts').skipped).toBe(3);
    // Departments became cost centers; ServiceNow's own cost centers became departments.
    const cc = (await sn(e, 'cmn_cost_center')).map((c) => c.code);
    expect(cc).toEqual(
      expect.arrayContaining(['NS-DEPT-1', 'NS-DEPT-2', 'NS-DEPT-3', 'NS-DEPT-4', 'CC-100', 'CC-500']),
    );
    const depts = await ns(e, 'department');
    expect(depts.filter((d) => d.externalid === 'CC-100').map((d) => d.name)).toEqual(['Operations']);
    expect(flowOf(out, 'cost_centers_to_netsuite').written).toBe(4);
    const suppliers = await sn(e, 'sn_fin_supplier', 'erp_source=NETSUITE');
    expect(suppliers.map((s) => s.erp_company_code).sort()).toEqual(['V100', 'V200', 'V300']);
    // PO1001 exists in both subsidiaries; the one pending approval stays in NetSuite.
    const entities = new Map((await sn(e, 'sn_fin_legal_entity')).map((l) => [l.sys_id, l.name]));
    const orders = await sn(e, 'sn_shop_purchase_order', 'erp_source=NETSUITE');
    expect(orders.map((o) => [o.erp_number, entities.get(o.legal_entity!)]).sort()).toEqual([
      ['S1-PO1001', 'Acme Distribution'],
      ['S2-PO1001', 'Acme Europe'],
    ]);
    const invoices = await sn(e, 'sn_shop_invoice');
    expect(invoices.map((i) => [i.external_invoice_number, entities.get(i.legal_entity!)]).sort()).toEqual([
      ['S1-VB1001', 'Acme Distribution'],
      ['S2-VB1001', 'Acme Europe'],
    ]);
    expect(await sn(e, 'sn_shop_invoice_line')).toHaveLength(4);
    // Posted GL lines: two bills (lines + AP) and one journal.
    const postings = await sn(e, 'u_erp_gl_posting');
    expect(postings.map((p) => p.posting_key).sort()).toEqual([
      'S1-JE100/1',
      'S1-JE100/2',
      'S1-VB1001/0',
      'S1-VB1001/1',
      'S1-VB1001/2',
      'S2-VB1001/0',
      'S2-VB1001/1',
      'S2-VB1001/2',
    ]);
    const ap = postings.find((p) => p.posting_key === 'S1-VB1001/0')!;
    expect([ap.gl_account, ap.credit, entities.get(ap.legal_entity!)]).toEqual([
      '2000',
      '950.40',
      'Acme Distribution',
    ]);

    const second = await e.cli('sync', PAIR, '--json');
    expect(second.code).toBe(0);
    expect(written(pass(second.stdout))).toBe(0);
    const stats = (await e.control('netsuite', 'GET', 'stats')) as { byRoute: Record<string, number> };
    expect(Object.keys(stats.byRoute).some((r) => r.startsWith('PUT') || r.startsWith('PATCH'))).toBe(true);
  });

  it('lands a bill with three GL lines on two departments with each line on its own account and cost center', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    expect((await e.cli('sync', PAIR)).code).toBe(0);
    await e.control('netsuite', 'POST', 'transaction', {
      type: 'VendBill',
      tranid: 'VB2002',
      subsidiary: 1,
      entity: 2,
      trandate: '2026-11-20',
      otherrefnum: 'INI-4471',
      lines: [
        { account: 2, amount: 410.5, department: 1, memo: 'Conference travel' },
        { account: 4, amount: 1200, department: 2, memo: 'CRM licences' },
        { item: 2, quantity: 12, rate: 6.5, department: 1, memo: 'Paper for the lab' },
      ],
    });
    await nextSecond();
    const run = await e.cli('sync', PAIR, '--json');
    expect(run.code).toBe(0);
    expect(flowOf(pass(run.stdout), 'vendor_bills').written).toBe(1);
    const [invoice] = await sn(e, 'sn_shop_invoice', 'external_invoice_number=S1-VB2002');
    expect(invoice).toMatchObject({ amount_invoiced: '1688.50', supplier_invoice_number: 'INI-4471' });
    const accounts = new Map((await sn(e, 'sn_fin_gl_account')).map((a) => [a.sys_id, a.code]));
    const centers = new Map((await sn(e, 'cmn_cost_center')).map((c) => [c.sys_id, c.code]));
    const lines = (await sn(e, 'sn_shop_invoice_line', `invoice=${invoice!.sys_id}`))
      .map((l) => [
        l.erp_line_number,
        accounts.get(l.gl_account!),
        centers.get(l.cost_center!),
        l.subtotal,
        l.description,
      ])
      .sort();
    expect(lines).toEqual([
      ['1', '6000', 'NS-DEPT-1', '410.50', 'Conference travel'],
      ['2', '6200', 'NS-DEPT-2', '1200.00', 'CRM licences'],
      ['3', '6100', 'NS-DEPT-1', '78.00', 'Paper for the lab'],
    ]);
  });

  it('audits a bill whose GL account ServiceNow lacks, naming it, and replays it once the account exists', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    // A prepaid-expense account (not an Expense type, so not sent) and a bill coded to it.
    const account = (await e.control('netsuite', 'POST', 'exec', {
      table: 'account',
      values: {
        acctnumber: '1410',
        accountsearchdisplayname: 'Prepaid Software',
        accttype: 'OthCurrAsset',
        isinactive: 'F',
        subsidiary: 1,
      },
    })) as { id: number };
    await e.control('netsuite', 'POST', 'transaction', {
      type: 'VendBill',
      tranid: 'VB3003',
      subsidiary: 1,
      entity: 1,
      trandate: '2026-11-21',
      lines: [{ account: account.id, amount: 2400, department: 2, memo: 'Annual licence' }],
    });
    await nextSecond();
    const run = await e.cli('sync', PAIR);
    expect(run.code).toBe(3);
    const failures = JSON.parse((await e.cli('audit', 'failures', '--json')).stdout).data.groups;
    const gl = failures.find((g: { cause: string }) => g.cause.startsWith('dimension.gl_account_missing'));
    expect(gl.cause).toContain('1410');
    expect(gl.example.message).toMatch(/GL account 1410 "Prepaid Software" does not exist/);
    expect((await e.cli('audit', 'show', String(gl.example.id))).stdout).toMatch(
      /create GL account 1410 in ServiceNow/,
    );
    expect(await sn(e, 'sn_shop_invoice', 'external_invoice_number=S1-VB3003')).toHaveLength(0);
    expect(await sn(e, 'sn_shop_invoice')).toHaveLength(2);

    expect((await e.cli('replay', String(gl.example.id))).code).toBe(3);
    await snWrite(e, 'POST', 'sn_fin_gl_account', { code: '1410', name: 'Prepaid Software', active: 'true' });
    const replay = await e.cli('replay', String(gl.example.id), '--json');
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout).data.outcomes[0].result).toBe('written');
    expect((await e.cli('replay', '--failed')).stdout).toMatch(/nothing to replay/);
    const [invoice] = await sn(e, 'sn_shop_invoice', 'external_invoice_number=S1-VB3003');
    expect(await sn(e, 'sn_shop_invoice_line', `invoice=${invoice!.sys_id}`)).toHaveLength(1);
  });

  it('takes a department renamed in NetSuite and a cost center renamed in ServiceNow to the other side once, with no echo', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    expect((await e.cli('sync', PAIR)).code).toBe(0);
    await nextSecond();
    // NetSuite: Engineering -> Research & Development.
    await e.control('netsuite', 'POST', 'exec', {
      table: 'department',
      id: 1,
      values: { name: 'Research & Development' },
    });
    // ServiceNow: CC-500 Facilities -> Facilities & Security.
    const [cc500] = await sn(e, 'cmn_cost_center', 'code=CC-500');
    await snWrite(e, 'PATCH', `cmn_cost_center/${cc500!.sys_id}`, { name: 'Facilities & Security' });
    await nextSecond();
    const run = await e.cli('sync', PAIR, '--json');
    expect(run.code).toBe(0);
    const out = pass(run.stdout);
    expect(flowOf(out, 'cost_centers_to_servicenow').written).toBe(1);
    expect(flowOf(out, 'cost_centers_to_netsuite').written).toBe(1);
    expect((await sn(e, 'cmn_cost_center', 'code=NS-DEPT-1'))[0]!.name).toBe('Research & Development');
    const depts = await ns(e, 'department');
    expect(depts.find((d) => d.externalid === 'CC-500')!.name).toBe('Facilities & Security');
    expect(depts.find((d) => d.id === 1)!.name).toBe('Research & Development');

    // Each side now re-reads what the other wrote: recognised, nothing goes back.
    await nextSecond();
    const after = await e.cli('sync', PAIR, '--json');
    expect(after.code).toBe(0);
    expect(written(pass(after.stdout))).toBe(0);
    const listed = await e.cli('audit', '--flow', 'cost_centers_to_netsuite', '--json');
    const rows = JSON.parse(listed.stdout).data.entries as Array<{ sourceId: string; outcome: string }>;
    expect(rows.filter((r) => r.sourceId === 'NS-DEPT-1' && r.outcome === 'written')).toHaveLength(0);
  });

  it('fails the documents of a subsidiary without a legal entity, naming it, and the rest goes through', async () => {
    e = await startPairEnv({
      systems: SYSTEMS,
      pairOptions: { [PAIR]: { subsidiaries: { '1': { legalEntity: 'Acme Distribution' } } } },
    });
    const run = await e.cli('sync', PAIR);
    expect(run.code).toBe(3);
    const failures = JSON.parse((await e.cli('audit', 'failures', '--json')).stdout).data.groups;
    const unmapped = failures.find((g: { cause: string }) =>
      g.cause.startsWith('mapping.subsidiary_unmapped'),
    );
    expect(unmapped.example.message).toMatch(
      /NetSuite subsidiary 2 "Acme GmbH", which has no ServiceNow legal entity/,
    );
    expect((await sn(e, 'sn_shop_purchase_order', 'erp_source=NETSUITE')).map((o) => o.erp_number)).toEqual([
      'S1-PO1001',
    ]);

    e.editConfig((c) => {
      c.pairs[PAIR].subsidiaries['2'] = { legalEntity: 'Acme Europe' };
    });
    const replay = await e.cli('replay', '--failed');
    expect(replay.code).toBe(0);
    expect(
      (await sn(e, 'sn_shop_purchase_order', 'erp_source=NETSUITE')).map((o) => o.erp_number).sort(),
    ).toEqual(['S1-PO1001', 'S2-PO1001']);
  });

  it('ping proves the role can read every table the flows use and names the one it cannot', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    const ok = await e.cli('ping', '--json');
    expect(ok.code).toBe(0);
    const results = JSON.parse(ok.stdout).data.results as Array<{
      system: string;
      checks: Array<{ name: string; ok: boolean }>;
    }>;
    const nsChecks = results.find((r) => r.system === 'netsuite')!.checks.map((c) => c.name);
    expect(nsChecks).toEqual(
      expect.arrayContaining([
        'table vendor',
        'table transaction',
        'table transactionline',
        'table transactionaccountingline',
      ]),
    );
    const snChecks = JSON.stringify(results.find((r) => r.system === 'servicenow'));
    expect(snChecks).toContain('u_erp_gl_posting_import');

    await e.control('netsuite', 'POST', 'permissions', { deny: ['transactionaccountingline'] });
    const denied = await e.cli('ping', 'netsuite', '--json');
    expect(denied.code).toBe(2);
    const failed = (
      JSON.parse(denied.stdout).data.results[0].checks as Array<{ name: string; ok: boolean; detail: string }>
    ).filter((c) => !c.ok);
    expect(failed.map((c) => c.name)).toEqual(['table transactionaccountingline']);
    expect(failed[0]!.detail).toMatch(/INSUFFICIENT_PERMISSION.*Manage Roles/);
  });
});
