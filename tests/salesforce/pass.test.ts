import { openDb } from '../../src/state/db.js';
import { StateStore } from '../../src/state/store.js';
import { runPass, type PassOptions } from '../../src/sync/pass.js';
import { LazyDimensions } from '../../src/pairs/types.js';
import { silentLogger } from '../../src/systems/types.js';
import { parseSfDateTime, type SfRecord } from '../../src/systems/salesforce/soql.js';
import { SF_ALLOWANCE_EXHAUSTED } from '../../src/systems/salesforce/errors.js';
import type { Flow, SourceRecord } from '../../src/sync/types.js';
import { control, sfClient, startSim, type Sim } from './helpers.js';

const options: PassOptions = {
  dryRun: false,
  full: false,
  overlapSeconds: 300,
  settleSeconds: 0,
  batchSize: 200,
  lockStaleMs: 60_000,
};

/** A flow that reads Salesforce contacts and records what it was asked to write. */
function contactsFlow(sf: ReturnType<typeof sfClient>, written: string[]): Flow {
  const toSource = (r: SfRecord): SourceRecord => ({
    id: r.Id,
    modified: parseSfDateTime(String(r.SystemModstamp)).toISOString(),
    label: String(r.LastName),
    data: r,
  });
  return {
    name: 'contacts',
    entity: 'contact',
    direction: 'salesforce -> test',
    description: 'contacts',
    serverTime: () => sf.serverTime(),
    read: async function* (window) {
      for await (const page of sf.readChanged('Contact', { fields: ['LastName'], window, pageSize: 200 }))
        yield page.map(toSource);
    },
    fetch: async () => [],
    map: (r) => ({ kind: 'write', payload: r.data }),
    write: async (items) => {
      written.push(...items.map((i) => i.record.id));
      return items.map(() => ({ ok: true, targetId: null }));
    },
  } as Flow;
}

describe('a pass reading Salesforce when the daily allowance runs out', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ seed: 'volume:300' });
    // Every stamp safely before the pass's window end.
    await control(sim, 'POST', 'age', { seconds: 10 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('stops the pass with the cursor where it was (exit 4), and the next pass finishes the window without losing a record', async () => {
    const store = new StateStore(openDb(':memory:'));
    const written: string[] = [];
    await control(sim, 'POST', 'api_usage', { used: 14_998, max: 15_000 });
    const sf1 = sfClient(sim, { dailyApiShare: 1 });
    const first = await runPass(
      store,
      'sf-pair',
      [contactsFlow(sf1, written)],
      () => new LazyDimensions({}),
      options,
      silentLogger,
    );
    await sf1.close();
    // A stopped run is exit code 4 (src/commands/sync.ts).
    expect(first.status).toBe('stopped');
    expect(first.flows[0]?.error).toMatchObject({ kind: 'transient', code: SF_ALLOWANCE_EXHAUSTED });
    expect(store.getCursor('sf-pair', 'contacts')).toBeUndefined();
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(600);

    await control(sim, 'POST', 'api_usage', { used: 0 });
    const sf2 = sfClient(sim);
    const second = await runPass(
      store,
      'sf-pair',
      [contactsFlow(sf2, written)],
      () => new LazyDimensions({}),
      options,
      silentLogger,
    );
    await sf2.close();
    expect(second.status).toBe('ok');
    expect(new Set(written).size).toBe(600);
    expect(store.getCursor('sf-pair', 'contacts')).toBeDefined();
  });
});
