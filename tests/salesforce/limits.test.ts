import { AuthError, ConfigError, InternalError, RecordError, TransientError } from '../../src/errors.js';
import {
  classifySalesforce,
  isCleanStop,
  SF_ALLOWANCE_EXHAUSTED,
} from '../../src/systems/salesforce/errors.js';
import { ApiBudget, parseLimitInfo } from '../../src/systems/salesforce/limits.js';
import type { SfRecord } from '../../src/systems/salesforce/soql.js';
import {
  requirementsFor,
  SF_ENTITIES,
  type SalesforceEntityName,
} from '../../src/systems/salesforce/entities.js';
import { control, rest, sfClient, startSim, stats, type Sim } from './helpers.js';

const ALL = { since: null, until: new Date(Date.now() + 3600_000) };

async function readInto(
  sf: ReturnType<typeof sfClient>,
  out: SfRecord[][],
  onPage?: () => Promise<void>,
): Promise<unknown> {
  try {
    for await (const p of sf.readChanged('Contact', { fields: [], window: ALL, pageSize: 200 })) {
      out.push(p);
      await onPage?.();
    }
    return undefined;
  } catch (err) {
    return err;
  }
}

const restCalls = (byRoute: Record<string, number>): number =>
  Object.entries(byRoute)
    .filter(([k]) => k.includes('/services/data/v'))
    .reduce((n, [, v]) => n + v, 0);

describe('the daily API allowance', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ seed: 'volume:300' });
  });
  afterAll(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await control(sim, 'DELETE', 'faults');
    await control(sim, 'POST', 'api_usage', { used: 0, max: 15_000 });
  });

  it('stops cleanly when the org answers 403 REQUEST_LIMIT_EXCEEDED mid-read: pages read so far kept, no retry, no new session', async () => {
    const sf = sfClient(sim, { dailyApiShare: 1 });
    const pages: SfRecord[][] = [];
    await control(sim, 'DELETE', 'stats');
    // Another integration spends the rest of the allowance while the first page is processed.
    const err = await readInto(sf, pages, async () => {
      if (pages.length === 1) await control(sim, 'POST', 'api_usage', { used: 15_000 });
    });
    expect(pages).toHaveLength(1);
    expect(err).toBeInstanceOf(TransientError);
    expect(isCleanStop(err)).toBe(true);
    expect(err).toMatchObject({
      code: SF_ALLOWANCE_EXHAUSTED,
      data: { source: 'org', retryHere: false, cleanStop: true },
    });
    const s = await stats(sim);
    expect(restCalls(s.byRoute)).toBe(2);
    expect(s.byRoute['POST /services/oauth2/token']).toBe(1);
    await sf.close();
  });

  it('refuses, before sending it, a call that would pass the configured share of what remained', async () => {
    await control(sim, 'POST', 'api_usage', { used: 14_996, max: 15_000 });
    const sf = sfClient(sim, { dailyApiShare: 0.5 });
    const pages: SfRecord[][] = [];
    await control(sim, 'DELETE', 'stats');
    const err = await readInto(sf, pages);
    // After the first call 3 of 15,000 remained: half of them (1 more call) is this pass's share.
    expect(pages).toHaveLength(2);
    expect(isCleanStop(err)).toBe(true);
    expect(err).toMatchObject({ data: { source: 'share', ceiling: 14_998 } });
    expect((err as Error).message).toContain('not sent');
    expect(restCalls((await stats(sim)).byRoute)).toBe(2);
    expect(sf.apiUsage()).toEqual({ used: 14_998, max: 15_000, spent: 2 });
    await sf.close();
  });

  it('primes the budget from /limits so the first read is already held to the share', async () => {
    await control(sim, 'POST', 'api_usage', { used: 14_990, max: 15_000 });
    const sf = sfClient(sim, { dailyApiShare: 0.1 });
    // 10 remain before /limits is read; 9 after it, a tenth of which is no whole call.
    expect(await sf.limits()).toEqual({ max: 15_000, remaining: 9 });
    await control(sim, 'DELETE', 'stats');
    const err = await readInto(sf, []);
    expect(isCleanStop(err)).toBe(true);
    expect(restCalls((await stats(sim)).byRoute)).toBe(0);
    await sf.close();
  });

  it('retries the concurrent long-request variant of REQUEST_LIMIT_EXCEEDED', async () => {
    await control(sim, 'POST', 'faults', {
      kind: 'concurrent_limit',
      match: '^GET /services/data/v62\\.0/query$',
      times: 1,
    });
    const sf = sfClient(sim);
    const pages: SfRecord[][] = [];
    expect(await readInto(sf, pages)).toBeUndefined();
    expect(pages.flat()).toHaveLength(600);
    await sf.close();
  });

  it('reports usage in Sforce-Limit-Info on counted responses only', async () => {
    await control(sim, 'POST', 'api_usage', { used: 41, max: 15_000 });
    const counted = await rest(sim, 'GET', '/services/data/v62.0/limits');
    expect(counted.headers.get('sforce-limit-info')).toBe('api-usage=42/15000');
    expect(counted.body.DailyApiRequests).toEqual({ Max: 15_000, Remaining: 14_958 });
    const versions = await fetch(`${sim.url}/services/data/`);
    expect(versions.headers.get('sforce-limit-info')).toBeNull();
    expect(((await versions.json()) as Array<{ version: string }>)[0]?.version).toBe('31.0');
    expect((await rest(sim, 'GET', '/services/data/v30.0/limits')).status).toBe(410);
    expect((await rest(sim, 'GET', '/services/data/v62.0/nothing')).body).toEqual([
      { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' },
    ]);
  });
});

