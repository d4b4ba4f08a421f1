import { EXIT } from '../exit.js';
import { openPair, type Runtime } from '../runtime.js';
import { reconcile, type ReconcileReport } from '../sync/reconcile.js';

export interface ReconcileCommandOptions {
  pair: string;
  since: Date;
  until: Date;
  repair: boolean;
  flows?: string[] | undefined;
}

export interface ReconcileCommandResult {
  report: ReconcileReport;
  exitCode: number;
}

/** Default period: the last 31 days, a month-end close with a day to spare. */
export const DEFAULT_RECONCILE_DAYS = 31;

/**
 * `mlc reconcile <pair>`: both sides compared over a period. Exit 0 when they agree (or every
 * difference was repaired), 3 with the report when they do not.
 */
export async function runReconcile(
  rt: Runtime,
  options: ReconcileCommandOptions,
): Promise<ReconcileCommandResult> {
  const opened = openPair(rt, options.pair);
  try {
    if (options.repair) await opened.preflight();
    const po = opened.options;
    const run = (): Promise<ReconcileReport> =>
      reconcile(
        rt.store,
        options.pair,
        opened.runtime.flows,
        opened.runtime.makeDims,
        {
          since: options.since,
          until: options.until,
          repair: options.repair,
          only: options.flows,
          batchSize: po.batchSize,
          lockStaleMs: po.lockStaleSeconds * 1000,
        },
        rt.log,
      );
    const report = opened.runtime.session ? await opened.runtime.session(run) : await run();
    return { report, exitCode: settled(report) ? EXIT.ok : EXIT.failedRecords };
  } finally {
    await opened.close();
  }
}

/** Both sides agree, or every difference found was repaired without a failure. */
function settled(report: ReconcileReport): boolean {
  return report.flows.every(
    (f) =>
      f.agree ||
      (f.repaired !== undefined &&
        f.repaired.failed === 0 &&
        f.extra.length === 0 &&
        f.repaired.written + f.repaired.unchanged === f.missing.length + f.different.length),
  );
}
