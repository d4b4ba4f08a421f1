import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runMatrix } from './matrix.js';
import { FAULT_PAIRS } from './pairs/index.js';
import { SCENARIOS } from './scenarios.js';
import type { CellResult } from './types.js';

/**
 * `npm run faults [-- --quick] [--seed N] [--scenario TEXT]… [--pair NAME]… [--runs N] [--json] [--keep]`:
 * runs the fault matrix against the simulators and prints one table. Exits 1 when any cell found
 * something (missed, duplicated, wrong, unexpected exit, secret, stale write).
 */
export function renderTable(cells: CellResult[]): string {
  const head = [
    'scenario',
    'pair',
    'runs',
    'missed',
    'duplicated',
    'wrong values',
    'unexpected exits',
    'secrets found',
    'stale writes',
    'faults fired',
    's',
  ];
  const rows = cells.map((c) =>
    c.pending || c.unsupported
      ? [
          c.scenario,
          c.pair,
          c.pending ? `pending: ${c.pending}` : `n/a: ${c.unsupported ?? ''}`,
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
        ]
      : [
          c.scenario,
          c.pair,
          String(c.runs),
          String(c.missed),
          String(c.duplicated),
          String(c.wrong),
          String(c.unexpectedExits),
          String(c.secretsFound),
          String(c.staleWrites),
          String(c.faultsFired),
          c.seconds.toFixed(1),
        ],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: string[]): string => `| ${cols.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function findings(cells: CellResult[]): CellResult[] {
  return cells.filter(
    (c) =>
      !c.pending &&
      !c.unsupported &&
      c.missed + c.duplicated + c.wrong + c.unexpectedExits + c.secretsFound + c.staleWrites > 0,
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      seed: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      pair: { type: 'string', multiple: true },
      runs: { type: 'string' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const seed = values.seed === undefined ? randomInt(1, 2 ** 31 - 1) : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const pairs = values.pair ? FAULT_PAIRS.filter((p) => values.pair?.includes(p.name)) : FAULT_PAIRS;
  const scenarios = values.scenario
    ? SCENARIOS.filter((s) => values.scenario?.some((t) => s.name.toLowerCase().includes(t.toLowerCase())))
    : SCENARIOS;
  if (pairs.length === 0)
    throw new Error(`no such pair; known: ${FAULT_PAIRS.map((p) => p.name).join(', ')}`);
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  const started = Date.now();
  process.stderr.write(`fault matrix, seed ${seed} (repeat with --seed ${seed})\n`);
  const cells = await runMatrix({
    pairs,
    scenarios,
    quick: values.quick,
    seed,
    keep: values.keep,
    ...(runs === undefined ? {} : { runs }),
    log: (l) => process.stderr.write(`  ${l}\n`),
  });
  const found = findings(cells);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ seed, seconds: (Date.now() - started) / 1000, cells }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `${renderTable(cells)}\n\nseed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
    for (const c of found) {
      process.stdout.write(`\n${c.scenario} × ${c.pair}:\n`);
      for (const n of c.notes) process.stdout.write(`  - ${n}\n`);
    }
  }
  return found.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
