import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDb } from '../../src/state/db.js';
import { MIGRATIONS } from '../../src/state/migrations/index.js';
import { SecretStore } from '../../src/secrets/store.js';
import { AuthError, ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';

describe('the encrypted secret store', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('stores AES-256-GCM ciphertext with a fresh nonce per value, never the plaintext', () => {
    const dbPath = join(tmp.dir, 'state.sqlite');
    const db = openDb(dbPath);
    const store = new SecretStore(db, join(tmp.dir, 'master.key'), { MLC_MASTER_KEY: 'b'.repeat(64) });
    store.set('odoo.api_key', 'CANARY-secret-value-123');
    store.set('odoo.other', 'CANARY-secret-value-123');
    expect(store.get('odoo.api_key')).toBe('CANARY-secret-value-123');
    const rows = db.prepare("SELECT nonce, ciphertext FROM secrets WHERE name LIKE 'odoo.%'").all() as Array<{
      nonce: Buffer;
      ciphertext: Buffer;
    }>;
    expect(rows).toHaveLength(2);
    expect(rows[0]!.nonce.equals(rows[1]!.nonce)).toBe(false);
    expect(rows[0]!.ciphertext.equals(rows[1]!.ciphertext)).toBe(false);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    for (const f of [dbPath, `${dbPath}-wal`]) {
      if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from('CANARY-secret-value-123'))).toBe(false);
    }
  });

  it('creates the key file 0600 on first use and reuses it', () => {
    const db = openDb(':memory:');
    const keyFile = join(tmp.dir, 'home', 'master.key');
    new SecretStore(db, keyFile, {}).set('sn.client_secret', 'v1');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(new SecretStore(db, keyFile, {}).get('sn.client_secret')).toBe('v1');
  });

  it('detects tampering with the ciphertext', () => {
    const db = openDb(':memory:');
    const store = new SecretStore(db, join(tmp.dir, 'k'), { MLC_MASTER_KEY: 'c'.repeat(64) });
    store.set('odoo.api_key', 'value');
    db.prepare("UPDATE secrets SET ciphertext = x'00112233' WHERE name = 'odoo.api_key'").run();
    expect(() => store.get('odoo.api_key')).toThrow(AuthError);
    expect(() => store.get('odoo.api_key')).toThrow(/integrity check/);
  });

  it('binds a value to its connection: read for another connection it fails', () => {
    const db = openDb(':memory:');
    const store = new SecretStore(db, join(tmp.dir, 'k'), { MLC_MASTER_KEY: 'd'.repeat(64) });
    store.set('odoo.api_key', 'value');
    expect(() => store.get('odoo.api_key', 'servicenow')).toThrow(
      /belongs to connection "odoo" but is referenced from connection "servicenow"/,
    );
  });

  it('fails clearly under a different master key', () => {
    const db = openDb(':memory:');
    new SecretStore(db, join(tmp.dir, 'k'), { MLC_MASTER_KEY: 'e'.repeat(64) }).set('odoo.api_key', 'value');
    expect(() =>
      new SecretStore(db, join(tmp.dir, 'k'), { MLC_MASTER_KEY: 'f'.repeat(64) }).get('odoo.api_key'),
    ).toThrow(AuthError);
  });

  it('refuses a master key that is not 256 bits and a name without a connection', () => {
    const db = openDb(':memory:');
    expect(() =>
      new SecretStore(db, join(tmp.dir, 'k'), { MLC_MASTER_KEY: 'abc' }).set('odoo.x', 'v'),
    ).toThrow(ConfigError);
    expect(() =>
      new SecretStore(db, join(tmp.dir, 'k'), { MLC_MASTER_KEY: 'e'.repeat(64) }).set('apikey', 'v'),
    ).toThrow(/<connection>\.<what>/);
  });

  it('keeps the schema in numbered migrations recorded in the file', () => {
    const dbPath = join(tmp.dir, 's.sqlite');
    openDb(dbPath).close();
    expect(statSync(dbPath).mode & 0o777).toBe(0o600);
    const raw = new Database(dbPath);
    expect(raw.prepare('SELECT version FROM schema_migrations').all()).toEqual(
      MIGRATIONS.map((_, i) => ({ version: i + 1 })),
    );
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });
});
