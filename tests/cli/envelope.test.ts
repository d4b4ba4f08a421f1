import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse, stringify } from 'yaml';
import { spawn } from 'node:child_process';
import { ROOT, startPairEnv, type PairEnv } from '../helpers/pair.js';
import { cli, tempDir } from './helpers.js';

const schema = JSON.parse(
  readFileSync(resolve(import.meta.dirname ?? '.', '../../schemas/envelope.schema.json'), 'utf8'),
);
const validate = new Ajv({ allErrors: true }).compile(schema);

function envelopeOf(r: { code: number; stdout: string }, command: string): Record<string, any> {
  const e = JSON.parse(r.stdout) as Record<string, any>;
  if (!validate(e)) throw new Error(`${command}: ${JSON.stringify(validate.errors)}\n${r.stdout}`);
  expect(e.command).toBe(command);
  expect(e.exitCode).toBe(r.code);
  return e;
}

/** Every command's --json output is one envelope that the schema in schemas/ accepts. */
describe('one JSON envelope for every command', () => {
  let e: PairEnv;
  beforeAll(async () => {
    e = await startPairEnv({ systems: ['odoo', 'servicenow'] });
  });
  afterAll(async () => e.close());

  it('sync, status, ping, audit, audit show, audit failures, replay, secret, init, completion, errors', async () => {
    const j = (...args: string[]) => e.cli(...args, '--json');
    const sync = envelopeOf(await j('sync', 'odoo-servicenow'), 'sync');
    expect(sync.data.outcomes[0].pair).toBe('odoo-servicenow');
    expect(sync.exitCode).toBe(3);
    const status = envelopeOf(await j('status'), 'status');
    expect(status.data.pairs[0]).toMatchObject({ pair: 'odoo-servicenow', healthy: false });
    envelopeOf(await j('ping'), 'ping');
    const audit = envelopeOf(await j('audit', '--limit', '5'), 'audit');
    expect(audit.data.entries).toHaveLength(5);
    expect(audit.data.entries[0].time).toMatch(/Z$/);
    envelopeOf(await j('audit', 'show', String(audit.data.entries[0].id)), 'audit show');
    const failures = envelopeOf(await j('audit', 'failures'), 'audit failures');
    expect(failures.exitCode).toBe(3);
    envelopeOf(await j('replay', '--failed', '--dry-run'), 'replay');
    const reconcile = envelopeOf(
      await j('reconcile', 'odoo-servicenow', '--flow', 'purchase_orders'),
      'reconcile',
    );
    expect(reconcile.data.report.flows[0].flow).toBe('purchase_orders');
    const setup = envelopeOf(await j('setup', 'servicenow', '--dry-run'), 'setup');
    expect(setup.exitCode).toBe(0);
    envelopeOf(await j('secret', 'list'), 'secret list');
    const set = await cli(['--config', e.config, 'secret', 'set', 'odoo.extra', '--json'], e.env, {
      stdin: 'x',
    });
    expect(envelopeOf(set, 'secret set').data).toEqual({ stored: 'odoo.extra' });
    const rm = await cli(['--config', e.config, 'secret', 'rm', 'odoo.extra', '--json'], e.env);
    expect(envelopeOf(rm, 'secret rm').data).toEqual({ removed: 'odoo.extra' });
    envelopeOf(await j('completion', 'bash'), 'completion');
    const tmp = tempDir();
    try {
      const init = envelopeOf(
        await cli(['init', 'odoo-servicenow', '-o', join(tmp.dir, 'x.yaml'), '--json'], e.env),
        'init',
      );
      expect(init.data.env).toContain('ODOO_API_KEY');
    } finally {
      tmp.cleanup();
    }
    // Errors, thrown before or while a command runs.
    const notFound = envelopeOf(await j('audit', 'show', '999999'), 'audit show');
    expect(notFound.error).toMatchObject({ class: 'config', code: 'audit.not_found' });
    const usage = envelopeOf(await j('sync', 'nope'), 'sync');
    expect(usage.error.class).toBe('usage');
    const commander = envelopeOf(await j('sync', '--bogus'), 'mlc');
    expect(commander.error.class).toBe('usage');
    const both = envelopeOf(await j('sync', 'odoo-servicenow', '--all'), 'sync');
    expect(both.error).toMatchObject({ code: 'usage.pair_and_all', hint: null });
    const bad = envelopeOf(await j('audit', '--since', 'soon'), 'audit');
    expect(bad.error.code).toBe('usage.bad_time');
  }, 60_000);

  it('status: exit 0 once healthy, 3 with open failures or no recent pass', async () => {
    const ok = await e.cli('status', '--max-age', '1h');
    // the demo seed leaves one bill failing: open failures
    expect(ok.code).toBe(3);
    expect(ok.stderr).toMatch(
      /NEEDS A LOOK odoo-servicenow \(odoo-servicenow\): last run \d+ failed_records/,
    );
    expect(ok.stderr).toMatch(/\d+ open failures?/);
    await new Promise((r) => setTimeout(r, 1100));
    const stale = JSON.parse((await e.cli('status', '--max-age', '1s', '--json')).stdout);
    expect(stale.data.maxAgeSeconds).toBe(1);
    expect(stale.data.pairs[0].problems.join(' ')).toMatch(/no pass has completed in the last/);
  });
});

