import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError } from '../errors.js';
import { PAIRS } from '../pairs/registry.js';
import { SIMULATORS, type StartedSim } from '../sim/registry.js';
import { openSecretStore } from './secret.js';

export interface SimCommandOptions {
  systems: string[];
  seed: string;
  latencyMs: number;
  port?: number;
  odooVersion: number;
  writeConfig?: string;
  json: boolean;
}

interface SimIo {
  out: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export async function startSimulators(
  options: Omit<SimCommandOptions, 'json' | 'writeConfig'>,
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
          seed: options.seed,
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
  writeFileSync(
    path,
    `# Written by mlc sim for the simulators on 127.0.0.1. Credentials are in the encrypted store.\n${stringify({ connections, pairs })}`,
    { mode: 0o600 },
  );
  const { store, close } = openSecretStore(path, env);
  try {
    for (const [name, value] of Object.entries(secrets)) store.set(name, value);
  } finally {
    close();
  }
}

/** `mlc sim`: runs until SIGINT/SIGTERM. */
export async function runSim(options: SimCommandOptions, io: SimIo): Promise<void> {
  const sims = await startSimulators(options);
  if (options.writeConfig) writeSimConfig(options.writeConfig, sims, io.env, SIM_PAIR_SETTINGS);
  const info = sims.map((s) => ({
    system: s.system,
    url: s.running.url,
    control: `${s.running.url}/_sim/`,
    credentials: s.credentials,
  }));
  if (options.json) io.out(`${JSON.stringify({ simulators: info, config: options.writeConfig ?? null })}\n`);
  else {
    for (const s of info) {
      io.out(`${s.system.padEnd(11)} ${s.url}   control: ${s.control}\n`);
      for (const [k, v] of Object.entries(s.credentials)) io.out(`            ${k}: ${String(v)}\n`);
    }
    if (options.writeConfig)
      io.out(`wrote ${resolve(options.writeConfig)}; try: mlc --config ${options.writeConfig} ping\n`);
    io.out('simulators running on 127.0.0.1; Ctrl-C stops them\n');
  }
  await new Promise<void>((done) => {
    const stop = (): void => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await Promise.allSettled(sims.map((s) => s.running.close()));
}
