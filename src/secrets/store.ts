import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AuthError, ConfigError } from '../errors.js';
import { registerSecret } from '../http/redact.js';
import { nowIso, type Db } from '../state/db.js';

/**
 * The encrypted secret store: AES-256-GCM, a fresh 96-bit nonce per value, the connection name as
 * associated data (a value copied to another connection's name fails to decrypt). The master key
 * comes from MLC_MASTER_KEY (64 hex chars or base64 of 32 bytes) or from a key file created 0600 on
 * first use.
 *
 * Secret names are `<connection>.<what>` (e.g. `odoo.api_key`); the part before the first dot is the
 * connection the value is bound to.
 */
export class SecretStore {
  private key: Buffer | undefined;

  constructor(
    private readonly db: Db,
    private readonly keyFile: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  static connectionOf(name: string): string {
    const dot = name.indexOf('.');
    return dot > 0 ? name.slice(0, dot) : name;
  }

  static validateName(name: string): void {
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+$/.test(name)) {
      throw new ConfigError(`secret name "${name}" is not of the form <connection>.<what>`, {
        code: 'secret.bad_name',
        hint: 'use the connection name from mlc.yaml, a dot, and what it is: e.g. odoo.api_key',
      });
    }
  }

  set(name: string, value: string): void {
    SecretStore.validateName(name);
    if (value.length === 0) {
      throw new ConfigError(`secret ${name}: the value read from standard input is empty`, {
        code: 'secret.empty',
        hint: `pipe the value in: printf %s "$VALUE" | mlc secret set ${name}`,
      });
    }
    const key = this.masterKey();
    // One store, one key: a value stored under another key than the others could never be read
    // alongside them.
    const holds = this.holdsSecrets();
    if (holds && !this.keyOpensStore(key, '')) throw this.wrongKey();
    const write = this.db.transaction(() => {
      // The key check is written with the first secret (and again when the store was emptied).
      if (!holds || !this.row(KEY_CHECK))
        this.put(KEY_CHECK, KEY_CHECK, randomBytes(16).toString('hex'), key);
      this.put(name, SecretStore.connectionOf(name), value, key);
    });
    write.immediate();
    registerSecret(value);
  }

  /** Decrypts a secret; `connection` is the connection that references it (the associated data). */
  get(name: string, connection = SecretStore.connectionOf(name)): string {
    const row = this.row(name);
    if (!row) {
      throw new ConfigError(`secret "${name}" is not in the store`, {
        code: 'secret.missing',
        hint: `store it: printf %s "$VALUE" | mlc secret set ${name}`,
      });
    }
    if (row.connection !== connection) {
      throw new ConfigError(
        `secret "${name}" belongs to connection "${row.connection}" but is referenced from connection "${connection}"`,
        {
          code: 'secret.wrong_connection',
          hint: `a value is bound to the connection its name starts with: store it for this one (printf %s "$VALUE" | mlc secret set ${connection}.${name.slice(name.indexOf('.') + 1)}) and reference secret:${connection}.${name.slice(name.indexOf('.') + 1)}`,
        },
      );
    }
    const key = this.masterKey();
    const value = decrypt(key, row, connection);
    if (value !== undefined) {
      registerSecret(value);
      return value;
    }
    if (!this.keyOpensStore(key, name)) throw this.wrongKey();
    throw new AuthError(
      `secret "${name}" failed its integrity check: the master key is right (it opens the other secrets) but this value was altered in the state file`,
      {
        code: 'secret.tampered',
        hint: `store the value again: printf %s "$VALUE" | mlc secret set ${name}`,
      },
    );
  }

  /**
   * Whether the key decrypts anything in this store: the key check written with the first secret, or
   * (for stores written before it existed) any secret other than `except`.
   */
  private keyOpensStore(key: Buffer, except: string): boolean {
    const check = this.row(KEY_CHECK);
    if (check) return decrypt(key, check, KEY_CHECK) !== undefined;
    const others = this.db
      .prepare('SELECT nonce, ciphertext, tag, connection FROM secrets WHERE name != ?')
      .all(except) as SecretRow[];
    return others.some((r) => decrypt(key, r, r.connection) !== undefined);
  }

  private wrongKey(): AuthError {
    return new AuthError(
      `the master key (${this.keySource()}) is not the one the stored secrets were encrypted with: none of them decrypts`,
      {
        code: 'secret.wrong_key',
        hint: `use the key the secrets were stored under (MLC_MASTER_KEY or ${this.keyFile}); if it is lost, remove the stored secrets (mlc secret list, mlc secret rm) and store them again under the new key`,
      },
    );
  }

  private row(name: string): SecretRow | undefined {
    return this.db
      .prepare('SELECT nonce, ciphertext, tag, connection FROM secrets WHERE name = ?')
      .get(name) as SecretRow | undefined;
  }

