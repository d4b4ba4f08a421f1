import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { SIM_PAIR_SETTINGS, startSimulators, writeSimConfig } from '../commands/sim.js';
import type { FaultRule } from '../sim/common/server.js';
import type { StartedSim } from '../sim/registry.js';
import type { PairDescriptor, PassRun } from './types.js';

/** The repository root: this file is `src/faults/env.ts` or `dist/faults/env.js`. */
export const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/mlc.js');

/** A throw-away master key: the state file of a fault run lives only as long as the run. */
const MASTER_KEY = 'f'.repeat(64);

export type Role = 'source' | 'target';

/** A pair's simulators on 127.0.0.1 with an mlc.yaml and encrypted secrets in a temporary folder. */
export interface FaultEnv {
  pair: PairDescriptor;
  dir: string;
  config: string;
  home: string;
  env: NodeJS.ProcessEnv;
  sims: Record<string, StartedSim>;
  /** The credentials mlc is given (stored as secrets), per system: none may appear in output or state. */
  secrets: Record<string, string[]>;
  /** All of them. */
  canaries: string[];
  system(role: Role): string;
  control(system: string, method: string, route: string, body?: unknown): Promise<unknown>;
  addFaults(role: Role, rules: FaultRule[]): Promise<void>;
  clearFaults(): Promise<void>;
  editConfig(fn: (c: Record<string, unknown>) => void): void;
  /** Stops the simulators and removes the folder, unless `keep` (then the folder stays for a look). */
  close(keep?: boolean): Promise<void>;
}

export async function startFaultEnv(
  pair: PairDescriptor,
  options: { latencyMs: number; retry?: Record<string, number> },
): Promise<FaultEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-faults-'));
  const home = join(dir, '.mlc');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    MLC_MASTER_KEY: MASTER_KEY,
    MLC_HOME: home,
  };
  const started = await startSimulators({
    systems: [pair.source, pair.target],
    seed: pair.seed,
    latencyMs: options.latencyMs,
    odooVersion: 19,
  });
  const sims = Object.fromEntries(started.map((s) => [s.system, s]));
  const config = join(dir, 'mlc.yaml');
  writeSimConfig(config, started, env, {
    [pair.name]: { ...SIM_PAIR_SETTINGS[pair.name], ...pair.settings },
  });
  const editConfig = (fn: (c: Record<string, unknown>) => void): void => {
    const c = parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    fn(c);
    writeFileSync(config, stringify(c));
  };
  editConfig((c) => {
    for (const conn of Object.values(c.connections as Record<string, Record<string, unknown>>)) {
      conn.retry = options.retry ?? {
        attempts: 5,
        baseDelayMs: 20,
        maxDelayMs: 300,
        maxRetryAfterMs: 2000,
        maxTotalMs: 15_000,
      };
    }
    const p = (c.pairs as Record<string, Record<string, unknown>>)[pair.name];
    if (p) p.settleSeconds = 0;
  });
  const secrets = Object.fromEntries(
    started.map((s) => [s.system, Object.values(s.connection(s.system).secrets)]),
  );
  const canaries = Object.values(secrets).flat();
  const control = async (system: string, method: string, route: string, body?: unknown): Promise<unknown> => {
    const sim = sims[system];
    if (!sim) throw new Error(`no simulator ${system} in this run`);
    const res = await fetch(`${sim.running.url}/_sim/${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${system} /_sim/${route}: ${res.status} ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  const system = (role: Role): string => (role === 'source' ? pair.source : pair.target);
  const envp: FaultEnv = {
    pair,
    dir,
    config,
    home,
    env,
    sims,
    secrets,
    canaries,
    system,
    control,
    addFaults: async (role, rules) => {
      if (rules.length > 0) await control(system(role), 'POST', 'faults', { rules });
    },
    clearFaults: async () => {
      await Promise.all(started.map((s) => control(s.system, 'DELETE', 'faults')));
    },
    editConfig,
    close: async (keep = false) => {
      await Promise.allSettled(started.map((s) => s.running.close()));
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
  if (pair.prepare) await pair.prepare(envp);
  return envp;
}

export interface Spawned {
  child: ChildProcess;
  done: Promise<PassRun>;
  /** SIGKILLs the process if it still runs (its exit is then not judged); false if it had ended. */
  kill(): boolean;
}

/**
 * Runs the built CLI (`node bin/mlc.js --config … <args>`) as a child process. With `fileLimitBlocks`
 * the child runs under RLIMIT_FSIZE (`ulimit -f`, 512-byte blocks in POSIX sh) with SIGXFSZ ignored,
 * so a write past the limit fails with EFBIG as on a full disk instead of killing the process.
 */
export function spawnMlc(e: FaultEnv, args: string[], options: { fileLimitBlocks?: number } = {}): Spawned {
  const argv = [BIN, '--config', e.config, ...args];
  const child =
    options.fileLimitBlocks === undefined
      ? spawn(process.execPath, argv, { env: e.env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(
          '/bin/sh',
          [
            '-c',
            `trap '' XFSZ; ulimit -f ${options.fileLimitBlocks}; exec "$0" "$@"`,
            process.execPath,
            ...argv,
          ],
          { env: e.env, stdio: ['ignore', 'pipe', 'pipe'] },
        );
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  let killed = false;
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<PassRun>((resolveRun) => {
    // A hard bound: no pass of the matrix may run longer than this.
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolveRun({ args, code, signal, stdout, stderr, ms: Date.now() - started, killedByHarness: killed });
    });
  });
  return {
    child,
    done,
    kill: () => {
      // A pass that already ended on its own keeps its exit code, and is judged.
      if (child.exitCode !== null || child.signalCode !== null) return false;
      killed = true;
      return child.kill('SIGKILL');
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
