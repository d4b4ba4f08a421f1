import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import { ConfigError } from '../errors.js';
import { EXIT } from '../exit.js';
import { createLogger } from '../log.js';
import { loadPairs } from '../pairs/registry.js';
import type { DemoKit } from '../pairs/types.js';
import { connect, openRuntime, type Runtime } from '../runtime.js';
import { runAuditList, type AuditEntry } from './audit.js';
import { runReplay } from './replay.js';
import { choices } from './usage.js';
import { startSimulators, writeSimConfig } from './sim.js';
import { runSync, type SyncResult } from './sync.js';

interface DemoIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

function totals(result: SyncResult): { read: number; written: number; unchanged: number; failed: number } {
  const t = { read: 0, written: 0, unchanged: 0, failed: 0 };
  for (const o of result.outcomes) {
    if (o.kind !== 'pass') continue;
    for (const f of o.flows) {
      t.read += f.read;
      t.written += f.written;
      t.unchanged += f.unchanged;
      t.failed += f.failed;
    }
  }
  return t;
}

function sayPass(result: SyncResult, say: (line: string) => void): void {
  for (const o of result.outcomes) {
    if (o.kind !== 'pass') {
      say(`   ${o.kind}: ${'message' in o ? o.message : JSON.stringify(o.error)}`);
      continue;
    }
    for (const f of o.flows) {
      say(
        `   ${f.flow.padEnd(28)} read ${String(f.read).padStart(3)}  written ${String(f.written).padStart(3)}  unchanged ${String(f.unchanged).padStart(3)}  skipped ${String(f.skipped).padStart(2)}  failed ${f.failed}${f.alreadyHandled ? `  (${f.alreadyHandled} re-read in the overlap window, already handled)` : ''}`,
      );
    }
  }
}

/**
 * `mlc demo [pair]`: starts the simulators in-process with the demo seed, writes a throw-away config
 * and state in a temporary folder, runs the pair twice, shows a failure on a missing dimension, fixes
 * it the way an admin would, replays, and prints the audit trail.
 */
export async function runDemo(
  pair: string,
  options: { json: boolean; verbose: boolean; quiet?: boolean },
  io: DemoIo,
): Promise<{ exitCode: number; story: string[] }> {
  const pairs = await loadPairs();
  const def = pairs.find((p) => p.name === pair);
  const script = def?.demo;
  if (!script)
    throw new ConfigError(`no demo for pair "${pair}"`, {
      code: 'usage.demo',
      hint: choices(
        'available',
        pair,
        pairs.filter((p) => p.demo).map((p) => p.name),
      ),
    });
  const dir = mkdtempSync(join(tmpdir(), 'mlc-demo-'));
  const env: NodeJS.ProcessEnv = {
    ...io.env,
    MLC_MASTER_KEY: randomBytes(32).toString('hex'),
    MLC_HOME: join(dir, '.mlc'),
  };
  const sims = await startSimulators({
    systems: script.systems,
    seed: 'demo',
    latencyMs: 0,
    odooVersion: 19,
  });
  const story: string[] = [];
  const say = (line: string): void => {
    story.push(line);
    if (!options.json && !options.quiet) io.out(`${line}\n`);
  };
  try {
    const file = join(dir, 'mlc.yaml');
    writeSimConfig(file, sims, env, { [pair]: def.simSettings ?? {} });
    say(
      chalk.bold(
        `mlc demo: ${pair} on the built-in simulators (${sims.map((s) => `${s.system} ${s.running.url}`).join(', ')})`,
      ),
    );
    const rt = await openRuntime(file, createLogger({ verbose: options.verbose, json: false }, io.err), env);
    try {
      const ok = await script.play(demoKit(rt, pair, say));
      if (options.json) io.out(`${JSON.stringify({ ok, story: story.map(stripAnsi) }, null, 2)}\n`);
      return { exitCode: ok ? EXIT.ok : EXIT.internal, story: story.map(stripAnsi) };
    } finally {
      rt.close();
    }
  } finally {
    await Promise.allSettled(sims.map((s) => s.running.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

/** The demo kit of a pair on its throw-away config: mlc's own commands, and ways to tell the story. */
function demoKit(rt: Runtime, pair: string, say: (line: string) => void): DemoKit {
  return {
    pair,
    say,
    sync: (o = {}) => runSync(rt, { pairs: [pair], dryRun: false, full: Boolean(o.full), flows: o.flows }),
    sayPass: (result) => sayPass(result, say),
    written: (result) => totals(result).written,
    audit: (filter = {}) => runAuditList(rt, { pair, limit: 100, ...filter }),
    replayTwice: (id) => sayReplayTwice(rt, id, say),
    trail: (entry) => sayTrail(rt, entry, say),
    connect: <C>(connection: string) => {
      const c = connect(rt, connection);
      return { client: c.client as C, close: c.close };
    },
    finish(ok, tryIt) {
      say('');
      say(
        ok
          ? chalk.green('The demo ran as described.')
          : chalk.red('The demo did not run as described; see above.'),
      );
      say(`Try it yourself: ${tryIt}`);
      return ok;
    },
  };
}

/** The audit entries of one record, oldest first: what happened to it, pass by pass and replay. */
function sayTrail(rt: Runtime, record: AuditEntry, say: (line: string) => void): void {
  const trail = runAuditList(rt, {
    pair: record.pair,
    flow: record.flow,
    sourceId: record.sourceId,
    limit: 20,
  }).reverse();
  for (const e of trail) {
    const what = e.message ?? (e.targetId ? `target ${e.targetId}` : '');
    const replay = e.replayOf ? ` (replay of ${e.replayOf})` : '';
    say(`   ${String(e.id).padStart(4)} ${e.time.slice(11, 19)} ${e.outcome.padEnd(9)} ${what}${replay}`);
  }
}

/** Replays one audited record, then once more to show the second changes nothing. */
async function sayReplayTwice(
  rt: Runtime,
  id: number,
  say: (line: string) => void,
): Promise<Awaited<ReturnType<typeof runReplay>>> {
  const replay = await runReplay(rt, { ids: [id], failed: false, dryRun: false });
  for (const o of replay.outcomes) {
    const result = o.result === 'written' ? chalk.green(o.result) : chalk.red(o.result);
    const audit = o.newAuditId ? ` (audit ${o.newAuditId})` : '';
    say(`   ${result} ${o.label}${audit}${o.message ? `: ${o.message}` : ''}`);
  }
  const again = await runReplay(rt, { ids: [id], failed: false, dryRun: false });
  say(
    `   replayed once more: ${again.outcomes.map((o) => o.result).join(', ')} (the target already holds it; no duplicate)`,
  );
  return replay;
}
