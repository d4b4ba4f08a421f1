import { AuthError, ConfigError, RecordError, TransientError } from '../../src/errors.js';
import { importFlat, type StagingRow } from '../../src/pairs/s2p.js';
import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import type { ServiceNowClient } from '../../src/systems/servicenow/client.js';
import type { WriteItem } from '../../src/sync/types.js';
import { control, costCenter, raw, snClient, stats, type Sim } from './helpers.js';

const STAGING = 'sn_fcms_intg_imp_cost_center';
const code = (i: number): string => `CC-F${String(i).padStart(3, '0')}`;
const item = (row: StagingRow): WriteItem<StagingRow> => ({
  record: { id: row.u_code ?? '', modified: '2026-11-30 10:00:00', label: row.u_code ?? '', data: row },
  payload: row,
  hash: row.u_code ?? '',
  existing: undefined,
});

async function costCenters(sim: Sim): Promise<Map<string, Record<string, string>>> {
  const r = await raw(sim, 'GET', '/api/now/table/cmn_cost_center?sysparm_fields=sys_id,code,name,valid_to');
  return new Map((r.body.result as Array<Record<string, string>>).map((c) => [c.code ?? '', c]));
}

describe('ServiceNow writes under injected faults', () => {
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

  it.each(['single', 'multiple'] as const)(
    'clears a target field whose source value was cleared (%s import; the map does not copy empty values)',
    async (mode) => {
      await sn.importRows(STAGING, [{ ...costCenter('CC-E1'), u_valid_to: '2027-01-01' }], { mode });
      expect((await costCenters(sim)).get('CC-E1')?.valid_to).toBe('2027-01-01');
      const [cleared] = await sn.importRows(STAGING, [{ ...costCenter('CC-E1'), u_valid_to: '' }], { mode });
      expect(cleared?.status).toBe('updated');
      expect((await costCenters(sim)).get('CC-E1')?.valid_to).toBe('');
      const [again] = await sn.importRows(STAGING, [{ ...costCenter('CC-E1'), u_valid_to: '' }], { mode });
      expect(again?.status).toBe('ignored');
    },
  );

  it('gives each row of a whole-batch 413 its own outcome by halving the batch', async () => {
    await control(sim, 'POST', 'import_limits', { maxRows: 30 });
    const rows = Array.from({ length: 100 }, (_, i) => costCenter(code(i)));
    const outcomes = await sn.importRows(STAGING, rows, { mode: 'multiple' });
    expect(outcomes.map((o) => o.status)).toEqual(rows.map(() => 'inserted'));
    const stored = await costCenters(sim);
    rows.forEach((r, i) => expect(outcomes[i]?.sysId).toBe(stored.get(r.u_code!)?.sys_id));
  });

  it("narrows a whole-batch 400 down to the row that causes it: that row's error, every other row written", async () => {
    await control(sim, 'POST', 'import_limits', { poison: 'POISON' });
    const rows = Array.from({ length: 60 }, (_, i) =>
      costCenter(code(i), i === 41 ? 'POISON row' : `Center ${i}`),
    );
    const outcomes = await sn.importRows(STAGING, rows, { mode: 'multiple' });
    expect(outcomes.filter((o) => o.status !== 'inserted')).toEqual([
      expect.objectContaining({ status: 'error', code: 'servicenow.bad_request' }),
    ]);
    expect(outcomes[41]).toMatchObject({ status: 'error', message: expect.stringMatching(/Invalid value/) });
    expect((await costCenters(sim)).size).toBe(4 + 59);
  });

  it.each([0, 1])(
    'matches insertMultiple outcomes to rows by their coalesce values, whatever the sys_import_row base (%i)',
    async (base) => {
      await control(sim, 'POST', 'import_row_base', { base });
      const rows = [costCenter('CC-R1'), { ...costCenter(''), u_name: 'no code' }, costCenter('CC-R3')];
      const outcomes = await sn.importRows(STAGING, rows, { mode: 'multiple' });
      expect(outcomes.map((o) => o.status)).toEqual(['inserted', 'skipped', 'inserted']);
      const stored = await costCenters(sim);
      expect(outcomes[0]?.sysId).toBe(stored.get('CC-R1')?.sys_id);
      expect(outcomes[2]?.sysId).toBe(stored.get('CC-R3')?.sys_id);
    },
  );

  it('through the sink: a 201 whose row is an error fails that record alone, the others succeed', async () => {
    await control(sim, 'POST', 'faults', {
      kind: 'row_error',
      match: '^POST /api/now/import/',
      params: { message: 'Business rule aborted the insert' },
    });
    const items = [costCenter('CC-S1'), costCenter('CC-S2'), costCenter('CC-S3')].map(item);
    const results = await importFlat(sn, STAGING, items);
    expect(results.map((r) => r.ok)).toEqual([false, true, true]);
    const [failed] = results;
    if (failed?.ok !== false) throw new Error('expected a failure');
    expect(failed.error).toBeInstanceOf(RecordError);
    expect(failed.error.code).toBe('servicenow.row_error');
    expect(failed.error.message).toMatch(/CC-S1 -> sn_fcms_intg_imp_cost_center: .*Business rule aborted/);
    const stored = await costCenters(sim);
    expect(results[1]).toMatchObject({ ok: true, targetId: stored.get('CC-S2')?.sys_id });
    expect(stored.has('CC-S1')).toBe(false);
  });

  it("through the sink: a row the API refuses with a 400 of its own is that record's failure, not the pass's", async () => {
    await control(sim, 'POST', 'import_limits', { poison: 'POISON' });
    const items = [costCenter('CC-P1'), costCenter('CC-P2', 'POISON'), costCenter('CC-P3')].map(item);
    const results = await importFlat(sn, STAGING, items);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'servicenow.bad_request' } });
  });

  it('refuses to write through a transform map without a coalesce key (it would insert a duplicate per retry)', async () => {
    await control(sim, 'POST', 'coalesce', { staging: STAGING, coalesce: false });
    const err = await importFlat(sn, STAGING, [item(costCenter('CC-D1'))]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: 'servicenow.no_coalesce' });
    expect((await costCenters(sim)).has('CC-D1')).toBe(false);
  });

  it('keeps every request URL of a long IN list under 2,000 characters and still finds every row', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => costCenter(code(i)));
    await sn.importRows(STAGING, rows);
    await control(sim, 'POST', 'max_url', { length: 2000 });
    const wanted = rows.map((r) => r.u_code as string);
    const found = await sn.queryAll('cmn_cost_center', {
      query: `codeIN${wanted.join(',')}`,
      fields: ['code'],
    });
    expect(found.map((r) => r.code).sort()).toEqual([...wanted].sort());
  });
});

