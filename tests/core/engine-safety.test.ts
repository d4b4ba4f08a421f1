import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openDb } from '../../src/state/db.js';
import { StateStore } from '../../src/state/store.js';
import { passWindow, runPass, type PassOptions } from '../../src/sync/pass.js';
import { replayRecords } from '../../src/sync/replay.js';
import { RecordError, TransientError } from '../../src/errors.js';
import { clearSecretsForTests, registerSecret } from '../../src/http/redact.js';
import { checkWriteGuard } from '../../src/http/write-guard.js';
import { LazyDimensions } from '../../src/pairs/types.js';
import { silentLogger, type ReadWindow } from '../../src/systems/types.js';
import type { Flow, SourceRecord } from '../../src/sync/types.js';
import { tempDir } from '../helpers/tmp.js';

const iso = (secondsAgo: number): string => new Date(Date.now() - secondsAgo * 1000).toISOString();
const options: PassOptions = {
  dryRun: false,
  full: false,
  overlapSeconds: 300,
  settleSeconds: 0,
  batchSize: 2,
  lockStaleMs: 60_000,
};
const noDims = (): LazyDimensions => new LazyDimensions({});

interface Row {
  modified: string;
  value: string;
}

/** A source of rows and a target keyed by source id, with hooks around reads and writes. */
function fakeFlow(
  rows: Map<string, Row>,
  target: Map<string, string>,
  hooks: { afterWrite?: () => Promise<void>; map?: Flow<Row, { ref: string; value: string }>['map'] } = {},
): Flow<Row, { ref: string; value: string }> {
  const records = (window?: ReadWindow): SourceRecord<Row>[] =>
    [...rows]
      .filter(
        ([, r]) =>
          !window ||
          ((window.since === null || r.modified >= window.since.toISOString()) &&
            r.modified < window.until.toISOString()),
      )
      .map(([id, r]) => ({ id, modified: r.modified, label: `DOC/${id}`, data: r }));
  return {
    name: 'docs',
    entity: 'doc',
    direction: 'fake -> fake',
    description: 'test documents',
    serverTime: async () => new Date(),
    read: async function* (window: ReadWindow) {
      const all = records(window);
      for (let i = 0; i < all.length; i += 2) yield all.slice(i, i + 2);
    },
    fetch: async (ids) => records().filter((r) => ids.includes(r.id)),
    map: hooks.map ?? ((r) => ({ kind: 'write', payload: { ref: r.id, value: r.data.value } })),
    write: async (items) => {
      for (const i of items) target.set(i.payload.ref, i.payload.value);
      await hooks.afterWrite?.();
      return items.map((i) => ({ ok: true, targetId: `T-${i.payload.ref}` }));
    },
  };
}

