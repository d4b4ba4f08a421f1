import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli, tempDir, TEST_MASTER_KEY } from '../helpers/cli.js';

function base(): Record<string, any> {
  return {
    version: 1,
    connections: {
      odoo: {
        system: 'odoo',
        url: 'http://127.0.0.1:9',
        db: 'acme',
        login: 'bot',
        apiKey: 'secret:odoo.api_key',
        transport: 'auto',
      },
      servicenow: {
        system: 'servicenow',
        url: 'http://127.0.0.1:9',
        auth: {
          kind: 'oauth_client_credentials',
          clientId: 'id',
          clientSecret: 'secret:servicenow.client_secret',
        },
      },
    },
    pairs: { 'odoo-servicenow': { source: 'odoo', target: 'servicenow' } },
  };
}

type Case = [name: string, make: (c: Record<string, any>) => Record<string, any> | string, expected: RegExp];

const cases: Case[] = [
  ['YAML syntax error', () => 'connections:\n  odoo: [unclosed\n', /invalid YAML/],
  ['duplicate key', () => 'connections:\n  odoo: {}\n  odoo: {}\n', /invalid YAML/],
  ['top level is a list', () => '- a\n- b\n', /expected a mapping/],
  ['unknown top-level option', (c) => ({ ...c, extra: 1 }), /unknown option "extra"/],
  ['wrong version', (c) => ({ ...c, version: 2 }), /version/],
  ['connections missing', (c) => ({ pairs: c.pairs }), /connections: missing/],
  [
    'unknown system',
    (c) => ((c.connections.odoo.system = 'sap'), c),
    /connections\.odoo\.system: expected one of odoo, servicenow, acumatica/,
  ],
  ['system missing', (c) => (delete c.connections.odoo.system, c), /connections\.odoo\.system/],
  [
    'url not a URL',
    (c) => ((c.connections.odoo.url = 'acme.odoo'), c),
    /connections\.odoo\.url: expected an http\(s\) URL/,
  ],
  ['db missing', (c) => (delete c.connections.odoo.db, c), /connections\.odoo\.db: missing/],
  [
    'login is a number',
    (c) => ((c.connections.odoo.login = 42), c),
    /connections\.odoo\.login: expected string, got 42/,
  ],
  [
    'transport unknown',
    (c) => ((c.connections.odoo.transport = 'soap'), c),
    /connections\.odoo\.transport: expected one of "auto", "xmlrpc", "json2", got "soap"/,
  ],
  [
    'plaintext api key',
    (c) => ((c.connections.odoo.apiKey = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed'), c),
    /connections\.odoo\.apiKey: a plaintext credential is not allowed[\s\S]*mlc secret set odoo\.api_key/,
  ],
  [
    'plaintext client secret',
    (c) => ((c.connections.servicenow.auth.clientSecret = 'hunter2hunter2'), c),
    /connections\.servicenow\.auth\.clientSecret: a plaintext credential/,
  ],
  [
    'env var unset',
    (c) => ((c.connections.servicenow.auth.clientId = '${MLC_TEST_UNSET_VAR}'), c),
    /environment variable MLC_TEST_UNSET_VAR is not set/,
  ],
  [
    'unknown auth kind',
    (c) => ((c.connections.servicenow.auth.kind = 'saml'), c),
    /connections\.servicenow\.auth/,
  ],
  [
    'password grant without username',
    (c) => (
      (c.connections.servicenow.auth = {
        kind: 'oauth_password',
        clientId: 'x',
        clientSecret: 'secret:servicenow.cs',
        password: 'secret:servicenow.pw',
      }),
      c
    ),
    /connections\.servicenow\.auth\.username: missing/,
  ],
  [
    'unknown connection option',
    (c) => ((c.connections.odoo.pasword = 'x'), c),
    /connections\.odoo: unknown option "pasword"/,
  ],
  ['timeout too small', (c) => ((c.connections.odoo.timeoutMs = 5), c), /connections\.odoo\.timeoutMs/],
  [
    'retry attempts not a number',
    (c) => ((c.connections.odoo.retry = { attempts: 'many' }), c),
    /connections\.odoo\.retry\.attempts: expected number, got "many"/,
  ],
  [
    'bad connection name',
    (c) => ((c.connections['odoo prod'] = c.connections.odoo), c),
    /connection names use letters/,
  ],
  [
    'unknown pair',
    (c) => ((c.pairs['odoo-sap'] = { source: 'odoo', target: 'servicenow' }), c),
    /"odoo-sap" is not a pair type; name the type of this instance with type: \(one of odoo-servicenow/,
  ],
  [
    'pair source missing',
    (c) => (delete c.pairs['odoo-servicenow'].source, c),
    /pairs\.odoo-servicenow\.source: missing/,
  ],
  [
    'pair names an undefined connection',
    (c) => ((c.pairs['odoo-servicenow'].target = 'snow'), c),
    /pairs\.odoo-servicenow\.target: no connection named "snow"/,
  ],
  [
    'pair with systems swapped',
    (c) => ((c.pairs['odoo-servicenow'] = { source: 'servicenow', target: 'odoo' }), c),
    /needs a odoo connection as source, but "servicenow" is servicenow/,
  ],
  [
    'overlap negative',
    (c) => ((c.pairs['odoo-servicenow'].overlapSeconds = -5), c),
    /pairs\.odoo-servicenow\.overlapSeconds/,
  ],
  [
    'batch size zero',
    (c) => ((c.pairs['odoo-servicenow'].batchSize = 0), c),
    /pairs\.odoo-servicenow\.batchSize/,
  ],
  [
    'cost center direction unknown',
    (c) => ((c.pairs['odoo-servicenow'].costCenters = { direction: 'sideways' }), c),
    /pairs\.odoo-servicenow\.costCenters\.direction: expected one of/,
  ],
  [
    'gl account map not strings',
    (c) => ((c.pairs['odoo-servicenow'].glAccounts = { map: { '600000': 600000 } }), c),
    /pairs\.odoo-servicenow\.glAccounts\.map\.600000: expected string, got 600000/,
  ],
  [
    'unknown pair option',
    (c) => ((c.pairs['odoo-servicenow'].vendorBill = { enabled: true }), c),
    /pairs\.odoo-servicenow: unknown option "vendorBill"/,
  ],
  [
    'purchase order states not a list',
    (c) => ((c.pairs['odoo-servicenow'].purchaseOrders = { states: 'purchase' }), c),
    /pairs\.odoo-servicenow\.purchaseOrders\.states: expected array/,
  ],
  [
    'staging table name empty list',
    (c) => ((c.pairs['odoo-servicenow'].tables = { orderStaging: 7 }), c),
    /pairs\.odoo-servicenow\.tables\.orderStaging: expected string, got 7/,
  ],
];

describe('config validation', () => {
  let tmp: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  let statePath: string;
  let stateHash: string;
  const fileHash = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

  beforeAll(async () => {
    tmp = tempDir();
    env = { MLC_MASTER_KEY: TEST_MASTER_KEY, MLC_HOME: join(tmp.dir, 'home') };
    statePath = join(tmp.dir, 'home', 'state.sqlite');
    // A state file with content, to prove a refused config leaves it untouched.
    const cfg = join(tmp.dir, 'seed.yaml');
    writeFileSync(cfg, stringify(base()));
    const r = await runCli(['--config', cfg, 'secret', 'list'], env);
    expect(r.code).toBe(0);
    stateHash = fileHash(statePath);
  });
  afterAll(() => tmp.cleanup());

  it('has at least 30 malformed configs to check', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)(
    'refuses %s with a message naming file, path and expectation; state untouched',
    async (_name, make, expected) => {
      const file = join(tmp.dir, 'mlc.yaml');
      const made = make(base());
      writeFileSync(file, typeof made === 'string' ? made : stringify(made));
      const r = await runCli(['--config', file, 'sync', 'odoo-servicenow'], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr).toContain(file);
      expect(r.stderr).not.toContain('f00dfeed');
      expect(r.stderr).not.toContain('hunter2');
      expect(fileHash(statePath)).toBe(stateHash);
      expect(existsSync(`${statePath}-wal`) ? readFileSync(`${statePath}-wal`).length : 0).toBe(0);
    },
  );

  it('names the missing file and how to get one', async () => {
    const r = await runCli(['--config', join(tmp.dir, 'nope.yaml'), 'sync', 'odoo-servicenow'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /nope\.yaml does not exist[\s\S]*hint: pass --config FILE or set MLC_CONFIG; mlc init <pair type> writes/,
    );
  });

  it('reads MLC_CONFIG when --config is not given', async () => {
    const file = join(tmp.dir, 'via-env.yaml');
    writeFileSync(file, stringify({ ...base(), bogus: true }));
    const r = await runCli(['sync', 'odoo-servicenow'], { ...env, MLC_CONFIG: file });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('via-env.yaml');
  });

  it('refuses a plaintext credential without ever repeating its value', async () => {
    const file = join(tmp.dir, 'fix.yaml');
    const c = base();
    c.connections.odoo.apiKey = 'plain-text-key-123';
    writeFileSync(file, stringify(c));
    const refused = await runCli(['--config', file, 'ping', 'odoo'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toContain('plain-text-key-123');
  });
});
