import type { FaultRule } from '../sim/common/server.js';
import { sleep, type FaultEnv, type Role, type Spawned } from './env.js';
import { faultsOf } from './systems.js';
import type { PassRun } from './types.js';

/** What a scenario's driver may do within one run of a cell. */
export interface RunCtx {
  e: FaultEnv;
  /** Deterministic per run (the matrix seed, the cell and the run number). */
  rng: () => number;
  /** A clean pass of this pair on this machine: its duration and the state files' size after it. */
  calibration: { passMs: number; stateBytes: number };
  /** One `mlc sync <pair> -v` (or `args`), waited for; an exit outside `allowed` is counted. */
  pass(allowed: number[], options?: { args?: string[]; fileLimitBlocks?: number }): Promise<PassRun>;
  /** Starts a pass without waiting; `judge` counts its exit when it ends. */
  start(options?: { args?: string[] }): Spawned & { judge(allowed: number[]): Promise<PassRun> };
  note(text: string): void;
  /** Ends the cell: the simulators cannot produce this fault (the table shows why). */
  unsupported(reason: string): never;
  /** Counts a fault the harness itself caused (a kill, a pause, a full disk, an expiry). */
  fired(n?: number): void;
  addStaleWrites(n: number): void;
  /** Requests on the pair's write routes so far, both systems together (from `/_sim/stats`). */
  writeCount(): Promise<number>;
}

export interface Scenario {
  name: string;
  /** One line for the README. */
  what: string;
  /** Runs per pair in the full matrix; `quickRuns` in `npm test` (absent: not in the quick subset). */
  runs: number;
  quickRuns?: number;
  latencyMs?: number;
  /** Set when the scenario cannot run yet: what it waits for. */
  pending?: string;
  /** Extra config for every run (timeouts, page sizes, lockStaleSeconds). */
  configure?(c: Record<string, unknown>, e: FaultEnv): void;
  drive(ctx: RunCtx): Promise<void>;
}

