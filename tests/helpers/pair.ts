import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { startSimulators, writeSimConfig } from '../../src/commands/sim.js';
import type { StartedSim } from '../../src/sim/registry.js';
import { runCli, type CliRun } from './cli.js';
import { tempDir, TEST_MASTER_KEY } from './tmp.js';

export interface PairEnv {
  dir: string;
  config: string;
  env: NodeJS.ProcessEnv;
  sims: Record<string, StartedSim>;
  /** Runs the real CLI in-process against this environment. */
  cli(...args: string[]): Promise<CliRun>;
  /** Runs `node bin/mlc.js …` (the built CLI) in a child process. */
  spawnCli(args: string[]): ChildProcess;
  /** POST/GET/DELETE on a simulator's /_sim/ control API. */
  control(system: string, method: string, route: string, body?: unknown): Promise<unknown>;
  /** Edits mlc.yaml. */
  editConfig(fn: (c: Record<string, any>) => void): void;
  close(): Promise<void>;
}

export const ROOT = resolve(import.meta.dirname ?? '.', '../..');

/**
 * Starts the simulators of a pair on 127.0.0.1, writes an mlc.yaml for them in a temp folder (with
 * quick retries for tests), and gives a CLI bound to it.
 */
export async function startPairEnv(options: {
  systems: string[];
  seed?: string;
  latencyMs?: number;
  odooVersion?: number;
  pairOptions?: Record<string, Record<string, unknown>>;
}): Promise<PairEnv> {
  const tmp = tempDir('mlc-e2e-');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: tmp.dir,
    MLC_MASTER_KEY: TEST_MASTER_KEY,
    MLC_HOME: join(tmp.dir, '.mlc'),
  };
  const started = await startSimulators({
    systems: options.systems,
    seed: options.seed ?? 'demo',
    latencyMs: options.latencyMs ?? 0,
    odooVersion: options.odooVersion ?? 19,
  });
  const sims = Object.fromEntries(started.map((s) => [s.system, s]));
  const config = join(tmp.dir, 'mlc.yaml');
  writeSimConfig(config, started, env, options.pairOptions ?? {});
  const editConfig = (fn: (c: Record<string, any>) => void): void => {
    const c = parse(readFileSync(config, 'utf8')) as Record<string, any>;
    fn(c);
    writeFileSync(config, stringify(c));
  };
  editConfig((c) => {
    for (const conn of Object.values(c.connections as Record<string, any>)) {
      conn.retry = {
        attempts: 5,
        baseDelayMs: 10,
        maxDelayMs: 200,
        maxRetryAfterMs: 2000,
        maxTotalMs: 20_000,
      };
    }
    for (const pair of Object.values((c.pairs ?? {}) as Record<string, any>)) {
      pair.settleSeconds = 0;
    }
  });
  return {
    dir: tmp.dir,
    config,
    env,
    sims,
    editConfig,
    cli: (...args) => runCli(['--config', config, ...args], env),
    spawnCli: (args) =>
      spawn(process.execPath, [join(ROOT, 'bin/mlc.js'), '--config', config, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    control: async (system, method, route, body) => {
      const sim = sims[system];
      if (!sim) throw new Error(`no simulator ${system}`);
      const res = await fetch(`${sim.running.url}/_sim/${route}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`/_sim/${route}: ${res.status} ${text}`);
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
    close: async () => {
      await Promise.allSettled(started.map((s) => s.running.close()));
      tmp.cleanup();
    },
  };
}

/** Rows of a ServiceNow simulator table, read over the Table API as the integration user would. */
export async function snRows(
  envp: PairEnv,
  table: string,
  query = '',
): Promise<Array<Record<string, string>>> {
  const sim = envp.sims.servicenow;
  if (!sim) throw new Error('no ServiceNow simulator in this environment');
  const { username, password } = sim.credentials as { username: string; password: string };
  const url = `${sim.running.url}/api/now/table/${table}?sysparm_limit=10000&sysparm_exclude_reference_link=true&sysparm_query=${encodeURIComponent(query)}`;
  const res = await fetch(url, {
    headers: {
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    },
  });
  if (!res.ok) throw new Error(`${table}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { result: Array<Record<string, string>> }).result;
}

/** Waits until the wall clock has moved into the next whole second (windows end on whole seconds). */
/** An ORM call on the Odoo simulator (its `/_sim/exec` control): what a person in Odoo would do. */
export async function odooExec(
  e: PairEnv,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
): Promise<any> {
  const answer = (await e.control('odoo', 'POST', 'exec', { model, method, args, kwargs })) as {
    result: unknown;
  };
  return answer.result;
}

export async function nextSecond(): Promise<void> {
  const ms = 1000 - (Date.now() % 1000) + 50;
  await new Promise((r) => setTimeout(r, ms));
}

/** Collects a child's output and exit. */
export function finished(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolveExit) =>
    child.on('exit', (code, signal) => resolveExit({ code, signal, stdout, stderr })),
  );
}
