import { ConfigError } from './errors.js';
import { registerSecret } from './http/redact.js';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { prepareStatePath } from './config/paths.js';
import { DEFAULT_RETRY, type RetryOverrides } from './http/retry.js';
import { quietRetries } from './log.js';
import { SecretStore } from './secrets/store.js';
import { openDb, type Db } from './state/db.js';
import { StateStore } from './state/store.js';
import { loadedPair, PAIR_NAMES } from './pairs/registry.js';
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

export async function openRuntime(
  configPath: string,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Runtime> {
  const config = await loadConfig(configPath, env);
  prepareStatePath(config.statePath);
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
  const giveUp = giveUpBudget(
    rt.config.giveUpAfterSeconds * 1000,
    (conn.retry ?? ctx.retry) as RetryOverrides | undefined,
  );
  // The adapter hands `conn.retry` to the client: the bounded policy goes there.
  conn.retry = giveUp.policy;
  const client = adapter.connect(
    conn,
    {
      connection: name,
      ...ctx,
      log: quietRetries(ctx.log ?? rt.log),
      retry: giveUp.policy,
      onRequest: (info) => {
        giveUp.observe(info.status);
        ctx.onRequest?.(info);
      },
    },
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

/**
 * Bounds how long a connection keeps retrying a system that does not answer. Every request the
 * client sends is observed: a network failure, a 5xx or a 429 starts the clock (if it is not
 * running), any other answer stops it. The retry policy's `maxTotalMs` is read by the retry wrapper
 * when a call starts; here it is the part of the budget left, so the first call that meets the
 * outage may retry for the whole budget, and calls after it give up at their first failure.
 */
export function giveUpBudget(
  budgetMs: number,
  base: RetryOverrides | undefined,
  now: () => number = Date.now,
): { policy: RetryOverrides; observe(status: number | 'network'): void } {
  let failingSince: number | undefined;
  const cap = Math.min(budgetMs, base?.maxTotalMs ?? DEFAULT_RETRY.maxTotalMs);
  const policy: RetryOverrides = { ...base };
  Object.defineProperty(policy, 'maxTotalMs', {
    enumerable: true,
    get: () => (failingSince === undefined ? cap : Math.max(0, cap - (now() - failingSince))),
  });
  return {
    policy,
    observe: (status) => {
      const failing = status === 'network' || status === 429 || status >= 500;
      if (!failing) failingSince = undefined;
      else failingSince ??= now();
    },
  };
}

export function pairDefinition(name: string): PairDefinition {
  const def = loadedPair(name);
  if (!def)
    throw new ConfigError(`unknown pair "${name}"`, {
      code: 'config.unknown_pair',
      hint: `known pairs: ${PAIR_NAMES.join(', ')}`,
    });
  return def;
}

export interface OpenPair {
  def: PairDefinition;
  options: LoadedConfig['pairs'][string];
  runtime: PairRuntime;
  /**
   * Repeats, cheaply, the checks of `mlc ping` that each side's system offers as a preflight, and
   * refuses (ConfigError, exit 2) a configuration ping would refuse: a transform map that does not
   * coalesce would create a duplicate on every retry, so nothing is written through it.
   */
  preflight(): Promise<void>;
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
    preflight: async () => {
      const requirements = def.requirements(options as never);
      const refusals: string[] = [];
      for (const [side, reqs] of [
        [source, requirements.source],
        [target, requirements.target],
      ] as const) {
        const adapter = systemAdapter(side.system);
        if (!adapter.preflight) continue;
        for (const check of await adapter.preflight(side.client, reqs))
          refusals.push(`${side.name}: ${check.name}: ${check.detail}`);
      }
      if (refusals.length > 0)
        throw new ConfigError(
          `${name}: mlc ping refuses this configuration, so nothing is written: ${refusals.join('; ')}`,
          {
            code: 'preflight.refused',
            hint: 'run `mlc ping` for the full report, fix the other side (see docs/setup/), then run again',
          },
        );
    },
    close: async () => {
      await Promise.allSettled([source.close(), target.close()]);
    },
  };
}