describe('mlc status on a config without failures', () => {
  it('is 0 when every pair passed recently, 3 when none did', async () => {
    const e = await startPairEnv({ systems: ['odoo', 'servicenow'], seed: 'empty' });
    try {
      const never = await e.cli('status');
      expect(never.code).toBe(3);
      expect(never.stderr).toMatch(/no pass has completed yet/);
      expect((await e.cli('sync', 'odoo-servicenow')).code).toBe(0);
      const fresh = await e.cli('status', '--max-age', '10m');
      expect(fresh.code).toBe(0);
      expect(fresh.stdout).toMatch(/^ok odoo-servicenow/);
      await new Promise((r) => setTimeout(r, 2100));
      const old = await e.cli('status', '--max-age', '2s');
      expect(old.code).toBe(3);
      expect(old.stderr).toMatch(/no pass has completed in the last/);
    } finally {
      await e.close();
    }
  }, 60_000);
});

describe('mlc init', () => {
  it('writes a config that validates once its environment variables are set, and never overwrites', async () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'mlc.yaml');
      const r = await cli(['init', 'acumatica-servicenow', '--name', 'acme-eu', '--config', file], {
        HOME: tmp.dir,
      });
      expect(r.code).toBe(0);
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(/^# /m);
      expect(text).not.toMatch(/password: (?!\$\{|secret:)/);
      const env: NodeJS.ProcessEnv = { HOME: tmp.dir };
      for (const v of [...text.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]!))
        env[v] = v.endsWith('URL') ? 'https://x.example.com' : 'value';
      // Unset variables are named; set, the file passes validation (status needs no connection).
      const unset = await cli(['--config', file, 'status'], { HOME: tmp.dir });
      expect(unset.code).toBe(2);
      expect(unset.stderr).toMatch(/environment variable \w+ is not set/);
      const ok = await cli(['--config', file, 'status', '--json'], env);
      expect(JSON.parse(ok.stdout).data.pairs[0]).toMatchObject({
        pair: 'acme-eu',
        type: 'acumatica-servicenow',
      });
      const again = await cli(['init', 'odoo-servicenow', '--config', file], { HOME: tmp.dir });
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/exists; not overwriting/);
      expect(readFileSync(file, 'utf8')).toBe(text);
      const odoo = join(tmp.dir, 'odoo.yaml');
      expect((await cli(['init', 'odoo-servicenow', '-o', odoo], env)).code).toBe(0);
      const parsed = parse(readFileSync(odoo, 'utf8')) as Record<string, any>;
      expect(parsed.pairs['odoo-servicenow'].type).toBe('odoo-servicenow');
      const odooText = readFileSync(odoo, 'utf8');
      for (const v of [...odooText.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]!))
        env[v] = v.endsWith('URL') ? 'https://x.example.com' : 'value';
      const st = await cli(['--config', odoo, 'status', '--json'], env);
      expect(JSON.parse(st.stdout).error).toBeNull();
      expect(st.code).toBe(3);
      writeFileSync(odoo, stringify(parsed));
      const unknown = await cli(['init', 'odoo-servicenw', '-o', join(tmp.dir, 'z.yaml')], env);
      expect(unknown.stderr).toMatch(/did you mean odoo-servicenow/);
    } finally {
      tmp.cleanup();
    }
  });

  it('--version and completion', async () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname ?? '.', '../../package.json'), 'utf8'));
    const v = await cli(['--version'], {});
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(pkg.version);
    const bash = await cli(['completion', 'bash'], {});
    expect(bash.stdout).toMatch(/complete -F _mlc_complete mlc/);
    expect(bash.stdout).toMatch(/"audit failures"\) words="[^"]*--group-by/);
    const zsh = await cli(['completion', 'zsh'], {});
    expect(zsh.stdout).toMatch(/bashcompinit/);
    expect((await cli(['completion', 'fish'], {})).code).toBe(2);
    const help = await cli(['--help'], {});
    expect(help.stdout).toMatch(/Exit codes:/);
    expect(help.stdout).toMatch(/MLC_MASTER_KEY/);
  });
});

describe('the envelope of the simulator commands', () => {
  it('demo --json prints its story in data; sim --json prints one line once listening', async () => {
    const demo = await cli(['demo', '--json'], { HOME: process.env.HOME, PATH: process.env.PATH });
    const d = envelopeOf(demo, 'demo');
    expect(d.data.ok).toBe(true);
    expect(d.data.story.join('\n')).toMatch(/BILL\/2026\/0004/);
    const tmp = tempDir();
    const sim = spawn(
      process.execPath,
      [join(ROOT, 'bin/mlc.js'), 'sim', '--systems', 'odoo', '--seed', 'empty', '--json'],
      {
        cwd: tmp.dir,
        env: { PATH: process.env.PATH, HOME: tmp.dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const line = await new Promise<string>((ok, fail) => {
        let buf = '';
        sim.stdout.on('data', (b: Buffer) => {
          buf += b.toString();
          if (buf.includes('\n')) ok(buf.slice(0, buf.indexOf('\n')));
        });
        sim.on('exit', (code) => fail(new Error(`mlc sim exited with ${code}`)));
      });
      const env = envelopeOf({ code: 0, stdout: line }, 'sim');
      expect(env.data.simulators[0].system).toBe('odoo');
    } finally {
      sim.kill('SIGTERM');
      await new Promise((r) => sim.once('exit', r));
      tmp.cleanup();
    }
  }, 60_000);
});