const both: Role[] = ['source', 'target'];
const pick = (rng: () => number, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

function connections(c: Record<string, unknown>): Array<Record<string, unknown>> {
  return Object.values(c.connections as Record<string, Record<string, unknown>>);
}

function pairConfig(c: Record<string, unknown>, e: FaultEnv): Record<string, unknown> {
  return (c.pairs as Record<string, Record<string, unknown>>)[e.pair.name] ?? {};
}

/** Rules with a match, a random number of matching requests let through first, and a count. */
function rules(
  rng: () => number,
  base: Omit<FaultRule, 'match' | 'times' | 'skip'>,
  match: string,
  times: number,
): FaultRule {
  return { ...base, match, times, skip: pick(rng, 0, 4) };
}

async function inject(ctx: RunCtx, make: (role: Role) => FaultRule[]): Promise<void> {
  for (const role of both) await ctx.e.addFaults(role, make(role));
}

export const BASELINE: Scenario = {
  name: 'baseline (no faults)',
  what: 'one clean pass; proves the oracles judge a correct sync as correct, and calibrates the others',
  runs: 1,
  quickRuns: 1,
  // The clean pass every run ends with is the whole run.
  drive: async () => undefined,
};

export const SCENARIOS: Scenario[] = [
  {
    name: 'kill -9 at random moments',
    what: 'SIGKILL the pass after a random delay (sometimes the re-run too), then re-run until a clean pass',
    runs: 10,
    quickRuns: 1,
    latencyMs: 3,
    drive: async (ctx) => {
      const kills = ctx.rng() < 0.4 ? 2 : 1;
      // A kill that comes after the pass has ended tests nothing: the moment is drawn within the
      // calibrated pass, and drawn again (in a shorter span) when the pass was quicker than that.
      for (let k = 0, span = 0.9; k < kills && span > 0.1;) {
        const p = ctx.start();
        await sleep(Math.max(30, Math.floor(ctx.rng() * ctx.calibration.passMs * span)));
        if (p.kill()) {
          ctx.fired();
          k += 1;
        } else span /= 2;
        await p.judge([0]);
      }
    },
  },
  {
    name: '429 storm with Retry-After',
    what: 'bursts of 429 + Retry-After on both systems\u2019 reads and on the target\u2019s writes',
    runs: 2,
    drive: async (ctx) => {
      await inject(ctx, (role) => {
        const f = faultsOf(ctx.e.system(role));
        return [
          rules(ctx.rng, f.rateLimit(1), f.reads, 2),
          ...(role === 'target' ? [rules(ctx.rng, f.rateLimit(1), f.writes, 3)] : []),
        ];
      });
      await ctx.pass([0, 4]);
    },
  },
  {
    name: '5xx bursts',
    what: 'a few 502/503/500 answers in a row on reads and writes of both systems',
    runs: 2,
    drive: async (ctx) => {
      await inject(ctx, (role) => {
        const f = faultsOf(ctx.e.system(role));
        return [rules(ctx.rng, f.serverError(), f.reads, 3), rules(ctx.rng, f.serverError(), f.writes, 2)];
      });
      await ctx.pass([0, 4]);
    },
  },
  {
    name: 'connection resets',
    what: 'the socket is destroyed without an answer (drop) on reads and writes',
    runs: 2,
    drive: async (ctx) => {
      await inject(ctx, (role) => {
        const f = faultsOf(ctx.e.system(role));
        return [rules(ctx.rng, { kind: 'drop' }, f.reads, 2), rules(ctx.rng, { kind: 'drop' }, f.writes, 2)];
      });
      await ctx.pass([0, 4]);
    },
  },
  {
    name: 'answers slower than the timeout',
    what: 'timeoutMs 1000; some reads and writes answer after 1.6 s (the write is applied late)',
    runs: 2,
    configure: (c) => connections(c).forEach((conn) => (conn.timeoutMs = 1000)),
    drive: async (ctx) => {
      await inject(ctx, (role) => {
        const f = faultsOf(ctx.e.system(role));
        return [
          rules(ctx.rng, { kind: 'slow', delayMs: 1600 }, f.reads, 1),
          rules(ctx.rng, { kind: 'slow', delayMs: 1600 }, f.writes, 1),
        ];
      });
      await ctx.pass([0, 4]);
      await sleep(1800);
    },
  },
  {
    name: 'token expiry and revocation mid-pass',
    what: 'every access token expires at a random moment of the pass; the target revokes its tokens once',
    runs: 2,
    latencyMs: 3,
    drive: async (ctx) => {
      for (const role of both) {
        const revoke = faultsOf(ctx.e.system(role)).tokens?.revoke;
        if (revoke) await ctx.e.addFaults(role, [{ ...revoke, skip: pick(ctx.rng, 2, 12), times: 1 }]);
      }
      const p = ctx.start();
      await sleep(Math.floor(ctx.rng() * ctx.calibration.passMs));
      for (const role of both) {
        const route = faultsOf(ctx.e.system(role)).tokens?.expireRoute;
        if (route) {
          await ctx.e.control(ctx.e.system(role), 'POST', route, {});
          ctx.fired();
        }
      }
      await p.judge([0]);
    },
  },
  {
    name: 'credential revoked mid-pass',
    what: 'the source credential is revoked at a random moment (exit 2), restored, and the next passes complete',
    runs: 2,
    latencyMs: 3,
    drive: async (ctx) => {
      const system = ctx.e.system('source');
      const credential = faultsOf(system).credential;
      if (!credential) return ctx.unsupported(`the ${system} simulator cannot revoke its credential`);
      const p = ctx.start();
      await sleep(Math.floor(ctx.rng() * ctx.calibration.passMs));
      await ctx.e.control(system, 'POST', credential.revokeRoute, {});
      ctx.fired();
      await p.judge([0, 2]);
      await ctx.e.control(system, 'POST', credential.restoreRoute, {});
    },
  },
  {
    name: 'lost answer after the write',
    what: 'a write is applied but its answer never arrives in time (client timeout 1 s); see notes per system',
    runs: 2,
    configure: (c) => connections(c).forEach((conn) => (conn.timeoutMs = 1000)),
    drive: async (ctx) => {
      await inject(ctx, (role) => {
        const lost = faultsOf(ctx.e.system(role)).lostAnswer(1600);
        if (!lost.exact)
          ctx.note(
            `${ctx.e.system(role)}: no commit-then-lose kind; approximated by a write applied after the client timed out`,
          );
        return [
          { ...lost.rule, skip: 0, times: 1 },
          { ...lost.rule, skip: pick(ctx.rng, 1, 6), times: 1 },
        ];
      });
      await ctx.pass([0, 4]);
      await sleep(1800);
    },
  },
  {
    name: 'partial batch failure',
    what: 'one row of an import batch is rejected by the target; the pass exits 3, `mlc replay --failed` sends it',
    runs: 2,
    drive: async (ctx) => {
      const row = faultsOf(ctx.e.pair.target).rowError;
      if (!row) return ctx.unsupported(`the ${ctx.e.pair.target} simulator has no row-level error kind`);
      await ctx.e.addFaults('target', [{ ...row, skip: pick(ctx.rng, 0, 5), times: 1 }]);
      await ctx.pass([3]);
      await ctx.pass([0], { args: ['replay', '--failed'] });
    },
  },
  {
    name: 'whole batch failure',
    what: 'whole import batches cancelled server-side (500 "Transaction cancelled"), twice',
    runs: 2,
    drive: async (ctx) => {
      const batch = faultsOf(ctx.e.pair.target).batchFailure;
      if (!batch) return ctx.unsupported(`the ${ctx.e.pair.target} simulator has no batch failure kind`);
      await ctx.e.addFaults('target', [{ ...batch, skip: pick(ctx.rng, 0, 5), times: 2 }]);
      await ctx.pass([0, 4]);
    },
  },
  {
    name: 'malformed bodies',
    what: 'truncated JSON with a success status on reads and writes of both systems',
    runs: 2,
    drive: async (ctx) => {
      // One body per pass: the first contract break stops a pass, so each gets its own.
      for (const role of both)
        for (const rule of faultsOf(ctx.e.system(role)).malformed()) {
          await ctx.e.addFaults(role, [{ ...rule, skip: pick(ctx.rng, 0, 4), times: 1 }]);
          await ctx.pass([0, 1, 4]);
          await ctx.e.clearFaults();
        }
    },
  },
  {
    name: 'ties across page boundaries',
    what: 'small pages; many records created or changed in one transaction (one change stamp) between passes',
    runs: 2,
    quickRuns: 1,
    configure: (c, e) => e.pair.smallPages(c),
    drive: async (ctx) => {
      await ctx.pass([0]);
      await ctx.e.pair.tieBurst(ctx.e, 9);
      await sleep(1100);
      await ctx.pass([0]);
    },
  },
  {
    name: 'paused pass loses its lock',
    what: 'SIGSTOP a pass past lockStaleSeconds (10), run a second pass, SIGCONT the first: it must write nothing more',
    runs: 3,
    latencyMs: 15,
    configure: (c, e) => {
      pairConfig(c, e).lockStaleSeconds = 10;
      // Many small writes, so that the pause falls with pages read and prepared but not yet written.
      e.pair.smallPages(c);
    },
    drive: async (ctx) => {
      const first = ctx.start();
      // Pause after a random number of write requests, so the pause falls at different points.
      const before = await ctx.writeCount();
      const after = pick(ctx.rng, 1, 6);
      for (let i = 0; i < 400 && (await ctx.writeCount()) - before < after; i += 1) await sleep(10);
      first.child.kill('SIGSTOP');
      const atPause = await ctx.writeCount();
      ctx.fired();
      await sleep(11_500);
      await ctx.pass([0]);
      const settled = await ctx.writeCount();
      first.child.kill('SIGCONT');
      const resumed = await first.judge([0, 4, 5]);
      await sleep(300);
      const stale = (await ctx.writeCount()) - settled;
      ctx.addStaleWrites(stale);
      ctx.note(
        `paused after ${atPause - before} write request(s); the second pass made ${settled - atPause}; the resumed pass exited ${String(resumed.code ?? resumed.signal)}`,
      );
      if (stale > 0)
        ctx.note(
          `resumed pass (exit ${String(resumed.code)}) made ${stale} write request(s) after losing its lock`,
        );
    },
  },
  {
    name: 'disk full on the state file',
    what: 'RLIMIT_FSIZE (ulimit -f, SIGXFSZ ignored) at a random size: state writes fail with EFBIG mid-pass',
    runs: 2,
    drive: async (ctx) => {
      const limit = Math.ceil((ctx.calibration.stateBytes * (0.1 + 0.8 * ctx.rng())) / 512) + 8;
      const full = await ctx.pass([0, 1, 4], { fileLimitBlocks: limit });
      if (full.code !== 0) ctx.fired();
      if (/EFBIG|too large|SQLITE_FULL|disk/i.test(full.stderr + full.stdout))
        ctx.note(`limit ${limit * 512} bytes: exit ${String(full.code)}`);
      else if (full.code !== 0)
        ctx.note(
          `limit ${limit * 512} bytes: exit ${String(full.code)} without naming the full disk: ${full.stderr.trim().split('\n').slice(-1)[0] ?? ''}`,
        );
    },
  },
  {
    name: 'servers echo a secret',
    what: 'error answers of both systems carry the credentials mlc was given (canaries)',
    runs: 1,
    quickRuns: 1,
    drive: async (ctx) => {
      // One system at a time, each echo outlasting the retries, so that every one reaches an error.
      for (const role of both) {
        const f = faultsOf(ctx.e.system(role));
        const secrets = ctx.e.secrets[ctx.e.system(role)] ?? [];
        await ctx.e.addFaults(
          role,
          secrets.flatMap((s) => f.echo(s)).map((r) => ({ ...r, times: 6 })),
        );
        await ctx.pass([0, 1, 2, 3, 4]);
        await ctx.e.clearFaults();
      }
      await ctx.pass([0, 1, 2, 3, 4], { args: ['audit', 'failures', '--json'] });
      await ctx.pass([0, 1, 2, 3, 4], { args: ['audit', '--json', '--limit', '500'] });
    },
  },
  {
    name: 'commits later than the overlap (reconcile)',
    what: 'a source commit stamped before the overlap window, caught only by a reconcile pass',
    runs: 1,
    drive: async (ctx) => {
      const late = ctx.e.pair.lateCommit;
      if (!late)
        return ctx.unsupported(`the ${ctx.e.pair.source} simulator cannot commit a backdated record`);
      await ctx.pass([0]);
      // Stamped 1,000 s back, beyond the 300 s overlap: no incremental pass reads them.
      await late(ctx.e, 3, 1000);
      ctx.fired(3);
      await sleep(1050 - (Date.now() % 1000));
      await ctx.pass([0]);
      await ctx.pass([0], { args: ['reconcile', ctx.e.pair.name, '--since', '2h', '--repair'] });
    },
  },
];
