import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { client, control, raw, startSim, token, type Sim } from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

interface RateStats {
  system: {
    requests: number;
    throttled: number;
    maxPerSecond: number;
    maxPerSecondByTenant: Record<string, number>;
  };
}

describe('ServiceTitan request budget', () => {
  it('keeps a burst of 500 calls from two clients of one tenant under 60 per second at the server, and finishes', async () => {
    const a = client(sim, 0, { concurrency: 16 });
    const b = client(sim, 0, { concurrency: 16 });
    // The answer's validator is compiled by the first call; the burst measures the steady state.
    await a.getByIds('business_units', [1001]);
    await new Promise((r) => setTimeout(r, 1100));
    await control(sim, 'stats', undefined, 'DELETE');
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? a : b).getByIds('business_units', [1001])),
    );
    const elapsed = Date.now() - started;
    expect(results).toHaveLength(500);
    const stats = (await control(sim, 'stats', undefined, 'GET')) as RateStats;
    // The simulator's own 60-per-second bucket (the one that answers 429, below) never refused a
    // call. Its calendar-second count is not asserted to the unit: on a busy machine the server can
    // take a backlog of calls that were sent in time within one of its seconds.
    expect(stats.system.throttled).toBe(0);
    expect(stats.system.requests).toBe(500);
    expect(stats.system.maxPerSecond).toBeGreaterThan(40);
    // 500 calls at under 60 per second take more than 8 s.
    expect(elapsed).toBeGreaterThan(8000);
    await a.close();
    await b.close();
  }, 40_000);

  it('the simulator itself answers 429 with Retry-After: 1 past 60 calls in a second', async () => {
    await control(sim, 'stats', undefined, 'DELETE');
    const t = await token(sim, 1);
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        raw(sim, 'GET', '/settings/v2/tenant/1000002/business-units?pageSize=1', { token: t }),
      ),
    );
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(20);
    expect(limited[0]?.headers.get('retry-after')).toBe('1');
    expect(limited[0]?.body).toMatchObject({ status: 429 });
  });

  it('waits out Retry-After on a 429 and succeeds', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    await control(sim, 'faults', { kind: 'rate_limit', match: 'business-units', times: 2, retryAfter: 1 });
    const st = client(sim, 1);
    const started = Date.now();
    const rows = await st.getByIds('business_units', [1]);
    expect(rows).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    await st.close();
  });
});
