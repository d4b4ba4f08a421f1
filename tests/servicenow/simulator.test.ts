import { startServiceNowSim, STAGING_TABLES } from '../../src/sim/servicenow/index.js';
import { control, raw, type Sim } from './helpers.js';

const codes = async (sim: Sim, query: string): Promise<string[]> =>
  (
    await raw(
      sim,
      'GET',
      `/api/now/table/cmn_cost_center?sysparm_fields=code&sysparm_query=${encodeURIComponent(query)}`,
    )
  ).body.result.map((r: { code: string }) => r.code);

describe('the ServiceNow simulator speaks the wire protocol of the notes', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startServiceNowSim({ seed: 'demo' });
  });
  afterAll(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await control(sim, 'DELETE', 'faults');
    await control(sim, 'POST', 'rate_limit', { rules: [] });
  });

  it('evaluates encoded queries: AND, ^OR, ^NQ, IN, NOT IN, LIKE, STARTSWITH, ENDSWITH, ISEMPTY, ORDERBYDESC and one-level dot-walks', async () => {
    expect(await codes(sim, 'codeINCC-100,CC-300^ORDERBYcode')).toEqual(['CC-100', 'CC-300']);
    expect(await codes(sim, 'codeNOT INCC-100,CC-300^ORDERBYcode')).toEqual(['CC-200', 'CC-500']);
    expect(await codes(sim, 'code=CC-100^ORcode=CC-500^ORDERBYDESCcode')).toEqual(['CC-500', 'CC-100']);
    expect(await codes(sim, 'code=CC-100^NQname=IT')).toHaveLength(2);
    expect(await codes(sim, 'nameLIKEhouse')).toEqual(['CC-300']);
    expect(await codes(sim, 'nameSTARTSWITHfac')).toEqual(['CC-500']);
    expect(await codes(sim, 'codeENDSWITH00^nameENDSWITHions')).toEqual(['CC-100']);
    expect(await codes(sim, 'parentISEMPTY')).toEqual(['CC-100']);
    expect(await codes(sim, 'parentISNOTEMPTY^ORDERBYcode')).toEqual(['CC-200', 'CC-300', 'CC-500']);
    expect(await codes(sim, 'parent.code=CC-100^account_number>=300^ORDERBYcode')).toEqual([
      'CC-300',
      'CC-500',
    ]);
    expect(await codes(sim, 'code!=CC-100^account_number<300')).toEqual(['CC-200']);
  });

  it('drops an invalid query term silently, so a misspelt field returns the unfiltered table', async () => {
    expect(await codes(sim, 'cdoe=CC-100')).toHaveLength(4);
    expect(await codes(sim, 'cdoe=CC-100^code=CC-200')).toEqual(['CC-200']);
    const res = await raw(
      sim,
      'GET',
      '/api/now/table/cmn_cost_center?sysparm_fields=code,no_such_field&sysparm_limit=1',
    );
    expect(Object.keys(res.body.result[0])).toEqual(['code']);
  });

  it('answers strings, references as {link, value} unless excluded, and display values on request', async () => {
    const q =
      '/api/now/table/cmn_cost_center?sysparm_query=code=CC-200&sysparm_fields=code,parent,sys_mod_count,sys_id,sys_updated_on';
    const plain = (await raw(sim, 'GET', q)).body.result[0];
    expect(plain.parent).toEqual({
      link: expect.stringMatching(/\/api\/now\/table\/cmn_cost_center\/[0-9a-f]{32}$/),
      value: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(plain.sys_mod_count).toBe('0');
    expect(plain.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(plain.sys_updated_on).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect((await raw(sim, 'GET', `${q}&sysparm_exclude_reference_link=true`)).body.result[0].parent).toBe(
      plain.parent.value,
    );
    expect((await raw(sim, 'GET', `${q}&sysparm_display_value=true`)).body.result[0].parent).toEqual({
      display_value: 'Operations',
      link: plain.parent.link,
    });
    expect(
      (await raw(sim, 'GET', `${q}&sysparm_display_value=all&sysparm_exclude_reference_link=true`)).body
        .result[0].parent,
    ).toEqual({ display_value: 'Operations', value: plain.parent.value });
  });

  it('sends X-Total-Count and a Link header with first/prev/next/last, unless suppressed', async () => {
    const res = await raw(sim, 'GET', '/api/now/table/cmn_cost_center?sysparm_limit=1&sysparm_offset=1');
    expect(res.headers.get('x-total-count')).toBe('4');
    const link = res.headers.get('link') ?? '';
    for (const rel of ['first', 'prev', 'next', 'last']) expect(link).toContain(`rel="${rel}"`);
    expect(link).toMatch(/sysparm_offset=3>;rel="last"/);
    const quiet = await raw(
      sim,
      'GET',
      '/api/now/table/cmn_cost_center?sysparm_limit=1&sysparm_suppress_pagination_header=true&sysparm_no_count=true',
    );
    expect(quiet.headers.get('link')).toBeNull();
    expect(quiet.headers.get('x-total-count')).toBeNull();
  });

  it('sends no Link when the whole result fits in one page; otherwise first, prev, next, last in that order, no spaces, parameters URL-encoded', async () => {
    const whole = await raw(sim, 'GET', '/api/now/table/cmn_cost_center?sysparm_limit=4');
    expect(whole.headers.get('link')).toBeNull();
    expect(whole.headers.get('x-total-count')).toBe('4');
    const first = await raw(
      sim,
      'GET',
      '/api/now/table/cmn_cost_center?sysparm_limit=3&sysparm_fields=code,name',
    );
    const link = first.headers.get('link') ?? '';
    expect(link.match(/rel="(\w+)"/g)).toEqual(['rel="first"', 'rel="next"', 'rel="last"']);
    expect(link).not.toMatch(/>;rel="\w+", /);
    expect(link).toContain('sysparm_fields=code%2Cname');
    expect(link).toMatch(/sysparm_offset=0>;rel="first"/);
    expect(link).toMatch(/sysparm_offset=3>;rel="last"$/);
    const lastPage = await raw(sim, 'GET', '/api/now/table/cmn_cost_center?sysparm_limit=3&sysparm_offset=3');
    expect((lastPage.headers.get('link') ?? '').match(/rel="(\w+)"/g)).toEqual([
      'rel="first"',
      'rel="prev"',
      'rel="last"',
    ]);
  });

  it('applies sysparm_limit before ACLs and counts X-Total-Count before ACLs', async () => {
    await control(sim, 'POST', 'acl', { table: 'cmn_cost_center', hide: 'codeINCC-100,CC-200' });
    const res = await raw(
      sim,
      'GET',
      '/api/now/table/cmn_cost_center?sysparm_limit=2&sysparm_query=ORDERBYcode&sysparm_fields=code',
    );
    expect(res.body.result).toEqual([]);
    expect(res.headers.get('x-total-count')).toBe('4');
    const all = (
      await raw(sim, 'GET', '/api/now/table/cmn_cost_center?sysparm_query=ORDERBYcode&sysparm_fields=code')
    ).body.result;
    expect(all.map((r: { code: string }) => r.code)).toEqual(['CC-300', 'CC-500']);
    await control(sim, 'POST', 'acl', { table: 'cmn_cost_center', hide: '' });
    const cc100 = (await raw(sim, 'GET', '/api/now/table/cmn_cost_center?sysparm_query=code=CC-100')).body
      .result[0].sys_id;
    await control(sim, 'POST', 'acl', { table: 'cmn_cost_center', hide: 'code=CC-100' });
    expect((await raw(sim, 'GET', `/api/now/table/cmn_cost_center/${cc100}`)).status).toBe(404);
    await control(sim, 'POST', 'acl', { table: 'cmn_cost_center', hide: '' });
  });

  it('answers errors in the envelope of the notes: 400 unknown table, 401, 404, 405, 406, 415', async () => {
    const bad = await raw(sim, 'GET', '/api/now/table/sys_nonexistent');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: { message: 'Invalid table sys_nonexistent', detail: 'Table sys_nonexistent does not exist' },
      status: 'failure',
    });
    const anon = await fetch(`${sim.url}/api/now/table/cmn_cost_center`, {
      headers: { accept: 'application/json' },
    });
    expect(anon.status).toBe(401);
    expect(await anon.json()).toEqual({
      error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
      status: 'failure',
    });
    expect(
      (await raw(sim, 'GET', `/api/now/table/cmn_cost_center/${'0'.repeat(32)}`)).body.error.message,
    ).toBe('No Record found');
    expect((await raw(sim, 'DELETE', '/api/now/table/cmn_cost_center')).status).toBe(405);
    expect(
      (await raw(sim, 'GET', '/api/now/table/cmn_cost_center', undefined, { accept: 'application/xml' }))
        .status,
    ).toBe(406);
    expect(
      (await raw(sim, 'POST', '/api/now/table/cmn_cost_center', 'code=x', { 'content-type': 'text/plain' }))
        .status,
    ).toBe(415);
    expect((await raw(sim, 'GET', '/api/now/v1/table/cmn_cost_center?sysparm_query=code=NONE')).status).toBe(
      404,
    );
    expect((await raw(sim, 'GET', '/api/now/v2/table/cmn_cost_center?sysparm_query=code=NONE')).body).toEqual(
      { result: [] },
    );
  });

  it('refuses bad OAuth client credentials with the 401 body of the notes', async () => {
    const res = await fetch(`${sim.url}/oauth_token.do`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sim.credentials.clientId,
        client_secret: 'nope',
      }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error_description: 'access_denied', error: 'server_error' });
    const ok = await fetch(`${sim.url}/oauth_token.do`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sim.credentials.clientId,
        client_secret: sim.credentials.clientSecret,
      }),
    });
    expect(await ok.json()).toMatchObject({
      token_type: 'Bearer',
      expires_in: 1799,
      access_token: expect.any(String),
    });
  });

  it('stamps Table API writes at second precision and counts modifications', async () => {
    const created = await raw(sim, 'POST', '/api/now/table/sn_fin_supplier', {
      name: 'Stamped',
      legal_name: 'Stamped Ltd',
      rating: 5,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(
      new RegExp(`/api/now/table/sn_fin_supplier/${created.body.result.sys_id}$`),
    );
    expect(created.body.result).not.toHaveProperty('rating');
    expect(created.body.result.sys_created_on).toBe(created.body.result.sys_updated_on);
    const patched = await raw(sim, 'PATCH', `/api/now/table/sn_fin_supplier/${created.body.result.sys_id}`, {
      status: 'active',
    });
    expect(patched.body.result).toMatchObject({ status: 'active', sys_mod_count: '1' });
    expect(
      (await raw(sim, 'DELETE', `/api/now/table/sn_fin_supplier/${created.body.result.sys_id}`)).status,
    ).toBe(204);
  });

  it('adds rate-limit headers only where a rule applies, and answers 429 with Retry-After over the limit', async () => {
    await control(sim, 'POST', 'rate_limit', {
      rules: [{ resource: 'GET /api/now/table/sn_fin_gl_account', limit: 2 }],
    });
    const plain = await raw(sim, 'GET', '/api/now/table/cmn_cost_center?sysparm_limit=1');
    expect(plain.headers.get('x-ratelimit-limit')).toBeNull();
    const first = await raw(sim, 'GET', '/api/now/table/sn_fin_gl_account?sysparm_limit=1');
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-rule')).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(first.headers.get('x-ratelimit-remaining')).toBeNull();
    await raw(sim, 'GET', '/api/now/table/sn_fin_gl_account?sysparm_limit=1');
    const denied = await raw(sim, 'GET', '/api/now/table/sn_fin_gl_account?sysparm_limit=1');
    expect(denied.status).toBe(429);
    expect(Number(denied.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(denied.body.error.message).toBe('Rate limit exceeded');
  });

  it('injects the fault kinds of the notes: transaction cancel, server error, rate limit', async () => {
    await control(sim, 'POST', 'faults', {
      rules: [
        { kind: 'transaction_cancel', match: '^GET /api/now/table/cmn_cost_center$' },
        { kind: 'server_error', status: 503, match: '^GET /api/now/table/sn_fin_gl_account$' },
        { kind: 'rate_limit', retryAfter: 1, match: '^GET /api/now/table/core_company$' },
      ],
    });
    const cancel = await raw(sim, 'GET', '/api/now/table/cmn_cost_center');
    expect(cancel.body).toBeUndefined();
    expect(cancel.text).toBe('Transaction cancelled: maximum execution time exceeded');
    expect((await raw(sim, 'GET', '/api/now/table/sn_fin_gl_account')).body).toMatchObject({
      error: { message: 'Service Unavailable' },
      status: 'failure',
    });
    const limited = await raw(sim, 'GET', '/api/now/table/core_company');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '1']);
  });

  it('transforms insertMultiple asynchronously: staging rows are pending first, the import set is processed later', async () => {
    const res = await raw(sim, 'POST', '/api/now/import/sn_fcms_intg_imp_cost_center/insertMultiple', {
      records: [{ u_code: 'CC-M1', u_name: 'Multi' }],
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['import_set_id', 'multi_import_set_id']);
    const staged = (
      await raw(
        sim,
        'GET',
        `/api/now/table/sn_fcms_intg_imp_cost_center?sysparm_query=sys_import_set=${res.body.import_set_id}&sysparm_exclude_reference_link=true`,
      )
    ).body.result;
    expect(staged).toEqual([expect.objectContaining({ u_code: 'CC-M1', sys_import_row: '1' })]);
    for (let i = 0; i < 100; i += 1) {
      const set = (await raw(sim, 'GET', `/api/now/table/sys_import_set/${res.body.import_set_id}`)).body
        .result;
      if (set.state === 'processed') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const done = (
      await raw(
        sim,
        'GET',
        `/api/now/table/sn_fcms_intg_imp_cost_center?sysparm_query=sys_import_set=${res.body.import_set_id}`,
      )
    ).body.result[0];
    expect(done).toMatchObject({ sys_import_state: 'inserted', sys_target_table: 'cmn_cost_center' });
  });

  it('describes every staging table in sys_dictionary, sys_transform_map and sys_transform_entry', async () => {
    for (const t of STAGING_TABLES) {
      const dict = (
        await raw(
          sim,
          'GET',
          `/api/now/table/sys_dictionary?sysparm_query=name=${t.name}^elementISNOTEMPTY&sysparm_fields=element,column_label,mandatory`,
        )
      ).body.result;
      expect(dict.map((d: { element: string }) => d.element).sort()).toEqual(
        t.columns.map((c) => c.name).sort(),
      );
      const [map] = (
        await raw(sim, 'GET', `/api/now/table/sys_transform_map?sysparm_query=source_table=${t.name}`)
      ).body.result;
      expect(map).toMatchObject({ name: t.label, target_table: t.target, active: 'true' });
      const keys = (
        await raw(
          sim,
          'GET',
          `/api/now/table/sys_transform_entry?sysparm_query=map=${map.sys_id}^coalesce=true`,
        )
      ).body.result;
      expect(keys.length).toBeGreaterThan(0);
    }
  });
});

describe('the ServiceNow simulator can age its data', () => {
  it('moves every sys_created_on and sys_updated_on back by the seconds given, and queries see the new stamps', async () => {
    const sim = await startServiceNowSim({ seed: 'demo' });
    try {
      const read = async (): Promise<
        Array<{ code: string; sys_created_on: string; sys_updated_on: string }>
      > =>
        (
          await raw(
            sim,
            'GET',
            '/api/now/table/cmn_cost_center?sysparm_fields=code,sys_created_on,sys_updated_on&sysparm_query=ORDERBYcode',
          )
        ).body.result;
      const before = await read();
      const newest = before
        .map((r) => r.sys_updated_on)
        .sort()
        .at(-1)!;
      await control(sim, 'POST', 'age', { seconds: 3600 });
      const after = await read();
      const hourBack = (s: string): string =>
        new Date(Date.parse(`${s.replace(' ', 'T')}Z`) - 3_600_000)
          .toISOString()
          .slice(0, 19)
          .replace('T', ' ');
      expect(after).toEqual(
        before.map((r) => ({
          code: r.code,
          sys_created_on: hourBack(r.sys_created_on),
          sys_updated_on: hourBack(r.sys_updated_on),
        })),
      );
      expect(await codes(sim, `sys_updated_on>=${hourBack(newest)}`)).not.toHaveLength(0);
      expect(await codes(sim, `sys_updated_on>${hourBack(newest)}`)).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
