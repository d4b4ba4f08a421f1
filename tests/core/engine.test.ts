import { hostname } from 'node:os';
import { openDb } from '../../src/state/db.js';
import { StateStore } from '../../src/state/store.js';
import { LockedError, runPass, type PassOptions } from '../../src/sync/pass.js';
import { replayRecords } from '../../src/sync/replay.js';
import { RecordError, TransientError } from '../../src/errors.js';
import { LazyDimensions } from '../../src/pairs/types.js';
import { silentLogger, type ReadWindow } from '../../src/systems/types.js';
import type { Flow, SourceRecord } from '../../src/sync/types.js';

/** An in-memory source whose rows carry a change stamp, and a target keyed by source reference. */
class Fake {
  rows = new Map<string, { modified: string; value: string; account: string }>();
  target = new Map<string, { value: string; writes: number }>();
  accounts = new Set(['600000']);
  failNextWrites = 0;
  writeCalls = 0;

  put(id: string, modified: string, value: string, account = '600000'): void {
    this.rows.set(id, { modified, value, account });
  }

  flow(): Flow<{ value: string; account: string }, { ref: string; value: string }> {
    return {
      name: 'docs',
      entity: 'doc',
      direction: 'fake -> fake',
      description: 'test documents',
      serverTime: async () => new Date(),
      read: async function* (this: void, window: ReadWindow) {
        yield [...fake.rows]
          .filter(
            ([, r]) =>
              (window.since === null || r.modified >= window.since.toISOString()) &&
              r.modified < window.until.toISOString(),
          )
          .map(([id, r]) => ({
            id,
            modified: r.modified,
            label: id,
            data: { value: r.value, account: r.account },
          }));
      },
      fetch: async (ids) =>
        ids.flatMap((id) => {
          const r = fake.rows.get(id);
          return r
            ? [{ id, modified: r.modified, label: id, data: { value: r.value, account: r.account } }]
            : [];
        }),
      map: (r: SourceRecord<{ value: string; account: string }>) => ({
        kind: 'write',
        payload: { ref: r.id, value: r.data.value },
        dimensions: [{ kind: 'gl_account', key: r.data.account, describe: `GL account ${r.data.account}` }],
      }),
      write: async (items) => {
        fake.writeCalls += 1;
        if (fake.failNextWrites > 0) {
          fake.failNextWrites -= 1;
          throw new TransientError('target down', { code: 'test.down' });
        }
        return items.map((i) => {
          if (i.payload.value === 'bad')
            return { ok: false, error: new RecordError('rejected by target', { code: 'test.rejected' }) };
          const t = fake.target.get(i.payload.ref) ?? { value: '', writes: 0 };
          fake.target.set(i.payload.ref, { value: i.payload.value, writes: t.writes + 1 });
          return { ok: true, targetId: `T-${i.payload.ref}` };
        });
      },
    };
  }
}
let fake: Fake;

const iso = (secondsAgo: number): string => new Date(Date.now() - secondsAgo * 1000).toISOString();
const options: PassOptions = {
  dryRun: false,
  full: false,
  overlapSeconds: 300,
  settleSeconds: 0,
  batchSize: 2,
  lockStaleMs: 60_000,
};

