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
    const connection = SecretStore.connectionOf(name);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey(), nonce);
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
    registerSecret(value);
  }

  /** Decrypts a secret; `connection` is the connection that references it (the associated data). */
  get(name: string, connection = SecretStore.connectionOf(name)): string {
    const row = this.db.prepare('SELECT * FROM secrets WHERE name = ?').get(name) as
      { nonce: Buffer; ciphertext: Buffer; tag: Buffer; connection: string } | undefined;
    if (!row) {
      throw new ConfigError(`secret "${name}" is not in the store`, {
        code: 'secret.missing',
        hint: `store it: printf %s "$VALUE" | mlc secret set ${name}`,
      });
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.masterKey(), row.nonce);
      decipher.setAAD(Buffer.from(connection, 'utf8'));
      decipher.setAuthTag(row.tag);
      const value = Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
      registerSecret(value);
      return value;
    } catch {
      throw new AuthError(
        `secret "${name}" failed its integrity check: it was tampered with, encrypted under another master key, or is referenced from connection "${connection}" instead of "${row.connection}"`,
        {
          code: 'secret.tampered',
          hint: `check MLC_MASTER_KEY / the key file, then store the value again: printf %s "$VALUE" | mlc secret set ${name}`,
        },
      );
    }
  }

  has(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM secrets WHERE name = ?').get(name) !== undefined;
  }

  list(): Array<{ name: string; connection: string; updatedAt: string }> {
    return (
      this.db.prepare('SELECT name, connection, updated_at FROM secrets ORDER BY name').all() as Array<{
        name: string;
        connection: string;
        updated_at: string;
      }>
    ).map((r) => ({ name: r.name, connection: r.connection, updatedAt: r.updated_at }));
  }

  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM secrets WHERE name = ?').run(name).changes > 0;
  }

  private masterKey(): Buffer {
    if (this.key) return this.key;
    const fromEnv = this.env.MLC_MASTER_KEY;
    if (fromEnv !== undefined && fromEnv !== '') {
      this.key = parseKey(fromEnv, 'MLC_MASTER_KEY');
    } else if (existsSync(this.keyFile)) {
      const mode = statSync(this.keyFile).mode & 0o077;
      if (mode !== 0) {
        throw new ConfigError(`master key file ${this.keyFile} is readable by others`, {
          code: 'secret.key_file_mode',
          hint: `chmod 600 ${this.keyFile}`,
        });
      }
      this.key = parseKey(readFileSync(this.keyFile, 'utf8').trim(), this.keyFile);
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

function parseKey(text: string, where: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(`${where} is not a 256-bit key`, {
      code: 'secret.bad_master_key',
      hint: 'use 64 hex characters (e.g. from `openssl rand -hex 32`) or base64 of 32 bytes',
    });
  }
  registerSecret(text);
  return key;
}
