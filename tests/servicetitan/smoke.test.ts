import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { client, collect, startSim, WINDOW_ALL, type Sim } from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

describe('smoke', () => {
  it('reads every entity of both tenants with conforming answers', async () => {
    for (const ti of [0, 1]) {
      const st = client(sim, ti);
      for (const e of [
        'business_units',
        'customers',
        'customer_contacts',
        'locations',
        'vendors',
        'purchase_orders',
        'inventory_bills',
        'jobs',
        'invoices',
        'payments',
      ] as const) {
        const rows = await collect(st.readChanged(e, { window: WINDOW_ALL }));
        expect([e, rows.length > 0]).toEqual([e, true]);
      }
      await st.close();
    }
    expect(sim.sim.nonConforming).toEqual([]);
  });
});
