import chalk from 'chalk';
import { runAuditList } from '../../commands/audit.js';
import { runReplay } from '../../commands/replay.js';
import { runSync, type SyncResult } from '../../commands/sync.js';
import { EXIT } from '../../exit.js';
import { connect, type Runtime } from '../../runtime.js';
import type { NetSuiteClient } from '../../systems/netsuite/client.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';

/**
 * The netsuite-servicenow story for `mlc demo netsuite-servicenow`, shaped like the other demo
 * scripts (`systems`, `extra` pair settings, `play(rt, say)` returning whether everything happened
 * as told): two subsidiaries with the same document numbers, a bill coded to a GL account ServiceNow
 * lacks, the fix and the replay, and a cost center renamed in ServiceNow reaching NetSuite once.
 */
const PAIR = 'netsuite-servicenow';

/** Pair settings that fit the simulators' demo seeds: each NetSuite subsidiary's legal entity. */
export const NETSUITE_SERVICENOW_SIM_SETTINGS: Record<string, unknown> = {
  subsidiaries: { '1': { legalEntity: 'Acme Distribution' }, '2': { legalEntity: 'Acme Europe' } },
};

function written(result: SyncResult): number {
  let n = 0;
  for (const o of result.outcomes) if (o.kind === 'pass') for (const f of o.flows) n += f.written;
  return n;
}

function sayPass(result: SyncResult, say: (line: string) => void): void {
  for (const o of result.outcomes) {
    if (o.kind !== 'pass') {
      say(`   ${o.kind}: ${'message' in o ? o.message : JSON.stringify(o.error)}`);
      continue;
    }
    for (const f of o.flows)
      say(
        `   ${f.flow.padEnd(28)} read ${String(f.read).padStart(3)}  written ${String(f.written).padStart(3)}  unchanged ${String(f.unchanged).padStart(3)}  skipped ${String(f.skipped).padStart(2)}  failed ${f.failed}`,
      );
  }
}

