import { isMlcError, toMlcError } from '../errors.js';
import { EXIT } from '../exit.js';
import { LockedError, runPass, type PassResult } from '../sync/pass.js';
import { openPair, type Runtime } from '../runtime.js';
import { reconcile } from '../sync/reconcile.js';

export interface SyncCommandOptions {
  pairs: string[];
  dryRun: boolean;
  full: boolean;
  flows?: string[] | undefined;
  onProgress?: ((line: string) => void) | undefined;
}

export type PairOutcome =
  | (PassResult & { kind: 'pass'; safetyNet?: SafetyNetResult })
  | { kind: 'locked'; pair: string; message: string }
  | { kind: 'error'; pair: string; error: Record<string, unknown>; exitCode: number; triedMs: number };

export interface SyncResult {
  outcomes: PairOutcome[];
  exitCode: number;
}

/** One incremental pass of each named pair, one after the other. */
export async function runSync(rt: Runtime, options: SyncCommandOptions): Promise<SyncResult> {
  const outcomes: PairOutcome[] = [];
  for (const pair of options.pairs) {
    const started = Date.now();
    let opened: ReturnType<typeof openPair> | undefined;
    try {
      opened = openPair(rt, pair);
      const { runtime, options: po } = opened;
      // The preflight runs while the pass starts reading; nothing is written before it passes, and a
      // refusal is the pair's outcome even when there was nothing to write.
      const ready = opened.preflight();
      ready.catch(() => undefined);
      const pass = (): Promise<PassResult> =>
        runPass(
          rt.store,
          pair,
          runtime.flows,
          runtime.makeDims,
          {
            dryRun: options.dryRun,
            full: options.full,
            overlapSeconds: po.overlapSeconds,
            settleSeconds: po.settleSeconds,
            batchSize: po.batchSize,
            lockStaleMs: po.lockStaleSeconds * 1000,
            only: options.flows,
            ready,
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          },
          rt.log,
        );
      const passAndNet = async (): Promise<PairOutcome> => {
        const result = await pass();
        await ready;
        const net = options.dryRun || options.flows ? undefined : await safetyNet(rt, pair, opened!, result);
        return { kind: 'pass', ...result, ...(net ? { safetyNet: net } : {}) };
      };
      outcomes.push(runtime.session ? await runtime.session(passAndNet) : await passAndNet());
    } catch (err) {
      if (err instanceof LockedError) {
        outcomes.push({ kind: 'locked', pair, message: err.message });
      } else {
        const e = toMlcError(err);
        outcomes.push({
          kind: 'error',
          pair,
          error: e.toJSON(),
          exitCode: exitCodeOf(e),
          triedMs: Date.now() - started,
        });
      }
    } finally {
      await opened?.close();
    }
  }
  return { outcomes, exitCode: worst(outcomes.map(exitOf)) };
}

/** What the scheduled light reconcile found and sent. */
export interface SafetyNetResult {
  since: string;
  found: number;
  written: number;
  failed: number;
}

/**
 * Every `safetyNet.everyPasses` finished passes, a light reconcile of the recent past (counts and
 * hashes, no target reads) repairs what no incremental read can see: a transaction that committed
 * later than the overlap window. It goes down the record path, audited like a pass.
 */
async function safetyNet(
  rt: Runtime,
  pair: string,
  opened: ReturnType<typeof openPair>,
  pass: PassResult,
): Promise<SafetyNetResult | undefined> {
  const { everyPasses, lookbackHours } = opened.options.safetyNet;
  if (everyPasses === 0 || pass.status === 'stopped' || pass.status === 'error') return undefined;
  if (rt.store.finishedPasses(pair) % everyPasses !== 0) return undefined;
  const until = new Date(Date.parse(pass.startedAt) - opened.options.settleSeconds * 1000);
  const since = new Date(until.getTime() - lookbackHours * 3_600_000);
  const report = await reconcile(
    rt.store,
    pair,
    opened.runtime.flows,
    opened.runtime.makeDims,
    {
      since,
      until,
      repair: true,
      light: true,
      batchSize: opened.options.batchSize,
      lockStaleMs: opened.options.lockStaleSeconds * 1000,
    },
    rt.log,
  );
  const found = report.flows.reduce((n, f) => n + f.missing.length + f.different.length, 0);
  const written = report.flows.reduce((n, f) => n + (f.repaired?.written ?? 0), 0);
  const failed = report.flows.reduce((n, f) => n + (f.repaired?.failed ?? 0), 0);
  if (found > 0)
    rt.log.warn(
      `${pair}: the safety net found ${found} record(s) the incremental passes missed since ${since.toISOString()}; ${written} written, ${failed} failed (see mlc audit)`,
    );
  return { since: since.toISOString(), found, written, failed };
}

export function exitCodeOf(err: unknown): number {
  if (!isMlcError(err)) return EXIT.internal;
  switch (err.kind) {
    case 'config':
    case 'auth':
      return EXIT.config;
    case 'transient':
      return EXIT.transient;
    case 'record':
      return EXIT.failedRecords;
    default:
      return EXIT.internal;
  }
}

function exitOf(o: PairOutcome): number {
  if (o.kind === 'locked') return EXIT.locked;
  if (o.kind === 'error') return o.exitCode;
  if (o.status === 'ok' && (o.safetyNet?.failed ?? 0) > 0) return EXIT.failedRecords;
  switch (o.status) {
    case 'ok':
      return EXIT.ok;
    case 'failed_records':
      return EXIT.failedRecords;
    case 'stopped':
      return EXIT.transient;
    default: {
      const kind = (o.error as { kind?: string } | undefined)?.kind;
      return kind === 'config' || kind === 'auth' ? EXIT.config : EXIT.internal;
    }
  }
}

/** The most severe code wins: a bug, then config, then a transient stop, the lock, failed records. */
export function worst(codes: number[]): number {
  const order: number[] = [
    EXIT.internal,
    EXIT.config,
    EXIT.transient,
    EXIT.locked,
    EXIT.failedRecords,
    EXIT.ok,
  ];
  return order.find((c) => codes.includes(c)) ?? EXIT.ok;
}
