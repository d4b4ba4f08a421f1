import { constants, createPrivateKey, sign } from 'node:crypto';
import { AuthError } from '../../src/errors.js';
import {
  M2mSigner,
  clientAssertion,
  pct,
  signatureBaseString,
  tbaSignature,
} from '../../src/systems/netsuite/auth.js';
import { netSuiteConnectionSchema } from '../../src/systems/netsuite/connection.js';
import { accountHost, accountUrl, realmOf, tokenUrl } from '../../src/systems/netsuite/hosts.js';
import { TOKEN_ROUTE, client, connection, control, startSim, type Sim } from './helpers.js';

const ONE_ROW = 'SELECT id, name FROM subsidiary ORDER BY id';

describe('NetSuite authentication', () => {
  let sim: Sim;
  afterEach(async () => {
    await sim?.close();
  });

  it.each(['PS256', 'ES256'] as const)(
    'gets a bearer token with a %s client assertion signed by the mapped certificate and reads with it',
    async (alg) => {
      sim = await startSim();
      const ns = client(sim, alg);
      const page = await ns.suiteql.page(ONE_ROW, { limit: 1 });
      expect(page.rows[0]).toMatchObject({ id: '1', name: 'Acme Inc.' });
      await ns.suiteql.page(ONE_ROW);
      expect(sim.stats.byRoute[TOKEN_ROUTE]).toBe(1);
      await ns.close();
    },
  );

  it('refuses RS256 in the configuration, and the token endpoint refuses an RS256 assertion', async () => {
    sim = await startSim();
    const c = sim.credentials;
    const rsa = c.certificates['cert-rsa-3072']!;
    const parsed = netSuiteConnectionSchema.safeParse({
      system: 'netsuite',
      account: c.account,
      timeZone: 'UTC',
      auth: {
        kind: 'oauth_m2m',
        clientId: c.clientId,
        certificateId: 'cert-rsa-3072',
        algorithm: 'RS256',
        privateKey: 'secret:x',
      },
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/RS256 .* refused by NetSuite since 1 March 2025/);

    // The same key with PKCS#1 v1.5 (RS256), otherwise a valid assertion.
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64({ typ: 'JWT', alg: 'RS256', kid: 'cert-rsa-3072' })}.${b64({
      iss: c.clientId,
      scope: 'rest_webservices',
      aud: tokenUrl(sim.url),
      iat: now,
      exp: now + 600,
    })}`;
    const sig = sign('sha256', Buffer.from(input), {
      key: createPrivateKey(rsa.privateKey),
      padding: constants.RSA_PKCS1_PADDING,
    });
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: `${input}.${sig.toString('base64url')}`,
    });
    const res = await fetch(tokenUrl(sim.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request' });

    // A PS256 assertion whose aud is not the token URL is refused as well.
    const key = createPrivateKey(rsa.privateKey);
    const wrongAud = clientAssertion(
      { clientId: c.clientId, certificateId: 'cert-rsa-3072', algorithm: 'PS256', scope: 'rest_webservices' },
      key,
      'https://example.com/token',
      now,
    );
    form.set('client_assertion', wrongAud);
    const res2 = await fetch(tokenUrl(sim.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(res2.status).toBe(400);
    expect(await res2.json()).toEqual({ error: 'invalid_grant' });
  });

  it('renews the token ahead of its expiry during a long read, without a single refused request', async () => {
    sim = await startSim({ tokenTtlSeconds: 2, latencyMs: 200 });
    const ns = client(sim, 'ES256', { pageSize: 1 });
    const seen: string[] = [];
    for await (const page of ns.suiteql.changed(
      { select: 'a.id, a.acctnumber', from: 'account a' },
      { since: null, until: new Date(Date.now() + 1000) },
    ))
      seen.push(...page.map((r) => String(r.acctnumber)));
    expect(seen).toHaveLength(8);
    expect(sim.stats.byRoute[TOKEN_ROUTE]).toBeGreaterThanOrEqual(2);
    expect(sim.system.auth.audit).toEqual([]);
    await ns.close();
  });

  it('asks for a new token two minutes before a 60-minute token expires, never later', async () => {
    sim = await startSim();
    const c = sim.credentials;
    let now = Date.parse('2026-11-30T12:00:00Z');
    const asked: number[] = [];
    const signer = new M2mSigner(
      {
        kind: 'oauth_m2m',
        clientId: c.clientId,
        certificateId: 'cert-ec-p256',
        algorithm: 'ES256',
        privateKey: c.certificates['cert-ec-p256']!.privateKey,
        scope: 'rest_webservices',
      },
      async () => {
        asked.push(now);
        return { access_token: `token-${asked.length}`, token_type: 'Bearer', expires_in: '3600' };
      },
      'https://x/token',
      () => now,
    );
    expect(await signer.authorization()).toBe('Bearer token-1');
    now += 3600_000 - 121_000;
    expect(await signer.authorization()).toBe('Bearer token-1');
    now += 2_000;
    expect(await signer.authorization()).toBe('Bearer token-2');
    expect(asked).toHaveLength(2);
  });

  it('gets a new token once when NetSuite revokes the current one mid-read', async () => {
    sim = await startSim();
    const ns = client(sim, 'PS256');
    await ns.suiteql.page(ONE_ROW);
    await control(sim, 'expire_tokens');
    const page = await ns.suiteql.page(ONE_ROW);
    expect(page.rows).toHaveLength(2);
    expect(sim.stats.byRoute[TOKEN_ROUTE]).toBe(2);
    expect(sim.system.auth.audit).toEqual(['token unknown or revoked']);
    await ns.close();
  });

  it('signs TBA requests with HMAC-SHA256, the query string included, and NetSuite refuses a reused nonce', async () => {
    sim = await startSim();
    const ns = client(sim, 'tba');
    const page = await ns.suiteql.page(ONE_ROW, { limit: 1, offset: 1 });
    expect(page.rows[0]).toMatchObject({ id: '2', name: 'Acme GmbH' });

    // Replay one signed request verbatim: the first is accepted, the second refused (nonce reused).
    const url = `${sim.url}/services/rest/query/v1/suiteql?limit=1&offset=0`;
    const header = await (
      ns.transport as unknown as { signer: { authorization(m: string, u: string): Promise<string> } }
    ).signer.authorization('POST', url);
    const send = (u: string): Promise<Response> =>
      fetch(u, {
        method: 'POST',
        headers: { authorization: header, prefer: 'transient', 'content-type': 'application/json' },
        body: JSON.stringify({ q: ONE_ROW }),
      });
    expect((await send(url)).status).toBe(200);
    const again = await send(url);
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'INVALID_LOGIN' }] });
    expect(sim.system.auth.audit).toContain('nonce reused');
    await ns.close();
  });

  it('refuses TBA with a wrong realm case or a query parameter left out of the signature', async () => {
    sim = await startSim();
    const c = sim.credentials;
    const url = `${sim.url}/services/rest/query/v1/suiteql?limit=5&offset=0`;
    const headerFor = (realm: string, signedUrl: string, nonce: string): string => {
      const oauth = {
        oauth_consumer_key: c.consumerKey,
        oauth_token: c.tokenId,
        oauth_signature_method: 'HMAC-SHA256',
        oauth_timestamp: String(Math.floor(Date.now() / 1000)),
        oauth_nonce: nonce,
        oauth_version: '1.0',
      };
      const sig = tbaSignature(
        signatureBaseString('POST', signedUrl, oauth),
        c.consumerSecret,
        c.tokenSecret,
      );
      return `OAuth realm="${realm}",${Object.entries({ ...oauth, oauth_signature: sig })
        .map(([k, v]) => `${k}="${pct(v)}"`)
        .join(',')}`;
    };
    const post = (authorization: string): Promise<Response> =>
      fetch(url, {
        method: 'POST',
        headers: { authorization, prefer: 'transient', 'content-type': 'application/json' },
        body: JSON.stringify({ q: ONE_ROW }),
      });
    expect((await post(headerFor(c.account, url, 'nonce-ok-1'))).status).toBe(200);
    expect((await post(headerFor(c.account.toLowerCase(), url, 'nonce-ok-2'))).status).toBe(401);
    const withoutQuery = url.split('?')[0]!;
    expect((await post(headerFor(c.account, withoutQuery, 'nonce-ok-3'))).status).toBe(401);
    expect(sim.system.auth.audit).toEqual([expect.stringMatching(/^realm /), 'InvalidSignature']);
  });

  it('builds the base string of the documented example exactly', () => {
    const base = signatureBaseString(
      'post',
      'https://1234567-SB1.suitetalk.api.netsuite.com:443/services/rest/query/v1/suiteql?limit=1000&offset=0',
      {
        oauth_consumer_key: 'ck',
        oauth_token: 'tk',
        oauth_signature_method: 'HMAC-SHA256',
        oauth_timestamp: '1705312800',
        oauth_nonce: 'n1',
        oauth_version: '1.0',
      },
    );
    expect(base).toBe(
      'POST&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Fquery%2Fv1%2Fsuiteql&limit%3D1000%26oauth_consumer_key%3Dck%26oauth_nonce%3Dn1%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1705312800%26oauth_token%3Dtk%26oauth_version%3D1.0%26offset%3D0',
    );
  });

  it('routes a sandbox account id to its own host and signs TBA with the id as realm', async () => {
    expect(accountHost('1234567_SB1')).toBe('1234567-sb1');
    expect(accountUrl('1234567_SB1')).toBe('https://1234567-sb1.suitetalk.api.netsuite.com');
    expect(accountUrl('1234567')).toBe('https://1234567.suitetalk.api.netsuite.com');
    expect(accountUrl('TSTDRV123456')).toBe('https://tstdrv123456.suitetalk.api.netsuite.com');
    expect(realmOf('1234567_sb1')).toBe('1234567_SB1');
    const conn = netSuiteConnectionSchema.parse({
      system: 'netsuite',
      account: '1234567_SB1',
      timeZone: 'Europe/Berlin',
      auth: {
        kind: 'tba',
        consumerKey: 'ck',
        consumerSecret: 'secret:a',
        tokenId: 'tk',
        tokenSecret: 'secret:b',
      },
    });
    expect(conn.url).toBe('https://1234567-sb1.suitetalk.api.netsuite.com');
    expect(
      netSuiteConnectionSchema.safeParse({ ...conn, url: undefined, account: '1234567-sb1' }).success,
    ).toBe(false);

    sim = await startSim({ account: '1234567_SB1' });
    const ns = client(sim, 'tba');
    expect((await ns.suiteql.page(ONE_ROW)).rows).toHaveLength(2);
    await ns.close();
  });

  it('stops with an AuthError naming the Login Audit Trail when the credentials are refused', async () => {
    sim = await startSim();
    const conn = connection(sim, 'tba');
    const bad = { ...conn, auth: { ...conn.auth, tokenSecret: 'wrong-secret-value' } } as typeof conn;
    const { NetSuiteClient } = await import('../../src/systems/netsuite/client.js');
    const ns = new NetSuiteClient(bad, { connection: 'ns-test', retry: { baseDelayMs: 5 } });
    const err = await ns.suiteql.page(ONE_ROW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('netsuite.invalid_login');
    expect((err as AuthError).hint).toMatch(/Login Audit Trail/);
    expect((err as AuthError).message).not.toContain('wrong-secret-value');
    // One first try, one immediate retry, one delayed retry: then it gives up.
    expect(sim.stats.requests).toBe(3);
    await ns.close();
  });
});
