import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import { ConfigError } from '../errors.js';
import { EXIT } from '../exit.js';
import { createLogger } from '../log.js';
import { connect, openRuntime, type Runtime } from '../runtime.js';
import type { ServiceNowClient } from '../systems/servicenow/client.js';
import { runAuditList } from './audit.js';
import { runReplay } from './replay.js';
import { startSimulators, writeSimConfig } from './sim.js';
import { runSync, type SyncResult } from './sync.js';

interface DemoIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

interface DemoScript {
  systems: string[];
  extra: Record<string, unknown>;
  /** The scenario: returns whether everything happened as the story says. */
  play(rt: Runtime, say: (line: string) => void): Promise<boolean>;
}

const DEMOS: Record<string, DemoScript> = {
  'odoo-servicenow': {
    systems: ['odoo', 'servicenow'],
    extra: { legalEntity: 'Acme Distribution' },
    async play(rt, say) {
      const pair = 'odoo-servicenow';
      const first = await runSync(rt, { pairs: [pair], dryRun: false, full: false });
      say(chalk.bold('1. First pass: Odoo -> ServiceNow'));
      sayPass(first, say);
      const failures = runAuditList(rt, { pair, outcome: 'failed', limit: 10 });
      for (const f of failures) say(`   ${chalk.red('failed')} ${f.flow} ${f.label}: ${f.message ?? ''} (audit ${f.id})`);

      const second = await runSync(rt, { pairs: [pair], dryRun: false, full: false });
      say(chalk.bold('2. Second pass: nothing changed, so nothing moves'));
      sayPass(second, say);
      const movedAgain = totals(second).written;

      const bill = failures.find((f) => f.flow === 'vendor_bills');
      if (!bill) {
        say(chalk.red('   expected a vendor bill to fail on a missing GL account; it did not'));
        return false;
      }
      say(chalk.bold('3. An admin creates the missing GL account 630000 "Freight In" in ServiceNow'));
      const sn = connect(rt, 'servicenow');
      try {
        const client = sn.client as ServiceNowClient;
        await client.insert('sn_fin_gl_account', { code: '630000', name: 'Freight In', currency: 'USD', category: 'Expense', type: 'Expense', active: 'true' });
        say(chalk.bold(`4. mlc replay ${bill.id}`));
        const replay = await runReplay(rt, { ids: [bill.id], failed: false, dryRun: false });
        for (const o of replay.outcomes) say(`   ${o.result === 'written' ? chalk.green(o.result) : chalk.red(o.result)} ${o.label}${o.newAuditId ? ` (audit ${o.newAuditId})` : ''}${o.message ? `: ${o.message}` : ''}`);
        const again = await runReplay(rt, { ids: [bill.id], failed: false, dryRun: false });
        say(`   replayed once more: ${again.outcomes.map((o) => o.result).join(', ')} (the target already holds it; no duplicate)`);
        const invoices = await client.queryAll('sn_shop_invoice', { query: `external_invoice_number=${bill.label}`, fields: ['sys_id', 'external_invoice_number'] });
        const lines = await client.queryAll('sn_shop_invoice_line', { query: `invoice.external_invoice_number=${bill.label}`, fields: ['sys_id'] });
        say(`   ServiceNow now holds ${invoices.length} invoice ${bill.label} with ${lines.length} line(s)`);

        say(chalk.bold(`5. Audit trail of ${bill.label}`));
        for (const e of runAuditList(rt, { pair, sourceId: bill.sourceId, limit: 20 }).reverse()) {
          say(`   ${String(e.id).padStart(4)} ${e.time.slice(11, 19)} ${e.outcome.padEnd(9)} ${e.message ?? ''}${e.replayOf ? ` (replay of ${e.replayOf})` : ''}`);
        }
        const ok = replay.outcomes[0]?.result === 'written' && invoices.length === 1 && movedAgain === 0 && first.exitCode === EXIT.failedRecords;
        say('');
        say(ok ? chalk.green('The demo ran as described.') : chalk.red('The demo did not run as described; see above.'));
        say('Try it yourself: mlc sim --write-config mlc.yaml   (then, in another shell) mlc sync odoo-servicenow');
        return ok;
      } finally {
        await sn.close();
      }
    },
  },
};

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
      say(`   ${f.flow.padEnd(28)} read ${String(f.read).padStart(3)}  written ${String(f.written).padStart(3)}  unchanged ${String(f.unchanged).padStart(3)}  skipped ${String(f.skipped).padStart(2)}  failed ${f.failed}${f.alreadyHandled ? `  (${f.alreadyHandled} re-read in the overlap window, already handled)` : ''}`);
    }
  }
}

/**
 * `mlc demo [pair]`: starts the simulators in-process with the demo seed, writes a throw-away config
 * and state in a temporary folder, runs the pair twice, shows a failure on a missing dimension, fixes
 * it the way an admin would, replays, and prints the audit trail.
 */
export async function runDemo(pair: string, options: { json: boolean; verbose: boolean }, io: DemoIo): Promise<{ exitCode: number }> {
  const script = DEMOS[pair];
  if (!script) throw new ConfigError(`no demo for pair "${pair}"`, { code: 'usage.demo', hint: `available: ${Object.keys(DEMOS).join(', ')}` });
  const dir = mkdtempSync(join(tmpdir(), 'mlc-demo-'));
  const env: NodeJS.ProcessEnv = { ...io.env, MLC_MASTER_KEY: randomBytes(32).toString('hex'), MLC_HOME: join(dir, '.mlc') };
  const sims = await startSimulators({ systems: script.systems, seed: 'demo', latencyMs: 0, odooVersion: 19 });
  const story: string[] = [];
  const say = (line: string): void => {
    story.push(line);
    if (!options.json) io.out(`${line}\n`);
  };
  try {
    const file = join(dir, 'mlc.yaml');
    writeSimConfig(file, sims, env, { [pair]: script.extra });
    say(chalk.bold(`mlc demo: ${pair} on the built-in simulators (${sims.map((s) => `${s.system} ${s.running.url}`).join(', ')})`));
    const rt = openRuntime(file, createLogger({ verbose: options.verbose, json: false }, io.err), env);
    try {
      const ok = await script.play(rt, say);
      if (options.json) io.out(`${JSON.stringify({ ok, story: story.map(stripAnsi) }, null, 2)}\n`);
      return { exitCode: ok ? EXIT.ok : EXIT.internal };
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
