import { AuthError, ConfigError, InternalError, RecordError, TransientError } from '../../src/errors.js';
import { classify } from '../../src/systems/netsuite/errors.js';
import { client, startSim, type Sim } from './helpers.js';

const body = (status: number, code: string, detail = 'x', top?: string): unknown => ({
  type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1',
  title: 'Bad Request',
  status,
  ...(top ? { 'o:errorCode': top } : {}),
  'o:errorDetails': [{ detail, 'o:errorCode': code }],
});

describe('NetSuite error table', () => {
  it.each([
    [
      429,
      body(
        429,
        'CONCURRENCY_LIMIT_EXCEEDED',
        'Concurrent request limit exceeded. Request blocked.',
        'USER_ERROR',
      ),
      TransientError,
      'netsuite.concurrency_limit_exceeded',
    ],
    [400, body(400, 'CONCURRENCY_LIMIT_EXCEEDED'), TransientError, 'netsuite.concurrency_limit_exceeded'],
    [500, body(500, 'UNEXPECTED_ERROR'), TransientError, 'netsuite.unexpected_error'],
    [503, undefined, TransientError, 'netsuite.http_503'],
    [401, body(401, 'INVALID_LOGIN'), AuthError, 'netsuite.invalid_login'],
    [403, body(403, 'INSUFFICIENT_PERMISSION'), AuthError, 'netsuite.insufficient_permission'],
    [404, body(404, 'NONEXISTENT_ID'), RecordError, 'netsuite.nonexistent_id'],
    [400, body(400, 'INVALID_FIELD_VALUE'), RecordError, 'netsuite.invalid_field_value'],
    [400, body(400, 'USER_ERROR'), RecordError, 'netsuite.user_error'],
    [405, body(405, 'METHOD_NOT_ALLOWED'), InternalError, 'netsuite.method_not_allowed'],
    [400, { error: 'invalid_grant' }, AuthError, 'netsuite.invalid_grant'],
    [400, { error: 'invalid_request' }, AuthError, 'netsuite.invalid_request'],
    [401, { error: 'invalid_client' }, AuthError, 'netsuite.invalid_client'],
  ])('%i %j -> %p', (status, payload, cls, code) => {
    const err = classify(status, payload, 'call');
    expect(err).toBeInstanceOf(cls);
    expect(err.code).toBe(code);
  });

  it('makes a bad SuiteQL statement a configuration error, not a record error', () => {
    const err = classify(400, body(400, 'INVALID_PARAMETER', "Field 'x' was not found."), 'SuiteQL', {
      query: true,
    });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(
      /SuiteQL: NetSuite answered 400 INVALID_PARAMETER: Field 'x' was not found\./,
    );
  });
});

describe('NetSuite errors over HTTP', () => {
  let sim: Sim;
  afterEach(async () => {
    await sim?.close();
  });

  it('retries 500 UNEXPECTED_ERROR and a dropped connection, and reads through', async () => {
    sim = await startSim();
    sim.faults.add({ kind: 'unexpected', match: 'suiteql', times: 2 });
    sim.faults.add({ kind: 'drop', match: 'suiteql', times: 1 });
    const ns = client(sim);
    expect((await ns.suiteql.page('SELECT id FROM vendor ORDER BY id')).rows).toHaveLength(3);
    expect(sim.stats.faults).toBe(3);
    await ns.close();
  });

  it('gives up with a TransientError when NetSuite stays over its concurrency limit', async () => {
    sim = await startSim();
    sim.faults.add({ kind: 'concurrency', match: 'suiteql', times: -1 });
    const ns = client(sim, 'PS256', {}, { retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 } });
    const err = await ns.suiteql.page('SELECT id FROM vendor ORDER BY id').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).hint).toMatch(/Integration Governance/);
    await ns.close();
  });

  it('answers null for a record NetSuite does not have, and a RecordError for a bad reference', async () => {
    sim = await startSim();
    const ns = client(sim);
    expect(await ns.records.get('vendor', '999')).toBeNull();
    expect(await ns.records.get('department', { externalId: 'nope' })).toBeNull();
    const err = await ns.records
      .upsert('department', 'CC-900', { name: 'Ghost', subsidiary: { items: [{ id: '99' }] } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordError);
    expect((err as RecordError).message).toMatch(
      /INVALID_FIELD_VALUE: Invalid Field Value 99 for the following field: subsidiary/,
    );
    await ns.close();
  });

  it('upserts by external id idempotently and makes a retried create with the same key create once', async () => {
    sim = await startSim();
    const ns = client(sim);
    const first = await ns.records.upsert('department', 'CC-410', {
      name: 'Marketing',
      subsidiary: { items: [{ id: '1' }] },
    });
    expect(first.id).toMatch(/^\d+$/);
    const again = await ns.records.upsert('department', 'CC-410', {
      name: 'Marketing EU',
      isInactive: false,
    });
    expect(again.id).toBeNull();
    const rows = sim.system.store.rows('department').filter((d) => d.externalid === 'CC-410');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.name).toBe('Marketing EU');
    expect((await ns.records.get('department', { externalId: 'CC-410' }))?.name).toBe('Marketing EU');

    const before = sim.system.store.rows('account').length;
    const body = {
      acctNumber: '6300',
      acctName: 'Training',
      acctType: { id: 'Expense' },
      subsidiary: { items: [{ id: '1' }] },
    };
    const id1 = await ns.records.create('account', body, { idempotencyKey: 'k-1' });
    const id2 = await ns.records.create('account', body, { idempotencyKey: 'k-1' });
    expect(id2).toBe(id1);
    expect(sim.system.store.rows('account').length).toBe(before + 1);
    await ns.close();
  });
});
