import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openSecretStore } from '../../src/commands/secret.js';
import { finished, nextSecond, snRows, startPairEnv, type PairEnv } from '../helpers/pair.js';

/**
 * The acumatica-servicenow pair end to end: the real CLI against the Acumatica and ServiceNow
 * simulators over HTTP, with a temporary config and state file.
 */
const PAIR = 'acumatica-servicenow';
const SYSTEMS = ['acumatica', 'servicenow'];
/** The demo seeds' subaccounts are ServiceNow's cost centers; catalog requests name no supplier. */
const OPTIONS = {
  [PAIR]: {
    legalEntity: 'Acme Distribution',
    costCenters: { map: { '100-000': 'CC-100', '200-000': 'CC-200', '300-000': 'CC-300' } },
    requests: { defaultVendor: 'V000003' },
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

/** Acumatica records as the simulator holds them, values unwrapped (header fields only). */
async function acu(envp: PairEnv, entity: string): Promise<Array<Record<string, unknown>>> {
  const rows = (await envp.control('acumatica', 'GET', `state?name=${entity}`)) as Array<
    Record<string, unknown>
  >;
  return rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [
        k,
        v !== null && typeof v === 'object' && !Array.isArray(v) && 'value' in v
          ? (v as { value: unknown }).value
          : v,
      ]),
    ),
  );
}

async function acuExec(envp: PairEnv, entity: string, record: Record<string, unknown>): Promise<any> {
  return envp.control('acumatica', 'POST', 'exec', { entity, record });
}

async function seats(envp: PairEnv): Promise<{ sessionsOpen: number; maxConcurrentSessions: number }> {
  return (await envp.control('acumatica', 'GET', 'state')) as {
    sessionsOpen: number;
    maxConcurrentSessions: number;
  };
}

function expectUnique(rows: Row[], key: (r: Row) => string): void {
  const keys = rows.map(key);
  expect(new Set(keys).size).toBe(keys.length);
}

const written = (out: { flows: Array<{ written: number }> }): number =>
  out.flows.reduce((n, f) => n + f.written, 0);
const flowOf = (out: { flows: Array<{ flow: string }> }, name: string): any =>
  out.flows.find((f) => f.flow === name);

/** The approved demo requests and the Acumatica POs that carry their number in VendorRef. */
async function posPerRequest(envp: PairEnv): Promise<Map<string, number>> {
  const requests = await sn(envp, 'sc_request', 'approval=approved');
  const pos = await acu(envp, 'PurchaseOrder');
  return new Map(requests.map((r) => [r.number!, pos.filter((p) => p.VendorRef === r.number).length]));
}

/** A fixed-asset account (not sent: glAccounts.types is Expense) and a bill coded to it. */
async function rackingBill(envp: PairEnv): Promise<string> {
  await acuExec(envp, 'Account', {
    AccountCD: '17100',
    Description: 'Warehouse Equipment',
    Type: 'Asset',
    Active: true,
  });
  const bill = await acuExec(envp, 'Bill', {
    Type: 'Bill',
    Vendor: 'V000002',
    VendorRef: 'INV-7710',
    Date: '2025-03-20T00:00:00+00:00',
    Description: 'Pallet racking',
    Hold: false,
    Details: [
      {
        TransactionDescription: 'Pallet racking',
        Qty: 1,
        UnitCost: 2400,
        Account: '17100',
        Subaccount: '300-000',
      },
    ],
  });
  await nextSecond(); // windows end on whole seconds
  return String(bill.ReferenceNbr.value);
}

