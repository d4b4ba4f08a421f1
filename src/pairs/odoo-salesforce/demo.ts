import chalk from 'chalk';
import type { DemoStory } from '../types.js';

/** Two passes: the first sends the demo's products, customers, orders and invoices; the second moves nothing. */
export const odooSalesforceDemo: DemoStory = {
  systems: ['odoo', 'salesforce'],
  async play(kit) {
    const first = await kit.sync();
    kit.say(chalk.bold('1. First pass: Odoo -> Salesforce'));
    kit.sayPass(first);
    for (const f of kit.audit({ outcome: 'failed', limit: 10 }))
      kit.say(`   ${chalk.red('failed')} ${f.flow} ${f.label}: ${f.message ?? ''} (audit ${f.id})`);
    const second = await kit.sync();
    kit.say(chalk.bold('2. Second pass: nothing changed, so nothing moves'));
    kit.sayPass(second);
    return kit.finish(
      kit.written(first) > 0 && kit.written(second) === 0,
      'mlc sim --write-config mlc.yaml   (then, in another shell) mlc sync odoo-salesforce',
    );
  },
};
