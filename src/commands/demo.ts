import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import { ConfigError } from '../errors.js';
import { EXIT } from '../exit.js';
import { createLogger } from '../log.js';
import { connect, openRuntime, type Runtime } from '../runtime.js';
import type { AcumaticaClient } from '../systems/acumatica/client.js';
import type { ServiceNowClient } from '../systems/servicenow/client.js';
import { runAuditList, type AuditEntry } from './audit.js';
import { runReplay } from './replay.js';
import { choices } from './usage.js';
import { SIM_PAIR_SETTINGS, startSimulators, writeSimConfig } from './sim.js';
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
    extra: SIM_PAIR_SETTINGS['odoo-servicenow']!,
    async play(rt, say) {
      const pair = 'odoo-servicenow';
      const first = await runSync(rt, { pairs: [pair], dryRun: false, full: false });
      say(chalk.bold('1. First pass: Odoo -> ServiceNow'));
      sayPass(first, say);
      const failures = runAuditList(rt, { pair, outcome: 'failed', limit: 10 });
      for (const f of failures)
        say(`   ${chalk.red('failed')} ${f.flow} ${f.label}: ${f.message ?? ''} (audit ${f.id})`);

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
        await client.insert('sn_fin_gl_account', {
          code: '630000',
          name: 'Freight In',
          currency: 'USD',
          category: 'Expense',
          type: 'Expense',
          active: 'true',
        });
        say(chalk.bold(`4. mlc replay ${bill.id}`));
        const replay = await sayReplayTwice(rt, bill.id, say);
        const invoices = await client.queryAll('sn_shop_invoice', {
          query: `external_invoice_number=${bill.label}`,
          fields: ['sys_id', 'external_invoice_number'],
        });
        const lines = await client.queryAll('sn_shop_invoice_line', {
          query: `invoice.external_invoice_number=${bill.label}`,
          fields: ['sys_id'],
        });
        say(`   ServiceNow now holds ${invoices.length} invoice ${bill.label} with ${lines.length} line(s)`);

        say(chalk.bold(`5. Audit trail of ${bill.label}`));
        sayTrail(rt, bill, say);
        const ok =
          replay.outcomes[0]?.result === 'written' &&
          invoices.length === 1 &&
          movedAgain === 0 &&
          first.exitCode === EXIT.failedRecords;
        say('');
        say(
          ok
            ? chalk.green('The demo ran as described.')
            : chalk.red('The demo did not run as described; see above.'),
        );
        say(
          'Try it yourself: npx mlc sim --write-config sim.yaml   (then, in another shell) npx mlc --config sim.yaml sync odoo-servicenow; for real systems: npx mlc init odoo-servicenow',
        );
        return ok;
      } finally {
        await sn.close();
      }
    },
  },
  'acumatica-servicenow': {
    systems: ['acumatica', 'servicenow'],
    extra: SIM_PAIR_SETTINGS['acumatica-servicenow']!,
    async play(rt, say) {
      const pair = 'acumatica-servicenow';
      const acu = connect(rt, 'acumatica');
      const sn = connect(rt, 'servicenow');
      try {
        const acumatica = acu.client as AcumaticaClient;
        const client = sn.client as ServiceNowClient;
        say(chalk.bold('0. In Acumatica, a clerk codes a pallet-racking bill to fixed-asset account 17100'));
        say('   (the GL-account flow sends Expense accounts only: glAccounts.types)');
        const racking = await acumatica.withSession(async () => {
          await acumatica.put('Account', {
            AccountCD: '17100',
            Description: 'Warehouse Equipment',
            Type: 'Asset',
            Active: true,
          });
          return acumatica.put(
            'Bill',
            {
              Type: 'Bill',
              Vendor: 'V000002',
              VendorRef: 'INV-7710',
              Date: '2025-03-20T00:00:00+00:00',
              Description: 'Pallet racking, aisle 4',
              Hold: false,
              Details: [
                {
                  TransactionDescription: 'Pallet racking',
                  Qty: 1,
                  UnitCost: 2400,
                  Account: '17100',
                  Subaccount: '300-000',
                },
              ],
            },
            { expand: ['Details'] },
          );
        });
        const rackingLabel = `Bill ${String(racking.ReferenceNbr)}`;
        // A pass reads up to settleSeconds (2 s) before the server's "now", on whole seconds.
        await new Promise((r) => setTimeout(r, 3_100 - (Date.now() % 1000)));

        const first = await runSync(rt, { pairs: [pair], dryRun: false, full: false });
        say(
          chalk.bold('1. First pass: Acumatica -> ServiceNow, and approved ServiceNow requests -> Acumatica'),
        );
        sayPass(first, say);
        const failures = runAuditList(rt, { pair, outcome: 'failed', limit: 10 });
        for (const f of failures)
          say(`   ${chalk.red('failed')} ${f.flow} ${f.label}: ${f.message ?? ''} (audit ${f.id})`);
        const created = runAuditList(rt, {
          pair,
          flow: 'requests_to_acumatica',
          outcome: 'written',
          limit: 10,
        });
        for (const c of created.reverse())
          say(
            `   ${chalk.green('created')} Acumatica purchase order ${c.targetId ?? '?'} from ServiceNow ${c.label}`,
          );

        const second = await runSync(rt, { pairs: [pair], dryRun: false, full: false });
        say(chalk.bold('2. Second pass: nothing changed, so nothing moves'));
        sayPass(second, say);
        const movedAgain = totals(second).written;

        const bill = failures.find((f) => f.flow === 'bills' && f.label === rackingLabel);
        if (!bill) {
          say(chalk.red(`   expected ${rackingLabel} to fail on the missing GL account 17100; it did not`));
          return false;
        }
        say(chalk.bold('3. An admin creates GL account 17100 "Warehouse Equipment" in ServiceNow'));
        await client.insert('sn_fin_gl_account', {
          code: '17100',
          name: 'Warehouse Equipment',
          currency: 'USD',
          category: 'Asset',
          type: 'Asset',
          active: 'true',
        });
        say(chalk.bold(`4. mlc replay ${bill.id}`));
        const replay = await sayReplayTwice(rt, bill.id, say);
        const number = String(racking.ReferenceNbr);
        const invoices = await client.queryAll('sn_shop_invoice', {
          query: `external_invoice_number=${number}`,
          fields: ['sys_id', 'external_invoice_number'],
        });
        say(`   ServiceNow now holds ${invoices.length} invoice ${number}`);

        say(
          chalk.bold('5. The return path creates each purchase order once: re-read every request (--full)'),
        );
        const reread = await runSync(rt, {
          pairs: [pair],
          dryRun: false,
          full: true,
          flows: ['requests_to_acumatica'],
        });
        sayPass(reread, say);
        const perRequest: number[] = [];
        await acumatica.withSession(async () => {
          for (const c of created) {
            const pos = await acumatica.list('PurchaseOrder', {
              filter: `VendorRef eq '${c.label.replace(/'/g, "''")}'`,
              select: ['OrderNbr', 'VendorRef', 'Status'],
            });
            perRequest.push(pos.length);
            say(
              `   ${c.label}: ${pos.length} Acumatica purchase order(s) ${pos.map((p) => `${String(p.OrderNbr)} (${String(p.Status)})`).join(', ')}`,
            );
          }
        });

        say(chalk.bold(`6. Audit trail of ${bill.label}`));
        sayTrail(rt, bill, say);
        const ok =
          first.exitCode === EXIT.failedRecords &&
          movedAgain === 0 &&
          replay.outcomes[0]?.result === 'written' &&
          invoices.length === 1 &&
          created.length > 0 &&
          totals(reread).written === 0 &&
          perRequest.every((n) => n === 1);
        say('');
        say(
          ok
            ? chalk.green('The demo ran as described.')
            : chalk.red('The demo did not run as described; see above.'),
        );
        say(
          'Try it yourself: npx mlc sim --systems acumatica,servicenow --write-config sim.yaml   (then, in another shell) npx mlc --config sim.yaml sync acumatica-servicenow; for real systems: npx mlc init acumatica-servicenow',
        );
        return ok;
      } finally {
        await Promise.allSettled([acu.close(), sn.close()]);
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
      say(
        `   ${f.flow.padEnd(28)} read ${String(f.read).padStart(3)}  written ${String(f.written).padStart(3)}  unchanged ${String(f.unchanged).padStart(3)}  skipped ${String(f.skipped).padStart(2)}  failed ${f.failed}${f.alreadyHandled ? `  (${f.alreadyHandled} re-read in the overlap window, already handled)` : ''}`,
      );
    }
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
  const script = DEMOS[pair];
  if (!script)
    throw new ConfigError(`no demo for pair "${pair}"`, {
      code: 'usage.demo',
      hint: choices('available', pair, Object.keys(DEMOS)),
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
    writeSimConfig(file, sims, env, { [pair]: script.extra });
    say(
      chalk.bold(
        `mlc demo: ${pair} on the built-in simulators (${sims.map((s) => `${s.system} ${s.running.url}`).join(', ')})`,
      ),
    );
    const rt = openRuntime(file, createLogger({ verbose: options.verbose, json: false }, io.err), env);
    try {
      const ok = await script.play(rt, say);
      if (options.json) io.out(`${JSON.stringify({ ok, story: story.map(stripAnsi) }, null, 2)}\n`);
      return { exitCode: ok ? EXIT.ok : EXIT.internal, story: story.map(stripAnsi) };
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
