import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnMlc, startFaultEnv } from '../../src/faults/env.js';
import { runMatrix } from '../../src/faults/matrix.js';
import { findSecrets, judge, simRows } from '../../src/faults/oracle.js';
import { odooServiceNow } from '../../src/faults/pairs/odoo-servicenow.js';
import { serviceTitanOdoo } from '../../src/faults/pairs/servicetitan-odoo.js';
import { FAULT_PAIRS } from '../../src/faults/pairs/index.js';
import { SCENARIOS } from '../../src/faults/scenarios.js';

/**
 * The fault matrix's quick subset (kill -9, ties across pages, servers echoing a secret; both pairs)
 * against the built CLI, and proof that its oracles see a loss, a duplicate, a wrong value and a
 * leaked secret when there is one.
 */
describe('fault matrix', () => {
  it('judges the target from both systems: a deleted, a doubled and an altered row are each counted', async () => {
    const e = await startFaultEnv(odooServiceNow, { latencyMs: 0 });
    try {
      const pass = await spawnMlc(e, ['sync', odooServiceNow.name]).done;
      expect(pass.code).toBe(0);
      const clean = judge(await odooServiceNow.sourceOracle(e), await odooServiceNow.targetOracle(e));
      expect(clean).toEqual({ missed: 0, duplicated: 0, wrong: 0, notes: [] });
      const expected = await odooServiceNow.sourceOracle(e);
      expect(expected.filter((r) => r.kind === 'order line').length).toBe(30 * 5);
      expect(expected.filter((r) => r.kind === 'invoice line').length).toBe(6 * 3);

      const exec = (body: unknown): Promise<unknown> => e.control('servicenow', 'POST', 'exec', body);
      const [supplier] = await simRows(e, 'servicenow', 'sn_fin_supplier');
      await exec({ table: 'sn_fin_supplier', sysId: supplier!.sys_id, delete: true });
      const [invoice] = await simRows(e, 'servicenow', 'sn_shop_invoice');
      const { sys_id: _id, number: _n, ...copy } = invoice!;
      await exec({ table: 'sn_shop_invoice', record: copy });
      const [line] = await simRows(e, 'servicenow', 'sn_shop_purchase_order_line');
      await exec({
        table: 'sn_shop_purchase_order_line',
        sysId: line!.sys_id,
        record: { total_amount: '0.01' },
      });

      const broken = judge(await odooServiceNow.sourceOracle(e), await odooServiceNow.targetOracle(e));
      expect(broken).toMatchObject({ missed: 1, duplicated: 1, wrong: 1 });
      expect(broken.notes.join('\n')).toMatch(/amount expected "[\d.]+", target has "0.01"/);

      const canary = e.canaries[0]!;
      expect(findSecrets(e, [{ where: 'stdout', text: pass.stdout }]).found).toBe(0);
      writeFileSync(join(e.home, 'stray.log'), `token=${canary}\n`);
      const leak = findSecrets(e, [{ where: 'stderr of a pass', text: `Bearer ${canary}` }]);
      expect(leak.found).toBe(2);
      expect(leak.notes.join('\n')).not.toContain(canary);
    } finally {
      await e.close();
    }
  }, 60_000);

  it('servicetitan-odoo: judges both tenants in their companies, the invoices marked exported and the payments sent back', async () => {
    const e = await startFaultEnv(serviceTitanOdoo, { latencyMs: 0 });
    try {
      const pass = await spawnMlc(e, serviceTitanOdoo.syncArgs ?? []).done;
      expect(pass.code).toBe(0);
      const judged = async (): Promise<ReturnType<typeof judge>> =>
        judge(await serviceTitanOdoo.sourceOracle(e), await serviceTitanOdoo.targetOracle(e));
      expect(await judged()).toEqual({ missed: 0, duplicated: 0, wrong: 0, notes: [] });
      const expected = await serviceTitanOdoo.sourceOracle(e);
      const count = (kind: string, prefix: string): number =>
        expected.filter((r) => r.kind === kind && r.key.startsWith(prefix)).length;
      // volume:20: 20 purchase orders and 10 invoices per tenant, each tenant in its own company.
      expect(count('purchase order', 'ST1000001.C1.')).toBe(20);
      expect(count('purchase order', 'ST1000002.C2.')).toBe(20);
      expect(count('exported invoice', 'ST1000001.C1.')).toBe(10);
      expect(count('exported invoice', 'ST1000002.C2.')).toBe(10);
      // Every other invoice of the first tenant paid in Odoo; the payment of no invoice is not due.
      const payments = expected.filter((r) => r.kind === 'payment');
      expect(payments).toHaveLength(5);
      expect(payments.every((p) => p.key.startsWith('ODOO.C1.PAY.') && p.fields.tenant === '1000001')).toBe(
        true,
      );

      // A payment deleted in ServiceTitan, another's amount altered, a third sent twice (a fourth's
      // exportId made the same as it), a vendor of the second tenant renamed in Odoo.
      const stPayments = (await simRows(e, 'servicetitan', 'payments:1000001')).filter((p) =>
        String(p._exportId).startsWith('ODOO.'),
      );
      expect(stPayments).toHaveLength(5);
      const touch = (id: unknown, changes: Record<string, unknown>, del = false): Promise<unknown> =>
        e.control('servicetitan', 'POST', 'touch', {
          tenant: '1000001',
          entity: 'payments',
          id,
          changes,
          ...(del ? { delete: true } : {}),
        });
      await touch(stPayments[0]!.id, {}, true);
      await touch(stPayments[1]!.id, { total: '0.01' });
      await touch(stPayments[3]!.id, { _exportId: stPayments[2]!._exportId });
      const [vendor] = (await simRows(e, 'odoo', 'res.partner')).filter((p) =>
        String(p.ref).startsWith('ST1000002.C2.VEND.'),
      );
      await e.control('odoo', 'POST', 'exec', {
        model: 'res.partner',
        method: 'write',
        args: [[vendor!.id], { name: 'Renamed in Odoo' }],
      });
      const broken = await judged();
      // missed: the deleted one and the one whose exportId moved; wrong: the amount, the vendor, and
      // the doubled exportId (its two rows disagree on the invoice).
      expect(broken).toMatchObject({ missed: 2, duplicated: 1, wrong: 3 });
      expect(broken.notes.join('\n')).toMatch(
        /wrong: payment ODOO\.C1\.PAY\.\d+: amount expected "[\d.]+", target has "0.01"/,
      );
      expect(broken.notes.join('\n')).toMatch(/wrong: vendor ST1000002\.C2\.VEND\.\d+/);
    } finally {
      await e.close();
    }
  }, 90_000);

  it('quick subset: no record missed, doubled or altered, no unexpected exit, no secret, on every pair', async () => {
    const cells = await runMatrix({ pairs: FAULT_PAIRS, scenarios: SCENARIOS, quick: true, seed: 20261130 });
    expect(cells.map((c) => c.scenario)).toEqual(
      expect.arrayContaining([
        'baseline (no faults)',
        'kill -9 at random moments',
        'ties across page boundaries',
        'servers echo a secret',
      ]),
    );
    expect(cells.filter((c) => c.pending)).toEqual([]);
    for (const c of cells.filter((x) => !x.pending && !x.unsupported)) {
      const { scenario, pair, missed, duplicated, wrong, unexpectedExits, secretsFound, staleWrites, notes } =
        c;
      expect({
        scenario,
        pair,
        missed,
        duplicated,
        wrong,
        unexpectedExits,
        secretsFound,
        staleWrites,
        notes,
      }).toEqual({
        scenario,
        pair,
        missed: 0,
        duplicated: 0,
        wrong: 0,
        unexpectedExits: 0,
        secretsFound: 0,
        staleWrites: 0,
        // The quick scenarios note nothing but findings: shown here when there are some.
        notes: [],
      });
      expect(c.runs).toBeGreaterThan(0);
      if (scenario !== 'baseline (no faults)' && scenario !== 'ties across page boundaries')
        expect(c.faultsFired).toBeGreaterThan(0);
    }
    expect(new Set(cells.map((c) => c.pair))).toEqual(new Set(FAULT_PAIRS.map((p) => p.name)));
  }, 240_000);
});
