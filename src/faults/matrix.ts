import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, spawnMlc, startFaultEnv } from './env.js';
import { findSecrets, judge } from './oracle.js';
import { BASELINE, type RunCtx, type Scenario } from './scenarios.js';
import { SYSTEM_FAULTS } from './systems.js';
import type { CellResult, PairDescriptor, PassRun, RunResult } from './types.js';

export interface MatrixOptions {
  pairs: PairDescriptor[];
  scenarios: Scenario[];
  /** The `npm test` subset: each scenario's `quickRuns` (scenarios without it are left out). */
  quick: boolean;
  /** Seed of every random choice (delays, skips, limits): a run can be repeated exactly. */
  seed: number;
  /** Overrides every scenario's run count. */
  runs?: number;
  /** Keeps the folder of every run that found something (config, state file, both oracles' views). */
  keep?: boolean;
  /** Progress lines (stderr by default in `npm run faults`). */
  log?: (line: string) => void;
}

/** Thrown by `ctx.unsupported`: the cell cannot run on these simulators. */
class Unsupported extends Error {}

interface Calibration {
  passMs: number;
  stateBytes: number;
}

/** Each non-pending scenario × pair, the baseline first: one cell each, runs in sequence. */
export async function runMatrix(o: MatrixOptions): Promise<CellResult[]> {
  const cells: CellResult[] = [];
  const calibration = new Map<string, Calibration>();
  const selected = [BASELINE, ...o.scenarios.filter((s) => s !== BASELINE)];
  for (const scenario of selected) {
    for (const pair of o.pairs) {
      const runs = scenario.pending ? 0 : (o.runs ?? (o.quick ? (scenario.quickRuns ?? 0) : scenario.runs));
      const cell: CellResult = {
        scenario: scenario.name,
        pair: pair.name,
        runs: 0,
        seconds: 0,
        missed: 0,
        duplicated: 0,
        wrong: 0,
        unexpectedExits: 0,
        secretsFound: 0,
        staleWrites: 0,
        faultsFired: 0,
        notes: [],
        ...(scenario.pending ? { pending: scenario.pending } : {}),
      };
      if (!scenario.pending && runs === 0) continue;
      const started = Date.now();
      for (let i = 0; i < runs; i += 1) {
        const rng = prng(o.seed ^ hashOf(`${scenario.name}|${pair.name}|${i}`));
        const cal = calibration.get(pair.name) ?? { passMs: 2000, stateBytes: 2_000_000 };
        const r = await runOnce(
          pair,
          scenario,
          rng,
          cal,
          (c) => calibration.set(pair.name, c),
          o.keep ?? false,
        );
        if (r.unsupported) {
          cell.unsupported = r.unsupported;
          break;
        }
        cell.runs += 1;
        cell.missed += r.missed;
        cell.duplicated += r.duplicated;
        cell.wrong += r.wrong;
        cell.unexpectedExits += r.unexpectedExits;
        cell.secretsFound += r.secretsFound;
        cell.staleWrites += r.staleWrites;
        cell.faultsFired += r.faultsFired;
        for (const n of r.notes) if (cell.notes.length < 12) cell.notes.push(`run ${i + 1}: ${n}`);
        o.log?.(
          `${scenario.name} × ${pair.name} run ${i + 1}/${runs}: missed ${r.missed}, duplicated ${r.duplicated}, wrong ${r.wrong}, unexpected exits ${r.unexpectedExits}, secrets ${r.secretsFound}, stale writes ${r.staleWrites}, faults fired ${r.faultsFired}`,
        );
      }
      cell.seconds = Math.round((Date.now() - started) / 100) / 10;
      cells.push(cell);
    }
  }
  return cells;
}