describe('the pass engine', () => {
  let store: StateStore;
  const dims = (): LazyDimensions =>
    new LazyDimensions({ gl_account: async () => new Map([...fake.accounts].map((a) => [a, `sys-${a}`])) });
  const pass = (o: Partial<PassOptions> = {}) =>
    runPass(store, 'fake-pair', [fake.flow() as Flow], dims, { ...options, ...o }, silentLogger);

  beforeEach(() => {
    fake = new Fake();
    store = new StateStore(openDb(':memory:'));
  });

  it('writes each record once and skips records re-read in the overlap window', async () => {
    fake.put('a', iso(60), 'v1');
    fake.put('b', iso(60), 'v1');
    const first = await pass();
    expect(first.flows[0]).toMatchObject({ read: 2, written: 2 });
    const second = await pass();
    expect(second.flows[0]).toMatchObject({ read: 2, written: 0, alreadyHandled: 2 });
    expect(fake.target.get('a')?.writes).toBe(1);
  });

  it('writes a change committed late with a stamp older than the cursor, inside the overlap', async () => {
    fake.put('a', iso(60), 'v1');
    await pass();
    fake.put('late', iso(120), 'v1');
    fake.put('a', iso(60), 'v2'); // same stamp, new content: a second write in the same second
    const r = await pass();
    expect(r.flows[0]).toMatchObject({ written: 2 });
    expect(fake.target.get('a')).toEqual({ value: 'v2', writes: 2 });
    expect(fake.target.get('late')?.writes).toBe(1);
  });

  it('audits a missing dimension as a failure with its name, writes the others, and replays once fixed', async () => {
    fake.put('a', iso(60), 'v1', '630000');
    fake.put('b', iso(60), 'v1');
    const r = await pass();
    expect(r.status).toBe('failed_records');
    const [failure] = store.openFailures('fake-pair');
    expect(failure).toMatchObject({ source_id: 'a', error_code: 'dimension.gl_account_missing' });
    expect(failure!.message).toContain('GL account 630000');
    expect(fake.target.has('b')).toBe(true);
    expect(fake.target.has('a')).toBe(false);
    // A later pass does not re-audit the same failed version.
    const again = await pass();
    expect(again.flows[0]).toMatchObject({ failed: 0, alreadyHandled: 2 });
    fake.accounts.add('630000');
    const [out] = await replayRecords(
      store,
      'fake-pair',
      [fake.flow() as Flow],
      [failure!],
      dims,
      { dryRun: false, lockStaleMs: 60_000 },
      silentLogger,
    );
    expect(out).toMatchObject({ result: 'written' });
    const [twice] = await replayRecords(
      store,
      'fake-pair',
      [fake.flow() as Flow],
      [failure!],
      dims,
      { dryRun: false, lockStaleMs: 60_000 },
      silentLogger,
    );
    expect(twice).toMatchObject({ result: 'unchanged' });
    expect(fake.target.get('a')?.writes).toBe(1);
    expect(store.openFailures('fake-pair')).toHaveLength(0);
  });

  it('stops on a transient failure without moving the cursor, and the next pass completes', async () => {
    for (const id of ['a', 'b', 'c', 'd']) fake.put(id, iso(60), 'v1');
    fake.failNextWrites = 1;
    const stopped = await pass({ batchSize: 2 });
    expect(stopped.status).toBe('stopped');
    expect(store.getCursor('fake-pair', 'docs')).toBeUndefined();
    const resumed = await pass();
    expect(resumed.status).toBe('ok');
    expect([...fake.target.values()].every((t) => t.writes === 1)).toBe(true);
    expect(fake.target.size).toBe(4);
  });

  it('keeps a target rejection per record and goes on', async () => {
    fake.put('a', iso(60), 'bad');
    fake.put('b', iso(60), 'v1');
    const r = await pass();
    expect(r.flows[0]).toMatchObject({ written: 1, failed: 1 });
  });

  it('writes nothing, audits nothing and keeps the cursor on a dry run', async () => {
    fake.put('a', iso(60), 'v1');
    const r = await pass({ dryRun: true });
    expect(r.flows[0]?.wouldWrite).toEqual([
      { sourceId: 'a', label: 'a', payload: { ref: 'a', value: 'v1' } },
    ]);
    expect(fake.writeCalls).toBe(0);
    expect(store.getCursor('fake-pair', 'docs')).toBeUndefined();
    expect(store.queryAudit({})).toHaveLength(0);
  });

  it('refuses a second pass while the first holds the lock', async () => {
    fake.put('a', iso(60), 'v1');
    let release!: () => void;
    const slow = fake.flow();
    const blocked = new Promise<void>((r) => (release = r));
    const holder = runPass(
      store,
      'fake-pair',
      [
        {
          ...slow,
          write: async (items) => {
            await blocked;
            return slow.write(items as never, undefined as never);
          },
        } as Flow,
      ],
      dims,
      options,
      silentLogger,
    );
    await new Promise((r) => setTimeout(r, 20));
    await expect(pass()).rejects.toBeInstanceOf(LockedError);
    release();
    await holder;
  });

  it('takes over a lock left by a dead process', () => {
    store.db
      .prepare(
        "INSERT INTO locks (pair, pid, host, acquired_at, heartbeat_at) VALUES ('fake-pair', 999999, ?, ?, ?)",
      )
      .run(hostname(), iso(1), iso(1));
    const lock = store.acquireLock('fake-pair', 60_000);
    expect(lock).toMatchObject({ ok: true, tookOverFrom: { pid: 999999 } });
  });
});