describe('a pass that lost its lock', () => {
  it('writes nothing further and moves no cursor once it resumes, and the pass that took over is not disturbed', async () => {
    const store = new StateStore(openDb(':memory:'));
    const rows = new Map<string, Row>();
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])
      rows.set(id, { modified: iso(60), value: 'old' });
    const target = new Map<string, string>();
    let writes = 0;
    let pause!: () => void;
    const paused = new Promise<void>((r) => (pause = r));
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    const pausing = fakeFlow(rows, target, {
      afterWrite: async () => {
        writes += 1;
        if (writes === 2) {
          // The pass stops here, its answer not yet read (a stopped VM): no heartbeat, no progress.
          pause();
          await resumed;
        }
      },
    });
    const first = runPass(
      store,
      'p',
      [pausing as Flow],
      noDims,
      { ...options, heartbeatMs: 3_600_000, lockStaleMs: 50 },
      silentLogger,
    );
    await paused;
    await new Promise((r) => setTimeout(r, 80));
    // Meanwhile the source moves on and another pass (stale time exceeded) takes over and finishes.
    for (const id of rows.keys()) rows.set(id, { modified: iso(30), value: 'new' });
    const second = await runPass(
      store,
      'p',
      [fakeFlow(rows, target) as Flow],
      noDims,
      { ...options, lockStaleMs: 50 },
      silentLogger,
    );
    expect(second.status).toBe('ok');
    const cursorAfterSecond = store.getCursor('p', 'docs');
    const writesAtResume = writes;
    resume();
    const result = await first;
    expect(result.status).toBe('stopped');
    expect(result.error).toMatchObject({ code: 'lock.lost' });
    // Pages were left to write, but the resumed pass sent none of them: nothing older than what the
    // second pass wrote was put over it, and its cursor stands.
    expect(writes).toBe(writesAtResume);
    expect([...target.values()]).toEqual(Array(8).fill('new'));
    expect(store.getCursor('p', 'docs')).toEqual(cursorAfterSecond);
    expect(store.lockHolder('p')).toBeUndefined();
  });

  it('sends no further request of a batch it had begun when it resumes without its lock', async () => {
    const store = new StateStore(openDb(':memory:'));
    const rows = new Map<string, Row>([['a', { modified: iso(60), value: 'v' }]]);
    const requests: string[] = [];
    let pause!: () => void;
    const paused = new Promise<void>((r) => (pause = r));
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    const flow: Flow<Row, { ref: string; value: string }> = {
      ...fakeFlow(rows, new Map()),
      // A sink that sends headers, then lines: two requests for one batch.
      write: async (items) => {
        checkWriteGuard();
        requests.push('headers');
        pause();
        await resumed;
        checkWriteGuard();
        requests.push('lines');
        return items.map((i) => ({ ok: true, targetId: `T-${i.payload.ref}` }));
      },
    };
    const first = runPass(
      store,
      'p',
      [flow as Flow],
      noDims,
      { ...options, heartbeatMs: 3_600_000, lockStaleMs: 50 },
      silentLogger,
    );
    await paused;
    await new Promise((r) => setTimeout(r, 80));
    expect(store.acquireLock('p', 50).ok).toBe(true);
    resume();
    expect((await first).error).toMatchObject({ code: 'lock.lost' });
    expect(requests).toEqual(['headers']);
  });

  it('does not move its cursor when it resumes after its last write', async () => {
    const store = new StateStore(openDb(':memory:'));
    const rows = new Map<string, Row>([['a', { modified: iso(60), value: 'v' }]]);
    let pause!: () => void;
    const paused = new Promise<void>((r) => (pause = r));
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    const flow = fakeFlow(rows, new Map(), {
      afterWrite: async () => {
        pause();
        await resumed;
      },
    });
    const first = runPass(
      store,
      'p',
      [flow as Flow],
      noDims,
      { ...options, heartbeatMs: 3_600_000, lockStaleMs: 50 },
      silentLogger,
    );
    await paused;
    await new Promise((r) => setTimeout(r, 80));
    const taken = store.acquireLock('p', 50);
    expect(taken.ok).toBe(true);
    resume();
    expect((await first).error).toMatchObject({ code: 'lock.lost' });
    expect(store.getCursor('p', 'docs')).toBeUndefined();
  });

  it('goes on when a heartbeat cannot be stored (a busy or full state file): the timer never throws', async () => {
    const store = new StateStore(openDb(':memory:'));
    let beats = 0;
    store.heartbeat = () => {
      beats += 1;
      throw new Error('database is locked');
    };
    const rows = new Map<string, Row>([['a', { modified: iso(60), value: 'v' }]]);
    const flow = fakeFlow(rows, new Map(), { afterWrite: () => new Promise((r) => setTimeout(r, 60)) });
    const result = await runPass(
      store,
      'p',
      [flow as Flow],
      noDims,
      { ...options, heartbeatMs: 5 },
      silentLogger,
    );
    expect(beats).toBeGreaterThan(0);
    expect(result.status).toBe('ok');
  });

  it('does not release a lock that another pass now holds', () => {
    const store = new StateStore(openDb(':memory:'));
    const a = store.acquireLock('p', 60_000);
    if (!a.ok) throw new Error('lock');
    store.db.prepare("UPDATE locks SET heartbeat_at = '2000-01-01T00:00:00.000Z'").run();
    const b = store.acquireLock('p', 60_000);
    if (!b.ok) throw new Error('lock');
    store.releaseLock('p', a.owner);
    expect(store.holdsLock('p', b.owner)).toBe(true);
    expect(store.heartbeat('p', a.owner)).toBe(false);
  });
});

describe('the window of a pass', () => {
  it('never ends after the pass start, however far ahead the source clock is', () => {
    const start = new Date('2026-11-30T12:00:00.700Z');
    const ahead = new Date('2026-11-30T13:00:00.000Z');
    const w = passWindow({ modified: '2026-11-30T11:00:00.000Z' }, ahead, start, {
      overlapSeconds: 300,
      settleSeconds: 0,
    });
    expect(w.until.getTime()).toBeLessThanOrEqual(start.getTime());
    expect(w.since?.toISOString()).toBe('2026-11-30T10:55:00.000Z');
  });

  it('ends at the source clock when it is behind, less the settle time', () => {
    const start = new Date('2026-11-30T12:00:00.000Z');
    const behind = new Date('2026-11-30T11:59:00.400Z');
    expect(
      passWindow(undefined, behind, start, { overlapSeconds: 300, settleSeconds: 5 }).until.toISOString(),
    ).toBe('2026-11-30T11:58:55.000Z');
  });

  it('keeps the stored cursor at or before the local clock when the source clock runs an hour ahead', async () => {
    const store = new StateStore(openDb(':memory:'));
    const rows = new Map<string, Row>([['a', { modified: iso(60), value: 'v' }]]);
    const flow = { ...fakeFlow(rows, new Map()), serverTime: async () => new Date(Date.now() + 3_600_000) };
    const before = Date.now();
    await runPass(store, 'p', [flow as Flow], noDims, options, silentLogger);
    expect(Date.parse(store.getCursor('p', 'docs')!.modified)).toBeLessThanOrEqual(before + 1);
  });
});