describe('acumatica-servicenow end to end', () => {
  let e: PairEnv;
  afterEach(async () => {
    await e?.close();
  });

  it('syncs the demo data in dependency order, creates a PO per approved request, and a second pass writes nothing', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    const first = await e.cli('sync', PAIR, '--json');
    expect(first.code).toBe(0);
    const pass = JSON.parse(first.stdout).data.outcomes[0];
    expect(pass.flows.map((f: { flow: string }) => f.flow)).toEqual([
      'gl_accounts',
      'cost_centers',
      'vendors',
      'requests_to_acumatica',
      'purchase_orders',
      'bills',
      'payments',
    ]);
    // Expense accounts only; Cash and AP are audited as skipped.
    const gl = (await sn(e, 'sn_fin_gl_account')).map((a) => a.code);
    expect(gl).toEqual(expect.arrayContaining(['50000', '60000', '61000', '62000', '64000']));
    expect(gl).not.toContain('10100');
    expect(flowOf(pass, 'gl_accounts').skipped).toBe(2);
    const cc = (await sn(e, 'cmn_cost_center')).map((c) => c.code);
    expect(cc).toEqual(expect.arrayContaining(['000-000', 'CC-100', 'CC-200', 'CC-300']));
    const suppliers = await sn(e, 'sn_fin_supplier', 'erp_source=ACUMATICA');
    expect(suppliers.map((s) => s.erp_company_code).sort()).toEqual(['V000001', 'V000002', 'V000003']);
    // Every approved request became exactly one Acumatica PO, which reached ServiceNow in the same pass.
    const perRequest = await posPerRequest(e);
    expect(perRequest.size).toBeGreaterThan(0);
    for (const n of perRequest.values()) expect(n).toBe(1);
    const orders = await sn(e, 'sn_shop_purchase_order');
    expect(orders.length).toBe(4 + perRequest.size);
    expectUnique(orders, (o) => o.erp_number!);
    // Bills on hold stay in Acumatica.
    const invoices = (await sn(e, 'sn_shop_invoice')).map((i) => i.external_invoice_number).sort();
    expect(invoices).toEqual(['000001', '000002', '000003']);
    expect(flowOf(pass, 'payments').written).toBe(2);
    expect(await sn(e, 'sn_fin_supplier_payment')).toHaveLength(2);

    const second = await e.cli('sync', PAIR, '--json');
    expect(second.code).toBe(0);
    expect(written(JSON.parse(second.stdout).data.outcomes[0])).toBe(0);
    const s = await seats(e);
    expect(s.sessionsOpen).toBe(0);
    expect(s.maxConcurrentSessions).toBe(1);
  });

  it('audits a bill whose GL account ServiceNow lacks (not an Expense account), and replays it once the account exists', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    const number = await rackingBill(e);
    const run = await e.cli('sync', PAIR);
    expect(run.code).toBe(3);
    const failures = JSON.parse((await e.cli('audit', 'failures', '--json')).stdout).data.groups;
    const gl = failures.find((g: { cause: string }) => g.cause.startsWith('dimension.gl_account_missing'));
    expect(gl.cause).toContain('17100');
    expect(gl.example.message).toMatch(/GL account 17100 "Warehouse Equipment" does not exist/);
    const show = await e.cli('audit', 'show', String(gl.example.id));
    expect(show.stdout).toMatch(/create GL account 17100 in ServiceNow/);
    expect((await sn(e, 'sn_shop_invoice', `external_invoice_number=${number}`)).length).toBe(0);
    // The rest went through.
    expect((await sn(e, 'sn_shop_invoice')).length).toBe(3);
    expect((await seats(e)).sessionsOpen).toBe(0);

    const tooEarly = await e.cli('replay', String(gl.example.id));
    expect(tooEarly.code).toBe(3);
    await snWrite(e, 'POST', 'sn_fin_gl_account', {
      code: '17100',
      name: 'Warehouse Equipment',
      active: 'true',
    });
    const replay = await e.cli('replay', String(gl.example.id), '--json');
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout).data.outcomes[0].result).toBe('written');
    const again = await e.cli('replay', '--failed');
    expect(again.stdout).toMatch(/nothing to replay/);
    expect(await sn(e, 'sn_shop_invoice', `external_invoice_number=${number}`)).toHaveLength(1);
    expect((await seats(e)).sessionsOpen).toBe(0);
  });

  it('turns an approved request into exactly one Acumatica PO across re-reads, replays, a lost state and a killed pass', async () => {
    e = await startPairEnv({ systems: SYSTEMS, latencyMs: 20, pairOptions: OPTIONS });
    // Killed mid-pass, as soon as the first PO has been sent to Acumatica.
    const child = e.spawnCli(['sync', PAIR]);
    const done = finished(child);
    for (let i = 0; i < 400; i++) {
      const puts = (await e.control('acumatica', 'GET', 'state?name=puts')) as Array<{ entity: string }>;
      if (puts.some((p) => p.entity === 'PurchaseOrder')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const rerun = await e.cli('sync', PAIR);
    expect(rerun.code).toBe(0);
    let perRequest = await posPerRequest(e);
    expect(perRequest.size).toBeGreaterThan(0);
    for (const n of perRequest.values()) expect(n).toBe(1);

    // Re-read after approval: the request changes in ServiceNow; the same PO is updated.
    const [request] = await sn(e, 'sc_request', 'approval=approved^ORDERBYnumber');
    await nextSecond();
    await snWrite(e, 'PATCH', `sc_request/${request!.sys_id}`, {
      short_description: 'Updated after approval',
    });
    await nextSecond();
    const reread = JSON.parse((await e.cli('sync', PAIR, '--json')).stdout).data.outcomes[0];
    expect(flowOf(reread, 'requests_to_acumatica').written).toBe(1);
    const updated = (await acu(e, 'PurchaseOrder')).filter((p) => p.VendorRef === request!.number);
    expect(updated).toHaveLength(1);
    expect(String(updated[0]!.Description)).toContain('Updated after approval');

    // Replayed, and re-read from the beginning.
    const audit = JSON.parse(
      (await e.cli('audit', '--json', '--flow', 'requests_to_acumatica', '--outcome', 'written')).stdout,
    );
    const entries = audit.data.entries;
    expect(entries.length).toBeGreaterThan(0);
    const replay = await e.cli('replay', String(entries[0].id));
    expect(replay.code).toBe(0);
    expect((await e.cli('sync', PAIR, '--full', '--flow', 'requests_to_acumatica')).code).toBe(0);

    // The state file is lost: the look-up by VendorRef still finds each PO.
    e.env.MLC_HOME = join(e.dir, '.mlc-fresh');
    const fresh = openSecretStore(e.config, e.env);
    for (const sim of Object.values(e.sims))
      for (const [name, value] of Object.entries(sim.connection(sim.system).secrets))
        fresh.store.set(name, value);
    fresh.close();
    const lost = JSON.parse((await e.cli('sync', PAIR, '--json')).stdout).data.outcomes[0];
    expect(lost.status).toBe('ok');
    expect(flowOf(lost, 'requests_to_acumatica').written).toBe(perRequest.size);
    perRequest = await posPerRequest(e);
    for (const n of perRequest.values()) expect(n).toBe(1);
    expectUnique(await sn(e, 'sn_shop_purchase_order'), (o) => o.erp_number!);

    // The killed pass could not sign out (its seat times out); every other pass did.
    const s = await seats(e);
    expect(s.sessionsOpen).toBeLessThanOrEqual(1);
    expect(s.maxConcurrentSessions).toBeLessThanOrEqual(2);
  });

  it('reports a wrong endpoint version with the versions the server offers', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    e.editConfig((c) => {
      c.connections.acumatica.endpointVersion = '25.200.001';
    });
    const ping = await e.cli('ping', 'acumatica');
    expect(ping.code).not.toBe(0);
    expect(ping.stdout + ping.stderr).toMatch(/25\.200\.001 is not offered/);
    expect(ping.stdout + ping.stderr).toMatch(/24\.200\.001/);
    const sync = await e.cli('sync', PAIR);
    expect(sync.code).toBe(2);
    expect(sync.stdout + sync.stderr).toMatch(/Default 25\.200\.001 or the entity does not exist/);
    expect((await seats(e)).sessionsOpen).toBe(0);
  });

  it('finds a reference field the PurchaseOrder entity lacks in ping, and sync stops on it as a configuration error (exit 2) instead of retrying it every pass', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    e.editConfig((c) => {
      c.pairs[PAIR].requests.refField = 'VendorReference';
    });
    const ping = await e.cli('ping', 'acumatica');
    expect(ping.code).toBe(2);
    expect(ping.stdout + ping.stderr).toMatch(/requests_to_acumatica: PurchaseOrder/);
    expect(ping.stdout + ping.stderr).toMatch(/VendorReference/);
    await e.control('acumatica', 'DELETE', 'stats');
    const sync = await e.cli('sync', PAIR, '--json');
    expect(sync.code).toBe(2);
    expect(sync.stdout + sync.stderr).toMatch(/acumatica\.bad_query/);
    // The look-up was sent once, not retried as a transient.
    const stats = (await e.control('acumatica', 'GET', 'stats')) as { byRoute: Record<string, number> };
    expect(stats.byRoute['GET /entity/Default/24.200.001/PurchaseOrder']).toBe(1);
    expect((await seats(e)).sessionsOpen).toBe(0);
    expect(await acu(e, 'PurchaseOrder')).toHaveLength(4);
  });

  it("clears a vendor's e-mail in ServiceNow once it is cleared in Acumatica", async () => {
    // The seed's supplier map keeps ServiceNow's default (copy empty values off): the sink clears a
    // field with the reserved value NULL, which a transform applies whatever that setting.
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    expect((await e.cli('sync', PAIR)).code).toBe(0);
    const before = await sn(e, 'sn_fin_supplier', 'erp_company_code=V000001');
    expect(before[0]).toMatchObject({ email: 'ap@alpha.example', city: 'Portland', tax_id: 'TX-001' });

    await nextSecond();
    await acuExec(e, 'Vendor', { VendorID: 'V000001', MainContact: { Email: null } });
    await nextSecond();
    const pass = JSON.parse((await e.cli('sync', PAIR, '--json')).stdout).data.outcomes[0];
    expect(flowOf(pass, 'vendors').written).toBe(1);

    // What the sink sent: the staging row carries NULL for the e-mail, not a missing column.
    const staged = await sn(
      e,
      'sn_fcms_intg_imp_supplier',
      'u_erp_company_code=V000001^ORDERBYDESCsys_created_on',
    );
    expect(staged[0]).toMatchObject({ u_email: 'NULL', u_city: 'Portland', u_tax_id: 'TX-001' });
    // What ServiceNow holds: the e-mail is gone, the rest is kept.
    const after = await sn(e, 'sn_fin_supplier', 'erp_company_code=V000001');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ email: '', city: 'Portland', tax_id: 'TX-001' });
  });

  it('syncs every row sharing one timestamp beyond a page, on both sides', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    e.editConfig((c) => {
      c.connections.acumatica.pageSize = 2;
      c.connections.servicenow.pageSize = 2;
    });
    expect((await e.cli('sync', PAIR)).code).toBe(0);
    await nextSecond();
    for (let i = 0; i < 7; i++)
      await acuExec(e, 'Vendor', {
        VendorID: `VB${String(i).padStart(5, '0')}`,
        VendorName: `Burst Vendor ${i}`,
      });
    await nextSecond();
    expect((await e.cli('sync', PAIR)).code).toBe(0);
    const suppliers = await sn(e, 'sn_fin_supplier', 'erp_source=ACUMATICA');
    expect(suppliers.filter((s) => (s.legal_name ?? '').startsWith('Burst Vendor'))).toHaveLength(7);
    expectUnique(suppliers, (s) => s.erp_company_code!);
  });

  it('rides out 429 storms and 5xx bursts; a persistent outage stops cleanly (exit 4), signs out, and the next pass completes without loss or duplicates', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    await e.control('acumatica', 'POST', 'faults', {
      rules: [
        { kind: 'rate_limit', match: '^GET /entity/Default/', times: 3, retryAfter: 1 },
        {
          kind: 'status',
          status: 503,
          body: '<html>Service Unavailable</html>',
          match: '^GET /entity/Default/',
          skip: 5,
          times: 2,
        },
      ],
    });
    await e.control('servicenow', 'POST', 'faults', {
      rules: [{ kind: 'rate_limit', match: '^POST /api/now/import/', times: 3, retryAfter: 1 }],
    });
    const ok = await e.cli('sync', PAIR);
    expect(ok.code).toBe(0);
    await e.control('acumatica', 'DELETE', 'faults');
    await e.control('servicenow', 'DELETE', 'faults');

    await acuExec(e, 'Vendor', { VendorID: 'VOUTAGE', VendorName: 'Outage Vendor' });
    await nextSecond();
    await e.control('servicenow', 'POST', 'faults', {
      rules: [{ kind: 'server_error', status: 503, match: '^POST /api/now/import/', times: -1 }],
    });
    const stopped = await e.cli('sync', PAIR);
    expect(stopped.code).toBe(4);
    expect((await seats(e)).sessionsOpen).toBe(0);
    await e.control('servicenow', 'DELETE', 'faults');
    const resumed = await e.cli('sync', PAIR);
    expect(resumed.code).toBe(0);
    const suppliers = await sn(e, 'sn_fin_supplier', 'erp_source=ACUMATICA');
    expect(suppliers.filter((s) => s.erp_company_code === 'VOUTAGE')).toHaveLength(1);
    expectUnique(suppliers, (s) => s.erp_company_code!);
    expectUnique(await sn(e, 'sn_shop_purchase_order'), (o) => o.erp_number!);
    for (const n of (await posPerRequest(e)).values()) expect(n).toBe(1);
    const s = await seats(e);
    expect(s.sessionsOpen).toBe(0);
    expect(s.maxConcurrentSessions).toBe(1);
  });

  it('a canary secret never reaches the state file, the audit log or any output', async () => {
    e = await startPairEnv({ systems: SYSTEMS, pairOptions: OPTIONS });
    const { password, clientSecret } = e.sims.acumatica!.credentials as {
      password: string;
      clientSecret: string;
    };
    const snSecret = (e.sims.servicenow!.credentials as { clientSecret: string }).clientSecret;
    const outputs: string[] = [];
    const run = async (...args: string[]) => {
      const r = await e.cli(...args);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    await rackingBill(e);
    await run('sync', PAIR, '-v');
    await run('audit', '--json', '--limit', '1000');
    await run('ping', '--json');
    // A failing sign-in, with the secret in play.
    await e.control('acumatica', 'POST', 'faults', { rules: [{ kind: 'status', status: 500, times: -1 }] });
    await run('sync', PAIR, '-v');
    for (const text of outputs) {
      for (const secret of [password, clientSecret, snSecret]) expect(text).not.toContain(secret);
    }
    const home = join(e.dir, '.mlc');
    for (const f of readdirSync(home)) {
      const bytes = readFileSync(join(home, f));
      for (const secret of [password, clientSecret, snSecret])
        expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
  });
});