describe('pages of one flow', () => {
  const stamp = iso(60);
  /** Three pages of two records; writes take a while and log when they start and end. */
  function pagedFlow(opts: { provides?: boolean; failWriteOfPage?: number; failMapOfPage?: number }) {
    const log: string[] = [];
    const page = (n: number): SourceRecord<{ page: number }>[] =>
      [1, 2].map((i) => ({ id: `p${n}-${i}`, modified: stamp, label: `p${n}-${i}`, data: { page: n } }));
    const flow: Flow<{ page: number }, { ref: string; page: number }> = {
      name: 'paged',
      entity: 'paged',
      direction: 'fake -> fake',
      description: 'paged documents',
      serverTime: async () => new Date(),
      read: async function* () {
        for (const n of [1, 2, 3]) yield page(n);
      },
      fetch: async () => [],
      map: (r) => {
        if (r.id.endsWith('-1')) log.push(`map ${r.data.page}`);
        if (r.data.page === opts.failMapOfPage)
          throw new TransientError('look-up down', { code: 'test.down' });
        return { kind: 'write', payload: { ref: r.id, page: r.data.page } };
      },
      write: async (items) => {
        const n = items[0]!.payload.page;
        log.push(`write ${n} start`);
        await new Promise((r) => setTimeout(r, 30));
        log.push(`write ${n} end`);
        if (n === opts.failWriteOfPage) throw new TransientError('target down', { code: 'test.down' });
        return items.map((i) => ({ ok: true, targetId: `T-${i.payload.ref}` }));
      },
      ...(opts.provides ? { provides: { kind: 'paged', key: (p: { ref: string }) => p.ref } } : {}),
    };
    return { flow: flow as unknown as Flow, log };
  }
  let store: StateStore;
  beforeEach(() => {
    store = new StateStore(openDb(':memory:'));
  });
  const run = (flow: Flow) =>
    runPass(
      store,
      'paged-pair',
      [flow],
      () => new LazyDimensions({ paged: async () => new Map() }),
      options,
      silentLogger,
    );

  /** The most writes the log shows running at once. */
  const mostAtOnce = (log: string[]): number => {
    let now = 0;
    let most = 0;
    for (const l of log) {
      if (l.endsWith('start')) most = Math.max(most, (now += 1));
      if (l.endsWith('end')) now -= 1;
    }
    return most;
  };
  const settled = (log: string[]): boolean =>
    log.filter((l) => l.endsWith('start')).length === log.filter((l) => l.endsWith('end')).length;

  it('prepares and writes the next page while the one before it is written, two writes at most', async () => {
    const { flow, log } = pagedFlow({});
    const result = await run(flow);
    expect(result.flows[0]).toMatchObject({ status: 'ok', written: 6 });
    expect(log.indexOf('map 2')).toBeLessThan(log.indexOf('write 1 end'));
    expect(log.indexOf('write 2 start')).toBeLessThan(log.indexOf('write 1 end'));
    expect(mostAtOnce(log)).toBe(2);
    expect(store.getCursor('paged-pair', 'paged')).toBeDefined();
  });

  it('takes the pages of a flow that provides a dimension one at a time', async () => {
    const { flow, log } = pagedFlow({ provides: true });
    await run(flow);
    expect(log).toEqual([
      'map 1',
      'write 1 start',
      'write 1 end',
      'map 2',
      'write 2 start',
      'write 2 end',
      'map 3',
      'write 3 start',
      'write 3 end',
    ]);
  });

  it('stops at a failed write once every write in flight has settled, and the next pass sends the rest', async () => {
    const { flow, log } = pagedFlow({ failWriteOfPage: 2 });
    const result = await run(flow);
    expect(result.flows[0]).toMatchObject({ status: 'stopped' });
    expect(settled(log)).toBe(true);
    expect(store.getCursor('paged-pair', 'paged')).toBeUndefined();
    // What was written keeps its outcome: the next pass finds it handled and sends the rest.
    const written = result.flows[0]!.written;
    expect(written).toBeGreaterThanOrEqual(2);
    const again = await run(pagedFlow({}).flow);
    expect(again.flows[0]).toMatchObject({ status: 'ok', written: 6 - written, alreadyHandled: written });
  });

  it('a page that cannot be prepared stops the flow only once the write before it has settled', async () => {
    const { flow, log } = pagedFlow({ failMapOfPage: 2 });
    const result = await run(flow);
    expect(result.flows[0]).toMatchObject({ status: 'stopped', written: 2 });
    expect(log).toEqual(['map 1', 'write 1 start', 'map 2', 'write 1 end']);
    expect(settled(log)).toBe(true);
    expect(store.getCursor('paged-pair', 'paged')).toBeUndefined();
  });
});

describe('source clocks', () => {
  it('reads each source clock once per pass, at its start, and a failed read stops only the flows on it', async () => {
    const store = new StateStore(openDb(':memory:'));
    const log: string[] = [];
    const clock =
      (name: string, fail = false) =>
      async (): Promise<Date> => {
        log.push(`clock ${name}`);
        if (fail) throw new TransientError(`${name} clock down`, { code: 'test.down' });
        return new Date();
      };
    const flowOn = (name: string, serverTime: () => Promise<Date>): Flow =>
      ({
        name,
        entity: name,
        direction: 'fake -> fake',
        description: name,
        serverTime,
        read: async function* () {
          yield [{ id: `${name}-1`, modified: iso(60), label: `${name}-1`, data: {} }];
        },
        fetch: async () => [],
        map: (r: SourceRecord) => ({ kind: 'write', payload: { ref: r.id } }),
        write: async (items: unknown[]) => {
          log.push(`write ${name}`);
          return items.map(() => ({ ok: true, targetId: null }));
        },
      }) as unknown as Flow;
    const erp = clock('erp');
    const result = await runPass(
      store,
      'clock-pair',
      [flowOn('a', erp), flowOn('b', clock('other', true)), flowOn('c', erp)],
      () => new LazyDimensions({}),
      options,
      silentLogger,
    );
    expect(log.filter((l) => l.startsWith('clock'))).toEqual(['clock erp', 'clock other']);
    expect(log.indexOf('clock other')).toBeLessThan(log.indexOf('write a'));
    expect(result.flows.map((f) => [f.flow, f.status])).toEqual([
      ['a', 'ok'],
      ['b', 'stopped'],
      ['c', 'not_run'],
    ]);
  });
});
