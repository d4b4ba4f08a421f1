import { writeFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError } from '../errors.js';
import { loadPairs } from '../pairs/registry.js';

/** `mlc sim` and `mlc demo` serve every pair. */
const PAIRS = await loadPairs();
import { SIMULATORS, type StartedSim } from '../sim/registry.js';
import { homeDir } from '../config/load.js';
import { prepareStatePath } from '../config/paths.js';
import { SecretStore } from '../secrets/store.js';
import { openDb } from '../state/db.js';
import { checkWritable } from './files.js';
import { openSecretStore } from './secret.js';

export interface SimCommandOptions {
  systems: string[];
  seed: string;
  latencyMs: number;
  port?: number;
  odooVersion: number;
  writeConfig?: string;
  /** Overwrite an existing file named by `writeConfig`. */
  force?: boolean;
  /** ServiceNow without the S2P staging tables and maps (what `mlc setup servicenow` creates). */
  withoutStaging?: boolean;
  json: boolean;
  /** Resolves when the simulators should stop (default: SIGINT or SIGTERM). */
  until?: Promise<void>;
  /** Called once the simulators run (and the config is written). */
  onReady?: (info: SimInfo) => void;
}

export interface SimInfo {
  simulators: Array<{ system: string; url: string; control: string; credentials: Record<string, unknown> }>;
  config: string | null;
  state: string | null;
}

interface SimIo {
  out: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export async function startSimulators(
  options: Pick<
    SimCommandOptions,
    'systems' | 'seed' | 'latencyMs' | 'port' | 'odooVersion' | 'withoutStaging'
  >,
): Promise<StartedSim[]> {
  for (const s of options.systems) {
    if (!SIMULATORS[s])
      throw new ConfigError(`no simulator for "${s}"`, {
        code: 'usage.sim_system',
        hint: `available: ${Object.keys(SIMULATORS).join(', ')}`,
      });
  }
  if (!/^(demo|empty|volume:\d+)$/.test(options.seed)) {
    throw new ConfigError(`unknown seed "${options.seed}"`, {
      code: 'usage.sim_seed',
      hint: 'use demo, empty or volume:N',
    });
  }
  const started: StartedSim[] = [];
  try {
    for (const [i, s] of options.systems.entries()) {
      started.push(
        await SIMULATORS[s]!({
          seed: s === 'servicenow' && options.withoutStaging ? `${options.seed}+bare` : options.seed,
          latencyMs: options.latencyMs,
          port: options.port === undefined ? undefined : options.port + i,
          odooVersion: options.odooVersion,
        }),
      );
    }
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.running.close()));
    throw err;
  }
  return started;
}

/** Each pair's options that fit the simulators' demo seeds (declared by the pair itself). */
export const SIM_PAIR_SETTINGS: Readonly<Record<string, Record<string, unknown>>> = Object.fromEntries(
  PAIRS.map((p) => [p.name, p.simSettings ?? {}]),
);

/**
 * Writes an mlc.yaml that points at running simulators: connections named after their systems, every
 * pair whose two systems are running, credentials stored in the encrypted store next to the file.
 */
export function writeSimConfig(
  file: string,
  sims: StartedSim[],
  env: NodeJS.ProcessEnv,
  extra: Record<string, Record<string, unknown>> = {},
  own: { state?: string } = {},
): void {
  const connections: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const sim of sims) {
    const c = sim.connection(sim.system);
    connections[sim.system] = c.config;
    Object.assign(secrets, c.secrets);
  }
  const pairs: Record<string, unknown> = {};
  for (const def of PAIRS) {
    if (connections[def.systems.source] && connections[def.systems.target]) {
      pairs[def.name] = { source: def.systems.source, target: def.systems.target, ...extra[def.name] };
    }
  }
  const path = resolve(file);
  const text = `# Written by mlc sim for the simulators on 127.0.0.1. Credentials are in the encrypted store${own.state ? ' of the state file below, which holds only simulator credentials' : ''}.\n${stringify({ ...(own.state ? { state: own.state } : {}), connections, pairs })}`;
  if (!own.state) {
    writeFileSync(path, text, { mode: 0o600 });
    const { store, close } = openSecretStore(path, env);
    try {
      for (const [name, value] of Object.entries(secrets)) store.set(name, value);
    } finally {
      close();
    }
    return;
  }
  // The simulators' own store, opened by its path (never through the file being replaced, whose
  // `state:` may name the store of real connections), checked before anything is written.
  const statePath = resolve(dirname(path), own.state);
  prepareStatePath(statePath);
  const db = openDb(statePath);
  try {
    const store = new SecretStore(db, resolve(homeDir(path, env), 'master.key'), env);
    refuseForeignSecrets(store.list(), secrets, statePath);
    writeFileSync(path, text, { mode: 0o600 });
    for (const [name, value] of Object.entries(secrets)) store.set(name, value);
  } finally {
    db.close();
  }
}

/**
 * The state file a simulator config gets: its own, next to the config (`mlc.yaml` ->
 * `mlc.sim-state.sqlite`), so simulator credentials never land in the store of real connections.
 */
export function simStateFile(configFile: string): string {
  const name = basename(configFile, extname(configFile));
  return `${name}.sim-state.sqlite`;
}

/** Refuses a state file that holds secrets the simulators did not write (real credentials). */
function refuseForeignSecrets(
  stored: Array<{ name: string }>,
  simSecrets: Record<string, string>,
  statePath: string,
): void {
  const foreign = stored.map((s) => s.name).filter((n) => !(n in simSecrets));
  if (foreign.length > 0) {
    throw new ConfigError(
      `${statePath} holds secrets the simulators did not write (${foreign.join(', ')}); simulator credentials are not written next to them`,
      {
        code: 'usage.sim_state_foreign',
        hint: 'write the simulator config under another name (mlc sim --write-config sim.yaml)',
      },
    );
  }
}

/** `mlc sim`: runs until SIGINT/SIGTERM (or `options.until`). */
export async function runSim(options: SimCommandOptions, io: SimIo): Promise<void> {
  if (options.writeConfig) checkWritable(options.writeConfig, Boolean(options.force));
  const sims = await startSimulators(options);
  let state: string | null = null;
  try {
    if (options.writeConfig) {
      const own = simStateFile(options.writeConfig);
      writeSimConfig(options.writeConfig, sims, io.env, SIM_PAIR_SETTINGS, { state: own });
      state = resolve(dirname(resolve(options.writeConfig)), own);
    }
  } catch (err) {
    await Promise.allSettled(sims.map((s) => s.running.close()));
    throw err;
  }
  const info: SimInfo = {
    simulators: sims.map((s) => ({
      system: s.system,
      url: s.running.url,
      control: `${s.running.url}/_sim/`,
      credentials: s.credentials,
    })),
    config: options.writeConfig ? resolve(options.writeConfig) : null,
    state,
  };
  if (options.onReady) options.onReady(info);
  else if (options.json) io.out(`${JSON.stringify(info)}\n`);
  else {
    for (const s of info.simulators) {
      io.out(`${s.system.padEnd(11)} ${s.url}   control: ${s.control}\n`);
      for (const [k, v] of Object.entries(s.credentials)) io.out(`            ${k}: ${String(v)}\n`);
    }
    if (options.writeConfig)
      io.out(
        `wrote ${info.config} (simulator credentials in ${state}); try: mlc --config ${options.writeConfig} ping\n`,
      );
    io.out('simulators running on 127.0.0.1; Ctrl-C stops them\n');
  }
  await (options.until ??
    new Promise<void>((done) => {
      const stop = (): void => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }));
  await Promise.allSettled(sims.map((s) => s.running.close()));
}
