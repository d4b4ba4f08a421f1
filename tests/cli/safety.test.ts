import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runSim } from '../../src/commands/sim.js';
import { cli as runCliWith, tempDir, TEST_MASTER_KEY } from './helpers.js';

const runCli = (args: string[], env: NodeJS.ProcessEnv) => runCliWith(args, env, { stdin: env.STDIN ?? '' });

/** A config whose one connection references a stored secret. */
const CONFIG = `connections:
  odoo:
    system: odoo
    url: http://127.0.0.1:9
    db: acme
    login: bot
    apiKey: secret:odoo.api_key
`;

describe('safe by default', () => {
  let tmp: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  let config: string;
  beforeEach(() => {
    tmp = tempDir();
    config = join(tmp.dir, 'mlc.yaml');
    env = { HOME: tmp.dir };
  });
  afterEach(() => tmp.cleanup());

  it('mlc sim --write-config refuses an existing file (exit 2, naming it) and leaves it as it was', async () => {
    writeFileSync(config, '# hand-edited\n' + CONFIG);
    const r = await runCli(['sim', '--write-config', config], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config} exists`);
    expect(r.stderr).toContain('--force');
    expect(readFileSync(config, 'utf8')).toBe('# hand-edited\n' + CONFIG);
  });

  it('simulator credentials go to a state file of their own, never into the real store', async () => {
    writeFileSync(config, CONFIG);
    const set = await runCli(['--config', config, 'secret', 'set', 'odoo.api_key'], {
      ...env,
      STDIN: 'REAL-KEY',
    });
    expect(set.code).toBe(0);
    const simConfig = join(tmp.dir, 'sim.yaml');
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    let state: string | null = null;
    const done = runSim(
      {
        systems: ['odoo'],
        seed: 'empty',
        latencyMs: 0,
        odooVersion: 19,
        writeConfig: simConfig,
        json: true,
        until,
        onReady: (info) => {
          state = info.state;
          stop();
        },
      },
      { out: () => {}, env },
    );
    await done;
    expect(state).toBe(join(tmp.dir, 'sim.sim-state.sqlite'));
    expect((parse(readFileSync(simConfig, 'utf8')) as { state: string }).state).toBe('sim.sim-state.sqlite');
    // The real connection's credential is untouched.
    const real = await runCli(['--config', config, 'secret', 'list', '--json'], env);
    expect(real.code).toBe(0);
    const get = await runCli(['--config', config, 'secret', 'list'], env);
    expect(get.stdout).toContain('odoo.api_key');
    const simList = await runCli(['--config', simConfig, 'secret', 'list'], env);
    expect(simList.stdout).toContain('odoo.api_key');
    // --force replaces the simulator config, still in its own store.
    const again = await runCli(['sim', '--write-config', simConfig], env);
    expect(again.code).toBe(2);
    // --force replaces it, still with its own store.
    const before = readFileSync(simConfig, 'utf8');
    const simAgain = (): Promise<void> =>
      runSim(
        {
          systems: ['odoo'],
          seed: 'empty',
          latencyMs: 0,
          odooVersion: 19,
          writeConfig: simConfig,
          force: true,
          json: true,
          until: Promise.resolve(),
        },
        { out: () => {}, env },
      );
    await simAgain();
    expect(readFileSync(simConfig, 'utf8')).not.toBe(before);
    // A real credential added to the simulators' store stops the next --force from writing there.
    const foreign = await runCli(['--config', simConfig, 'secret', 'set', 'erp.key'], {
      ...env,
      STDIN: 'REAL',
    });
    expect(foreign.code).toBe(0);
    const kept = readFileSync(simConfig, 'utf8');
    await expect(simAgain()).rejects.toThrow(/holds secrets the simulators did not write \(erp\.key\)/);
    expect(readFileSync(simConfig, 'utf8')).toBe(kept);
    expect(existsSync(join(tmp.dir, '.mlc', 'state.sqlite'))).toBe(true);
  });

  it('--force over a real config replaces the file, never the real credentials', async () => {
    writeFileSync(config, 'state: real.sqlite\n' + CONFIG);
    expect(
      (await runCli(['--config', config, 'secret', 'set', 'odoo.api_key'], { ...env, STDIN: 'REAL-KEY' }))
        .code,
    ).toBe(0);
    await runSim(
      {
        systems: ['odoo'],
        seed: 'empty',
        latencyMs: 0,
        odooVersion: 19,
        writeConfig: config,
        force: true,
        json: true,
        until: Promise.resolve(),
      },
      { out: () => {}, env },
    );
    const { openDb } = await import('../../src/state/db.js');
    const { SecretStore } = await import('../../src/secrets/store.js');
    const db = openDb(join(tmp.dir, 'real.sqlite'));
    try {
      const real = new SecretStore(db, join(tmp.dir, '.mlc', 'master.key'), env);
      expect(real.get('odoo.api_key')).toBe('REAL-KEY');
    } finally {
      db.close();
    }
    expect((parse(readFileSync(config, 'utf8')) as { state: string }).state).toBe('mlc.sim-state.sqlite');
  });

  describe('master key problems each say what they are', () => {
    const store = async (extra: NodeJS.ProcessEnv = {}): Promise<void> => {
      writeFileSync(config, CONFIG);
      const r = await runCli(['--config', config, 'secret', 'set', 'odoo.api_key'], {
        ...env,
        ...extra,
        STDIN: 'REAL-KEY',
      });
      expect(r.code).toBe(0);
    };
    const read = (extra: NodeJS.ProcessEnv = {}) =>
      runCli(['--config', config, 'ping'], { ...env, ...extra });

    it('a deleted key file is an error naming it, never a new key', async () => {
      await store();
      const keyFile = join(tmp.dir, '.mlc', 'master.key');
      rmSync(keyFile);
      const r = await read();
      expect(r.stdout + r.stderr).toContain(`master key file ${keyFile} is missing`);
      expect(existsSync(keyFile)).toBe(false);
    });

    it('a key file readable by others names its mode', async () => {
      await store();
      const keyFile = join(tmp.dir, '.mlc', 'master.key');
      chmodSync(keyFile, 0o644);
      const r = await read();
      expect(r.stdout + r.stderr).toContain('has mode 0644');
      expect(r.stdout + r.stderr).not.toMatch(/tampered|integrity/);
    });

    it('a key of the wrong length says so', async () => {
      await store({ MLC_MASTER_KEY: TEST_MASTER_KEY });
      const r = await read({ MLC_MASTER_KEY: 'ab'.repeat(31) });
      expect(r.stdout + r.stderr).toContain('MLC_MASTER_KEY is not a 256-bit key');
      expect(r.stdout + r.stderr).toContain('got 62 characters');
    });

    it('another valid key is called the wrong key', async () => {
      await store({ MLC_MASTER_KEY: TEST_MASTER_KEY });
      const r = await read({ MLC_MASTER_KEY: 'b'.repeat(64) });
      expect(r.stdout + r.stderr).toContain('is not the one the stored secrets were encrypted with');
    });

    it('an altered value is called tampered, and never "connection X instead of X"', async () => {
      await store({ MLC_MASTER_KEY: TEST_MASTER_KEY });
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(join(tmp.dir, '.mlc', 'state.sqlite'));
      db.prepare("UPDATE secrets SET ciphertext = x'00112233' WHERE name = 'odoo.api_key'").run();
      db.close();
      const r = await read({ MLC_MASTER_KEY: TEST_MASTER_KEY });
      expect(r.stdout + r.stderr).toContain('this value was altered');
      expect(r.stdout + r.stderr).not.toMatch(/instead of/);
    });
  });
});

describe('one store, one key', () => {
  it('refuses to store a secret under another key than the stored ones; an emptied store takes a new key', async () => {
    const tmp = tempDir();
    try {
      const config = join(tmp.dir, 'mlc.yaml');
      writeFileSync(config, CONFIG);
      const set = (name: string, key: string) =>
        runCliWith(
          ['--config', config, 'secret', 'set', name],
          { HOME: tmp.dir, MLC_MASTER_KEY: key },
          { stdin: 'v' },
        );
      expect((await set('odoo.api_key', TEST_MASTER_KEY)).code).toBe(0);
      const other = await set('sn.password', 'b'.repeat(64));
      expect(other.code).toBe(2);
      expect(other.stderr).toContain('is not the one the stored secrets were encrypted with');
      const rm = await runCliWith(['--config', config, 'secret', 'rm', 'odoo.api_key'], {
        HOME: tmp.dir,
        MLC_MASTER_KEY: TEST_MASTER_KEY,
      });
      expect(rm.code).toBe(0);
      expect((await set('sn.password', 'b'.repeat(64))).code).toBe(0);
      // The emptied store took the new key: storing again under it works, under the old one not.
      expect((await set('sn.client_secret', 'b'.repeat(64))).code).toBe(0);
      expect((await set('sn.other', TEST_MASTER_KEY)).code).toBe(2);
    } finally {
      tmp.cleanup();
    }
  });
});
