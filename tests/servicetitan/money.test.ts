import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  fromUnits,
  moneyToJsonNumber,
  multiplyMoney,
  parseMoney,
  sumMoney,
  toCents,
} from '../../src/systems/servicetitan/index.js';
import { quoteMoneyNumbers } from '../../src/systems/servicetitan/money.js';
import { client, collect, startSim, WINDOW_ALL, type Sim } from './helpers.js';

describe('money, exactly', () => {
  it.each([
    ['125.5', '125.50'],
    [125.5, '125.50'],
    ['0.10', '0.10'],
    ['-0.00', '0.00'],
    ['0.125', '0.125'],
    ['1e2', '100.00'],
    ['00012.3400', '12.34'],
    ['-7', '-7.00'],
  ])('parses %p as %p', (input, expected) => {
    expect(parseMoney(input)).toBe(expected);
  });

  it.each([['abc'], [''], [null], [{}], ['1.2.3'], [Number.NaN]])('refuses %p', (input) => {
    expect(() => parseMoney(input)).toThrow(/not a money amount/);
  });

  it('adds without float drift', () => {
    expect(sumMoney(['0.10', '0.20'])).toBe('0.30');
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumMoney(['98765432109876.54', '0.01'])).toBe('98765432109876.55');
    expect(sumMoney(['0.125', '0.125'])).toBe('0.25');
    expect(toCents('59.97')).toBe(5997n);
    expect(fromUnits(-5n)).toBe('-0.05');
    expect(multiplyMoney('3', '19.99')).toBe('59.97');
    expect(multiplyMoney('0.5', '0.15')).toBe('0.08');
    expect(() => toCents('0.125')).toThrow(/more than 2 decimal places/);
  });

  it('keeps JSON numbers of money keys as the digits the server wrote', () => {
    const text = '{"balance":98765432109876.54,"name":"x \\"balance\\":1.5","items":[{"cost":0.1}],"id":12}';
    const parsed = JSON.parse(quoteMoneyNumbers(text, ['balance', 'cost'])) as Record<string, unknown>;
    expect(parsed.balance).toBe('98765432109876.54');
    expect(parsed.name).toBe('x "balance":1.5');
    expect((parsed.items as Array<Record<string, unknown>>)[0]?.cost).toBe('0.1');
    expect(parsed.id).toBe(12);
    expect(String(JSON.parse(text).balance)).toBe('98765432109876.55');
  });

  it('refuses to send an amount a JSON number cannot carry exactly', () => {
    expect(moneyToJsonNumber('125.50')).toBe(125.5);
    expect(() => moneyToJsonNumber('98765432109876.545')).toThrow(/significant digits/);
  });
});

describe('money read from the simulator', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('reads numeric (CRM, inventory) and string (accounting) amounts into the same exact decimals', async () => {
    const st = client(sim, 0);
    const customers = await collect(st.readChanged('customers', { window: WINDOW_ALL }));
    // A JSON number with more digits than a double holds: parsed as a float it would end in .55.
    expect(customers.find((c) => c.name === 'Jane Doe')?.balance).toBe('98765432109876.54');
    const pos = await collect(st.readChanged('purchase_orders', { window: WINDOW_ALL }));
    const po = pos.find((p) => p.number === 'PO-100') as Record<string, unknown>;
    const items = po.items as Array<Record<string, string>>;
    expect(items.map((i) => [i.quantity, i.cost, i.total])).toEqual([
      ['3.00', '19.99', '59.97'],
      ['10.00', '0.10', '1.00'],
      ['1.00', '1234.56', '1234.56'],
    ]);
    expect(sumMoney([...items.map((i) => i.total as string), po.tax as string, po.shipping as string])).toBe(
      po.total,
    );
    expect(po.total).toBe('1312.68');
    const invoices = await collect(st.readChanged('invoices', { window: WINDOW_ALL }));
    const inv = invoices.find((i) => i.referenceNumber === 'INV-7000') as Record<string, unknown>;
    expect([inv.subTotal, inv.total]).toEqual(['125.78', '125.78']);
    // Paid in full in the field by the seed's two payments (62.75 + 63.03).
    expect(inv.balance).toBe('0.00');
    const payments = await collect(st.readChanged('payments', { window: WINDOW_ALL }));
    expect(
      payments.flatMap((p) => (p.appliedTo as Array<{ appliedAmount: string }>).map((a) => a.appliedAmount)),
    ).toEqual(['62.75', '63.03', '500.00']);
    const bills = await collect(st.readChanged('inventory_bills', { window: WINDOW_ALL }));
    expect(bills.find((b) => b.active === true)?.billAmount).toBe('1312.68');
    await st.close();
  });
});