describe('the state file and secrets echoed by servers', () => {
  const canary = 'sk-canary-7f3a9c1e5b';
  afterEach(() => clearSecretsForTests());

  it('stores no registered secret in any column, whatever a server echoed into labels, errors, responses and target ids', async () => {
    registerSecret(canary);
    const tmp = tempDir();
    const path = join(tmp.dir, 'state.sqlite');
    const store = new StateStore(openDb(path));
    const rows = new Map<string, Row>([
      ['a', { modified: iso(60), value: `echo ${canary}` }],
      ['b', { modified: iso(60), value: 'reject' }],
      ['c', { modified: iso(60), value: 'down' }],
    ]);
    const flow: Flow<Row, { ref: string; value: string }> = {
      ...fakeFlow(rows, new Map()),
      fetch: async () => [],
      read: async function* () {
        yield [...rows].map(([id, r]) => ({ id, modified: r.modified, label: `${id} ${canary}`, data: r }));
      },
      write: async (items) =>
        items.map((i) => {
          if (i.payload.value === 'reject')
            return {
              ok: false,
              error: new RecordError(`server said: bad client_secret ${canary}`, {
                code: 'test.rejected',
                hint: `retry with ${canary}`,
                data: { echoed: { authorization: `Bearer ${canary}` } },
              }),
              response: { error: { detail: canary } },
            };
          if (i.payload.value === 'down')
            throw new TransientError(`gateway echoed ${canary}`, { code: 'test.down' });
          return { ok: true, targetId: `T-${canary}`, response: { echoed: canary } };
        }),
    };
    await runPass(store, 'p', [flow as Flow], noDims, { ...options, batchSize: 1 }, silentLogger);
    store.db.close();
    const raw = new Database(path, { readonly: true });
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    let cells = 0;
    for (const { name } of tables) {
      for (const row of raw.prepare(`SELECT * FROM ${name}`).all() as Record<string, unknown>[]) {
        for (const value of Object.values(row)) {
          cells += 1;
          expect(String(value)).not.toContain(canary);
        }
      }
    }
    raw.close();
    expect(cells).toBeGreaterThan(20);
    tmp.cleanup();
  });
});

describe('check-only flows', () => {
  it('clear an open failure once the check passes in a later pass', async () => {
    const store = new StateStore(openDb(':memory:'));
    const rows = new Map<string, Row>([['a', { modified: iso(60), value: 'missing' }]]);
    const flow: Flow<Row, { ref: string; value: string }> = {
      ...fakeFlow(rows, new Map()),
      checkOnly: true,
      map: (r) => {
        if (r.data.value === 'missing')
          throw new RecordError('GL account 630000 does not exist', { code: 'dimension.gl_account_missing' });
        return { kind: 'write', payload: { ref: r.id, value: r.data.value } };
      },
    };
    await runPass(store, 'p', [flow as Flow], noDims, options, silentLogger);
    expect(store.openFailures('p')).toHaveLength(1);
    rows.set('a', { modified: iso(30), value: 'there' });
    await runPass(store, 'p', [flow as Flow], noDims, options, silentLogger);
    expect(store.openFailures('p')).toHaveLength(0);
  });
});

describe('one record path for passes and replays', () => {
  it('audits a replay that finds the target already up to date, linked to the entry it replays', async () => {
    const store = new StateStore(openDb(':memory:'));
    const rows = new Map<string, Row>([['a', { modified: iso(60), value: 'v' }]]);
    const flow = fakeFlow(rows, new Map());
    await runPass(store, 'p', [flow as Flow], noDims, options, silentLogger);
    const [entry] = store.queryAudit({ pair: 'p', outcome: 'written' });
    const [out] = await replayRecords(
      store,
      'p',
      [flow as Flow],
      [entry!],
      noDims,
      { dryRun: false, lockStaleMs: 60_000 },
      silentLogger,
    );
    expect(out).toMatchObject({ result: 'unchanged' });
    expect(store.getAudit(out!.newAuditId!)).toMatchObject({ outcome: 'unchanged', replay_of: entry!.id });
  });
});
