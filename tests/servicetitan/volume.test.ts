import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sumMoney } from '../../src/systems/servicetitan/index.js';
import { client, collect, control, startSim, WINDOW_ALL, type Sim } from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim({ seed: 'volume:600' });
});
afterAll(async () => {
  await sim.close();
});

describe('ServiceTitan volume seed', () => {
  it('pages 600 purchase orders per tenant in large pages, every answer conforming, tenants apart', async () => {
    await control(sim, 'stats', undefined, 'DELETE');
    for (const ti of [0, 1]) {
      const st = client(sim, ti, { pageSize: 250 });
      const pos = await collect(st.readChanged('purchase_orders', { window: WINDOW_ALL }));
      expect(pos).toHaveLength(600);
      expect(new Set(pos.map((p) => p.id)).size).toBe(600);
      // 1.10 + 4.40 + 9.90 per order, exactly.
      expect(sumMoney(pos.map((p) => p.total as string))).toBe('9240.00');
      const bills = await collect(st.readChanged('inventory_bills', { window: WINDOW_ALL }));
      expect(bills).toHaveLength(300);
      await st.close();
    }
    const stats = (await control(sim, 'stats', undefined, 'GET')) as { byRoute: Record<string, number> };
    // 600 rows in pages of 250: three pages per tenant.
    expect(stats.byRoute['GET /inventory/v2/tenant/1000001/purchase-orders']).toBe(3);
    expect(sim.sim.nonConforming).toEqual([]);
  });
});