/** A pass reads up to settleSeconds (2 s) before NetSuite's "now", on whole seconds. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 3_100 - (Date.now() % 1000)));

export const netSuiteServiceNowDemo = {
  systems: ['netsuite', 'servicenow'],
  extra: NETSUITE_SERVICENOW_SIM_SETTINGS,
  async play(rt: Runtime, say: (line: string) => void): Promise<boolean> {
    const nsConn = connect(rt, 'netsuite');
    const snConn = connect(rt, 'servicenow');
    try {
      const ns = nsConn.client as NetSuiteClient;
      const sn = snConn.client as ServiceNowClient;
      say(
        chalk.bold(
          '0. In NetSuite (Acme GmbH, subsidiary 2), a clerk codes a licence bill to prepaid account 1410',
        ),
      );
      say('   (the GL-account flow sends Expense accounts only: glAccounts.types)');
      const account = await ns.records.create('account', {
        acctNumber: '1410',
        acctName: 'Vorausbezahlte Software',
        acctType: { id: 'OthCurrAsset' },
        subsidiary: { items: [{ id: '2' }] },
      });
      await ns.records.create('vendorBill', {
        tranId: 'VB1002',
        entity: { id: '3' },
        subsidiary: { id: '2' },
        tranDate: '2026-11-25',
        otherRefNum: 'MB-2026-91',
        expense: {
          items: [
            { account: { id: account }, amount: 2400, department: { id: '4' }, memo: 'Jahreslizenz' },
            { account: { id: '7' }, amount: 180, department: { id: '3' }, memo: 'Bahn' },
          ],
        },
      });
      await settle();

      const first = await runSync(rt, { pairs: [PAIR], dryRun: false, full: false });
      say(
        chalk.bold(
          '1. First pass: NetSuite -> ServiceNow, and ServiceNow cost centers -> NetSuite departments',
        ),
      );
      sayPass(first, say);
      const failures = runAuditList(rt, { pair: PAIR, outcome: 'failed', limit: 10 });
      for (const f of failures)
        say(`   ${chalk.red('failed')} ${f.flow} ${f.label}: ${f.message ?? ''} (audit ${f.id})`);
      const orders = await sn.queryAll('sn_shop_purchase_order', {
        query: 'erp_source=NETSUITE',
        fields: ['sys_id', 'erp_number'],
      });
      say(
        `   purchase orders in ServiceNow: ${orders
          .map((o) => o.erp_number)
          .sort()
          .join(', ')} (PO1001 exists in both subsidiaries)`,
      );

      const second = await runSync(rt, { pairs: [PAIR], dryRun: false, full: false });
      say(chalk.bold('2. Second pass: nothing changed, so nothing moves'));
      sayPass(second, say);

      const bill = failures.find((f) => f.flow === 'vendor_bills' && f.label === 'S2-VB1002');
      if (!bill) {
        say(chalk.red('   expected S2-VB1002 to fail on the missing GL account 1410; it did not'));
        return false;
      }
      say(chalk.bold('3. An admin creates GL account 1410 in ServiceNow'));
      await sn.insert('sn_fin_gl_account', {
        code: '1410',
        name: 'Vorausbezahlte Software',
        currency: 'EUR',
        category: 'Asset',
        type: 'Asset',
        active: 'true',
      });
      say(chalk.bold(`4. mlc replay ${bill.id}`));
      const replay = await runReplay(rt, { ids: [bill.id], failed: false, dryRun: false });
      for (const o of replay.outcomes) say(`   ${o.result} ${o.label}${o.message ? `: ${o.message}` : ''}`);
      const again = await runReplay(rt, { ids: [bill.id], failed: false, dryRun: false });
      say(`   replayed once more: ${again.outcomes.map((o) => o.result).join(', ')} (no duplicate)`);
      const invoices = await sn.queryAll('sn_shop_invoice', {
        query: 'external_invoice_number=S2-VB1002',
        fields: ['sys_id'],
      });
      const lines = invoices[0]
        ? await sn.queryAll('sn_shop_invoice_line', {
            query: `invoice=${invoices[0].sys_id}`,
            fields: ['sys_id'],
          })
        : [];
      say(`   ServiceNow now holds ${invoices.length} invoice S2-VB1002 with ${lines.length} line(s)`);

      say(chalk.bold('5. In ServiceNow, cost center NS-DEPT-3 "Vertrieb" is renamed "Vertrieb DACH"'));
      const [cc] = await sn.queryAll('cmn_cost_center', { query: 'code=NS-DEPT-3', fields: ['sys_id'] });
      if (cc) await sn.patch('cmn_cost_center', cc.sys_id, { name: 'Vertrieb DACH' });
      await settle();
      const third = await runSync(rt, { pairs: [PAIR], dryRun: false, full: false });
      sayPass(third, say);
      const dept = await ns.records.get('department', '3');
      say(`   NetSuite department 3 is now "${String(dept?.name)}"`);
      await settle();
      const fourth = await runSync(rt, { pairs: [PAIR], dryRun: false, full: false });
      say(`   next pass writes ${written(fourth)} record(s): the rename does not echo back`);

      const ok =
        first.exitCode === EXIT.failedRecords &&
        written(second) === 0 &&
        replay.outcomes[0]?.result === 'written' &&
        invoices.length === 1 &&
        lines.length === 2 &&
        orders.length === 2 &&
        dept?.name === 'Vertrieb DACH' &&
        written(fourth) === 0;
      say('');
      say(
        ok
          ? chalk.green('The demo ran as described.')
          : chalk.red('The demo did not run as described; see above.'),
      );
      say(
        'Try it yourself: npx mlc sim --systems netsuite,servicenow --write-config mlc.yaml   (then, in another shell) npx mlc sync netsuite-servicenow',
      );
      return ok;
    } finally {
      await Promise.allSettled([nsConn.close(), snConn.close()]);
    }
  },
};
