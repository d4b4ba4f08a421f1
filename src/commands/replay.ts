import { ConfigError } from '../errors.js';
import { EXIT } from '../exit.js';
import { openPair, type Runtime } from '../runtime.js';
import type { AuditRow } from '../state/store.js';
import { replayRecords, type ReplayOutcome } from '../sync/replay.js';

export interface ReplayCommandResult {
  outcomes: ReplayOutcome[];
  exitCode: number;
}

/**
 * `mlc replay <id>` or `mlc replay --failed [--pair P]`: re-sends audited records through the
 * idempotent sinks. Several entries of one record are replayed once.
 */
export async function runReplay(
  rt: Runtime,
  options: { ids: number[]; failed: boolean; pair?: string | undefined; dryRun: boolean },
): Promise<ReplayCommandResult> {
  let rows: AuditRow[];
  if (options.failed) {
    rows = rt.store.openFailures(options.pair);
  } else {
    rows = options.ids.map((id) => {
      const row = rt.store.getAudit(id);
      if (!row)
        throw new ConfigError(`no audit entry ${id}`, {
          code: 'audit.not_found',
          hint: 'list entries with `mlc audit` or `mlc audit failures`',
        });
      return row;
    });
  }
  const byPair = new Map<string, AuditRow[]>();
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.pair}\u0000${row.flow}\u0000${row.source_id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    byPair.set(row.pair, [...(byPair.get(row.pair) ?? []), row]);
  }
  const outcomes: ReplayOutcome[] = [];
  for (const [pair, pairRows] of byPair) {
    const opened = openPair(rt, pair);
    try {
      if (!options.dryRun) await opened.preflight();
      const po = opened.options;
      const run = (): Promise<ReplayOutcome[]> =>
        replayRecords(
          rt.store,
          pair,
          opened.runtime.flows,
          pairRows,
          opened.runtime.makeDims,
          { dryRun: options.dryRun, lockStaleMs: po.lockStaleSeconds * 1000 },
          rt.log,
        );
      outcomes.push(...(opened.runtime.session ? await opened.runtime.session(run) : await run()));
    } finally {
      await opened.close();
    }
  }
  return { outcomes, exitCode: outcomes.some((o) => o.result === 'failed') ? EXIT.failedRecords : EXIT.ok };
}
