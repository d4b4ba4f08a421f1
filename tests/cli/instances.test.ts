import { hostname } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { SIM_PAIR_SETTINGS, startSimulators } from '../../src/commands/sim.js';
import { SecretStore } from '../../src/secrets/store.js';
import { openDb } from '../../src/state/db.js';
import type { StartedSim } from '../../src/sim/registry.js';
import { cli, tempDir, TEST_MASTER_KEY } from './helpers.js';

/**
 * Two instances of one pair type in one config: one Odoo feeding two ServiceNow instances. Each
 * instance has its own cursors, lock and audit trail, keyed by its name.
 */
describe('named pair instances', () => {
  let tmp: ReturnType<typeof tempDir>;
  let sims: StartedSim[];
  let env: NodeJS.ProcessEnv;
  let config: string;
  const state = (): string => join(tmp.dir, 'state.sqlite');

  beforeAll(async () => {
    tmp = tempDir();
    env = { HOME: tmp.dir, MLC_MASTER_KEY: TEST_MASTER_KEY };
    sims = await startSimulators({
      systems: ['odoo', 'servicenow', 'servicenow'],
      seed: 'demo',
      latencyMs: 0,
      odooVersion: 19,
    });
    const [odoo, snA, snB] = sims as [StartedSim, StartedSim, StartedSim];
    const connections: Record<string, unknown> = {};
    const secrets: Record<string, string> = {};
    for (const [name, sim] of [
      ['odoo-us', odoo],
      ['sn-a', snA],
      ['sn-b', snB],
    ] as const) {
      const c = sim.connection(name);
      connections[name] = { ...c.config, retry: { attempts: 2, baseDelayMs: 10, maxTotalMs: 2000 } };
      Object.assign(secrets, c.secrets);
    }
    const common = {
      type: 'odoo-servicenow',
      source: 'odoo-us',
      settleSeconds: 0,
      ...SIM_PAIR_SETTINGS['odoo-servicenow'],
    };
    config = join(tmp.dir, 'mlc.yaml');
    writeFileSync(
      config,
      stringify({
        state: 'state.sqlite',
        connections,
        pairs: { 'acme-a': { ...common, target: 'sn-a' }, 'acme-b': { ...common, target: 'sn-b' } },
      }),
    );
    const db = openDb(state());
    const store = new SecretStore(db, join(tmp.dir, 'master.key'), env);
    for (const [k, v] of Object.entries(secrets)) store.set(k, v);
    db.close();
  });
  afterAll(async () => {
    await Promise.allSettled(sims.map((s) => s.running.close()));
    tmp.cleanup();
  });

  it('syncs both instances with separate cursors, locks and audit', async () => {
    const a = await cli(['--config', config, 'sync', 'acme-a'], env);
    expect([0, 3]).toContain(a.code);
    const db = new Database(state(), { readonly: true });
    const cursors = (pair: string): number =>
      (db.prepare('SELECT COUNT(*) AS n FROM cursors WHERE pair = ?').get(pair) as { n: number }).n;
    const audits = (pair: string): number =>
      (db.prepare('SELECT COUNT(*) AS n FROM audit WHERE pair = ?').get(pair) as { n: number }).n;
    expect(cursors('acme-a')).toBeGreaterThan(0);
    expect(cursors('acme-b')).toBe(0);
    expect(audits('acme-b')).toBe(0);
    const writtenA = audits('acme-a');
    expect(writtenA).toBeGreaterThan(0);
    // acme-b has its own cursor: its first pass writes everything again, into its own ServiceNow.
    const b = await cli(['--config', config, 'sync', 'acme-b'], env);
    expect(b.code).toBe(a.code);
    expect(cursors('acme-b')).toBe(cursors('acme-a'));
    expect(audits('acme-b')).toBe(writtenA);
    expect(db.prepare("SELECT COUNT(*) AS n FROM audit WHERE pair = 'odoo-servicenow'").get()).toEqual({
      n: 0,
    });
    db.close();

    // A lock held on acme-a stops acme-a only.
    const w = new Database(state());
    const now = new Date().toISOString();
    w.prepare('INSERT INTO locks (pair, pid, host, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)').run(
      'acme-a',
      process.pid,
      hostname(),
      now,
      now,
    );
    w.close();
    try {
      const locked = await cli(['--config', config, 'sync', 'acme-a'], env);
      expect(locked.code).toBe(5);
      const free = await cli(['--config', config, 'sync', 'acme-b'], env);
      expect([0, 3]).toContain(free.code);
      const audit = await cli(
        ['--config', config, 'audit', '--pair', 'acme-b', '--limit', '1000', '--json'],
        env,
      );
      expect(audit.stdout).toContain('acme-b');
      expect(audit.stdout).not.toContain('"acme-a"');
    } finally {
      const c = new Database(state());
      c.prepare("DELETE FROM locks WHERE pair = 'acme-a'").run();
      c.close();
    }
  });
});
