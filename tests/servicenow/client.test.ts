import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import { ServiceNowClient, type ServiceNowAuth } from '../../src/systems/servicenow/client.js';
import { AuthError, TransientError } from '../../src/errors.js';

type Sim = Awaited<ReturnType<typeof startServiceNowSim>>;

const RETRY = { baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 1500, attempts: 5 };

function client(sim: Sim, auth?: ServiceNowAuth, extra: { pageSize?: number; batchSize?: number } = {}): ServiceNowClient {
  const c = sim.credentials;
  return new ServiceNowClient(
    { url: sim.url, auth: auth ?? { kind: 'oauth_client_credentials', clientId: c.clientId, clientSecret: c.clientSecret }, ...extra },
    { connection: 'servicenow', retry: RETRY },
  );
}

async function control(sim: Sim, method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sim.url}/_sim/${route}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const window = { since: null, until: new Date(Date.now() + 3_600_000) };
const costCenter = (code: string, name = `Center ${code}`) => ({ u_code: code, u_name: name, u_erp_source: 'ODOO' });

describe('ServiceNow client against the simulator', () => {
  let sim: Sim;
  let sn: ServiceNowClient;
  beforeEach(async () => {
    sim = await startServiceNowSim({ seed: 'demo' });
    sn = client(sim);
  });
  afterEach(async () => {
    await sn.close();
    await sim.close();
  });

  it('a re-posted record updates the row it created instead of duplicating, and an identical one is ignored', async () => {
    const [first] = await sn.importRows('sn_fcms_intg_imp_cost_center', [costCenter('CC-900', 'Projects')]);
    expect(first).toMatchObject({ status: 'inserted' });
    const [second] = await sn.importRows('sn_fcms_intg_imp_cost_center', [costCenter('CC-900', 'Projects & Bids')]);
    expect(second).toMatchObject({ status: 'updated', sysId: first!.sysId });
    const [third] = await sn.importRows('sn_fcms_intg_imp_cost_center', [costCenter('CC-900', 'Projects & Bids')]);
    expect(third?.status).toBe('ignored');
    const rows = await sn.queryAll('cmn_cost_center', { query: 'code=CC-900', fields: ['name'] });
    expect(rows).toEqual([expect.objectContaining({ name: 'Projects & Bids' })]);
  });

  it('reports a row-level error inside a 201 as that record\'s failure, for single posts and insertMultiple', async () => {
    const line = { u_external_invoice_number: 'NOPE-1', u_external_invoice_source: 'ODOO', u_erp_line_number: '1', u_erp_source: 'ODOO', u_line_description: 'x', u_line_quantity: '1', u_line_unit_price: '1.00', u_subtotal: '1.00', u_gl_account: '999999' };
    const [single] = await sn.importRows('sn_spend_intg_imp_invoice_line', [line]);
    expect(single?.status).toBe('error');
    expect(single?.message).toBeTruthy();
    const outcomes = await sn.importRows('sn_fcms_intg_imp_cost_center', [costCenter('CC-901'), { u_code: '', u_name: 'no code', u_erp_source: 'ODOO' }, costCenter('CC-902')]);
    expect(outcomes.map((o) => o.status)).toEqual(['inserted', 'skipped', 'inserted']);
  });

  it('returns insertMultiple outcomes per row in input order across several async batches', async () => {
    const small = client(sim, undefined, { batchSize: 7 });
    const rows = Array.from({ length: 30 }, (_, i) => costCenter(`CC-B${String(i).padStart(2, '0')}`));
    rows[13] = { ...rows[13]!, u_code: '' };
    const outcomes = await small.importRows('sn_fcms_intg_imp_cost_center', rows);
    expect(outcomes).toHaveLength(30);
    expect(outcomes[13]?.status).toBe('skipped');
    expect(outcomes.filter((o) => o.status === 'inserted')).toHaveLength(29);
    const again = await small.importRows('sn_fcms_intg_imp_cost_center', rows);
    expect(again.filter((o) => o.status === 'ignored')).toHaveLength(29);
    await small.close();
  });

  it('maps insertMultiple columns to labels when the table maps by label', async () => {
    const outcomes = await sn.importRows('u_label_mapped_test', [{ u_code: 'L-1', u_name: 'Label one' }, { u_code: 'L-2', u_name: 'Label two' }], { mode: 'multiple' });
    expect(outcomes.map((o) => o.status)).toEqual(['inserted', 'inserted']);
  });

  it('reads every row sharing one sys_updated_on second when there are more than a page holds', async () => {
    const small = client(sim, undefined, { pageSize: 4 });
    await small.importRows('sn_fcms_intg_imp_cost_center', Array.from({ length: 11 }, (_, i) => costCenter(`CC-S${i}`)), { mode: 'multiple' });
    const seen: string[] = [];
    for await (const page of small.readChanged('cmn_cost_center', { fields: ['code', 'sys_updated_on'], window, query: 'codeSTARTSWITHCC-S' })) seen.push(...page.map((r) => r.code!));
    expect(seen.sort()).toEqual(Array.from({ length: 11 }, (_, i) => `CC-S${i}`).sort());
    await small.close();
  });

  it('does not end the read early when ACLs shorten or empty a page', async () => {
    const small = client(sim, undefined, { pageSize: 3 });
    await small.importRows('sn_fcms_intg_imp_cost_center', Array.from({ length: 12 }, (_, i) => costCenter(`CC-A${String(i).padStart(2, '0')}`)), { mode: 'multiple' });
    const all = await small.queryAll('cmn_cost_center', { query: 'codeSTARTSWITHCC-A', fields: ['code'] });
    // Hide a run of rows longer than a page, so that some pages come back empty.
    const hidden = all.sort((a, b) => (a.sys_id < b.sys_id ? -1 : 1)).slice(2, 8).map((r) => r.sys_id);
    await control(sim, 'POST', 'acl', { table: 'cmn_cost_center', hide: `sys_idIN${hidden.join(',')}` });
    const seen = await small.queryAll('cmn_cost_center', { query: 'codeSTARTSWITHCC-A', fields: ['code'] });
    expect(seen).toHaveLength(12 - hidden.length);
    await small.close();
  });

  it('refreshes a token revoked mid-pass without failing a read or a write', async () => {
    await sn.queryAll('cmn_cost_center', { fields: ['code'] });
    await control(sim, 'POST', 'faults', { kind: 'revoke_token', match: '^GET /api/now/table/cmn_cost_center', times: 1 });
    expect((await sn.queryAll('cmn_cost_center', { fields: ['code'] })).length).toBeGreaterThan(0);
    await control(sim, 'POST', 'faults', { kind: 'revoke_token', match: '^POST /api/now/import/', times: 1 });
    expect((await sn.importRows('sn_fcms_intg_imp_cost_center', [costCenter('CC-T1')]))[0]?.status).toBe('inserted');
  });

  it('renews an expiring token before it is refused', async () => {
    const shortSim = await startServiceNowSim({ seed: 'demo', tokenTtlSeconds: 61 });
    const c = client(shortSim);
    await c.queryAll('cmn_cost_center', { fields: ['code'] });
    await c.queryAll('cmn_cost_center', { fields: ['code'] });
    const stats = await (await fetch(`${shortSim.url}/_sim/stats`)).json() as { byRoute: Record<string, number> };
    // expires_in 61 s with a 60 s early renewal: every call gets a fresh token, none is refused.
    expect(stats.byRoute['POST /oauth_token.do']).toBeGreaterThanOrEqual(2);
    expect(Object.entries(stats.byRoute).filter(([k]) => k.startsWith('GET')).length).toBeGreaterThan(0);
    await c.close();
    await shortSim.close();
  });

  it('honours 429 Retry-After and finishes the read', async () => {
    await control(sim, 'POST', 'faults', { kind: 'rate_limit', match: '^GET /api/now/table/', times: 2, retryAfter: 1 });
    const started = Date.now();
    const rows = await sn.queryAll('cmn_cost_center', { fields: ['code'] });
    expect(rows.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('retries a burst of 5xx answers', async () => {
    await control(sim, 'POST', 'faults', { kind: 'server_error', status: 503, match: '^POST /api/now/import/', times: 2 });
    expect((await sn.importRows('sn_fcms_intg_imp_cost_center', [costCenter('CC-R1')]))[0]?.status).toBe('inserted');
  });

  it('treats the 60 s transaction cancel as transient and repeats the read with a smaller page', async () => {
    const c = client(sim, undefined, { pageSize: 100 });
    await control(sim, 'POST', 'faults', { kind: 'transaction_cancel', match: '^GET /api/now/table/cmn_cost_center', times: 2 });
    const rows = await c.queryAll('cmn_cost_center', { fields: ['code'] });
    expect(rows.length).toBeGreaterThan(0);
    expect(c.pageSizeOf('cmn_cost_center')).toBe(25);
    await c.close();
  });

  it('treats a hibernating instance (200 with an HTML page) as an error, not as data', async () => {
    await control(sim, 'POST', 'faults', { kind: 'html', match: '^GET /api/now/table/', times: -1 });
    await expect(sn.queryAll('cmn_cost_center', { fields: ['code'] })).rejects.toMatchObject({ code: 'servicenow.hibernating' });
  });

  it('fails bad client credentials with an AuthError and does not retry them', async () => {
    const bad = client(sim, { kind: 'oauth_client_credentials', clientId: sim.credentials.clientId, clientSecret: 'wrong-secret' });
    await control(sim, 'DELETE', 'stats');
    const err = await bad.queryAll('cmn_cost_center', { fields: ['code'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(String((err as Error).message)).not.toContain('wrong-secret');
    const stats = await (await fetch(`${sim.url}/_sim/stats`)).json() as { byRoute: Record<string, number> };
    expect(stats.byRoute['POST /oauth_token.do']).toBe(1);
    await bad.close();
  });

  it('works with the password grant and with basic auth', async () => {
    const c = sim.credentials;
    const pw = client(sim, { kind: 'oauth_password', clientId: c.clientId, clientSecret: c.clientSecret, username: c.username, password: c.password });
    expect((await pw.queryAll('cmn_cost_center', { fields: ['code'] })).length).toBeGreaterThan(0);
    const basic = client(sim, { kind: 'basic', username: c.username, password: c.password });
    expect((await basic.queryAll('cmn_cost_center', { fields: ['code'] })).length).toBeGreaterThan(0);
    await pw.close();
    await basic.close();
  });

  it('ping refuses a flow whose transform map has no coalesce key, and explains why', async () => {
    const need = [{ staging: 'sn_fcms_intg_imp_order', columns: ['u_erp_po_number', 'u_erp_source'], coalesceOn: ['u_erp_po_number', 'u_erp_source'] }];
    expect((await sn.ping(need, ['cmn_cost_center'])).ok).toBe(true);
    await control(sim, 'POST', 'coalesce', { staging: 'sn_fcms_intg_imp_order', coalesce: false });
    const refused = await sn.ping(need);
    expect(refused.ok).toBe(false);
    expect(refused.checks.find((c) => !c.ok)?.detail).toMatch(/no coalesce field: every retry or replay would insert a duplicate/);
  });

  it('ping reports a staging column that does not exist (the Table API would silently ignore it)', async () => {
    const r = await sn.ping([{ staging: 'sn_fcms_intg_imp_order', columns: ['u_erp_po_number', 'u_po_numbr'], coalesceOn: ['u_erp_po_number'] }]);
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => !c.ok)?.detail).toMatch(/missing column\(s\) u_po_numbr/);
  });

  it('sees the simulator ignore an unknown field, so field names must be validated', async () => {
    const rows = await sn.queryAll('cmn_cost_center', { query: 'no_such_field=1', fields: ['code', 'no_such_field'] });
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows[0]).not.toHaveProperty('no_such_field');
  });

  it('gets X-Total-Count and Link headers from the Table API', async () => {
    const token = await (await fetch(`${sim.url}/oauth_token.do`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.credentials.clientId, client_secret: sim.credentials.clientSecret }) })).json() as { access_token: string };
    const res = await fetch(`${sim.url}/api/now/table/cmn_cost_center?sysparm_limit=2`, { headers: { accept: 'application/json', authorization: `Bearer ${token.access_token}` } });
    expect(Number(res.headers.get('x-total-count'))).toBeGreaterThanOrEqual(4);
    expect(res.headers.get('link')).toMatch(/rel="next"/);
  });

  it('reads the server time from the Date header', async () => {
    const t = await sn.serverTime();
    expect(Math.abs(t.getTime() - Date.now())).toBeLessThan(5000);
  });

  it('keeps transient errors typed when retries run out', async () => {
    await control(sim, 'POST', 'faults', { kind: 'server_error', status: 500, match: '^GET /api/now/table/', times: -1 });
    await expect(sn.queryAll('cmn_cost_center', { fields: ['code'] })).rejects.toBeInstanceOf(TransientError);
  });
});
