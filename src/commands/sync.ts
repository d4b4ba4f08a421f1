import { isMlcError, toMlcError } from '../errors.js';
import { EXIT } from '../exit.js';
import { LockedError, runPass, type PassResult } from '../sync/pass.js';
import { openPair, type Runtime } from '../runtime.js';

export interface SyncCommandOptions {
  pairs: string[];
  dryRun: boolean;
  full: boolean;
  flows?: string[] | undefined;
  onProgress?: ((line: string) => void) | undefined;
}

export type PairOutcome =
  | (PassResult & { kind: 'pass' })
  | { kind: 'locked'; pair: string; message: string }
  | { kind: 'error'; pair: string; error: Record<string, unknown>; exitCode: number };

export interface SyncResult {
  outcomes: PairOutcome[];
  exitCode: number;
}

/** One incremental pass of each named pair, one after the other. */
export async function runSync(rt: Runtime, options: SyncCommandOptions): Promise<SyncResult> {
  const outcomes: PairOutcome[] = [];
  for (const pair of options.pairs) {
    let opened: ReturnType<typeof openPair> | undefined;
    try {
      opened = openPair(rt, pair);
      const { runtime, options: po } = opened;
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
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          },
          rt.log,
        );
      const result = runtime.session ? await runtime.session(pass) : await pass();
      outcomes.push({ kind: 'pass', ...result });
    } catch (err) {
      if (err instanceof LockedError) {
        outcomes.push({ kind: 'locked', pair, message: err.message });
      } else {
        const e = toMlcError(err);
        outcomes.push({ kind: 'error', pair, error: e.toJSON(), exitCode: exitCodeOf(e) });
      }
    } finally {
      await opened?.close();
    }
  }
  return { outcomes, exitCode: worst(outcomes.map(exitOf)) };
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
