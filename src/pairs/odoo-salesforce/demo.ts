import chalk from 'chalk';
import type { SalesforceClient } from '../../systems/salesforce/client.js';
import type { DemoStory } from '../types.js';

/**
 * Two passes on the demo seeds: the first sends Odoo's products with their standard prices, the
 * customer and its confirmed sales order (the org already holds an order with that Odoo id, from an
 * earlier setup, whose order products name other products: they are replaced, not changed); the
 * second moves nothing. Then what Salesforce holds.
 */
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
    kit.say(chalk.bold('3. What Salesforce holds now'));
    const sf = kit.connect<SalesforceClient>('salesforce');
    try {
      const orders = await sf.client.query(
        "SELECT Id, Odoo_Id__c, Status, TotalAmount FROM Order WHERE Odoo_Id__c = 'sale.order:1'",
      );
      const order = orders[0];
      const items = order
        ? await sf.client.query(`SELECT Id, Quantity, UnitPrice FROM OrderItem WHERE OrderId = '${order.Id}'`)
        : [];
      kit.say(
        `   Order ${String(order?.Odoo_Id__c ?? '-')}: ${String(order?.Status ?? 'missing')}, ${items.length} order product(s), total ${String(order?.TotalAmount ?? 0)}`,
      );
      return kit.finish(
        kit.written(first) > 0 &&
          kit.written(second) === 0 &&
          order?.Status === 'Activated' &&
          items.length === 1 &&
          order.TotalAmount === 900,
        'mlc sim --write-config mlc.yaml   (then, in another shell) mlc sync odoo-salesforce',
      );
    } finally {
      await sf.close();
    }
  },
};
