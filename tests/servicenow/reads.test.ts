import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import { TransientError } from '../../src/errors.js';
import type { ServiceNowClient } from '../../src/systems/servicenow/client.js';
import {
  authState,
  control,
  costCenter,
  recordingLog,
  snClient,
  stats,
  window,
  type Sim,
} from './helpers.js';

async function readAll(
  c: ServiceNowClient,
  table: string,
  query: string,
  fields: string[],
): Promise<string[]> {
  const seen: string[] = [];
  for await (const page of c.readChanged(table, { fields, window: window(), query }))
    seen.push(...page.map((r) => r.sys_id));
  return seen;
}

describe('ServiceNow Table API reads against the simulator', () => {
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

  it('reads every row sharing one sys_updated_on second when there are more of them than a page holds', async () => {
    const small = snClient(sim, { pageSize: 4 });
    // One insertMultiple: all 11 rows are transformed, and stamped, within the same second.
    await small.importRows(
      'sn_fcms_intg_imp_cost_center',
      Array.from({ length: 11 }, (_, i) => costCenter(`CC-S${i}`)),
      { mode: 'multiple' },
    );
    const rows = await small.queryAll('cmn_cost_center', {
      query: 'codeSTARTSWITHCC-S',
      fields: ['sys_updated_on'],
    });
    const stamps = new Set(rows.map((r) => r.sys_updated_on));
    expect(stamps.size).toBeLessThanOrEqual(2);
    const seen = await readAll(small, 'cmn_cost_center', 'codeSTARTSWITHCC-S', ['code', 'sys_updated_on']);
    expect(seen.sort()).toEqual(rows.map((r) => r.sys_id).sort());
    expect(seen).toHaveLength(11);
    await small.close();
  });

  it('reads only the window [since, until) with UTC literals', async () => {
    const all = await sn.queryAll('cmn_cost_center', { fields: ['sys_updated_on'] });
    const stamps = all.map((r) => r.sys_updated_on!).sort();
    const mid = stamps[1]!;
    const since = new Date(`${mid.replace(' ', 'T')}Z`);
    const rows: string[] = [];
    for await (const page of sn.readChanged('cmn_cost_center', {
      fields: ['sys_updated_on'],
      window: { since, until: new Date(Date.now() + 60_000) },
    }))
      rows.push(...page.map((r) => r.sys_updated_on!));
    expect(rows.sort()).toEqual(stamps.filter((s) => s >= mid));
  });

  it('does not end the read early when ACLs shorten a page or empty several pages in a row', async () => {
    const small = snClient(sim, { pageSize: 3 });
    await small.importRows(
      'sn_fcms_intg_imp_cost_center',
      Array.from({ length: 12 }, (_, i) => costCenter(`CC-A${String(i).padStart(2, '0')}`)),
      { mode: 'multiple' },
    );
    const all = (
      await small.queryAll('cmn_cost_center', { query: 'codeSTARTSWITHCC-A', fields: ['code'] })
    ).sort((a, b) => (a.sys_id < b.sys_id ? -1 : 1));
    // Row 1 shortens the first page; rows 3..9 empty the next two pages entirely.
    const hidden = [all[1]!, ...all.slice(3, 10)].map((r) => r.sys_id);
    await control(sim, 'POST', 'acl', { table: 'cmn_cost_center', hide: `sys_idIN${hidden.join(',')}` });
    const seen = await readAll(small, 'cmn_cost_center', 'codeSTARTSWITHCC-A', ['code']);
    expect(seen.sort()).toEqual(all.map((r) => r.sys_id).filter((id) => !hidden.includes(id)));
    expect(
      await small.queryAll('cmn_cost_center', { query: 'codeSTARTSWITHCC-A', fields: ['code'] }),
    ).toHaveLength(12 - hidden.length);
    await small.close();
  });

  it('refreshes a token revoked mid-read without failing the read or the next write', async () => {
    const small = snClient(sim, { pageSize: 2 });
    await control(sim, 'POST', 'faults', {
      kind: 'revoke_token',
      match: '^GET /api/now/table/cmn_cost_center',
      skip: 1,
      times: 1,
    });
    expect(await readAll(small, 'cmn_cost_center', '', ['code'])).toHaveLength(4);
    await control(sim, 'POST', 'faults', { kind: 'revoke_token', match: '^POST /api/now/import/', times: 1 });
    expect((await small.importRows('sn_fcms_intg_imp_cost_center', [costCenter('CC-T1')]))[0]?.status).toBe(
      'inserted',
    );
    const auth = await authState(sim);
    expect(auth.refused).toBe(2);
    expect(auth.grants.client_credentials).toBe(3);
    await small.close();
  });

  it('renews a token that expires mid-pass, before or after the server refuses it', async () => {
    const shortSim = await startServiceNowSim({ seed: 'demo', tokenTtlSeconds: 61 });
    const c = snClient(shortSim, { pageSize: 2 });
    const pages = c.readChanged('cmn_cost_center', { fields: ['code'], window: window() });
    const first = await pages.next();
    expect(first.value).toHaveLength(2);
    await control(shortSim, 'POST', 'expire_tokens');
    const rest: unknown[] = [];
    for await (const page of pages) rest.push(...page);
    expect(rest).toHaveLength(2);
    const auth = await authState(shortSim);
    expect(auth.grants.client_credentials).toBeGreaterThanOrEqual(2);
    await c.close();
    await shortSim.close();
  });

  it('honours 429 Retry-After and completes the read', async () => {
    const log = recordingLog();
    const c = snClient(sim, { log });
    await control(sim, 'POST', 'faults', {
      kind: 'rate_limit',
      match: '^GET /api/now/table/',
      times: 2,
      retryAfter: 1,
    });
    expect(await c.queryAll('cmn_cost_center', { fields: ['code'] })).toHaveLength(4);
    const delays = log.lines
      .filter((l) => l.startsWith('retry'))
      .map((l) => Number(/in (\d+) ms/.exec(l)?.[1]));
    expect(delays).toHaveLength(2);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(1000);
    await c.close();
  });

  it('backs off when a rate-limit rule of the instance denies requests, and finishes', async () => {
    const log = recordingLog();
    const c = snClient(sim, { log, pageSize: 1 });
    await control(sim, 'POST', 'rate_limit', {
      rules: [{ resource: 'GET /api/now/table/cmn_cost_center', limit: 3, windowSeconds: 1 }],
    });
    expect(await c.queryAll('cmn_cost_center', { fields: ['code'] })).toHaveLength(4);
    expect(log.lines.some((l) => /rate limited/.test(l))).toBe(true);
    await c.close();
  });

  it('retries a burst of 5xx answers on reads and on Import Set posts', async () => {
    await control(sim, 'POST', 'faults', {
      rules: [
        { kind: 'server_error', status: 503, match: '^GET /api/now/table/cmn_cost_center', times: 2 },
        { kind: 'server_error', status: 502, match: '^POST /api/now/import/', times: 2 },
      ],
    });
    expect(await sn.queryAll('cmn_cost_center', { fields: ['code'] })).toHaveLength(4);
    expect((await sn.importRows('sn_fcms_intg_imp_cost_center', [costCenter('CC-R1')]))[0]?.status).toBe(
      'inserted',
    );
    expect(await sn.queryAll('cmn_cost_center', { query: 'code=CC-R1', fields: ['code'] })).toHaveLength(1);
  });

  it('keeps a persistent 5xx typed as transient when retries run out', async () => {
    await control(sim, 'POST', 'faults', {
      kind: 'server_error',
      status: 500,
      match: '^GET /api/now/table/',
      times: -1,
    });
    await expect(sn.queryAll('cmn_cost_center', { fields: ['code'] })).rejects.toBeInstanceOf(TransientError);
  });

  it('treats the 60 s transaction cancel as transient and repeats the read with half the page size, also on the next read', async () => {
    const c = snClient(sim, { pageSize: 100 });
    await control(sim, 'POST', 'faults', {
      kind: 'transaction_cancel',
      match: '^GET /api/now/table/cmn_cost_center',
      times: 2,
    });
    expect(await c.queryAll('cmn_cost_center', { fields: ['code'] })).toHaveLength(4);
    expect(c.pageSizeOf('cmn_cost_center')).toBe(25);
    expect(c.pageSizeOf('sn_fin_gl_account')).toBe(100);
    await control(sim, 'DELETE', 'stats');
    await c.queryAll('cmn_cost_center', { fields: ['code'] });
    expect(c.pageSizeOf('cmn_cost_center')).toBe(25);
    await c.close();
  });

  it('treats a hibernating instance (200 with an HTML page) as an error, not as data, without retrying it in the pass', async () => {
    await sn.serverTime();
    await control(sim, 'POST', 'faults', { kind: 'html', match: '^GET /api/now/table/', times: -1 });
    await control(sim, 'DELETE', 'stats');
    const err = await sn.queryAll('cmn_cost_center', { fields: ['code'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({
      code: 'servicenow.hibernating',
      hint: expect.stringMatching(/wake the instance/),
    });
    expect((await stats(sim)).requests).toBe(1);
  });

  it('refuses a non-JSON 200 instead of reading it as an empty page', async () => {
    await control(sim, 'POST', 'faults', {
      kind: 'status',
      status: 200,
      body: 'OK',
      match: '^GET /api/now/table/',
      times: -1,
    });
    await expect(sn.queryAll('cmn_cost_center', { fields: ['code'] })).rejects.toMatchObject({
      code: 'servicenow.malformed_json',
    });
  });

  it('applies the ORDERBY of a caller query after the sys_id keyset read', async () => {
    const rows = await sn.queryAll('cmn_cost_center', {
      query: 'codeSTARTSWITHCC^ORDERBYDESCcode',
      fields: ['code'],
      pageSize: 2,
    });
    expect(rows.map((r) => r.code)).toEqual(['CC-500', 'CC-300', 'CC-200', 'CC-100']);
  });

  it('reads the server time from the Date header', async () => {
    const t = await sn.serverTime();
    expect(Math.abs(t.getTime() - Date.now())).toBeLessThan(120_000);
  });
});
