import { nextSecond, snRows, startPairEnv, type PairEnv } from '../helpers/pair.js';

/**
 * `mlc reconcile` end to end: the real CLI against the Odoo and ServiceNow simulators. A record that
 * commits later than the overlap window is never read by an incremental pass; reconcile names it,
 * --repair sends it once, and the next reconcile finds nothing missing.
 */
const PAIR = 'odoo-servicenow';

interface FlowReport {
  flow: string;
  missing: Array<{ sourceId: string; label: string; reason: string }>;
  different: unknown[];
  extra: Array<{ sourceId: string; label: string; reason: string }>;
  source: { count: number };
  repaired?: { written: number; unchanged: number; failed: number };
}

function flowOf(stdout: string, flow: string): FlowReport {
  const parsed = JSON.parse(stdout) as { data: { report: { flows: FlowReport[] } } };
  const found = parsed.data.report.flows.find((f) => f.flow === flow);
  if (!found) throw new Error(`no flow ${flow} in ${stdout.slice(0, 400)}`);
  return found;
}

describe('mlc reconcile end to end', () => {
  let e: PairEnv;
  afterEach(async () => {
    await e?.close();
  });

  it('names a vendor committed later than the overlap, repairs it once, then reports no vendor missing', async () => {
    e = await startPairEnv({ systems: ['odoo', 'servicenow'] });
    await e.cli('sync', PAIR);
    // Stamped 1,000 s ago (beyond the 300 s overlap), visible only once committed after the pass.
    const late = (await e.control('odoo', 'POST', 'long_transaction', {
      model: 'res.partner',
      vals_list: [{ name: 'Very Late Vendor', supplier_rank: 1, is_company: true }],
      backdateSeconds: 1000,
    })) as { txn: string | number };
    await e.control('odoo', 'POST', 'commit', { txn: late.txn });
    await nextSecond();
    await e.cli('sync', PAIR);
    const legal = async (): Promise<string[]> =>
      (await snRows(e, 'sn_fin_supplier'))
        .map((s) => s.legal_name ?? '')
        .filter((n) => n === 'Very Late Vendor');
    expect(await legal()).toHaveLength(0); // the incremental pass missed it

    const found = await e.cli('reconcile', PAIR, '--json');
    expect(found.code).toBe(3);
    const suppliers = flowOf(found.stdout, 'suppliers');
    expect(suppliers.missing).toHaveLength(1);
    expect(suppliers.missing[0]).toMatchObject({ reason: expect.stringMatching(/never written/) });
    expect(await legal()).toHaveLength(0); // reconcile without --repair writes nothing

    const repaired = await e.cli('reconcile', PAIR, '--repair', '--json');
    expect(flowOf(repaired.stdout, 'suppliers').repaired).toMatchObject({ written: 1, failed: 0 });
    expect(await legal()).toHaveLength(1);

    const again = await e.cli('reconcile', PAIR, '--repair', '--json');
    expect(flowOf(again.stdout, 'suppliers')).toMatchObject({ missing: [], different: [], extra: [] });
    expect(await legal()).toHaveLength(1);
    const human = await e.cli('reconcile', PAIR, '--flow', 'suppliers');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/suppliers \[agree/);
  });

  it('reports a vendor deleted in the source that ServiceNow still holds', async () => {
    e = await startPairEnv({ systems: ['odoo', 'servicenow'] });
    await e.cli('sync', PAIR);
    const [id] = (
      (await e.control('odoo', 'POST', 'exec', {
        model: 'res.partner',
        method: 'create',
        args: [[{ name: 'Short-lived Vendor', supplier_rank: 1, is_company: true }]],
        kwargs: {},
      })) as { result: number[] }
    ).result;
    await nextSecond();
    await e.cli('sync', PAIR);
    await e.control('odoo', 'POST', 'exec', {
      model: 'res.partner',
      method: 'unlink',
      args: [[id]],
      kwargs: {},
    });
    const report = await e.cli('reconcile', PAIR, '--flow', 'suppliers', '--json');
    expect(report.code).toBe(3);
    expect(flowOf(report.stdout, 'suppliers').extra).toEqual([
      { sourceId: String(id), label: expect.any(String), reason: expect.stringMatching(/deleted/) },
    ]);
  });

  it('the scheduled safety net sends a late commit on its pass, and stays off when set to 0', async () => {
    for (const everyPasses of [2, 0]) {
      e = await startPairEnv({ systems: ['odoo', 'servicenow'] });
      e.editConfig((c) => {
        c.pairs[PAIR].safetyNet = { everyPasses, lookbackHours: 1 };
      });
      await e.cli('sync', PAIR);
      const late = (await e.control('odoo', 'POST', 'long_transaction', {
        model: 'res.partner',
        vals_list: [{ name: 'Net Vendor', supplier_rank: 1, is_company: true }],
        backdateSeconds: 1000,
      })) as { txn: string | number };
      await e.control('odoo', 'POST', 'commit', { txn: late.txn });
      await nextSecond();
      const second = await e.cli('sync', PAIR, '--json');
      const outcome = JSON.parse(second.stdout).data.outcomes[0];
      const held = (await snRows(e, 'sn_fin_supplier')).filter((s) => s.legal_name === 'Net Vendor');
      if (everyPasses === 2) {
        expect(outcome.safetyNet).toMatchObject({ found: 1, written: 1, failed: 0 });
        expect(held).toHaveLength(1);
        expect(second.stderr).toMatch(/safety net found 1 record/);
      } else {
        expect(outcome.safetyNet).toBeUndefined();
        expect(held).toHaveLength(0);
      }
      await e.close();
    }
  });

  it('totals purchase orders per legal entity from both sides, finds one removed from ServiceNow, and repairs it', async () => {
    e = await startPairEnv({
      systems: ['odoo', 'servicenow'],
      pairOptions: { [PAIR]: { legalEntity: 'Acme Distribution' } },
    });
    await e.cli('sync', PAIR);
    const agree = await e.cli('reconcile', PAIR, '--flow', 'purchase_orders', '--json');
    expect(agree.code).toBe(0);
    const report = JSON.parse(agree.stdout).data.report.flows[0];
    expect(report.compared).toBe('target');
    expect(report.source.count).toBe(5);
    expect(report.target).toEqual(report.source);
    expect(Object.keys(report.source.money)).toEqual(['USD']);
    expect(report.groups.map((g: { company: string }) => g.company)).toEqual(['Acme Distribution']);

    const sim = e.sims.servicenow!;
    const { username, password } = sim.credentials as { username: string; password: string };
    const [order] = await snRows(e, 'sn_shop_purchase_order', 'erp_number=P00002');
    const removed = await fetch(`${sim.running.url}/api/now/table/sn_shop_purchase_order/${order!.sys_id}`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });
    expect(removed.status).toBe(204);
    const found = await e.cli('reconcile', PAIR, '--flow', 'purchase_orders', '--json');
    expect(found.code).toBe(3);
    expect(flowOf(found.stdout, 'purchase_orders').missing).toEqual([
      {
        sourceId: expect.any(String),
        label: 'P00002',
        reason: expect.stringMatching(/not in the target now/),
      },
    ]);
    await e.cli('reconcile', PAIR, '--flow', 'purchase_orders', '--repair');
    expect(await snRows(e, 'sn_shop_purchase_order', 'erp_number=P00002')).toHaveLength(1);
    expect((await e.cli('reconcile', PAIR, '--flow', 'purchase_orders')).code).toBe(0);
  });

  it('refuses a --since that is neither a time nor a duration', async () => {
    e = await startPairEnv({ systems: ['odoo', 'servicenow'] });
    const bad = await e.cli('reconcile', PAIR, '--since', 'last tuesday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since/);
    expect(bad.stderr).toMatch(/last tuesday/);
  });
});