describe('ping', () => {
  const REQS = [
    { sobject: 'Account', fields: ['Name', 'Odoo_Company__c'], externalId: 'Odoo_Id__c', writes: true },
    {
      sobject: 'Order',
      fields: ['AccountId', 'EffectiveDate', 'Status'],
      externalId: 'Odoo_Id__c',
      writes: true,
    },
    { sobject: 'Invoice', fields: ['DocumentNumber'], optional: true },
  ];

  it('reports an org without the Invoice object, and the invoice flow as disabled rather than failed', async () => {
    const sim = await startSim({ seed: 'demo-no-invoice' });
    const sf = sfClient(sim);
    const result = await sf.ping('salesforce', REQS);
    expect(result.ok).toBe(true);
    expect(
      result.checks.find(
        (c) => c.name === 'sobject Invoice' && c.detail.startsWith('absent: the org has no Invoice'),
      ),
    ).toBeDefined();
    expect(result.checks.filter((c) => c.name === 'sobject Invoice').every((c) => c.ok)).toBe(true);
    expect(await sf.invoiceSupport()).toEqual({ present: false, createable: false, updateable: false });
    const strict = await sf.ping('salesforce', [{ sobject: 'Invoice', fields: [] }]);
    expect(strict.ok).toBe(false);
    await sf.close();
    await sim.close();
  });

  it('passes every entity of an ERP pair on the demo org, by the declared requirements', async () => {
    const sim = await startSim({ seed: 'demo' });
    const sf = sfClient(sim);
    const result = await sf.ping(
      'salesforce',
      requirementsFor(Object.keys(SF_ENTITIES) as SalesforceEntityName[]),
    );
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(await sf.standardPricebookId()).toMatch(/^01s/);
    await sf.close();
    await sim.close();
  });

  it('reports Invoice present but not createable, a missing field, a field that is not an external id, and an API version the org does not serve', async () => {
    const sim = await startSim({ seed: 'demo' });
    const sf = sfClient(sim);
    expect(await sf.invoiceSupport()).toEqual({ present: true, createable: false, updateable: true });
    const result = await sf.ping('salesforce', [
      ...REQS,
      { sobject: 'Contact', fields: ['LastName', 'Shoe_Size__c'], externalId: 'Email' },
    ]);
    expect(result.ok).toBe(false);
    const by = (name: string) => result.checks.filter((c) => c.name === name);
    expect(by('sobject Invoice')[0]?.detail).toContain('not createable');
    expect(by('sobject Contact')[0]).toMatchObject({ ok: false, detail: 'missing fields: Shoe_Size__c' });
    expect(by('external id Contact.Email')[0]).toMatchObject({ ok: false });
    expect(by('external id Account.Odoo_Id__c')[0]).toMatchObject({ ok: true });
    expect(by('daily API allowance')[0]?.detail).toMatch(/requests left/);
    await sf.close();
    const future = sfClient(sim, { apiVersion: '67.0' });
    const r2 = await future.ping('salesforce', []);
    expect(r2.checks.find((c) => c.name === 'api version')).toMatchObject({ ok: false });
    await future.close();
    await sim.close();
  });
});

