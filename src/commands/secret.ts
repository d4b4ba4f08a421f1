import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { homeDir } from '../config/load.js';
import { prepareStatePath } from '../config/paths.js';
import { SecretStore } from '../secrets/store.js';
import { openDb } from '../state/db.js';

/**
 * Opens the secret store: the state file and key file of the config when there is one, else the
 * defaults next to where the config would be (so secrets can be stored before the config is written).
 */
export function openSecretStore(
  configPath: string,
  env: NodeJS.ProcessEnv = process.env,
): { store: SecretStore; close(): void; statePath: string } {
  // Only `state:` is read here, without validating the rest: a config refused for a plaintext
  // credential must not stop the user from storing that credential.
  const home = homeDir(configPath, env);
  let statePath = resolve(home, 'state.sqlite');
  const keyFile = resolve(home, 'master.key');
  if (existsSync(configPath)) {
    try {
      const state = (parse(readFileSync(configPath, 'utf8')) as { state?: unknown } | null)?.state;
      if (typeof state === 'string' && state !== '') statePath = resolve(dirname(resolve(configPath)), state);
    } catch {
      // An unreadable config leaves the default location.
    }
  }
  prepareStatePath(statePath);
  const db = openDb(statePath);
  return { store: new SecretStore(db, keyFile, env), close: () => db.close(), statePath };
}

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  // One trailing newline (from echo or a heredoc) is not part of the value.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