  private keySource(): string {
    const fromEnv = this.env.MLC_MASTER_KEY;
    return fromEnv !== undefined && fromEnv !== '' ? 'MLC_MASTER_KEY' : this.keyFile;
  }

  private put(name: string, connection: string, value: string, key: Buffer): void {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(connection, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    this.db
      .prepare(
        `INSERT INTO secrets (name, connection, nonce, ciphertext, tag, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET connection = excluded.connection, nonce = excluded.nonce,
           ciphertext = excluded.ciphertext, tag = excluded.tag, updated_at = excluded.updated_at`,
      )
      .run(name, connection, nonce, ciphertext, tag, nowIso());
  }

  has(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM secrets WHERE name = ?').get(name) !== undefined;
  }

  list(): Array<{ name: string; connection: string; updatedAt: string }> {
    return (
      this.db
        .prepare('SELECT name, connection, updated_at FROM secrets WHERE name != ? ORDER BY name')
        .all(KEY_CHECK) as Array<{
        name: string;
        connection: string;
        updated_at: string;
      }>
    ).map((r) => ({ name: r.name, connection: r.connection, updatedAt: r.updated_at }));
  }

  remove(name: string): boolean {
    SecretStore.validateName(name);
    const removed = this.db.prepare('DELETE FROM secrets WHERE name = ?').run(name).changes > 0;
    // An empty store has no key: the next secret may start it under another one.
    if (!this.holdsSecrets()) this.db.prepare('DELETE FROM secrets WHERE name = ?').run(KEY_CHECK);
    return removed;
  }

  /** Whether the store holds any secret (the key check aside). */
  private holdsSecrets(): boolean {
    return this.db.prepare('SELECT 1 FROM secrets WHERE name != ? LIMIT 1').get(KEY_CHECK) !== undefined;
  }

  private masterKey(): Buffer {
    if (this.key) return this.key;
    const fromEnv = this.env.MLC_MASTER_KEY;
    if (fromEnv !== undefined && fromEnv !== '') {
      this.key = parseKey(fromEnv, 'MLC_MASTER_KEY');
    } else if (existsSync(this.keyFile)) {
      const st = statSync(this.keyFile);
      if (!st.isFile()) {
        throw new ConfigError(`master key file ${this.keyFile} is not a regular file`, {
          code: 'secret.key_file_not_file',
          hint: 'point MLC_HOME elsewhere, or remove what is at that path',
        });
      }
      const mode = st.mode & 0o777;
      if ((mode & 0o077) !== 0) {
        throw new ConfigError(
          `master key file ${this.keyFile} has mode ${mode.toString(8).padStart(4, '0')}: other users can read it (it must be 0600)`,
          {
            code: 'secret.key_file_mode',
            hint: `chmod 600 ${this.keyFile}`,
          },
        );
      }
      this.key = parseKey(readFileSync(this.keyFile, 'utf8').trim(), `master key file ${this.keyFile}`);
    } else if (this.holdsSecrets()) {
      // A new key here would orphan every stored secret: say so instead.
      throw new ConfigError(
        `master key file ${this.keyFile} is missing, but the state file holds secrets encrypted under it`,
        {
          code: 'secret.key_file_missing',
          hint: `restore ${this.keyFile} from a backup (mode 0600) or set MLC_MASTER_KEY; if the key is lost, remove the secrets (mlc secret rm) and store them again`,
        },
      );
    } else {
      mkdirSync(dirname(this.keyFile), { recursive: true, mode: 0o700 });
      const key = randomBytes(32);
      writeFileSync(this.keyFile, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(this.keyFile, 0o600);
      this.key = key;
    }
    return this.key;
  }
}

/** Names the key check: no `.`, so no user secret can take it. */
const KEY_CHECK = '_key_check';

interface SecretRow {
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
  connection: string;
}

function decrypt(key: Buffer, row: SecretRow, aad: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, row.nonce);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(row.tag);
    return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** 64 hex characters, or standard base64 of exactly 32 bytes (44 characters ending in `=`). */
function parseKey(text: string, where: string): Buffer {
  const hex = /^[0-9a-fA-F]{64}$/.test(text);
  const b64 = /^[A-Za-z0-9+/]{43}=$/.test(text);
  if (!hex && !b64) {
    throw new ConfigError(
      `${where} is not a 256-bit key: expected 64 hex characters or 44 base64 characters, got ${text.length} characters${/^[0-9a-fA-F]+$/.test(text) ? ' of hex' : ''}`,
      {
        code: 'secret.bad_master_key',
        hint: 'create one with `openssl rand -hex 32`; a key that has been changed no longer opens the stored secrets',
      },
    );
  }
  registerSecret(text);
  return Buffer.from(text, hex ? 'hex' : 'base64');
}