describe('the error table', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    statusCode: status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const read = { op: 'read' as const, what: 'GET query' };
  const write = { op: 'write' as const, what: 'PATCH sobjects' };

  it.each([
    [
      answer(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]),
      read,
      TransientError,
      SF_ALLOWANCE_EXHAUSTED,
    ],
    [
      answer(403, [
        { message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
      ]),
      read,
      TransientError,
      'salesforce.concurrent_limit',
    ],
    [
      answer(403, [{ message: 'insufficient access rights on object id', errorCode: 'INSUFFICIENT_ACCESS' }]),
      read,
      AuthError,
      'salesforce.forbidden',
    ],
    [
      answer(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]),
      read,
      AuthError,
      'salesforce.invalid_session',
    ],
    [answer(410, [{ message: 'gone', errorCode: 'GONE' }]), read, ConfigError, 'salesforce.version_retired'],
    [
      answer(503, [{ message: 'Server unavailable', errorCode: 'SERVER_UNAVAILABLE' }], {
        'retry-after': '2',
      }),
      read,
      TransientError,
      'salesforce.unavailable',
    ],
    [
      answer(400, [{ message: 'unable to obtain exclusive access', errorCode: 'UNABLE_TO_LOCK_ROW' }]),
      write,
      TransientError,
      'salesforce.row_locked',
    ],
    [
      answer(300, [
        '/services/data/v62.0/sobjects/Contact/003A',
        '/services/data/v62.0/sobjects/Contact/003B',
      ]),
      write,
      RecordError,
      'salesforce.duplicate_external_id',
    ],
    [
      answer(400, [
        {
          message: 'Required fields are missing: [Name]',
          errorCode: 'REQUIRED_FIELD_MISSING',
          fields: ['Name'],
        },
      ]),
      write,
      RecordError,
      'salesforce.required_field_missing',
    ],
    [
      answer(400, [{ message: 'unexpected token', errorCode: 'MALFORMED_QUERY' }]),
      read,
      ConfigError,
      'salesforce.malformed_query',
    ],
    [
      answer(400, [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]),
      read,
      TransientError,
      'salesforce.query_locator_expired',
    ],
    [answer(418, 'teapot'), read, InternalError, 'salesforce.unexpected_status'],
  ])('classifies %j', (response, call, kind, code) => {
    const err = classifySalesforce(response, call);
    expect(err).toBeInstanceOf(kind);
    expect(err.code).toBe(code);
  });

  it('reads Sforce-Limit-Info with or without the per-app and burst parts', () => {
    expect(parseLimitInfo('api-usage=891/15000')).toEqual({ used: 891, max: 15000 });
    expect(parseLimitInfo('api-usage=18/5000; per-app-api-usage=17/250(appName=sample)')).toEqual({
      used: 18,
      max: 5000,
    });
    expect(parseLimitInfo(undefined)).toBeUndefined();
  });

  it('admits the first call unprimed, then holds to the share of what remained at the first report', () => {
    const b = new ApiBudget(0.25);
    b.admit('a');
    b.settle({ used: 100, max: 500 });
    // 400 remained: this budget may go up to 100 + 100.
    for (let i = 0; i < 100; i++) b.admit('x');
    expect(() => b.admit('y')).toThrow(/share of the daily API allowance/);
  });
});
