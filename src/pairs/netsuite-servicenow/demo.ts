import chalk from 'chalk';
import { EXIT } from '../../exit.js';
import type { NetSuiteClient } from '../../systems/netsuite/client.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';
import type { DemoStory } from '../types.js';

/**
 * The netsuite-servicenow story for `mlc demo netsuite-servicenow`: two subsidiaries with the same document numbers, a bill coded to a GL account ServiceNow
 * lacks, the fix and the replay, and a cost center renamed in ServiceNow reaching NetSuite once.
 */
/** Pair settings that fit the simulators' demo seeds: each NetSuite subsidiary's legal entity. */
export const NETSUITE_SERVICENOW_SIM_SETTINGS: Record<string, unknown> = {
  subsidiaries: { '1': { legalEntity: 'Acme Distribution' }, '2': { legalEntity: 'Acme Europe' } },
};

/** A pass reads up to settleSeconds (2 s) before NetSuite's "now", on whole seconds. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 3_100 - (Date.now() % 1000)));

export const netSuiteServiceNowDemo: DemoStory = {
  systems: ['netsuite', 'servicenow'],
  async play(kit) {
    const say = kit.say;
    const nsConn = kit.connect<NetSuiteClient>('netsuite');
    const snConn = kit.connect<ServiceNowClient>('servicenow');
    try {
      const ns = nsConn.client;
      const sn = snConn.client;
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

      const first = await kit.sync();
      say(
        chalk.bold(
          '1. First pass: NetSuite -> ServiceNow, and ServiceNow cost centers -> NetSuite departments',
        ),
      );
      kit.sayPass(first);
      const failures = kit.audit({ outcome: 'failed', limit: 10 });
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

      const second = await kit.sync();
      say(chalk.bold('2. Second pass: nothing changed, so nothing moves'));
      kit.sayPass(second);

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
      const replay = await kit.replayTwice(bill.id);
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
      const third = await kit.sync();
      kit.sayPass(third);
      const dept = await ns.records.get('department', '3');
      say(`   NetSuite department 3 is now "${String(dept?.name)}"`);
      await settle();
      const fourth = await kit.sync();
      say(`   next pass writes ${kit.written(fourth)} record(s): the rename does not echo back`);

      return kit.finish(
        first.exitCode === EXIT.failedRecords &&
          kit.written(second) === 0 &&
          replay.outcomes[0]?.result === 'written' &&
          invoices.length === 1 &&
          lines.length === 2 &&
          orders.length === 2 &&
          dept?.name === 'Vertrieb DACH' &&
          kit.written(fourth) === 0,
        'mlc sim --systems netsuite,servicenow --write-config mlc.yaml   (then, in another shell) mlc sync netsuite-servicenow',
      );
    } finally {
      await Promise.allSettled([nsConn.close(), snConn.close()]);
    }
  },
};
