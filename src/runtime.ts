import { ConfigError } from './errors.js';
import { registerSecret } from './http/redact.js';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { SecretStore } from './secrets/store.js';
import { openDb, type Db } from './state/db.js';
import { StateStore } from './state/store.js';
import { PAIRS } from './pairs/registry.js';
import type { PairDefinition, PairRuntime } from './pairs/types.js';
import { systemAdapter } from './systems/registry.js';
import type { ClientContext, Logger } from './systems/types.js';

/** What every command that touches state needs: the config, the state file, the secret store. */
export interface Runtime {
  config: LoadedConfig;
  db: Db;
  store: StateStore;
  secrets: SecretStore;
  log: Logger;
  env: NodeJS.ProcessEnv;
  close(): void;
}

export function openRuntime(configPath: string, log: Logger, env: NodeJS.ProcessEnv = process.env): Runtime {
  const config = loadConfig(configPath, env);
  const db = openDb(config.statePath);
  return {
    config,
    db,
    store: new StateStore(db),
    secrets: new SecretStore(db, config.keyFile, env),
    log,
    env,
    close: () => db.close(),
  };
}

/** A connection's config with every `secret:` reference decrypted (bound to this connection). */
export function resolveConnection(rt: Runtime, name: string): Record<string, unknown> {
  const conn = rt.config.connections[name];
  if (!conn)
    throw new ConfigError(`no connection named "${name}" in ${rt.config.file}`, {
      code: 'config.unknown_connection',
      hint: `defined: ${Object.keys(rt.config.connections).join(', ')}`,
    });
  const adapter = systemAdapter(conn.system);
  const resolved = structuredClone(conn) as Record<string, unknown>;
  for (const field of adapter.secretFields) {
    const path = field.split('.');
    const parent = path
      .slice(0, -1)
      .reduce<Record<string, unknown> | undefined>(
        (o, k) => o?.[k] as Record<string, unknown> | undefined,
        resolved,
      );
    const key = path.at(-1) as string;
    const value = parent?.[key];
    if (typeof value !== 'string') continue;
    if (value.startsWith('secret:')) parent![key] = rt.secrets.get(value.slice('secret:'.length), name);
    else registerSecret(value);
  }
  return resolved;
}

export interface ConnectedClient {
  name: string;
  system: string;
  url: string;
  client: unknown;
  close(): Promise<void>;
}

export function connect(rt: Runtime, name: string, ctx: Partial<ClientContext> = {}): ConnectedClient {
  const conn = resolveConnection(rt, name);
  const system = String(conn.system);
  const adapter = systemAdapter(system);
  const client = adapter.connect(
    conn,
    { connection: name, log: rt.log, ...ctx },
    {
      rotating: {
        load: async (what) =>
          rt.secrets.has(`${name}.${what}`) ? rt.secrets.get(`${name}.${what}`, name) : undefined,
        save: async (what, value) => rt.secrets.set(`${name}.${what}`, value),
      },
    },
  );
  return { name, system, url: String(conn.url), client, close: () => adapter.close(client) };
}

export function pairDefinition(name: string): PairDefinition {
  const def = PAIRS.find((p) => p.name === name);
  if (!def)
    throw new ConfigError(`unknown pair "${name}"`, {
      code: 'config.unknown_pair',
      hint: `known pairs: ${PAIRS.map((p) => p.name).join(', ')}`,
    });
  return def;
}

export interface OpenPair {
  def: PairDefinition;
  options: LoadedConfig['pairs'][string];
  runtime: PairRuntime;
  close(): Promise<void>;
}

/** Connects both sides of a configured pair and builds its flows. */
export function openPair(rt: Runtime, name: string, ctx: Partial<ClientContext> = {}): OpenPair {
  const options = rt.config.pairs[name];
  if (!options) {
    throw new ConfigError(`pair "${name}" is not configured in ${rt.config.file}`, {
      code: 'config.pair_not_configured',
      hint: `configured: ${Object.keys(rt.config.pairs).join(', ') || '(none)'}; add pairs.${name} with type:, source: and target: (see config.example.yaml)`,
    });
  }
  const def = pairDefinition(options.type);
  const source = connect(rt, options.source, ctx);
  const target = connect(rt, options.target, ctx);
  const runtime = def.build({
    name,
    options: options as never,
    source: source.client,
    target: target.client,
    store: rt.store,
    log: rt.log,
  });
  return {
    def,
    options,
    runtime,
    close: async () => {
      await Promise.allSettled([source.close(), target.close()]);
    },
  };
}
