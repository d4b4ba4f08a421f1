import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AuthError, isMlcError } from '../../src/errors.js';
import { clearTokenCachesForTests } from '../../src/systems/servicetitan/auth.js';
import { client, collect, control, raw, startSim, token, WINDOW_ALL, type Sim } from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim({ tokenTtlSeconds: 2 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  clearTokenCachesForTests();
  await control(sim, 'faults', {}, 'DELETE');
  await control(sim, 'seed', { seed: 'demo' });
  sim.setLatency(0);
});

describe('ServiceTitan authentication', () => {
  it('renews a token that expires in the middle of a read, without a failed page', async () => {
    const st = client(sim, 0, { pageSize: 1 });
    sim.setLatency(400);
    const before = sim.sim.auth.tokensIssued;
    const started = Date.now();
    const rows = await collect(st.readChanged('customers', { window: WINDOW_ALL }));
    sim.setLatency(0);
    expect(Date.now() - started).toBeGreaterThan(2000);
    expect(rows.map((r) => r.name)).toHaveLength(4);
    // A 2 s token over a read of more than 2 s: renewed at least once, before it expired.
    expect(sim.sim.auth.tokensIssued - before).toBeGreaterThanOrEqual(2);
    const stats = (await control(sim, 'stats', undefined, 'GET')) as { byRoute: Record<string, number> };
    expect(Object.keys(stats.byRoute).some((k) => k.startsWith('GET /crm/'))).toBe(true);
    await st.close();
  });

  it('renews once and replays when a token is refused (401) mid-read', async () => {
    const st = client(sim, 0, { pageSize: 1 });
    await control(sim, 'faults', {
      kind: 'revoke',
      match: '^GET /crm/v2/tenant/1000001/customers$',
      skip: 2,
      times: 1,
    });
    const before = sim.sim.auth.tokensIssued;
    const rows = await collect(st.readChanged('customers', { window: WINDOW_ALL }));
    expect(rows).toHaveLength(4);
    expect(sim.sim.auth.tokensIssued - before).toBe(2);
    await st.close();
  });

  it('sends both headers and the tenant on every call: the simulator refuses each one missing', async () => {
    const t = await token(sim, 0);
    const path = '/crm/v2/tenant/1000001/customers';
    const ok = await raw(sim, 'GET', path, { token: t });
    expect(ok.status).toBe(200);
    const noToken = await raw(sim, 'GET', path, {});
    expect(noToken.status).toBe(401);
    expect(noToken.text).toBe('');
    expect(noToken.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    const bare = await fetch(`${sim.url}${path}`, {
      headers: { authorization: t, 'st-app-key': sim.appKey },
    });
    expect(bare.status).toBe(401);
    expect((await raw(sim, 'GET', path, { token: t, appKey: null })).status).toBe(401);
    expect((await raw(sim, 'GET', path, { token: t, appKey: 'ak1.other' })).status).toBe(401);
    const otherTenant = await raw(sim, 'GET', '/crm/v2/tenant/1000002/customers', { token: t });
    expect(otherTenant.status).toBe(403);
    expect(otherTenant.body).toMatchObject({ status: 403, title: 'Forbidden' });
  });

  it('accepts the optional tenant form field and refuses bad credentials the IdentityServer way', async () => {
    const t = sim.tenants[0];
    const form = (extra: Record<string, string>) =>
      fetch(`${sim.url}/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: t?.clientId ?? '',
          client_secret: t?.clientSecret ?? '',
          ...extra,
        }).toString(),
      });
    const withTenant = await form({ tenant: t?.tenantId ?? '' });
    const answer = (await withTenant.json()) as {
      access_token: string;
      expires_in: number;
      token_type: string;
      scope: string;
    };
    expect(answer.expires_in).toBe(2);
    expect(answer.token_type).toBe('Bearer');
    expect(answer.scope).toMatch(/^tn\.\w+\.\w+:[rw]( tn\.\w+\.\w+:[rw])*$/);
    const [head, claims] = answer.access_token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>);
    expect(head).toMatchObject({ typ: 'at+jwt' });
    expect(claims).toMatchObject({ tenant: t?.tenantId, client_id: t?.clientId });
    expect(Number(claims?.exp) - Number(claims?.nbf)).toBe(2);
    const bad = await form({ client_secret: 'wrong-secret' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_client' });
  });

  it('turns refused client credentials into an AuthError that names no secret', async () => {
    const st = client(sim, 0, { clientSecret: 'cs1.not-the-secret-000' });
    const err = await st.serverTime().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(isMlcError(err) && err.code).toBe('servicetitan.invalid_client');
    expect(String((err as Error).message)).not.toContain('not-the-secret');
    await st.close();
  });

  it('reports a wrong app key as an AuthError after one renewal', async () => {
    const st = client(sim, 0, { appKey: 'ak1.wrong-app-key-0000' });
    const before = sim.sim.auth.tokensIssued;
    const err = await st.serverTime().catch((e: unknown) => e);
    expect(isMlcError(err) && err.code).toBe('servicetitan.unauthorized');
    expect(sim.sim.auth.tokensIssued - before).toBe(2);
    await st.close();
  });

  it('ping checks the token and every endpoint the flows need', async () => {
    const st = client(sim, 1);
    const result = await st.ping([
      { entity: 'customers' },
      { entity: 'inventory_bills' },
      { entity: 'customer_contacts' },
      { entity: 'payments', writesPayments: true },
    ]);
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual([
      'auth',
      'customers',
      'inventory_bills',
      'customer_contacts',
      'payments',
      'payment_types',
    ]);
    await control(sim, 'faults', {
      kind: 'status',
      status: 403,
      match: 'export/inventory-bills',
      body: { title: 'Forbidden' },
    });
    const denied = await st.ping([{ entity: 'inventory_bills' }]);
    expect(denied.ok).toBe(false);
    expect(denied.checks[1]?.detail).toMatch(/denied access/);
    await st.close();
  });
});

describe('ServiceTitan token renewal under concurrency', () => {
  it('calls refused together after a revocation share one renewal', async () => {
    const st = client(sim, 1, { concurrency: 8 });
    await st.getByIds('business_units', [1]);
    await control(sim, 'expire_tokens');
    const before = sim.sim.auth.tokensIssued;
    await Promise.all(Array.from({ length: 8 }, () => st.getByIds('business_units', [1])));
    expect(sim.sim.auth.tokensIssued - before).toBe(1);
    await st.close();
  });
});
