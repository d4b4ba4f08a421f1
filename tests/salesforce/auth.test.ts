import { request } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { AuthError, ConfigError } from '../../src/errors.js';
import { control, jwtAuth, sfClient, startSim, stats, type Sim } from './helpers.js';

const WINDOW = () => ({ since: null, until: new Date(Date.now() + 3600_000) });

async function readAll(
  sf: ReturnType<typeof sfClient>,
  sobject: string,
  pageSize?: number,
): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of sf.readChanged(sobject, {
    fields: [],
    window: WINDOW(),
    ...(pageSize ? { pageSize } : {}),
  }))
    ids.push(...page.map((r) => r.Id));
  return ids;
}

describe('Salesforce authentication against the simulator', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ seed: 'volume:150' });
  });
  afterAll(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await control(sim, 'DELETE', 'faults');
    await control(sim, 'POST', 'session_ttl', { ms: 7_200_000 });
  });

  it('signs in with client credentials on My Domain and verifies the answer’s signature', async () => {
    const sf = sfClient(sim);
    expect(await readAll(sf, 'Account')).toHaveLength(150);
    expect(sf.transport.auth.sessions).toBe(1);
    // The integration user is the one whose writes carry LastModifiedById (echo suppression).
    expect(await sf.integrationUserId()).toBe(sim.credentials.userId);
    const [mine] = await sf.upsert('Product2', 'Odoo_Id__c', [{ Odoo_Id__c: 'echo-1', Name: 'Echo' }]);
    const [row] = await sf.query(
      `SELECT Id, LastModifiedById FROM Product2 WHERE Id = '${mine?.ok ? mine.id : ''}'`,
    );
    expect(row?.LastModifiedById).toBe(sim.credentials.userId);
    // A person's edit in the org carries that person's id instead.
    await control(sim, 'POST', 'exec', {
      sobject: 'Product2',
      id: row?.Id,
      record: { Description: 'edited by hand' },
    });
    const [edited] = await sf.query(
      `SELECT Id, LastModifiedById FROM Product2 WHERE Id = '${row?.Id ?? ''}'`,
    );
    expect(edited?.LastModifiedById).not.toBe(sim.credentials.userId);
    await sf.close();
  });

  it('refuses a token answer whose signature does not match the client secret', async () => {
    await control(sim, 'POST', 'faults', {
      kind: 'status',
      status: 200,
      match: '^POST /services/oauth2/token$',
      body: {
        access_token: '00Dxx!forged',
        instance_url: sim.url,
        id: 'https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA',
        issued_at: String(Date.now()),
        signature: Buffer.alloc(32).toString('base64'),
        token_type: 'Bearer',
      },
    });
    const sf = sfClient(sim);
    const err = await readAll(sf, 'Account').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('salesforce.bad_token_signature');
    await sf.close();
  });

  it('refuses bad client credentials with an AuthError after one token request, secret kept out of the message', async () => {
    const sf = sfClient(sim, {
      auth: {
        kind: 'client_credentials',
        clientId: sim.credentials.clientId,
        clientSecret: 'wrong-secret-123',
      },
    });
    await control(sim, 'DELETE', 'stats');
    const err = await readAll(sf, 'Account').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('salesforce.oauth_denied');
    expect((err as Error).message).toContain('invalid_client');
    expect((err as Error).message).not.toContain('wrong-secret-123');
    expect((await stats(sim)).byRoute).toEqual({ 'POST /services/oauth2/token': 1 });
    await sf.close();
  });

  it('answers "request not supported on this domain" to client credentials on login.salesforce.com', async () => {
    const c = sim.credentials;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: c.clientId,
      client_secret: c.clientSecret,
    }).toString();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: sim.port,
          path: '/services/oauth2/token',
          method: 'POST',
          headers: { host: 'login.salesforce.com', 'content-type': 'application/x-www-form-urlencoded' },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_grant',
      error_description: 'request not supported on this domain',
    });
  });

  it('signs in with the JWT bearer flow, an RS256 assertion with exp in seconds', async () => {
    const sf = sfClient(sim, { auth: jwtAuth(sim) });
    expect(await readAll(sf, 'Account')).toHaveLength(150);
    const claims = JSON.parse(
      Buffer.from(sf.transport.auth.assertion().split('.')[1] as string, 'base64url').toString(),
    );
    expect(claims).toMatchObject({
      iss: sim.credentials.clientId,
      sub: sim.credentials.username,
      aud: 'https://login.salesforce.com',
    });
    expect(claims.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 180);
    await sf.close();
  });

  it('refuses a JWT signed with another key, for another user, or for a wrong audience', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    for (const [over, text] of [
      [{ privateKey: other }, 'invalid assertion'],
      [{ username: 'someone@else.example' }, "user hasn't approved this consumer"],
      [{ audience: 'https://example.com' }, 'audience is invalid'],
    ] as const) {
      const sf = sfClient(sim, { auth: jwtAuth(sim, over) });
      const err = await readAll(sf, 'Account').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as Error).message).toContain(text);
      await sf.close();
    }
  });

  it('refuses a private key that is not PEM with a ConfigError before any request', async () => {
    const sf = sfClient(sim, { auth: jwtAuth(sim, { privateKey: 'not a key' }) });
    await expect(readAll(sf, 'Account')).rejects.toBeInstanceOf(ConfigError);
    await sf.close();
  });

  it('renews the session once when it expires in the middle of a read, and loses nothing', async () => {
    const sf = sfClient(sim);
    const expected = await readAll(sf, 'Contact', 200);
    expect(expected).toHaveLength(300);
    // The session ends after the first page: the next-records call answers 401 INVALID_SESSION_ID.
    await control(sim, 'POST', 'faults', {
      kind: 'revoke_session',
      match: '^GET /services/data/v62\\.0/query/',
      times: 1,
    });
    const before = sf.transport.auth.sessions;
    await control(sim, 'DELETE', 'stats');
    const ids = await readAll(sf, 'Contact', 200);
    expect(ids).toEqual(expected);
    expect(sf.transport.auth.sessions - before).toBe(1);
    const s = await stats(sim);
    expect(s.byRoute['POST /services/oauth2/token']).toBe(1);
    await sf.close();
  });

  it('renews a session that timed out while idle, and fails with an AuthError when the renewed one is refused too', async () => {
    const sf = sfClient(sim);
    await readAll(sf, 'Account');
    await control(sim, 'POST', 'session_ttl', { ms: 0 });
    await new Promise((r) => setTimeout(r, 5));
    // Every session is now over as soon as it is issued: one renewal, one repeat, then AuthError.
    await control(sim, 'DELETE', 'stats');
    const err = await readAll(sf, 'Account').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('salesforce.invalid_session');
    expect((await stats(sim)).byRoute['POST /services/oauth2/token']).toBe(1);
    await sf.close();
  });
});

describe('instance_url', () => {
  it('sends REST calls to the instance_url of the token answer, not to the login URL', async () => {
    const sim = await startSim({ seed: 'demo', instanceHost: 'localhost' });
    const sf = sfClient(sim);
    expect(await readAll(sf, 'Account')).toHaveLength(4);
    expect(sf.transport.auth.instanceUrl).toBe(`http://localhost:${sim.port}`);
    expect([...sim.system.restHosts]).toEqual(['localhost']);
    await sf.close();
    await sim.close();
  });
});
