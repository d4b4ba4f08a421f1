import chalk from 'chalk';
import { EXIT } from '../../exit.js';
import type { AcumaticaClient } from '../../systems/acumatica/client.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';
import type { DemoStory } from '../types.js';

/**
 * A bill coded to an account ServiceNow lacks fails and is replayed once the account exists;
 * approved ServiceNow requests become Acumatica purchase orders, once each, even when every request is
 * read again.
 */
export const acumaticaServiceNowDemo: DemoStory = {
  systems: ['acumatica', 'servicenow'],
  async play(kit) {
    const say = kit.say;
    const acu = kit.connect<AcumaticaClient>('acumatica');
    const sn = kit.connect<ServiceNowClient>('servicenow');
    try {
      const acumatica = acu.client;
      const client = sn.client;
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

      const first = await kit.sync();
      say(
        chalk.bold('1. First pass: Acumatica -> ServiceNow, and approved ServiceNow requests -> Acumatica'),
      );
      kit.sayPass(first);
      const failures = kit.audit({ outcome: 'failed', limit: 10 });
      for (const f of failures)
        say(`   ${chalk.red('failed')} ${f.flow} ${f.label}: ${f.message ?? ''} (audit ${f.id})`);
      const created = kit.audit({ flow: 'requests_to_acumatica', outcome: 'written', limit: 10 });
      for (const c of created.reverse())
        say(
          `   ${chalk.green('created')} Acumatica purchase order ${c.targetId ?? '?'} from ServiceNow ${c.label}`,
        );

      const second = await kit.sync();
      say(chalk.bold('2. Second pass: nothing changed, so nothing moves'));
      kit.sayPass(second);
      const movedAgain = kit.written(second);

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
      const replay = await kit.replayTwice(bill.id);
      const number = String(racking.ReferenceNbr);
      const invoices = await client.queryAll('sn_shop_invoice', {
        query: `external_invoice_number=${number}`,
        fields: ['sys_id', 'external_invoice_number'],
      });
      say(`   ServiceNow now holds ${invoices.length} invoice ${number}`);

      say(chalk.bold('5. The return path creates each purchase order once: re-read every request (--full)'));
      const reread = await kit.sync({ full: true, flows: ['requests_to_acumatica'] });
      kit.sayPass(reread);
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
      kit.trail(bill);
      return kit.finish(
        first.exitCode === EXIT.failedRecords &&
          movedAgain === 0 &&
          replay.outcomes[0]?.result === 'written' &&
          invoices.length === 1 &&
          created.length > 0 &&
          kit.written(reread) === 0 &&
          perRequest.every((n) => n === 1),
        'mlc sim --systems acumatica,servicenow --write-config mlc.yaml   (then, in another shell) mlc sync acumatica-servicenow',
      );
    } finally {
      await Promise.allSettled([acu.close(), sn.close()]);
    }
  },
};
