import { salesforceConnectionSchema } from '../../src/systems/salesforce/connection.js';
import { control, rest, startSim, type Sim } from './helpers.js';

const V = '/services/data/v62.0';

describe('Salesforce simulator wire behaviour', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ seed: 'demo' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('answers a single upsert 201 with Location when it inserts, 200 with created:false when it updates, 404 with updateOnly when absent', async () => {
    const created = await rest(sim, 'PATCH', `${V}/sobjects/Account/Odoo_Id__c/res.partner:700`, {
      Name: 'Seven',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^001\w{15}$/),
      success: true,
      errors: [],
      created: true,
    });
    expect(created.headers.get('location')).toBe(`${V}/sobjects/Account/${created.body.id}`);
    const updated = await rest(sim, 'PATCH', `${V}/sobjects/Account/Odoo_Id__c/res.partner:700`, {
      Name: 'Seven b',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ id: created.body.id, success: true, errors: [], created: false });
    expect(
      (
        await rest(sim, 'PATCH', `${V}/sobjects/Account/Odoo_Id__c/res.partner:701?updateOnly=true`, {
          Name: 'x',
        })
      ).status,
    ).toBe(404);
    expect((await rest(sim, 'PATCH', `${V}/sobjects/Account/Name/x`, { Name: 'x' })).status).toBe(404);
    const patched = await rest(sim, 'PATCH', `${V}/sobjects/Account/${created.body.id}`, {
      Phone: '+1 555 0100',
    });
    expect(patched.status).toBe(204);
  });

  it('bumps SystemModstamp on every write', async () => {
    const before = await rest(
      sim,
      'GET',
      `${V}/sobjects/Account/Odoo_Id__c/res.partner:10?fields=Id,SystemModstamp`,
    );
    await new Promise((r) => setTimeout(r, 1100));
    await rest(sim, 'PATCH', `${V}/sobjects/Account/${before.body.Id}`, { Phone: '1' });
    const after = await rest(sim, 'GET', `${V}/sobjects/Account/${before.body.Id}?fields=SystemModstamp`);
    expect(after.body.SystemModstamp > before.body.SystemModstamp).toBe(true);
  });

  it('refuses more than 200 records in one Collections call as a whole, and rolls back an allOrNone call with one bad record', async () => {
    const many = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Account' }, Name: `n${i}` }));
    const tooMany = await rest(sim, 'POST', `${V}/composite/sobjects`, { allOrNone: false, records: many });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
    const res = await rest(sim, 'POST', `${V}/composite/sobjects`, {
      allOrNone: true,
      records: [
        { attributes: { type: 'Account' }, Name: 'Kept?' },
        { attributes: { type: 'Account' }, AccountNumber: 'no name' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body[0]).toEqual({
      success: false,
      errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })],
    });
    expect(res.body[1].errors[0]).toEqual({
      statusCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [Name]',
      fields: ['Name'],
    });
    const q = await rest(
      sim,
      'GET',
      `${V}/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name = 'Kept?'")}`,
    );
    expect(q.body.totalSize).toBe(0);
  });

  it('halts a Composite subrequest whose reference points at a failed one (allOrNone false keeps the rest)', async () => {
    const res = await rest(sim, 'POST', `${V}/composite`, {
      allOrNone: false,
      compositeRequest: [
        {
          method: 'POST',
          url: `${V}/sobjects/Account`,
          referenceId: 'bad',
          body: { AccountNumber: 'no name' },
        },
        {
          method: 'POST',
          url: `${V}/sobjects/Contact`,
          referenceId: 'child',
          body: { LastName: 'C', AccountId: '@{bad.id}' },
        },
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'good', body: { Name: 'Good' } },
      ],
    });
    const [bad, child, good] = res.body.compositeResponse;
    expect(bad).toMatchObject({
      httpStatusCode: 400,
      referenceId: 'bad',
      body: [{ errorCode: 'REQUIRED_FIELD_MISSING' }],
    });
    expect(child).toMatchObject({ httpStatusCode: 400, body: [{ errorCode: 'PROCESSING_HALTED' }] });
    expect(good).toMatchObject({
      httpStatusCode: 201,
      httpHeaders: { Location: expect.stringContaining('/sobjects/Account/') },
    });
    const headers = await rest(sim, 'POST', `${V}/composite`, {
      compositeRequest: [
        { method: 'GET', url: `${V}/limits`, referenceId: 'a', httpHeaders: { Authorization: 'Bearer x' } },
      ],
    });
    expect(headers.status).toBe(400);
  });

  it('lists updated and deleted ids by minute-truncated windows, at most 30 days back', async () => {
    const created = await rest(sim, 'POST', `${V}/sobjects/Product2`, { Name: 'Short-lived' });
    expect((await rest(sim, 'DELETE', `${V}/sobjects/Product2/${created.body.id}`)).status).toBe(204);
    const start = encodeURIComponent(new Date(Date.now() - 3600_000).toISOString());
    const end = encodeURIComponent(new Date(Date.now() + 120_000).toISOString());
    const updated = await rest(sim, 'GET', `${V}/sobjects/Product2/updated/?start=${start}&end=${end}`);
    expect(updated.body.ids.length).toBeGreaterThan(0);
    expect(updated.body.ids).not.toContain(created.body.id);
    expect(updated.body.latestDateCovered).toMatch(/:00\.000\+0000$/);
    const deleted = await rest(sim, 'GET', `${V}/sobjects/Product2/deleted/?start=${start}&end=${end}`);
    expect(deleted.body.deletedRecords).toEqual([
      { id: created.body.id, deletedDate: expect.stringMatching(/\+0000$/) },
    ]);
    const old = encodeURIComponent(new Date(Date.now() - 31 * 86_400_000).toISOString());
    const tooOld = await rest(sim, 'GET', `${V}/sobjects/Product2/updated/?start=${old}&end=${end}`);
    expect(tooOld.status).toBe(400);
    expect(tooOld.body[0].errorCode).toBe('INVALID_REPLICATION_DATE');
  });

  it('refuses to create an Invoice (no create call on that object)', async () => {
    const res = await rest(sim, 'POST', `${V}/sobjects/Invoice`, { Description: 'x' });
    expect(res.status).toBe(400);
    expect(res.body[0].errorCode).toBe('INVALID_TYPE_FOR_OPERATION');
  });

  it('refuses a raw + in a datetime literal (an unencoded offset) with MALFORMED_QUERY', async () => {
    const res = await rest(
      sim,
      'GET',
      `${V}/query?q=SELECT+Id+FROM+Account+WHERE+SystemModstamp+>+2024-01-15T09:55:00+01:00`,
    );
    expect(res.status).toBe(400);
    expect(res.body[0].errorCode).toBe('MALFORMED_QUERY');
    const ok = await rest(
      sim,
      'GET',
      `${V}/query?q=SELECT+Id+FROM+Account+WHERE+SystemModstamp+>+2024-01-15T09:55:00%2B01:00`,
    );
    expect(ok.status).toBe(200);
  });

  it('answers 401 INVALID_SESSION_ID once sessions are expired', async () => {
    const c = sim.credentials;
    const tok = await fetch(`${sim.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: c.clientId,
        client_secret: c.clientSecret,
      }).toString(),
    });
    const body = (await tok.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('expires_in');
    expect(body).not.toHaveProperty('refresh_token');
    expect(body.issued_at).toMatch(/^\d{13}$/);
    await control(sim, 'POST', 'expire_sessions');
    const res = await fetch(`${sim.url}${V}/limits`, {
      headers: { authorization: `Bearer ${String(body.access_token)}` },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
  });
});

describe('Salesforce connection schema', () => {
  const base = {
    system: 'salesforce',
    auth: { kind: 'client_credentials', clientId: 'id', clientSecret: 'secret:sf.client_secret' },
  };

  it('refuses login.salesforce.com as the URL and retired API versions, and defaults the rest', () => {
    const bad = salesforceConnectionSchema.safeParse({ ...base, url: 'https://login.salesforce.com' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('My Domain');
    expect(
      salesforceConnectionSchema.safeParse({
        ...base,
        url: 'https://acme.my.salesforce.com',
        apiVersion: '30.0',
      }).success,
    ).toBe(false);
    const ok = salesforceConnectionSchema.parse({ ...base, url: 'https://acme.my.salesforce.com' });
    expect(ok).toMatchObject({ apiVersion: '62.0', dailyApiShare: 0.5 });
    expect(
      salesforceConnectionSchema.safeParse({
        ...base,
        url: 'https://acme.my.salesforce.com',
        dailyApiShare: 0,
      }).success,
    ).toBe(false);
  });
});
