import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import { ConfigError, InternalError } from '../errors.js';
import { EXIT } from '../exit.js';
import { createLogger } from '../log.js';
import { loadPairs } from '../pairs/registry.js';
import type { DemoKit, DemoReceiver, PairDefinition } from '../pairs/types.js';
import type { StartedSim } from '../sim/registry.js';
import type { EventsResult } from '../sync/events.js';
import { connect, openRuntime, type Runtime } from '../runtime.js';
import { runAuditList, type AuditEntry } from './audit.js';
import { runReplay } from './replay.js';
import { runServe } from './serve.js';
import { choices } from './usage.js';
import { startSimulators, writeSimConfig } from './sim.js';
import { runSync, type SyncResult } from './sync.js';
import type { FlowStats } from '../sync/types.js';

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
    sayFlows(o.flows, say);
  }
}

function sayFlows(flows: FlowStats[], say: (line: string) => void): void {
  for (const f of flows) {
    say(
      `   ${f.flow.padEnd(28)} read ${String(f.read).padStart(3)}  written ${String(f.written).padStart(3)}  unchanged ${String(f.unchanged).padStart(3)}  skipped ${String(f.skipped).padStart(2)}  failed ${f.failed}${f.alreadyHandled ? `  (${f.alreadyHandled} re-read in the overlap window, already handled)` : ''}${f.status === 'stopped' ? `  stopped: ${String(f.error?.message)}` : ''}`,
    );
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
    // A pair that receives webhooks gets a receiver block and a fresh signing key in the secret store.
    const serve = def.webhooks
      ? { serve: { host: '127.0.0.1', port: 0, hmacKey: `secret:${webhookKeyName(def)}` } }
      : {};
    writeSimConfig(file, sims, env, { [pair]: { ...def.simSettings, ...serve } });
    say(
      chalk.bold(
        `mlc demo: ${pair} on the built-in simulators (${sims.map((s) => `${s.system} ${s.running.url}`).join(', ')})`,
      ),
    );
    const rt = await openRuntime(file, createLogger({ verbose: options.verbose, json: false }, io.err), env);
    const hmacKey = randomBytes(24).toString('hex');
    if (def.webhooks) rt.secrets.set(webhookKeyName(def), hmacKey);
    const { kit, dispose } = demoKit(rt, pair, say, sims, hmacKey);
    try {
      const ok = await script.play(kit);
      if (options.json) io.out(`${JSON.stringify({ ok, story: story.map(stripAnsi) }, null, 2)}\n`);
      return { exitCode: ok ? EXIT.ok : EXIT.internal, story: story.map(stripAnsi) };
    } finally {
      await dispose();
      rt.close();
    }
  } finally {
    await Promise.allSettled(sims.map((s) => s.running.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The secret holding the demo receiver's signing key, under the source connection's name. */
function webhookKeyName(def: PairDefinition): string {
  return `${def.systems.source}.webhook_key`;
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

/**
 * The demo kit of a pair on its throw-away config: mlc's own commands, and ways to tell the story.
 * `dispose` closes what the story left running (receivers).
 */
function demoKit(
  rt: Runtime,
  pair: string,
  say: (line: string) => void,
  sims: StartedSim[],
  hmacKey: string,
): { kit: DemoKit; dispose(): Promise<void> } {
  const open = new Set<() => Promise<void>>();
  const kit: DemoKit = {
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
    simControl: (system, route, body) => simControl(sims, system, route, body),
    async serve() {
      const receiver = await startDemoReceiver(rt, pair, hmacKey);
      open.add(receiver.close);
      return {
        ...receiver,
        close: async () => {
          open.delete(receiver.close);
          await receiver.close();
        },
      };
    },
    sayEvents: (result) => {
      sayFlows(result.flows, say);
      if (result.pending || result.failed)
        say(`   events left for later: ${result.pending}, given up on: ${result.failed}`);
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
  return {
    kit,
    dispose: async () => {
      await Promise.allSettled([...open].map((close) => close()));
    },
  };
}

async function simControl(
  sims: StartedSim[],
  system: string,
  route: string,
  body: unknown,
): Promise<unknown> {
  const sim = sims.find((s) => s.system === system);
  if (!sim) throw new InternalError(`the demo runs no ${system} simulator`, { code: 'demo.no_simulator' });
  const res = await fetch(`${sim.running.url}/_sim/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const text = await res.text();
  if (!res.ok)
    throw new InternalError(`${system} simulator: /_sim/${route} answered ${res.status}: ${text}`, {
      code: 'demo.sim_control',
    });
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** `mlc serve <pair>` in-process on 127.0.0.1 and a free port, with a way to wait for its events. */
async function startDemoReceiver(rt: Runtime, pair: string, hmacKey: string): Promise<DemoReceiver> {
  const handle = await runServe(rt, pair, { host: '127.0.0.1', port: 0 });
  let reported = 0;
  return {
    url: handle.receiver.url,
    hmacKey,
    async settled(count) {
      const end = Date.now() + 10_000;
      while (handle.stored < count) {
        if (Date.now() > end)
          throw new InternalError(`the receiver stored ${handle.stored} of ${count} events in 10 s`, {
            code: 'demo.webhook_timeout',
          });
        await new Promise((r) => setTimeout(r, 50));
      }
      await handle.drain();
      const runs = handle.handled.slice(reported);
      reported = handle.handled.length;
      const result: EventsResult = { events: 0, flows: [], pending: 0, failed: 0 };
      for (const r of runs) {
        result.events += r.events;
        result.flows.push(...r.flows);
        result.failed += r.failed;
      }
      result.pending = rt.store.pendingEvents(pair).length;
      return result;
    },
    close: () => handle.close(),
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
