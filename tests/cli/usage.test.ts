import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cli, tempDir } from './helpers.js';

function config(extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    state: 'state.sqlite',
    connections: {
      odoo: { system: 'odoo', url: 'http://127.0.0.1:9', db: 'acme', login: 'bot', apiKey: '${K}' },
      sn: {
        system: 'servicenow',
        url: 'http://127.0.0.1:9',
        auth: { kind: 'basic', username: 'u', password: '${K}' },
      },
    },
    pairs: {
      'acme-us': { type: 'odoo-servicenow', source: 'odoo', target: 'sn' },
      'odoo-servicenow': { source: 'odoo', target: 'sn' },
    },
    ...extra,
  };
}

describe('usage errors are caught before anything runs', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let env: NodeJS.ProcessEnv;
  const write = (c: Record<string, unknown> | string): void =>
    writeFileSync(file, typeof c === 'string' ? c : stringify(c));
  const run = (...args: string[]) => cli(['--config', file, ...args], env);
  beforeEach(() => {
    tmp = tempDir();
    file = join(tmp.dir, 'mlc.yaml');
    env = { HOME: tmp.dir, K: 'k' };
    write(config());
  });
  afterEach(() => tmp.cleanup());

  const usage = (r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void => {
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mlc: usage error: /);
    expect(r.stderr).toMatch(pattern);
    expect(r.stdout).toBe('');
  };

  it('an unknown pair lists the configured ones and suggests the closest', async () => {
    usage(
      await run('sync', 'acme-su'),
      /no pair named "acme-su".*\n.*did you mean acme-us\? configured pairs: acme-us, odoo-servicenow/,
    );
  });

  it('an unknown flow is refused (it used to exit 0 and sync nothing)', async () => {
    usage(
      await run('sync', 'acme-us', '--flow', 'vendor_bill'),
      /no flow named "vendor_bill"[^]*did you mean vendor_bills\?/,
    );
  });

  it('--flow before the pair takes one flow, not the pair', async () => {
    // The pair is valid and the flow too: it gets as far as connecting (nothing listens on port 9).
    const r = await cli(['sync', '--flow', 'vendor_bills', 'acme-us', '--config', file], { ...env });
    expect(r.stderr).not.toMatch(/usage error/);
    expect(r.code).toBe(4);
  }, 60_000);

  it('flags in any order: global options after the command', async () => {
    const r = await cli(['audit', '--json', '--config', file], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).command).toBe('audit');
  });

  it('bad --since and --until, unknown commands and options', async () => {
    usage(await run('audit', '--since', 'yesterday'), /--since "yesterday" is not a time/);
    usage(await run('audit', '--until', '2026-13-01'), /--until "2026-13-01" is not a time/);
    usage(await run('snyc'), /unknown command 'snyc'[^]*did you mean sync\?/);
    usage(await run('sync', '--bogus'), /unknown option '--bogus'/);
    usage(await run('sync', 'acme-us', '--all'), /not both/);
    usage(await run('ping', 'odo'), /no connection named "odo"[^]*did you mean odoo\?/);
  });

  it('a directory as --config is a usage error naming it', async () => {
    const dir = join(tmp.dir, 'conf.d');
    mkdirSync(dir);
    const r = await cli(['--config', dir, 'sync', '--all'], env);
    usage(r, /conf\.d is a directory, not a config file/);
  });

  it('a state path that cannot work fails at once', async () => {
    write(config({ state: '/proc/nope/state.sqlite' }));
    const started = Date.now();
    const r = await run('status');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /state file \/proc\/nope\/state.sqlite cannot be used: cannot create the folder \/proc\/nope/,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    writeFileSync(join(tmp.dir, 'afile'), '');
    write(config({ state: 'afile/state.sqlite' }));
    expect((await run('status')).stderr).toMatch(/afile is not a folder/);
  });

  it('a URL whose scheme or host cannot work is refused by validation', async () => {
    const c = config();
    c.connections.odoo.url = 'ftp://erp.acme.example';
    write(c);
    const r = await run('sync', '--all');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /connections\.odoo\.url: "ftp:\/\/erp\.acme\.example" cannot work: the scheme is ftp/,
    );
  });

  it('YAML syntax errors give line and column; an unknown key is named with the closest valid one', async () => {
    write('connections:\n  odoo:\n    system: odoo\n    url: [unclosed\n');
    expect((await run('status')).stderr).toMatch(/mlc\.yaml:\d+:\d+: invalid YAML/);
    const c = config();
    c.connectons = c.connections;
    delete c.connections;
    write(c);
    const top = await run('status');
    expect(top.stderr).toMatch(/unknown option "connectons"; did you mean "connections"\?/);
    const d = config();
    d.connections.odoo.logn = 'x';
    write(d);
    expect((await run('status')).stderr).toMatch(
      /connections\.odoo: unknown option "logn"; did you mean "login"\?/,
    );
    const p = config();
    p.pairs['acme-us'].overlapSecond = 3;
    write(p);
    expect((await run('status')).stderr).toMatch(/did you mean "overlapSeconds"\?/);
  });

  it('usage errors honour --json: the envelope, class usage', async () => {
    const r = await run('sync', 'nope', '--json');
    expect(r.code).toBe(2);
    const e = JSON.parse(r.stdout);
    expect(e).toMatchObject({
      ok: false,
      command: 'sync',
      exitCode: 2,
      data: null,
      error: { class: 'usage', code: 'usage.unknown_pair' },
    });
    const c = await cli(['--json', 'snyc'], env);
    expect(JSON.parse(c.stdout).error).toMatchObject({
      class: 'usage',
      hint: expect.stringMatching(/did you mean sync/),
    });
  });
});
