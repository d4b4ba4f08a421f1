import { openDb } from '../../src/state/db.js';
import { StateStore } from '../../src/state/store.js';
import { runPass, type PassOptions } from '../../src/sync/pass.js';
import { reconcile, type ReconcileOptions } from '../../src/sync/reconcile.js';
import { fromUnits, toUnits } from '../../src/sync/money.js';
import { LazyDimensions } from '../../src/pairs/types.js';
import { silentLogger, type ReadWindow } from '../../src/systems/types.js';
import type { Flow, SourceRecord } from '../../src/sync/types.js';

interface Row {
  modified: string;
  company: string;
  amount: string;
}
type Payload = { ref: string; company: string; amount: string };

const iso = (secondsAgo: number): string => new Date(Date.now() - secondsAgo * 1000).toISOString();
const passOptions: PassOptions = {
  dryRun: false,
  full: false,
  overlapSeconds: 300,
  settleSeconds: 0,
  batchSize: 50,
  lockStaleMs: 60_000,
};
const noDims = (): LazyDimensions => new LazyDimensions({});

/** Bills in two companies; a target keyed by source reference that holds each bill's amount. */
function setup() {
  const store = new StateStore(openDb(':memory:'));
  const rows = new Map<string, Row>();
  const target = new Map<string, { amount: string; writes: number }>();
  const records = (window?: ReadWindow): SourceRecord<Row>[] =>
    [...rows]
      .filter(
        ([, r]) =>
          !window ||
          ((window.since === null || r.modified >= window.since.toISOString()) &&
            r.modified < window.until.toISOString()),
      )
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, r]) => ({ id, modified: r.modified, label: `BILL/${r.company}/${id}`, data: r }));
  const flow: Flow<Row, Payload> = {
    name: 'bills',
    entity: 'bill',
    direction: 'erp -> work',
    description: 'bills',
    serverTime: async () => new Date(),
    read: async function* (window) {
      const all = records(window);
      for (let i = 0; i < all.length; i += 3) yield all.slice(i, i + 3);
    },
    fetch: async (ids) => records().filter((r) => ids.includes(r.id)),
    map: (r) => ({ kind: 'write', payload: { ref: r.id, company: r.data.company, amount: r.data.amount } }),
    write: async (items) =>
      items.map((i) => {
        const t = target.get(i.payload.ref);
        target.set(i.payload.ref, { amount: i.payload.amount, writes: (t?.writes ?? 0) + 1 });
        return { ok: true, targetId: `T-${i.payload.ref}` };
      }),
    reconcile: {
      facts: (_r, p) => ({ company: p.company, money: { amount: p.amount, currency: 'EUR' } }),
      target: async (items) =>
        new Map(
          items.flatMap(({ record }) => {
            const t = target.get(record.id);
            return t
              ? [[record.id, { targetId: `T-${record.id}`, money: { amount: t.amount, currency: 'EUR' } }]]
              : [];
          }),
        ),
    },
  };
  const pass = () => runPass(store, 'p', [flow as Flow], noDims, passOptions, silentLogger);
  const recon = (o: Partial<ReconcileOptions> = {}) =>
    reconcile(
      store,
      'p',
      [flow as Flow],
      noDims,
      {
        since: new Date(Date.now() - 86_400_000),
        until: new Date(),
        repair: false,
        batchSize: 50,
        lockStaleMs: 60_000,
        ...o,
      },
      silentLogger,
    );
  return { store, rows, target, pass, recon };
}

