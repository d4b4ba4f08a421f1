import { usageError } from './usage.js';
import { EXIT } from '../exit.js';
import { loadedPair } from '../pairs/registry.js';
import { connect, type Runtime } from '../runtime.js';
import type { SnWriter } from '../systems/servicenow/importset.js';
import type { ServiceNowRequirement, StagingRequirement } from '../systems/servicenow/ping.js';
import { setupServiceNow, type SetupStep } from '../systems/servicenow/setup.js';

export interface SetupCommandResult {
  system: 'servicenow';
  dryRun: boolean;
  connections: Array<{ connection: string; pairs: string[]; steps: SetupStep[] }>;
  exitCode: number;
}

/**
 * `mlc setup servicenow [pair…]`: for each ServiceNow connection the chosen pair instances (default:
 * all) write to, the staging tables, columns and transform maps their flows need. Exit 0 when all is
 * in place (or planned, with --dry-run), 2 when something was refused.
 */
export async function runSetup(
  rt: Runtime,
  system: string,
  pairs: string[],
  opts: { dryRun: boolean; force: boolean },
): Promise<SetupCommandResult> {
  if (system !== 'servicenow')
    throw usageError(
      `mlc setup knows only servicenow, not "${system}"`,
      'unknown_system',
      'run: mlc setup servicenow',
    );
  const chosen = pairs.length > 0 ? pairs : Object.keys(rt.config.pairs);
  const byConnection = new Map<string, { pairs: string[]; reqs: StagingRequirement[] }>();
  for (const name of chosen) {
    const options = rt.config.pairs[name];
    if (!options) throw usageError(`no pair instance named "${name}" in ${rt.config.file}`, 'unknown_pair');
    const def = loadedPair(options.type);
    const conn = rt.config.connections[options.target];
    if (!def || conn?.system !== 'servicenow') continue;
    const target = def.requirements(options as never).target as ServiceNowRequirement[];
    const entry = byConnection.get(options.target) ?? { pairs: [], reqs: [] };
    entry.pairs.push(name);
    entry.reqs.push(...target.filter((r): r is StagingRequirement => 'staging' in r));
    byConnection.set(options.target, entry);
  }
  if (byConnection.size === 0)
    throw usageError(
      `no ${pairs.length > 0 ? 'chosen ' : ''}pair instance in ${rt.config.file} writes to a ServiceNow connection`,
      'nothing_to_set_up',
    );
  const connections: SetupCommandResult['connections'] = [];
  for (const [connection, { pairs: names, reqs }] of byConnection) {
    const opened = connect(rt, connection);
    try {
      const steps = await setupServiceNow(opened.client as SnWriter, reqs, opts);
      connections.push({ connection, pairs: names, steps });
    } finally {
      await opened.close();
    }
  }
  const refused = connections.some((c) => c.steps.some((s) => s.status === 'refused'));
  return {
    system: 'servicenow',
    dryRun: opts.dryRun,
    connections,
    exitCode: refused ? EXIT.config : EXIT.ok,
  };
}

/** Human output: one line per step, grouped by connection, changes first. */
export function renderSetup(r: SetupCommandResult): string {
  const lines: string[] = [];
  for (const c of r.connections) {
    lines.push(`${c.connection} (${c.pairs.join(', ')})${r.dryRun ? ' — dry run, nothing changed' : ''}`);
    const order = { refused: 0, planned: 1, done: 1, 'in place': 2 } as const;
    for (const s of [...c.steps].sort((a, b) => order[a.status] - order[b.status]))
      lines.push(`  ${s.status === 'in place' ? 'already in place' : s.status}: ${s.action} — ${s.detail}`);
  }
  return `${lines.join('\n')}\n`;
}