async function runOnce(
  pair: PairDescriptor,
  scenario: Scenario,
  rng: () => number,
  calibration: Calibration,
  calibrate: (c: Calibration) => void,
  keep: boolean,
): Promise<RunResult & { unsupported?: string }> {
  const e = await startFaultEnv(pair, { latencyMs: scenario.latencyMs ?? 0 });
  const result: RunResult = {
    missed: 0,
    duplicated: 0,
    wrong: 0,
    unexpectedExits: 0,
    secretsFound: 0,
    staleWrites: 0,
    faultsFired: 0,
    notes: [],
  };
  const outputs: Array<{ where: string; text: string }> = [];
  let keepDir = false;
  const note = (text: string): void => {
    if (result.notes.length < 8) result.notes.push(text);
  };
  const judgeExit = (run: PassRun, allowed: number[]): PassRun => {
    const what = `mlc ${run.args.join(' ')}`;
    outputs.push(
      { where: `stdout of ${what}`, text: run.stdout },
      { where: `stderr of ${what}`, text: run.stderr },
    );
    if (run.killedByHarness) return run;
    if (run.code === null || !allowed.includes(run.code)) {
      result.unexpectedExits += 1;
      const tail = (run.stderr.trim() || run.stdout.trim()).split('\n').slice(-2).join(' | ').slice(0, 300);
      note(`${what} ended with ${run.code ?? run.signal} (allowed ${allowed.join('/')}): ${tail}`);
    }
    return run;
  };
  const syncArgs = pair.syncArgs ?? ['sync', pair.name, '-v'];
  const ctx: RunCtx = {
    e,
    rng,
    calibration,
    pass: async (allowed, options = {}) =>
      judgeExit(
        await spawnMlc(e, options.args ?? syncArgs, {
          ...(options.fileLimitBlocks === undefined ? {} : { fileLimitBlocks: options.fileLimitBlocks }),
        }).done,
        allowed,
      ),
    start: (options = {}) => {
      const s = spawnMlc(e, options.args ?? syncArgs);
      return { ...s, judge: async (allowed) => judgeExit(await s.done, allowed) };
    },
    note,
    unsupported: (reason) => {
      throw new Unsupported(reason);
    },
    fired: (n = 1) => {
      result.faultsFired += n;
    },
    addStaleWrites: (n) => {
      result.staleWrites += n;
    },
    writeCount: async () => {
      let n = 0;
      for (const system of [pair.source, pair.target]) {
        const stats = (await e.control(system, 'GET', 'stats')) as { byRoute: Record<string, number> };
        const writes = new RegExp(SYSTEM_FAULTS[system]?.writes ?? '^$');
        for (const [route, count] of Object.entries(stats.byRoute)) if (writes.test(route)) n += count;
      }
      return n;
    },
  };
  try {
    if (scenario.configure) e.editConfig((c) => scenario.configure?.(c, e));
    await scenario.drive(ctx);
    for (const system of [pair.source, pair.target]) {
      const stats = (await e.control(system, 'GET', 'stats')) as { faults: number };
      result.faultsFired += stats.faults;
    }
    await e.clearFaults();
    // A window ends on a whole second before its pass started: whatever the faulted passes wrote in
    // this second is the next pass's to read. Starting the clean passes in the next second keeps a
    // record written a moment ago from looking lost when it is only not due yet.
    await sleep(1050 - (Date.now() % 1000));
    // Clean passes until one exits 0, as cron would run them; a pass that leaves failed records is
    // followed by the documented remedy, `mlc replay --failed`.
    for (let i = 0; i < 3; i += 1) {
      const clean = await ctx.pass([0]);
      if (scenario === BASELINE && i === 0)
        calibrate({ passMs: clean.ms, stateBytes: largestStateFile(e.home) });
      if (clean.code === 0) break;
      if (clean.code === 3) await ctx.pass([0], { args: ['replay', '--failed'] });
    }
    // Records a faulted pass audited as failed (a target that rejected them while the fault lasted)
    // are not read again by a clean pass: the operator's remedy once the cause is gone is the same.
    await ctx.pass([0], { args: ['replay', '--failed'] });
    await sleep(150);
    const expected = await pair.sourceOracle(e);
    const actual = await pair.targetOracle(e);
    const j = judge(expected, actual);
    if (keep && j.missed + j.duplicated + j.wrong > 0) {
      writeFileSync(join(e.dir, 'oracles.json'), JSON.stringify({ expected, actual }, null, 1));
      keepDir = true;
    }
    result.missed = j.missed;
    result.duplicated = j.duplicated;
    result.wrong = j.wrong;
    j.notes.forEach(note);
    const secrets = findSecrets(e, outputs);
    result.secretsFound = secrets.found;
    secrets.notes.forEach(note);
  } catch (err) {
    if (err instanceof Unsupported) return { ...result, unsupported: err.message };
    result.unexpectedExits += 1;
    note(`harness error: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    if (keepDir || (keep && result.unexpectedExits + result.secretsFound + result.staleWrites > 0)) {
      writeFileSync(join(e.dir, 'outputs.json'), JSON.stringify(outputs, null, 1));
      note(`kept ${e.dir}`);
      await e.close(true);
    } else await e.close();
  }
  return result;
}

function largestStateFile(home: string): number {
  let max = 0;
  for (const f of readdirSync(home)) max = Math.max(max, statSync(join(home, f)).size);
  return max;
}

/** mulberry32: small, seeded, good enough to spread delays and skips. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
