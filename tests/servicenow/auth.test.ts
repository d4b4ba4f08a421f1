import type { Response } from 'got';
import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import { AuthError, ConfigError, RecordError, TransientError } from '../../src/errors.js';
import { classifyServiceNow, type ServiceNowClient } from '../../src/systems/servicenow/client.js';
import { authState, control, snClient, stats, type Sim } from './helpers.js';

const ORDER_FLOW = {
  staging: 'sn_fcms_intg_imp_order',
  columns: ['u_erp_po_number', 'u_erp_source', 'u_cost_center'],
  coalesceOn: ['u_erp_po_number', 'u_erp_source'],
};

describe('ServiceNow authentication and ping against the simulator', () => {
  let sim: Sim;
  let sn: ServiceNowClient;
  beforeAll(async () => {
    sim = await startServiceNowSim({ seed: 'demo' });
    sn = snClient(sim);
  });
  afterAll(async () => {
    await sn.close();
    await sim.close();
  });
  afterEach(async () => {
    await control(sim, 'DELETE', 'faults');
    await control(sim, 'POST', 'coalesce', { staging: 'sn_fcms_intg_imp_order', coalesce: true });
  });

  it('fails bad client credentials with an AuthError after one token request, and keeps the secret out of the message', async () => {
    const bad = snClient(sim, {
      auth: {
        kind: 'oauth_client_credentials',
        clientId: sim.credentials.clientId,
        clientSecret: 'wrong-secret-123',
      },
    });
    await control(sim, 'DELETE', 'stats');
    const err = await bad.queryAll('cmn_cost_center', { fields: ['code'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(String((err as Error).message)).not.toContain('wrong-secret-123');
    expect((await stats(sim)).byRoute).toEqual({ 'POST /oauth_token.do': 1 });
    await bad.close();
  });

  it('uses the password grant, then the refresh-token grant when the access token is refused', async () => {
    const c = sim.credentials;
    const before = (await authState(sim)).grants;
    const pw = snClient(sim, {
      auth: {
        kind: 'oauth_password',
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        username: c.username,
        password: c.password,
      },
    });
    expect(await pw.queryAll('cmn_cost_center', { fields: ['code'] })).toHaveLength(4);
    await control(sim, 'POST', 'expire_tokens');
    expect(await pw.queryAll('sn_fin_gl_account', { fields: ['code'] })).toHaveLength(4);
    const after = (await authState(sim)).grants;
    expect((after.password ?? 0) - (before.password ?? 0)).toBe(1);
    expect((after.refresh_token ?? 0) - (before.refresh_token ?? 0)).toBe(1);
    await pw.close();
  });

  it('falls back to the password grant when the refresh token is refused', async () => {
    const c = sim.credentials;
    const pw = snClient(sim, {
      auth: {
        kind: 'oauth_password',
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        username: c.username,
        password: c.password,
      },
    });
    await pw.queryAll('cmn_cost_center', { fields: ['code'] });
    // A reset forgets every access and refresh token the instance issued.
    await control(sim, 'POST', 'reset');
    await control(sim, 'POST', 'seed', { seed: 'demo' });
    expect(await pw.queryAll('cmn_cost_center', { fields: ['code'] })).toHaveLength(4);
    const grants = (await authState(sim)).grants;
    expect(grants).toEqual({ refresh_token: 1, password: 1 });
    await pw.close();
  });

  it('works with basic auth, and a wrong password is an AuthError', async () => {
    const c = sim.credentials;
    const basic = snClient(sim, { auth: { kind: 'basic', username: c.username, password: c.password } });
    expect(await basic.queryAll('cmn_cost_center', { fields: ['code'] })).toHaveLength(4);
    const wrong = snClient(sim, { auth: { kind: 'basic', username: c.username, password: 'nope' } });
    await expect(wrong.queryAll('cmn_cost_center', { fields: ['code'] })).rejects.toBeInstanceOf(AuthError);
    await basic.close();
    await wrong.close();
  });

  it('ping passes when the staging table, its columns and its coalesce keys are there', async () => {
    const r = await sn.ping([ORDER_FLOW], ['cmn_cost_center', 'sc_request']);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.serverVersion).toBe('Zurich');
    const d = await sn.describeStaging('sn_fcms_intg_imp_order');
    expect(d.maps).toEqual([
      expect.objectContaining({
        name: 'Order stage',
        targetTable: 'sn_shop_purchase_order',
        copyEmpty: false,
        coalesce: expect.arrayContaining(['u_erp_po_number', 'u_erp_source']),
      }),
    ]);
    expect(d.columns).toContainEqual({ name: 'u_erp_po_number', label: 'ERP PO Number', mandatory: true });
  });

  it('ping refuses a flow whose transform map has no coalesce key, and explains why', async () => {
    await control(sim, 'POST', 'coalesce', { staging: 'sn_fcms_intg_imp_order', coalesce: false });
    const refused = await sn.ping([ORDER_FLOW]);
    expect(refused.ok).toBe(false);
    const failed = refused.checks.filter((c) => !c.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.detail).toMatch(
      /no coalesce field: every retry or replay would insert a duplicate into sn_shop_purchase_order/,
    );
  });

  it('ping reports a staging column that does not exist (the Import Set and Table APIs would silently drop it)', async () => {
    const r = await sn.ping([{ ...ORDER_FLOW, columns: ['u_erp_po_number', 'u_po_numbr'] }]);
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => !c.ok)?.detail).toMatch(/missing column\(s\) u_po_numbr/);
  });

  it('ping reports a staging table that does not exist and a table it cannot read', async () => {
    const r = await sn.ping(
      [{ staging: 'sn_fcms_intg_imp_nothing', columns: ['u_x'], coalesceOn: ['u_x'] }],
      ['sn_apo_invoice'],
    );
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.name === 'table sn_apo_invoice')?.detail).toMatch(
      /Invalid table sn_apo_invoice/,
    );
    expect(r.checks.find((c) => c.name === 'staging sn_fcms_intg_imp_nothing')?.detail).toMatch(
      /no such staging table/,
    );
  });

  it('ping reports bad credentials as a failed auth check', async () => {
    const bad = snClient(sim, { auth: { kind: 'basic', username: 'someone', password: 'wrong' } });
    const r = await bad.ping([ORDER_FLOW]);
    expect(r.ok).toBe(false);
    expect(r.checks[0]).toMatchObject({ name: 'auth', ok: false });
    await bad.close();
  });
});

