import Database from 'better-sqlite3';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { finished, nextSecond, snRows, startPairEnv, type PairEnv } from '../helpers/pair.js';

/**
 * The invariants of the design, end to end: the real CLI against the Odoo and ServiceNow simulators
 * over HTTP, with a temporary config and state file.
 */
const PAIR = 'odoo-servicenow';

const sn = snRows;

async function odoo(
  envp: PairEnv,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
): Promise<any> {
  const answer = (await envp.control('odoo', 'POST', 'exec', { model, method, args, kwargs })) as {
    result: unknown;
  };
  return answer.result;
}

/** Every key appears once: the target holds each record exactly once. */
function expectUnique(rows: Array<Record<string, any>>, key: (r: Record<string, any>) => string): void {
  const keys = rows.map(key);
  expect(new Set(keys).size).toBe(keys.length);
}

/** Every case runs over both Odoo transports: JSON-2 (19+) and XML-RPC (all versions). */
describe.each(['json2', 'xmlrpc'] as const)('odoo-servicenow end to end over %s', (transport) => {
  let e: PairEnv;
  const start = async (options: Parameters<typeof startPairEnv>[0]): Promise<PairEnv> => {
    const env = await startPairEnv(options);
    env.editConfig((c) => {
      c.connections.odoo.transport = transport;
    });
    return env;
  };
  afterEach(async () => {
    await e?.close();
  });

  it('syncs the demo data, then a second pass writes nothing', async () => {
    e = await start({
      systems: ['odoo', 'servicenow'],
      pairOptions: { [PAIR]: { legalEntity: 'Acme Distribution' } },
    });
    const first = await e.cli('sync', PAIR, '--json');
    expect(first.code).toBe(3); // BILL/2026/0004 names GL account 630000, absent in ServiceNow
    const orders = await sn(e, 'sn_shop_purchase_order');
    expect(orders.map((o) => o.erp_number).sort()).toEqual([
      'P00001',
      'P00002',
      'P00003',
      'P00004',
      'P00005',
    ]);
    expectUnique(
      await sn(e, 'sn_shop_purchase_order_line'),
      (l) => `${l.purchase_order}:${l.erp_line_number}`,
    );
    expect((await sn(e, 'cmn_cost_center', 'code=CC-400')).length).toBe(1);
    const second = await e.cli('sync', PAIR, '--json');
    const pass = JSON.parse(second.stdout).data.outcomes[0];
    expect(pass.flows.reduce((n: number, f: { written: number }) => n + f.written, 0)).toBe(0);
    expect(second.code).toBe(0);
  });

  it('a value cleared in Odoo (vendor email) reaches ServiceNow as empty', async () => {
    e = await start({ systems: ['odoo', 'servicenow'] });
    // The supplier transform map must copy empty values (copy_empty_fields); an administrator sets it.
    const sim = e.sims.servicenow!;
    const { username, password } = sim.credentials as { username: string; password: string };
    const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const [map] = await sn(e, 'sys_transform_map', 'source_table=sn_fcms_intg_imp_supplier');
    const patched = await fetch(`${sim.running.url}/api/now/table/sys_transform_map/${map!.sys_id}`, {
      method: 'PATCH',
      headers: { accept: 'application/json', 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ copy_empty_fields: 'true' }),
    });
    expect(patched.ok).toBe(true);
    await e.cli('sync', PAIR);
    const [wood] = (await odoo(e, 'res.partner', 'search_read', [[['name', '=', 'Wood Corner']]], {
      fields: ['id', 'email'],
    })) as Array<{ id: number; email: string }>;
    expect(wood!.email).toBeTruthy();
    const before = await sn(e, 'sn_fin_supplier', `erp_company_code=${wood!.id}`);
    expect(before[0]?.email).toBe(wood!.email);

    await odoo(e, 'res.partner', 'write', [[wood!.id], { email: false }]);
    await nextSecond();
    await e.cli('sync', PAIR);
    // The staging row carried the cleared value as an empty string, not an omitted column.
    const audit = JSON.parse(
      (await e.cli('audit', '--json', '--flow', 'suppliers', '--source-id', String(wood!.id))).stdout,
    ).data.entries as Array<{ outcome: string; id: number }>;
    const latest = Math.max(...audit.filter((a) => a.outcome === 'written').map((a) => a.id));
    const shown = JSON.parse((await e.cli('audit', 'show', String(latest), '--json')).stdout).data as {
      sent: Record<string, unknown>;
    };
    expect(shown.sent).toMatchObject({ u_email: '' });
    const after = await sn(e, 'sn_fin_supplier', `erp_company_code=${wood!.id}`);
    expect(after).toHaveLength(1);
    expect(after[0]?.email).toBe('');
  });

  it('(5) audits a bill with a missing GL account, names the account, writes the rest, and replays it once fixed', async () => {
    e = await start({ systems: ['odoo', 'servicenow'] });
    await e.cli('sync', PAIR);
    const failures = JSON.parse((await e.cli('audit', 'failures', '--json')).stdout).data.groups;
    const gl = failures.find((g: { cause: string }) => g.cause.startsWith('dimension.gl_account_missing'));
    expect(gl.cause).toContain('630000');
    expect(gl.example.message).toMatch(/GL account 630000 "Freight In"/);
    expect((await sn(e, 'sn_shop_invoice')).map((i) => i.external_invoice_number).sort()).toEqual([
      'BILL/2026/0001',
      'BILL/2026/0002',
      'BILL/2026/0003',
    ]);
    const show = await e.cli('audit', 'show', String(gl.example.id));
    expect(show.stdout).toMatch(/create GL account 630000 in ServiceNow/);

    const tooEarly = await e.cli('replay', String(gl.example.id));
    expect(tooEarly.code).toBe(3);
    await e
      .control('servicenow', 'POST', 'exec', {
        table: 'sn_fin_gl_account',
        record: { code: '630000', name: 'Freight In', active: 'true' },
      })
      .catch(async () => {
        // Fallback: the Table API as an admin would.
        const sim = e.sims.servicenow!;
        const { username, password } = sim.credentials as { username: string; password: string };
        await fetch(`${sim.running.url}/api/now/table/sn_fin_gl_account`, {
          method: 'POST',
          headers: {
            accept: 'application/json',
            'content-type': 'application/json',
            authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
          },
          body: JSON.stringify({ code: '630000', name: 'Freight In', active: 'true' }),
        });
      });
    // The bill and the GL-account check both failed on 630000; replaying them posts the bill once
    // and clears the check.
    const replay = await e.cli('replay', '--failed', '--json');
    expect(replay.code).toBe(0);
    const outcomes = JSON.parse(replay.stdout).data.outcomes as Array<{
      flow: string;
      label: string;
      result: string;
    }>;
    expect(outcomes.find((o) => o.flow === 'vendor_bills')).toMatchObject({
      label: 'BILL/2026/0004',
      result: 'written',
    });
    expect(outcomes.find((o) => o.flow === 'gl_accounts')?.result).toBe('unchanged');
    const again = await e.cli('replay', '--failed');
    expect(again.stdout).toMatch(/nothing to replay/);
    const bills = await sn(e, 'sn_shop_invoice', 'external_invoice_number=BILL/2026/0004');
    expect(bills).toHaveLength(1);
    expectUnique(await sn(e, 'sn_shop_invoice_line'), (l) => `${l.invoice}:${l.erp_line_number}`);
  });

  it('(1) syncs every row sharing one write_date second beyond a page, and a row committed late with an older write_date', async () => {
    e = await start({ systems: ['odoo', 'servicenow'] });
    e.editConfig((c) => {
      c.connections.odoo.pageSize = 5;
    });
    await e.cli('sync', PAIR);
    // 12 vendors in one request: one transaction, one write_date, more rows than a page.
    await odoo(e, 'res.partner', 'create', [
      Array.from({ length: 12 }, (_, i) => ({
        name: `Burst Vendor ${i}`,
        supplier_rank: 1,
        is_company: true,
      })),
    ]);
    // A long transaction: stamped 60 s ago, committed (visible) only after the next pass.
    const late = (await e.control('odoo', 'POST', 'long_transaction', {
      model: 'res.partner',
      vals_list: [{ name: 'Late Vendor', supplier_rank: 1, is_company: true }],
      backdateSeconds: 60,
    })) as { txn: string | number };
    await nextSecond();
    await e.cli('sync', PAIR);
    let suppliers = await sn(e, 'sn_fin_supplier');
    expect(suppliers.filter((s) => (s.legal_name ?? '').startsWith('Burst Vendor'))).toHaveLength(12);
    expect(suppliers.some((s) => s.legal_name === 'Late Vendor')).toBe(false);
    await e.control('odoo', 'POST', 'commit', { txn: late.txn });
    await nextSecond();
    await e.cli('sync', PAIR);
    suppliers = await sn(e, 'sn_fin_supplier');
    expect(suppliers.filter((s) => s.legal_name === 'Late Vendor')).toHaveLength(1);
    expectUnique(suppliers, (s) => s.erp_company_code);
  });

  it('(6) a cost center changed on either side propagates once and does not bounce back', async () => {
    e = await start({ systems: ['odoo', 'servicenow'] });
    await e.cli('sync', PAIR);
    await nextSecond();
    await e.cli('sync', PAIR); // settles the echo of the first pass's writes
    // CC-500 existed only in ServiceNow: it reached Odoo.
    const [cc500] = (await odoo(e, 'account.analytic.account', 'search_read', [[['code', '=', 'CC-500']]], {
      fields: ['name'],
    })) as Array<{ name: string }>;
    expect(cc500?.name).toBe('Facilities');

    const [ops] = (await odoo(e, 'account.analytic.account', 'search_read', [[['code', '=', 'CC-100']]], {
      fields: ['id'],
    })) as Array<{ id: number }>;
    await odoo(e, 'account.analytic.account', 'write', [[ops!.id], { name: 'Operations & Logistics' }]);
    await nextSecond();
    const out = JSON.parse((await e.cli('sync', PAIR, '--json')).stdout).data.outcomes[0];
    const flow = (name: string) => out.flows.find((f: { flow: string }) => f.flow === name);
    expect(flow('cost_centers_to_servicenow').written).toBe(1);
    expect((await sn(e, 'cmn_cost_center', 'code=CC-100'))[0]?.name).toBe('Operations & Logistics');
    await nextSecond();
    const echo = JSON.parse((await e.cli('sync', PAIR, '--json')).stdout).data.outcomes[0];
    expect(echo.flows.find((f: { flow: string }) => f.flow === 'cost_centers_to_odoo').written).toBe(0);
    expect(echo.flows.find((f: { flow: string }) => f.flow === 'cost_centers_to_servicenow').written).toBe(0);

    // Now from the ServiceNow side.
    const [it] = await sn(e, 'cmn_cost_center', 'code=CC-200');
    const sim = e.sims.servicenow!;
    const { username, password } = sim.credentials as { username: string; password: string };
    await fetch(`${sim.running.url}/api/now/table/cmn_cost_center/${it!.sys_id}`, {
      method: 'PATCH',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
      },
      body: JSON.stringify({ name: 'Information Technology' }),
    });
    await nextSecond();
    const back = JSON.parse((await e.cli('sync', PAIR, '--json')).stdout).data.outcomes[0];
    expect(back.flows.find((f: { flow: string }) => f.flow === 'cost_centers_to_odoo').written).toBe(1);
    const [cc200] = (await odoo(e, 'account.analytic.account', 'search_read', [[['code', '=', 'CC-200']]], {
      fields: ['name'],
    })) as Array<{ name: string }>;
    expect(cc200?.name).toBe('Information Technology');
    await nextSecond();
    const quiet = JSON.parse((await e.cli('sync', PAIR, '--json')).stdout).data.outcomes[0];
    expect(quiet.flows.reduce((n: number, f: { written: number }) => n + f.written, 0)).toBe(0);
    expect(await sn(e, 'cmn_cost_center', 'code=CC-200')).toHaveLength(1);
  });

  it('(3) rides out 429 storms and 5xx bursts; a persistent outage stops cleanly and the next pass completes without loss or duplicates', async () => {
    e = await start({ systems: ['odoo', 'servicenow'] });
    await e.control('servicenow', 'POST', 'faults', {
      rules: [{ kind: 'rate_limit', match: '^POST /api/now/import/', times: 3, retryAfter: 1 }],
    });
    await e.control('odoo', 'POST', 'faults', {
      rules: [{ kind: 'status', status: 502, body: '<html>Bad Gateway</html>', times: 2 }],
    });
    const ok = await e.cli('sync', PAIR);
    expect(ok.code).toBe(3); // only the deliberate GL-account failure
    // Persistent outage of the ServiceNow import API.
    await odoo(e, 'res.partner', 'create', [[{ name: 'Outage Vendor', supplier_rank: 1, is_company: true }]]);
    await nextSecond();
    await e.control('servicenow', 'POST', 'faults', {
      rules: [{ kind: 'server_error', status: 503, match: '^POST /api/now/import/', times: -1 }],
    });
    const stopped = await e.cli('sync', PAIR);
    expect(stopped.code).toBe(4);
    expect(stopped.stdout + stopped.stderr).toMatch(/next pass resumes|stopped/);
    await e.control('servicenow', 'DELETE', 'faults');
    const resumed = await e.cli('sync', PAIR);
    expect(resumed.code).toBe(0);
    const suppliers = await sn(e, 'sn_fin_supplier');
    expect(suppliers.filter((s) => s.legal_name === 'Outage Vendor')).toHaveLength(1);
    expectUnique(suppliers, (s) => s.erp_company_code);
    expectUnique(await sn(e, 'sn_shop_purchase_order'), (o) => o.erp_number);
  });

  it('(4) a token revoked mid-pass is refreshed and the pass completes', async () => {
    e = await start({ systems: ['odoo', 'servicenow'] });
    await e.control('servicenow', 'POST', 'faults', {
      rules: [{ kind: 'revoke_token', match: '^POST /api/now/import/', skip: 3, times: 1 }],
    });
    const r = await e.cli('sync', PAIR, '--json');
    expect(r.code).toBe(3);
    const pass = JSON.parse(r.stdout).data.outcomes[0];
    expect(pass.flows.every((f: { status: string }) => f.status === 'ok')).toBe(true);
    expect(pass.flows.find((f: { flow: string }) => f.flow === 'purchase_orders').written).toBe(5);
  });

  it('(8) a second concurrent pass is refused by the lock', async () => {
    e = await start({ systems: ['odoo', 'servicenow'], latencyMs: 150 });
    const child = e.spawnCli(['sync', PAIR]);
    const done = finished(child);
    // Wait until the child holds the lock (its first requests reach the simulator).
    for (let i = 0; i < 100; i++) {
      const stats = (await e.control('odoo', 'GET', 'stats')) as { requests: number };
      if (stats.requests > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const second = await e.cli('sync', PAIR);
    expect(second.code).toBe(5);
    expect(second.stdout + second.stderr).toMatch(/another pass of odoo-servicenow is running \(pid \d+/);
    const first = await done;
    expect(first.code).toBe(3);
  });

  it('(2) killed at random points of a pass, then re-run: every record exactly once, none missing', async () => {
    e = await start({ systems: ['odoo', 'servicenow'], seed: 'volume:40', latencyMs: 5 });
    e.editConfig((c) => {
      c.pairs[PAIR].batchSize = 7;
      c.connections.servicenow.batchSize = 7;
    });
    for (const delay of [300, 900, 1600]) {
      const child = e.spawnCli(['sync', PAIR]);
      const done = finished(child);
      await new Promise((r) => setTimeout(r, delay + Math.floor(Math.random() * 200)));
      child.kill('SIGKILL');
      await done;
    }
    const last = await e.cli('sync', PAIR);
    expect([0, 3]).toContain(last.code);
    const orders = await sn(e, 'sn_shop_purchase_order');
    expect(orders).toHaveLength(40); // volume:40 seeds 40 confirmed POs and 8 posted bills
    expectUnique(orders, (o) => o.erp_number);
    const lines = await sn(e, 'sn_shop_purchase_order_line');
    expectUnique(lines, (l) => `${l.purchase_order}:${l.erp_line_number}`);
    expect(lines).toHaveLength(40 * 5);
    const bills = await sn(e, 'sn_shop_invoice');
    expectUnique(bills, (b) => b.external_invoice_number);
    expect(bills).toHaveLength(8);
  });

  it('(7) a canary secret in config and env never reaches the state file, logs, audit rows or error output', async () => {
    e = await start({ systems: ['odoo', 'servicenow'] });
    const canary = (e.sims.odoo!.credentials as { apiKey: string }).apiKey;
    const snCanary = (e.sims.servicenow!.credentials as { clientSecret: string }).clientSecret;
    e.editConfig((c) => {
      c.connections.servicenow.auth.clientSecret = '${SN_SECRET}';
    });
    e.env.SN_SECRET = snCanary;
    const outputs: string[] = [];
    const run = async (...args: string[]) => {
      const r = await e.cli(...args);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    await run('sync', PAIR, '-v');
    await run('audit', '--json', '--limit', '1000');
    await run('ping', '--json');
    // Credential errors, with the secret in play.
    await e.control('odoo', 'POST', 'expire_key', {});
    await run('sync', PAIR, '-v');
    await e.control('servicenow', 'POST', 'faults', { rules: [{ kind: 'revoke_token', times: -1 }] });
    await run('ping', 'servicenow');
    for (const text of outputs) {
      expect(text).not.toContain(canary);
      expect(text).not.toContain(snCanary);
    }
    const home = join(e.dir, '.mlc');
    for (const f of readdirSync(home)) {
      const bytes = readFileSync(join(home, f));
      expect(bytes.includes(Buffer.from(canary))).toBe(false);
      expect(bytes.includes(Buffer.from(snCanary))).toBe(false);
    }
  });

  it("(9) malformed API answers give a specific error and leave the stopped flows' cursors and the id map untouched", async () => {
    e = await start({ systems: ['odoo', 'servicenow'] });
    await e.cli('sync', PAIR); // cursors and id map to protect
    await nextSecond();
    const statePath = join(e.env.MLC_HOME as string, 'state.sqlite');
    const state = (): { cursors: Record<string, string>; ids: number } => {
      const db = new Database(statePath, { readonly: true });
      try {
        const rows = db.prepare('SELECT flow, modified, last_id FROM cursors').all() as Array<{
          flow: string;
          modified: string;
          last_id: string;
        }>;
        const ids = (db.prepare('SELECT count(*) AS n FROM id_map').get() as { n: number }).n;
        return { cursors: Object.fromEntries(rows.map((r) => [r.flow, `${r.modified}/${r.last_id}`])), ids };
      } finally {
        db.close();
      }
    };
    const cases: Array<[string, unknown, RegExp]> = [
      ['servicenow', { kind: 'html', match: '^GET /api/now/table/' }, /hibernat|HTML/i],
      [
        'servicenow',
        { kind: 'status', status: 200, body: '{"result": "not a list"', match: '^GET /api/now/table/' },
        /servicenow/i,
      ],
      ['odoo', { kind: 'status', status: 200, body: '<methodResponse><params>', match: 'POST' }, /odoo/i],
      [
        'odoo',
        { kind: 'status', status: 415, body: '<html>Unsupported Media Type</html>', match: 'POST' },
        /odoo/i,
      ],
      [
        'servicenow',
        {
          kind: 'status',
          status: 400,
          body: {
            error: { message: 'Invalid table x', detail: 'Table x does not exist' },
            status: 'failure',
          },
          match: '^GET /api/now/table/',
        },
        /Invalid table|does not exist/,
      ],
    ];
    for (const [system, rule, expected] of cases) {
      const before = state();
      await e.control(system, 'POST', 'faults', { ...(rule as object), times: -1 });
      const r = await e.cli('sync', PAIR, '--json');
      await e.control(system, 'DELETE', 'faults');
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(expected);
      // Every flow the bad answer stopped keeps its cursor; nothing was linked.
      // (A bad answer to the pass's preflight stops it before anything is written: flows that had
      // nothing to write may have moved on; none wrote, so the id map is untouched.)
      const pass = JSON.parse(r.stdout).data.outcomes[0] as {
        kind: string;
        flows?: Array<{ flow: string; status: string }>;
      };
      const after = state();
      if (pass.kind !== 'error') {
        const stopped = (pass.flows ?? []).filter((f) => f.status !== 'ok').map((f) => f.flow);
        expect(stopped.length).toBeGreaterThan(0);
        for (const flow of stopped) expect(after.cursors[flow]).toBe(before.cursors[flow]);
      }
      expect(after.ids).toBe(before.ids);
    }
  });
});
