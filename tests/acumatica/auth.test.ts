import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startAcumaticaSim } from '../../src/sim/acumatica/index.js';
import { AuthError, TransientError } from '../../src/errors.js';
import { client, cookie, control, memoryStore, type Sim } from './helpers.js';

let sim: Sim;

beforeAll(async () => {
  sim = await startAcumaticaSim({ seed: 'demo' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  await control(sim, 'faults', {}, 'DELETE');
  sim.sim.auth.reset();
});

function authState(): {
  sessionsOpen: number;
  maxConcurrentSessions: number;
  refreshGrants: number;
  refreshReuse: number;
  signIns: number;
} {
  return sim.sim.state() as never;
}

async function tokenCall(
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}/identity/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Acumatica sign-in', () => {
  it('signs in with the password grant, saves the rotated refresh token before using the new access token, and never reuses one', async () => {
    const store = memoryStore();
    const order: string[] = [];
    const tracking = {
      load: store.load,
      save: async (t: string) => {
        order.push(`save:${t.slice(0, 6)}`);
        await store.save(t);
      },
    };
    const acu = client(
      sim,
      { refreshTokenStore: tracking },
      {
        onRequest: (i) => {
          if (i.path.includes('/entity/Default/')) order.push('api');
        },
      },
    );
    await acu.withSession(async () => {
      await acu.list('Account', {});
      await control(sim, 'expire_tokens', {});
      // The expired access token answers 401: the client refreshes once and retries once.
      const rows = await acu.list('Vendor', {});
      expect(rows).toHaveLength(3);
    });
    expect(store.tokens).toHaveLength(2);
    expect(order[0]).toMatch(/^save:/);
    // The second token was saved before the request that used the refreshed access token succeeded.
    const secondSave = order.findIndex((o, i) => o.startsWith('save:') && i > 0);
    expect(order.slice(secondSave + 1)).toContain('api');
    expect(authState().refreshGrants).toBe(1);
    expect(authState().refreshReuse).toBe(0);

    // A refresh token used twice fails with invalid_grant, as the real identity server answers.
    const c = sim.credentials;
    const spent = store.tokens[0] as string;
    const reused = await tokenCall({
      grant_type: 'refresh_token',
      client_id: c.clientId,
      client_secret: c.clientSecret,
      refresh_token: spent,
    });
    expect(reused).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('starts the next pass from the stored refresh token instead of the password', async () => {
    const store = memoryStore();
    const first = client(sim, { refreshTokenStore: store });
    await first.withSession(() => first.list('Account', {}));
    const second = client(sim, { refreshTokenStore: store });
    await second.withSession(() => second.list('Account', {}));
    expect(store.tokens).toHaveLength(2);
    expect(authState().refreshGrants).toBe(1);
    expect(authState().refreshReuse).toBe(0);
    expect(authState().sessionsOpen).toBe(0);
  });

  it('falls back to the password grant when the stored refresh token is refused', async () => {
    const store = memoryStore('NOT-A-VALID-REFRESH-TOKEN');
    const acu = client(sim, { refreshTokenStore: store });
    const rows = await acu.withSession(() => acu.list('Subaccount', {}));
    expect(rows.map((r) => r.SubaccountCD)).toEqual(['000-000', '100-000', '200-000', '300-000']);
    expect(store.tokens).toHaveLength(2);
  });

  it('refuses a wrong password with an AuthError that does not contain the password', async () => {
    const acu = client(sim, {
      auth: { ...(await import('./helpers.js')).oauth(sim), password: 'wrong-password-123' },
    });
    const err = await acu.withSession(() => acu.list('Account', {})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('acumatica.invalid_grant');
    expect(String((err as Error).message)).not.toContain('wrong-password-123');
  });

  it('logs in with a cookie session (204 + cookies) and logs out afterwards', async () => {
    const acu = client(sim, { auth: cookie(sim) });
    const rows = await acu.withSession(async () => {
      expect(authState().sessionsOpen).toBe(1);
      return acu.list('Account', {});
    });
    expect(rows).toHaveLength(7);
    expect(authState().sessionsOpen).toBe(0);
    const stats = sim.stats.byRoute;
    expect(stats['POST /entity/auth/login']).toBeGreaterThanOrEqual(1);
    expect(stats['POST /entity/auth/logout']).toBeGreaterThanOrEqual(1);
  });

  it('opens one session per withSession and signs out also when the work throws', async () => {
    for (const auth of ['oauth', 'cookie'] as const) {
      sim.sim.auth.reset();
      const acu = client(sim, auth === 'cookie' ? { auth: cookie(sim) } : {});
      const err = await acu
        .withSession(async () => {
          await Promise.all([acu.list('Account', {}), acu.list('Vendor', {}), acu.list('Subaccount', {})]);
          throw new Error('mapping failed');
        })
        .catch((e: unknown) => e);
      expect((err as Error).message).toBe('mapping failed');
      expect(authState().signIns).toBe(1);
      expect(authState().sessionsOpen).toBe(0);
    }
  });

  it('never holds more seats than one per client, even with concurrent flows', async () => {
    const a = client(sim, { concurrency: 4 });
    const b = client(sim, { auth: cookie(sim), concurrency: 4 });
    await Promise.all([
      a.withSession(() =>
        Promise.all(['Account', 'Vendor', 'Bill', 'PurchaseOrder', 'Check'].map((e) => a.list(e, {}))),
      ),
      b.withSession(() =>
        Promise.all(['Account', 'Vendor', 'Bill', 'PurchaseOrder', 'Check'].map((e) => b.list(e, {}))),
      ),
    ]);
    expect(authState().maxConcurrentSessions).toBeLessThanOrEqual(2);
    expect(authState().signIns).toBe(2);
    expect(authState().sessionsOpen).toBe(0);
  });

  it('retries an API Login Limit answer as transient and then succeeds once a seat is free', async () => {
    await control(sim, 'faults', { kind: 'login_limit', match: '^POST /identity/connect/token', times: 2 });
    const acu = client(sim);
    const rows = await acu.withSession(() => acu.list('Account', {}));
    expect(rows).toHaveLength(7);
    expect(sim.stats.byRoute['POST /identity/connect/token']).toBeGreaterThanOrEqual(3);
  });

  it('fails clearly with a transient login-limit error when every seat stays taken', async () => {
    // Two other integrations hold both seats of the licence.
    const c = sim.credentials;
    for (let i = 0; i < 2; i += 1) {
      const r = await tokenCall({
        grant_type: 'password',
        client_id: c.clientId,
        client_secret: c.clientSecret,
        username: c.username,
        password: c.password,
        scope: 'api',
      });
      expect(r.status).toBe(200);
    }
    for (const auth of ['oauth', 'cookie'] as const) {
      const acu = client(sim, auth === 'cookie' ? { auth: cookie(sim) } : {}, {
        retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
      });
      const err = await acu.withSession(() => acu.list('Account', {})).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientError);
      expect((err as TransientError).code).toBe('acumatica.login_limit');
      expect((err as Error).message).toMatch(/API Login Limit/);
    }
    expect(authState().maxConcurrentSessions).toBe(2);
  });

  it('reports a wrong endpoint version in ping with the versions the server offers', async () => {
    const acu = client(sim, { endpointVersion: '25.200.001' });
    const result = await acu.ping(['Account', 'Vendor']);
    expect(result.ok).toBe(false);
    const check = result.checks.find((c) => c.name === 'endpoint');
    expect(check?.ok).toBe(false);
    expect(check?.detail).toContain('25.200.001');
    expect(check?.detail).toContain('20.200.001, 22.200.001, 23.200.001, 24.200.001');
    expect(authState().sessionsOpen).toBe(0);

    const err = await acu.withSession(() => acu.list('Account', {})).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('acumatica.endpoint_not_found');
    expect((err as Error).message).toContain('Default 25.200.001');

    const good = await client(sim).ping([
      'Account',
      'Vendor',
      'PurchaseOrder',
      'Bill',
      'Check',
      'Subaccount',
    ]);
    expect(good.ok).toBe(true);
    expect(good.serverVersion).toBe('24.205.0012');
  });
});