describe('the ServiceNow error table', () => {
  const answer = (statusCode: number, body: string, headers: Record<string, string> = {}) =>
    ({
      statusCode,
      body,
      headers: { 'content-type': body.startsWith('{') ? 'application/json' : 'text/html', ...headers },
    }) as unknown as Response<string>;
  const env = (message: string, detail: string | null = null) =>
    JSON.stringify({ error: { message, detail }, status: 'failure' });
  const read = { op: 'read' as const, what: 'GET sn_shop_invoice' };
  const write = { op: 'write' as const, what: 'POST import/sn_spend_intg_imp_invoice' };

  it.each([
    [
      '400 invalid table',
      answer(400, env('Invalid table x', 'Table x does not exist')),
      read,
      ConfigError,
      'servicenow.invalid_table',
    ],
    [
      '400 on a write',
      answer(400, env('Mandatory field missing')),
      write,
      RecordError,
      'servicenow.bad_request',
    ],
    [
      '401',
      answer(401, env('User Not Authenticated', 'Required to provide Auth information')),
      read,
      AuthError,
      'servicenow.unauthenticated',
    ],
    [
      '403 on a read',
      answer(403, env('Insufficient rights to query records')),
      read,
      AuthError,
      'servicenow.forbidden',
    ],
    [
      '403 on a write',
      answer(403, env('Operation Failed', 'ACL Exception Insert Failed')),
      write,
      RecordError,
      'servicenow.forbidden',
    ],
    ['404 on a write', answer(404, env('No Record found')), write, RecordError, 'servicenow.not_found'],
    ['406', answer(406, env('Not Acceptable')), read, ConfigError, 'servicenow.request_refused'],
    [
      '429',
      answer(429, env('Rate limit exceeded'), { 'retry-after': '1' }),
      write,
      TransientError,
      'servicenow.rate_limited',
    ],
    ['503', answer(503, env('Service Unavailable')), read, TransientError, 'servicenow.server_error'],
    [
      'transaction cancel',
      answer(500, 'Transaction cancelled: maximum execution time exceeded'),
      read,
      TransientError,
      'servicenow.transaction_cancelled',
    ],
    [
      '200 HTML',
      answer(200, '<!DOCTYPE html><html>Instance Hibernating</html>'),
      read,
      TransientError,
      'servicenow.hibernating',
    ],
    [
      '200 not JSON (cut short by a proxy: repeated, not a bug)',
      answer(200, 'OK', { 'content-type': 'text/plain' }),
      read,
      TransientError,
      'servicenow.malformed_json',
    ],
  ])('maps %s', (_name, response, call, type, code) => {
    const err = classifyServiceNow(response, call);
    expect(err).toBeInstanceOf(type);
    expect(err.code).toBe(code);
  });

  it('names the table of a refused write and carries Retry-After of a 429', () => {
    expect(classifyServiceNow(answer(403, env('Operation Failed')), write).message).toMatch(
      /sn_spend_intg_imp_invoice/,
    );
    const limited = classifyServiceNow(answer(429, env('Rate limit exceeded'), { 'retry-after': '7' }), read);
    expect(limited.retryAfterMs).toBe(7000);
    expect(limited.data?.notSent).toBe(true);
  });
});
