import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { client, collect, control, startSim, WINDOW_ALL, type Sim } from './helpers.js';

/**
 * Payments taken in the field in the ServiceTitan simulator: the demo seed's (a partial one, one
 * split over two invoices) and one added through `/_sim/payments`, read from the payments list,
 * every answer checked against the vendor's response model.
 */
let sim: Sim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  await control(sim, 'seed', { seed: 'demo' });
});

describe('field payments', () => {
  it('the demo seed has a partial payment and a split one per tenant, read as exact amounts', async () => {
    for (const index of [0, 1]) {
      const st = client(sim, index);
      const payments = (await collect(st.readChanged('payments', { window: WINDOW_ALL }))).flat();
      const applied = payments.map((p) =>
        (p.appliedTo as Array<{ appliedTo: number; appliedAmount: string }>).map((a) => a.appliedAmount),
      );
      expect(applied).toEqual([['62.75'], ['63.03', '500.00']]);
      const invoices = (await collect(st.readChanged('invoices', { window: WINDOW_ALL }))).flat();
      expect(invoices.map((i) => i.balance)).toEqual(['0.00', '480.00']);
      expect(payments.every((p) => typeof p.modifiedOn === 'string')).toBe(true);
      await st.close();
    }
    expect(sim.sim.nonConforming).toEqual([]);
  });

  it('/_sim/payments records a technician payment: listed, the invoice balance lowered', async () => {
    const invoices = (await control(sim, 'state?name=invoices:1000002', undefined, 'GET')) as Array<{
      id: number;
      balance: string;
    }>;
    const partial = invoices.find((i) => i.balance === '480.00') as { id: number };
    const made = (await control(sim, 'payments', {
      tenant: '1000002',
      splits: [{ invoiceId: partial.id, amount: '80.10' }],
      paidOn: '2026-11-21T10:00:00Z',
    })) as { row: { id: number } };
    const st = client(sim, 1);
    const [row] = await st.getByIds('payments', [made.row.id]);
    expect(row).toMatchObject({
      memo: 'Collected in the field',
      total: '80.10',
      date: '2026-11-21T10:00:00Z',
      appliedTo: [
        expect.objectContaining({ appliedTo: partial.id, appliedAmount: '80.10', appliedBy: 'technician' }),
      ],
    });
    const [inv] = await st.getByIds('invoices', [partial.id]);
    expect(inv?.balance).toBe('399.90');
    await st.close();
    // A split on an invoice that does not exist is refused, as the API refuses it.
    expect(
      await control(sim, 'payments', { tenant: '1000002', splits: [{ invoiceId: 999999, amount: '1.00' }] }),
    ).toMatchObject({ status: 400, errors: { 'splits[0].invoiceId': ['Invoice 999999 was not found.'] } });
    expect(sim.sim.nonConforming).toEqual([]);
  });
});
