import chalk from 'chalk';
import { EXIT } from '../../exit.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';
import type { DemoStory } from '../types.js';

/**
 * Two passes (the second moves nothing), a vendor bill failing on a GL account ServiceNow lacks, the
 * account created as an admin would, the bill replayed (twice: the second changes nothing), and the
 * bill's audit trail.
 */
export const odooServiceNowDemo: DemoStory = {
  systems: ['odoo', 'servicenow'],
  async play(kit) {
    const first = await kit.sync();
    kit.say(chalk.bold('1. First pass: Odoo -> ServiceNow'));
    kit.sayPass(first);
    const failures = kit.audit({ outcome: 'failed', limit: 10 });
    for (const f of failures)
      kit.say(`   ${chalk.red('failed')} ${f.flow} ${f.label}: ${f.message ?? ''} (audit ${f.id})`);

    const second = await kit.sync();
    kit.say(chalk.bold('2. Second pass: nothing changed, so nothing moves'));
    kit.sayPass(second);

    const bill = failures.find((f) => f.flow === 'vendor_bills');
    if (!bill) {
      kit.say(chalk.red('   expected a vendor bill to fail on a missing GL account; it did not'));
      return false;
    }
    kit.say(chalk.bold('3. An admin creates the missing GL account 630000 "Freight In" in ServiceNow'));
    const sn = kit.connect<ServiceNowClient>('servicenow');
    try {
      await sn.client.insert('sn_fin_gl_account', {
        code: '630000',
        name: 'Freight In',
        currency: 'USD',
        category: 'Expense',
        type: 'Expense',
        active: 'true',
      });
      kit.say(chalk.bold(`4. mlc replay ${bill.id}`));
      const replay = await kit.replayTwice(bill.id);
      const invoices = await sn.client.queryAll('sn_shop_invoice', {
        query: `external_invoice_number=${bill.label}`,
        fields: ['sys_id', 'external_invoice_number'],
      });
      const lines = await sn.client.queryAll('sn_shop_invoice_line', {
        query: `invoice.external_invoice_number=${bill.label}`,
        fields: ['sys_id'],
      });
      kit.say(
        `   ServiceNow now holds ${invoices.length} invoice ${bill.label} with ${lines.length} line(s)`,
      );
      kit.say(chalk.bold(`5. Audit trail of ${bill.label}`));
      kit.trail(bill);
      return kit.finish(
        replay.outcomes[0]?.result === 'written' &&
          invoices.length === 1 &&
          kit.written(second) === 0 &&
          first.exitCode === EXIT.failedRecords,
        'mlc sim --write-config mlc.yaml   (then, in another shell) mlc sync odoo-servicenow',
      );
    } finally {
      await sn.close();
    }
  },
};