describe('mlc reconcile', () => {
  it('names each record committed later than the overlap, repairs it once, then reports agreement', async () => {
    const t = setup();
    for (let i = 1; i <= 5; i++)
      t.rows.set(`b${i}`, { modified: iso(600), company: i % 2 ? 'US' : 'EU', amount: '10.10' });
    await t.pass();
    // Two transactions that started long ago commit now: their stamps are older than cursor - overlap.
    t.rows.set('late1', { modified: iso(3000), company: 'US', amount: '7.25' });
    t.rows.set('late2', { modified: iso(2000), company: 'EU', amount: '1.05' });
    const missedByPass = await t.pass();
    expect(missedByPass.flows[0]?.read).toBe(0);
    expect(t.target.has('late1')).toBe(false);

    const report = await t.recon();
    expect(report.agree).toBe(false);
    const [bills] = report.flows;
    expect(bills!.missing.map((m) => m.label).sort()).toEqual(['BILL/EU/late2', 'BILL/US/late1']);
    expect(bills!.missing[0]!.reason).toMatch(/never written/);
    expect(bills!.source).toEqual({ count: 7, money: { EUR: '58.80' } });
    expect(bills!.target).toEqual({ count: 5, money: { EUR: '50.50' } });
    const us = bills!.groups.filter((g) => g.company === 'US');
    expect(us.reduce((n, g) => n + g.source.count, 0)).toBe(4);
    expect(t.target.has('late1')).toBe(false); // no --repair: nothing written

    const repaired = await t.recon({ repair: true });
    expect(repaired.flows[0]!.repaired).toEqual({ written: 2, unchanged: 0, failed: 0 });
    expect(t.target.get('late1')).toEqual({ amount: '7.25', writes: 1 });
    expect(t.store.queryAudit({ pair: 'p', outcome: 'written', sourceId: 'late1' })).toHaveLength(1);

    const again = await t.recon({ repair: true });
    expect(again.agree).toBe(true);
    expect(again.flows[0]!.repaired).toBeUndefined();
    expect([...t.target.values()].every((v) => v.writes === 1)).toBe(true);
  });

  it('reports a record deleted in the source that the target still holds', async () => {
    const t = setup();
    t.rows.set('b1', { modified: iso(600), company: 'US', amount: '1.00' });
    t.rows.set('b2', { modified: iso(600), company: 'US', amount: '2.00' });
    await t.pass();
    t.rows.delete('b2');
    const report = await t.recon();
    expect(report.agree).toBe(false);
    expect(report.flows[0]!.extra).toEqual([
      { sourceId: 'b2', label: 'BILL/US/b2', reason: expect.stringMatching(/deleted/) },
    ]);
  });

  it('finds a record removed from the target and a changed amount there, by asking the target', async () => {
    const t = setup();
    t.rows.set('b1', { modified: iso(600), company: 'US', amount: '1.00' });
    t.rows.set('b2', { modified: iso(600), company: 'US', amount: '2.00' });
    await t.pass();
    t.target.delete('b1');
    t.target.set('b2', { amount: '2.50', writes: 1 });
    const report = await t.recon();
    expect(report.flows[0]!.missing.map((m) => m.sourceId)).toEqual(['b1']);
    expect(report.flows[0]!.different).toEqual([
      {
        sourceId: 'b2',
        label: 'BILL/US/b2',
        reason: expect.stringMatching(/2\.00 EUR in the source, 2\.50 EUR/),
      },
    ]);
  });

  it('finds a source change the target never got (the payload hash differs from what was written)', async () => {
    const t = setup();
    t.rows.set('b1', { modified: iso(900), company: 'US', amount: '1.00' });
    await t.pass();
    t.rows.set('b1', { modified: iso(900), company: 'US', amount: '9.00' }); // changed, stamp not moved
    const report = await t.recon({ light: true });
    expect(report.flows[0]!.compared).toBe('hashes');
    expect(report.flows[0]!.different.map((d) => d.sourceId)).toEqual(['b1']);
  });
});

describe('exact money sums', () => {
  it('adds 10,000 amounts of 0.10 to exactly 1000.00', () => {
    let units = 0n;
    for (let i = 0; i < 10_000; i++) units += toUnits('0.10');
    expect(fromUnits(units)).toBe('1000.00');
    expect(fromUnits(toUnits(-3.5))).toBe('-3.50');
    expect(fromUnits(toUnits('12.345678'))).toBe('12.345678');
  });
});
