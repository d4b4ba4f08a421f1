import { openDb } from '../../src/state/db.js';
import { StateStore } from '../../src/state/store.js';
import { processEvents, type WebhookSpec } from '../../src/sync/events.js';
import { runPass, withPairLock } from '../../src/sync/pass.js';
import { TransientError } from '../../src/errors.js';
import { LazyDimensions } from '../../src/pairs/types.js';
import { silentLogger } from '../../src/systems/types.js';
import type { Flow, SourceRecord } from '../../src/sync/types.js';

interface Row {
  modified: string;
  value: string;
}
const iso = (secondsAgo: number): string => new Date(Date.now() - secondsAgo * 1000).toISOString();
const noDims = (): LazyDimensions => new LazyDimensions({});
const spec: WebhookSpec = {
  routes: [{ path: '/hooks/docs', name: 'docs' }],
  resolve: ({ body }) => [{ flow: 'docs', sourceId: String((body as { id: string }).id) }],
  eventId: ({ body }) => String((body as { eventId: string }).eventId),
};
const options = { batchSize: 10, lockStaleMs: 60_000, maxAttempts: 3 };

function setup() {
  const store = new StateStore(openDb(':memory:'));
  const rows = new Map<string, Row>();
  const target = new Map<string, { value: string; writes: number }>();
  let down = false;
  const records = (ids?: string[]): SourceRecord<Row>[] =>
    [...rows]
      .filter(([id]) => !ids || ids.includes(id))
      .map(([id, r]) => ({ id, modified: r.modified, label: `DOC/${id}`, data: r }));
  const flow: Flow<Row, { ref: string; value: string }> = {
    name: 'docs',
    entity: 'doc',
    direction: 'a -> b',
    description: 'docs',
    serverTime: async () => new Date(),
    read: async function* (window) {
      yield records().filter(
        (r) =>
          (window.since === null || r.modified >= window.since.toISOString()) &&
          r.modified < window.until.toISOString(),
      );
    },
    fetch: async (ids) => {
      if (down) throw new TransientError('source down', { code: 'test.down' });
      return records(ids);
    },
    map: (r) => ({ kind: 'write', payload: { ref: r.id, value: r.data.value } }),
    write: async (items) =>
      items.map((i) => {
        const t = target.get(i.payload.ref);
        target.set(i.payload.ref, { value: i.payload.value, writes: (t?.writes ?? 0) + 1 });
        return { ok: true, targetId: `T-${i.payload.ref}` };
      }),
  };
  const process = () => processEvents(store, 'p', [flow as Flow], noDims, spec, options, silentLogger);
  return { store, rows, target, flow, process, setDown: (v: boolean) => (down = v) };
}

describe('webhook events', () => {
  it('are stored once per event id and write each record once, re-read from the source', async () => {
    const t = setup();
    t.rows.set('7', { modified: iso(10), value: 'from the API' });
    expect(t.store.storeEvent('p', 'docs', 'ev-1', { eventId: 'ev-1', id: '7', value: 'forged' })).toBe(true);
    expect(t.store.storeEvent('p', 'docs', 'ev-1', { eventId: 'ev-1', id: '7' })).toBe(false);
    t.store.storeEvent('p', 'docs', 'ev-2', { eventId: 'ev-2', id: '7' });
    const result = await t.process();
    expect(result.events).toBe(2);
    expect(t.target.get('7')).toEqual({ value: 'from the API', writes: 1 });
    expect(t.store.pendingEvents('p')).toHaveLength(0);
    expect(t.store.queryAudit({ pair: 'p', outcome: 'written' })).toHaveLength(1);
  });

  it('leave a record the scheduled pass already wrote unwritten, and the pass skips what an event wrote', async () => {
    const t = setup();
    t.rows.set('1', { modified: iso(10), value: 'v' });
    await runPass(
      t.store,
      'p',
      [t.flow as Flow],
      noDims,
      {
        dryRun: false,
        full: false,
        overlapSeconds: 300,
        settleSeconds: 0,
        batchSize: 10,
        lockStaleMs: 60_000,
      },
      silentLogger,
    );
    t.store.storeEvent('p', 'docs', 'ev-1', { eventId: 'ev-1', id: '1' });
    await t.process();
    t.rows.set('2', { modified: iso(5), value: 'w' });
    t.store.storeEvent('p', 'docs', 'ev-2', { eventId: 'ev-2', id: '2' });
    await t.process();
    const pass = await runPass(
      t.store,
      'p',
      [t.flow as Flow],
      noDims,
      {
        dryRun: false,
        full: false,
        overlapSeconds: 300,
        settleSeconds: 0,
        batchSize: 10,
        lockStaleMs: 60_000,
      },
      silentLogger,
    );
    expect(pass.flows[0]).toMatchObject({ written: 0, alreadyHandled: 2 });
    expect([...t.target.values()].map((v) => v.writes)).toEqual([1, 1]);
  });

  it('stay pending while the source is down, and are given up on after the attempts allowed', async () => {
    const t = setup();
    t.rows.set('1', { modified: iso(10), value: 'v' });
    t.store.storeEvent('p', 'docs', 'ev-1', { eventId: 'ev-1', id: '1' });
    t.setDown(true);
    expect((await t.process()).pending).toBe(1);
    expect((await t.process()).pending).toBe(1);
    expect((await t.process()).failed).toBe(1);
    expect(t.store.pendingEvents('p')).toHaveLength(0);
    expect(t.target.size).toBe(0);
  });

  it('wait for a pass of the same pair: nothing is processed while it holds the lock', async () => {
    const t = setup();
    t.rows.set('1', { modified: iso(10), value: 'v' });
    t.store.storeEvent('p', 'docs', 'ev-1', { eventId: 'ev-1', id: '1' });
    await withPairLock(t.store, 'p', { lockStaleMs: 60_000 }, async () => {
      await expect(t.process()).rejects.toThrow(/another pass of p is running/);
    });
    expect(t.store.pendingEvents('p')).toHaveLength(1);
    await t.process();
    expect(t.target.get('1')?.writes).toBe(1);
  });

  it('that name no known flow are set aside with the reason, not retried forever', async () => {
    const t = setup();
    const bad: WebhookSpec = { ...spec, resolve: () => [{ flow: 'nope', sourceId: '1' }] };
    t.store.storeEvent('p', 'docs', 'ev-9', { eventId: 'ev-9', id: '1' });
    const result = await processEvents(t.store, 'p', [t.flow as Flow], noDims, bad, options, silentLogger);
    expect(result.failed).toBe(1);
    expect(t.store.pendingEvents('p')).toHaveLength(0);
  });
});
