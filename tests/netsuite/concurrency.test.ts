import { accountLimiter } from '../../src/systems/netsuite/transport.js';
import { client, control, startSim, type Sim } from './helpers.js';

const Q = 'SELECT id, entityid FROM vendor ORDER BY id';

describe('NetSuite concurrency governance', () => {
  let sim: Sim;
  afterEach(async () => {
    await sim?.close();
  });

  it.each([429, 400] as const)(
    'finishes 50 concurrent requests against an account limit of 5 with no failure when NetSuite answers %i CONCURRENCY_LIMIT_EXCEEDED',
    async (status) => {
      sim = await startSim({ concurrencyLimit: 5, concurrencyStatus: status, serviceMs: 25 });
      // mlc's own share set above the account's limit, so that NetSuite's gate is what holds it back.
      const ns = client(sim, 'PS256', { concurrency: 12 });
      await ns.suiteql.page(Q); // token first
      const pages = await Promise.all(Array.from({ length: 50 }, () => ns.suiteql.page(Q)));
      expect(pages.every((p) => p.rows.length === 3)).toBe(true);
      expect(sim.system.governance.refused).toBeGreaterThan(0);
      expect(sim.system.governance.peak).toBeLessThanOrEqual(5);
      await ns.close();
    },
  );

  it('never exceeds its own share: two clients of one account share one limiter', async () => {
    sim = await startSim({ concurrencyLimit: 5, serviceMs: 20 });
    const a = client(sim, 'PS256', { concurrency: 3 });
    const b = client(sim, 'ES256', { concurrency: 3 });
    await Promise.all([a.suiteql.page(Q), b.suiteql.page(Q)]);
    await control(sim, 'governance', { resetStats: true });
    await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).suiteql.page(Q)));
    expect(sim.system.governance.peak).toBeLessThanOrEqual(3);
    expect(sim.system.governance.refused).toBe(0);
    expect(accountLimiter(sim.credentials.account, 99).concurrency).toBe(3);
    await a.close();
    await b.close();
  });

  it('treats a 401 under load as possibly transient: a fresh token and one delayed retry', async () => {
    sim = await startSim({ concurrencyLimit: 1, concurrencyStatus: 401, serviceMs: 40 });
    const ns = client(sim, 'PS256', { concurrency: 2 });
    await ns.suiteql.page(Q);
    const pages = await Promise.all([ns.suiteql.page(Q), ns.suiteql.page(Q)]);
    expect(pages.map((p) => p.rows.length)).toEqual([3, 3]);
    expect(sim.system.governance.refused).toBeGreaterThan(0);
    await ns.close();
  });
});
