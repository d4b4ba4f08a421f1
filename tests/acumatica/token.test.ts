import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { TransientError } from '../../src/errors.js';
import { redact } from '../../src/http/redact.js';
import { TokenCache, oauthTokenSource, type Grant } from '../../src/http/token.js';
import { startAcumaticaSim } from '../../src/sim/acumatica/index.js';
import { client, control, cookie, type Sim } from './helpers.js';

/** The shared token cache (src/http/token.ts) and the Acumatica sessions built on it. */
describe('TokenCache', () => {
  it('renews a token ahead of its expiry, and shares one renewal among concurrent callers', async () => {
    let now = 1_000_000;
    let fetched = 0;
    const cache = new TokenCache(
      async () => {
        fetched += 1;
        await new Promise((r) => setTimeout(r, 5));
        return { value: `t${fetched}`, expiresAt: now + 120_000 };
      },
      60_000,
      () => now,
    );
    const first = await Promise.all(Array.from({ length: 10 }, () => cache.get()));
    expect(new Set(first)).toEqual(new Set(['t1']));
    now += 59_000;
    expect(await cache.get()).toBe('t1');
    // Less than earlyMs left: renewed before the server would refuse it.
    now += 2_000;
    const second = await Promise.all(Array.from({ length: 5 }, () => cache.get()));
    expect(new Set(second)).toEqual(new Set(['t2']));
    expect(fetched).toBe(2);
  });

  it('renews once after a 401 and retries once; callers refused with the same token share that renewal', async () => {
    let fetched = 0;
    const cache = new TokenCache(async () => {
      fetched += 1;
      await new Promise((r) => setTimeout(r, 5));
      return { value: `t${fetched}`, expiresAt: Date.now() + 3_600_000 };
    });
    await cache.get();
    const sent: string[] = [];
    const send = async (token: string): Promise<number> => {
      sent.push(token);
      return token === 't1' ? 401 : 200;
    };
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => cache.withRenewal(send, (status) => status === 401)),
    );
    expect(answers).toEqual([200, 200, 200, 200]);
    expect(fetched).toBe(2);
    expect(sent.filter((t) => t === 't2')).toHaveLength(4);
    // A second refusal goes back to the caller: renewed once, never in a loop.
    const always401 = await cache.withRenewal(
      async () => 401,
      (status) => status === 401,
    );
    expect(always401).toBe(401);
    expect(fetched).toBe(3);
  });

  it('uses the stored refresh token first, saves each rotated one before handing out the access token, and never sends one twice', async () => {
    const saved: string[] = [];
    const refreshed: string[] = [];
    let grants = 0;
    let n = 0;
    const grant = (): Grant => ({ accessToken: `a${++n}`, expiresInSeconds: 3600, refreshToken: `r${n}` });
    const source = oauthTokenSource({
      grant: async () => {
        grants += 1;
        return grant();
      },
      refresh: async (token) => {
        refreshed.push(token);
        return token === 'stale' ? undefined : grant();
      },
      store: {
        load: async () => 'r0',
        save: async (t) => {
          saved.push(t);
        },
      },
    });
    const first = await source();
    expect(refreshed).toEqual(['r0']);
    expect(first.value).toBe('a1');
    expect(saved).toEqual(['r1']);
    const second = await source();
    expect(refreshed).toEqual(['r0', 'r1']);
    expect(second.value).toBe('a2');
    expect(saved).toEqual(['r1', 'r2']);
    expect(grants).toBe(0);
    // Every token handed out is a secret for the redactor.
    const rotating = oauthTokenSource({
      grant: async () => ({
        accessToken: 'eyJ-access-7f3a9c',
        expiresInSeconds: 60,
        refreshToken: 'REFRESH-55C1D0',
      }),
    });
    await rotating();
    const line = redact('sent eyJ-access-7f3a9c, got REFRESH-55C1D0');
    expect(line).not.toContain('eyJ-access-7f3a9c');
    expect(line).not.toContain('REFRESH-55C1D0');
  });

  it('falls back to the primary grant when the refresh is refused or fails in a way the client allows', async () => {
    let grants = 0;
    const refused = oauthTokenSource({
      grant: async () => ({ accessToken: `g${++grants}`, expiresInSeconds: 60 }),
      refresh: async () => undefined,
      store: { load: async () => 'stale', save: async () => undefined },
    });
    expect((await refused()).value).toBe('g1');

    const failing = (fallBack: boolean) =>
      oauthTokenSource({
        grant: async () => ({ accessToken: `g${++grants}`, expiresInSeconds: 60 }),
        refresh: async () => {
          throw new TransientError('identity server down', { code: 'http.network' });
        },
        fallBackOn: () => fallBack,
        store: { load: async () => 'r', save: async () => undefined },
      });
    expect((await failing(true)()).value).toBe('g2');
    await expect(failing(false)()).rejects.toThrow('identity server down');
  });
});

describe('Acumatica sessions on the token cache', () => {
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

  it('renews an ended cookie session once for every call that met the 401, and signs out with the cookie', async () => {
    const acu = client(sim, { auth: cookie(sim) });
    await acu.withSession(async () => {
      await acu.list('Account', {});
      await control(sim, 'expire_tokens', {});
      const pages = await Promise.all([
        acu.list('Vendor', {}),
        acu.list('Account', {}),
        acu.list('Subaccount', {}),
      ]);
      expect(pages.map((p) => p.length)).toEqual([3, 7, 4]);
    });
    const state = sim.sim.state() as { signIns: number; sessionsOpen: number };
    expect(state.signIns).toBe(2);
    expect(state.sessionsOpen).toBe(0);
  });

  it('refreshes an expired bearer token once for concurrent calls', async () => {
    const acu = client(sim);
    await acu.withSession(async () => {
      await acu.list('Account', {});
      await control(sim, 'expire_tokens', {});
      await Promise.all([acu.list('Vendor', {}), acu.list('Account', {}), acu.list('Subaccount', {})]);
    });
    const state = sim.sim.state() as { refreshGrants: number; signIns: number; sessionsOpen: number };
    expect(state.refreshGrants).toBe(1);
    expect(state.signIns).toBe(1);
    expect(state.sessionsOpen).toBe(0);
  });

  it('signs out with the token it holds instead of renewing an expired one to sign out', async () => {
    const acu = client(sim);
    await acu.signIn();
    await control(sim, 'expire_tokens', {});
    await acu.signOut();
    const state = sim.sim.state() as { refreshGrants: number; signIns: number };
    expect(state.refreshGrants).toBe(0);
    expect(state.signIns).toBe(1);
  });
});