describe('ServiceNow answers that are not the API: the error class decides the exit code', () => {
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

  it('a hibernating instance answering the token endpoint is the same TransientError as on the Table API, not retried', async () => {
    await control(sim, 'POST', 'faults', { kind: 'html', match: '^POST /oauth_token.do', times: -1 });
    const err = await sn.queryAll('cmn_cost_center', { fields: ['code'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'servicenow.hibernating', data: { retryHere: false } });
    expect((await stats(sim)).byRoute['POST /oauth_token.do']).toBe(1);
  });

  it('repeats a read answered with cut-off JSON, and a single 503', async () => {
    await control(sim, 'POST', 'faults', {
      rules: [
        { kind: 'malformed_json', match: '^GET /api/now/table/cmn_cost_center' },
        { kind: 'server_error', status: 503, match: '^GET /api/now/table/cmn_cost_center' },
      ],
    });
    expect(await sn.queryAll('cmn_cost_center', { fields: ['code'] })).toHaveLength(4);
  });

  it('a persistent cut-off JSON answer is a TransientError (the pass stops, the cursor stays)', async () => {
    await control(sim, 'POST', 'faults', {
      kind: 'malformed_json',
      match: '^GET /api/now/table/',
      times: -1,
    });
    await expect(sn.queryAll('cmn_cost_center', { fields: ['code'] })).rejects.toMatchObject({
      code: 'servicenow.malformed_json',
    });
  });
});

describe('ServiceNow credentials echoed by the instance never reach an error message', () => {
  const CANARY = 'canary-Zq81xPw04-secret';
  let sim: Sim;
  beforeEach(async () => {
    sim = await startServiceNowSim({ seed: 'demo', clientSecret: CANARY, password: `${CANARY}-pw` });
  });
  afterEach(() => sim.close());

  const messageOf = (e: unknown): string =>
    e instanceof Error
      ? `${e.message} ${JSON.stringify((e as { toJSON?: () => unknown }).toJSON?.())}`
      : String(e);

  it('masks the client secret echoed by the token endpoint', async () => {
    const sn = snClient(sim);
    await control(sim, 'POST', 'faults', {
      kind: 'echo_credentials',
      status: 400,
      match: '^POST /oauth_token.do',
      times: -1,
    });
    const err = await sn.queryAll('cmn_cost_center', { fields: ['code'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(messageOf(err)).not.toContain(CANARY);
    await sn.close();
  });

  it.each(['oauth', 'basic'] as const)(
    'masks the %s Authorization header echoed in a Table API error body',
    async (kind) => {
      const c = sim.credentials;
      const sn =
        kind === 'basic'
          ? snClient(sim, { auth: { kind: 'basic', username: c.username, password: c.password } })
          : snClient(sim);
      await control(sim, 'POST', 'faults', {
        kind: 'echo_credentials',
        status: 500,
        match: '^GET /api/now/table/cmn_cost_center',
        times: -1,
      });
      const err = await sn.queryAll('cmn_cost_center', { fields: ['code'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientError);
      const text = messageOf(err);
      expect(text).toMatch(/request Authorization: (Bearer|Basic) \*\*\*/);
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(Buffer.from(`${c.username}:${c.password}`).toString('base64'));
      expect(text).not.toMatch(/Bearer [A-Za-z0-9_-]{20,}/);
      await sn.close();
    },
  );

  it.each(['single', 'multiple'] as const)(
    'masks a secret a transform script wrote into a row error (%s import)',
    async (mode) => {
      const sn = snClient(sim);
      await control(sim, 'POST', 'faults', {
        kind: 'row_error',
        match: '^POST /api/now/import/',
        params: { message: `lookup failed with client_secret ${CANARY}` },
      });
      const [outcome] = await sn.importRows(STAGING, [costCenter('CC-X1')], { mode });
      expect(outcome?.status).toBe('error');
      expect(outcome?.message).toContain('***');
      expect(outcome?.message).not.toContain(CANARY);
      await sn.close();
    },
  );
});
