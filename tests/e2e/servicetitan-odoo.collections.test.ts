import { runServe } from '../../src/commands/serve.js';
import { createLogger } from '../../src/log.js';
import { serviceTitanOdoo } from '../../src/pairs/servicetitan-odoo/index.js';
import { openRuntime } from '../../src/runtime.js';
import { startPairEnv, type PairEnv } from '../helpers/pair.js';

/**
 * servicetitan-odoo field collections end to end, through the real CLI, against the ServiceTitan
 * and Odoo simulators over both Odoo transports: payments taken in ServiceTitan registered once on
 * the Odoo invoices (partial and paid), a payment whose invoice is not in Odoo yet failing and
 * replayed, a payment changed after it was registered, both payment directions over several passes
 * without an echo, and two tenants in two companies.
 */
const PAIR = 'servicetitan-odoo';
const BOT_UID = 3;

async function odoo(
  e: PairEnv,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
): Promise<any> {
  const answer = (await e.control('odoo', 'POST', 'exec', { model, method, args, kwargs })) as {
    result: any;
  };
  return answer.result;
}

const rows = (e: PairEnv, model: string, domain: unknown[], fields: string[]): Promise<any[]> =>
  odoo(e, model, 'search_read', [domain], { fields, order: 'id asc' });

function flowsOf(stdout: string): Record<string, any> {
  const pass = JSON.parse(stdout).data.outcomes[0];
  return Object.fromEntries((pass.flows as any[]).map((f) => [f.flow, f]));
}

function written(stdout: string): number {
  return Object.values(flowsOf(stdout)).reduce((n, f) => n + (f.written as number), 0);
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1100));

/** The Odoo invoices of a tenant, by ServiceTitan invoice id. */
async function invoicesOf(e: PairEnv, tenant: string, company: number): Promise<Map<number, any>> {
  const found = await rows(
    e,
    'account.move',
    [['ref', '=like', `ST${tenant}.C${company}.INV.%`]],
    ['ref', 'amount_total', 'amount_residual', 'payment_state', 'company_id'],
  );
  return new Map(found.map((m) => [Number(String(m.ref).split('.').pop()), m]));
}

const paymentsFrom = (e: PairEnv, tenant: string, company: number): Promise<any[]> =>
  rows(
    e,
    'account.payment',
    [['memo', '=like', `ST${tenant}.C${company}.PAY.%`]],
    ['memo', 'amount', 'date', 'state', 'company_id', 'journal_id', 'reconciled_invoice_ids'],
  );

const stPayments = (e: PairEnv, tenant: string): Promise<any[]> =>
  e.control('servicetitan', 'GET', `state?name=payments:${tenant}`) as Promise<any[]>;

describe.each(['json2', 'xmlrpc'] as const)('servicetitan-odoo collections, Odoo over %s', (transport) => {
  let e: PairEnv;
  const start = async (): Promise<PairEnv> => {
    const env = await startPairEnv({
      systems: ['servicetitan', 'odoo'],
      seed: 'demo',
      pairOptions: { [PAIR]: { ...serviceTitanOdoo.simSettings } },
    });
    env.editConfig((c) => {
      c.connections.odoo.transport = transport;
    });
    return env;
  };
  afterEach(async () => {
    await e?.close();
  });

  it('field payments arrive in Odoo once per invoice paid; the invoices show partial and paid; an idle pass writes nothing', async () => {
    e = await start();
    const first = await e.cli('sync', PAIR, '--json');
    expect(first.code).toBe(0);
    // PAY-01 pays half of INV-7000; PAY-02 is split over the rest of INV-7000 and part of INV-7001.
    expect(flowsOf(first.stdout).collections).toMatchObject({ read: 3, written: 3, failed: 0 });
    const st = await stPayments(e, '1000001');
    const counter = st.find((p) => p.referenceNumber === 'PAY-01');
    const split = st.find((p) => p.referenceNumber === 'PAY-02');
    const [inv1, inv2] = (split.appliedTo as Array<{ appliedTo: number }>).map((a) => a.appliedTo);
    const payments = await paymentsFrom(e, '1000001', 1);
    expect(payments.map((p) => [p.memo, p.amount, p.date]).sort()).toEqual(
      [
        [`ST1000001.C1.PAY.${counter.id}-${inv1}`, 62.75, '2026-11-12'],
        [`ST1000001.C1.PAY.${split.id}-${inv1}`, 63.03, '2026-11-14'],
        [`ST1000001.C1.PAY.${split.id}-${inv2}`, 500, '2026-11-14'],
      ].sort(),
    );
    const invoices = await invoicesOf(e, '1000001', 1);
    for (const p of payments) {
      expect(p).toMatchObject({ state: 'in_process', company_id: [1, 'Acme Distribution'] });
      expect(p.journal_id[1]).toBe('Bank');
      const stInvoice = Number(String(p.memo).split('-').pop());
      expect(p.reconciled_invoice_ids).toEqual([invoices.get(stInvoice).id]);
    }
    expect(invoices.get(inv1 as number)).toMatchObject({ amount_residual: 0, payment_state: 'in_payment' });
    expect(invoices.get(inv2 as number)).toMatchObject({ amount_residual: 480, payment_state: 'partial' });

    await tick();
    const idle = await e.cli('sync', PAIR, '--json');
    expect(idle.code).toBe(0);
    expect(written(idle.stdout)).toBe(0);
    const full = await e.cli('sync', PAIR, '--full', '--json');
    expect(flowsOf(full.stdout).collections.written).toBe(0);
    expect(await paymentsFrom(e, '1000001', 1)).toHaveLength(3);

    // A payment taken in the field later, on the rest of INV-7001, settles it.
    await e.control('servicetitan', 'POST', 'payments', {
      tenant: '1000001',
      splits: [{ invoiceId: inv2, amount: '480.00' }],
      paidOn: '2026-11-20T15:30:00Z',
    });
    await tick();
    const later = await e.cli('sync', PAIR, '--json');
    expect(flowsOf(later.stdout).collections).toMatchObject({ written: 1, failed: 0 });
    expect((await invoicesOf(e, '1000001', 1)).get(inv2 as number)).toMatchObject({
      amount_residual: 0,
      payment_state: 'in_payment',
    });
  });

  it('a payment of an invoice not yet in Odoo fails with a clear audit entry and replays once the invoice is there', async () => {
    e = await start();
    await e.control('odoo', 'POST', 'access', { model: 'account.move', deny: ['create'] });
    const first = await e.cli('sync', PAIR, '--json');
    expect(first.code).toBe(3);
    expect(flowsOf(first.stdout).collections).toMatchObject({ written: 0, failed: 3 });
    const audit = JSON.parse(
      (await e.cli('audit', '--json', '--outcome', 'failed', '--limit', '200')).stdout,
    ).data;
    const entries = (audit.entries ?? audit) as any[];
    const collections = entries.filter((a) => a.flow === 'collections');
    expect(collections).toHaveLength(3);
    for (const c of collections)
      expect(c.message).toMatch(
        /^invoice INV-700[01] \(ServiceTitan invoice \d+, ST1000001\.C1\.INV\.\d+\) does not exist in the target$/,
      );
    const tooEarly = await e.cli('replay', String(collections[0].id), '--json');
    expect(tooEarly.code).toBe(3);
    expect(await paymentsFrom(e, '1000001', 1)).toHaveLength(0);

    await e.control('odoo', 'POST', 'access', { reset: true });
    for (const inv of entries.filter((a) => a.flow === 'invoices'))
      expect((await e.cli('replay', String(inv.id))).code).toBe(0);
    for (const c of collections) expect((await e.cli('replay', String(c.id))).code).toBe(0);
    expect(await paymentsFrom(e, '1000001', 1)).toHaveLength(3);
    // Replayed again: nothing new.
    expect((await e.cli('replay', String(collections[0].id))).code).toBe(0);
    expect(await paymentsFrom(e, '1000001', 1)).toHaveLength(3);
  });

  it('a ServiceTitan payment changed after it was registered fails, asking for the fix in Odoo', async () => {
    e = await start();
    expect((await e.cli('sync', PAIR)).code).toBe(0);
    const counter = (await stPayments(e, '1000001')).find((p) => p.referenceNumber === 'PAY-01');
    await e.control('servicetitan', 'POST', 'touch', {
      tenant: '1000001',
      entity: 'payments',
      id: counter.id,
      changes: {
        total: '60.00',
        appliedTo: [{ ...counter.appliedTo[0], appliedAmount: '60.00' }],
      },
    });
    await tick();
    const pass = await e.cli('sync', PAIR, '--json');
    expect(pass.code).toBe(3);
    expect(flowsOf(pass.stdout).collections).toMatchObject({ written: 0, failed: 1 });
    const audit = JSON.parse((await e.cli('audit', '--json', '--outcome', 'failed')).stdout).data;
    const entry = ((audit.entries ?? audit) as any[]).find((a) => a.flow === 'collections');
    expect(entry.message).toMatch(/is in Odoo for 62\.75 on 2026-11-12 .* now says 60\.00/);
    expect(JSON.stringify(entry)).toContain('odoo.payment_changed');
    const payments = await paymentsFrom(e, '1000001', 1);
    expect(payments.map((p) => p.amount).sort()).toEqual([500, 62.75, 63.03]);
  });

  it('both payment directions on for several passes: each payment moves once, nothing echoes', async () => {
    e = await start();
    const [type] = (await e.control('servicetitan', 'GET', 'state?name=payment_types:1000001')) as Array<{
      id: number;
    }>;
    e.editConfig((c) => {
      c.pairs[PAIR].payments = { typeId: type?.id };
    });
    const first = await e.cli('sync', PAIR, '--json');
    expect(first.code).toBe(0);
    expect(flowsOf(first.stdout).collections.written).toBe(3);
    expect(flowsOf(first.stdout).payments.written).toBe(0);
    const stBefore = await stPayments(e, '1000001');
    expect(stBefore).toHaveLength(2);

    // A customer pays INV-7001 in Odoo: it goes to ServiceTitan once, and does not come back.
    const invoices = await invoicesOf(e, '1000001', 1);
    const inv2 = [...invoices.values()].find((m) => m.payment_state === 'partial');
    const context = { active_model: 'account.move', active_ids: [inv2.id] };
    const [wizard] = await odoo(e, 'account.payment.register', 'create', [[{ amount: 100 }]], { context });
    await odoo(e, 'account.payment.register', 'action_create_payments', [[wizard]], { context });
    const sent: number[] = [];
    let skippedBack = 0;
    for (let pass = 0; pass < 4; pass += 1) {
      await tick();
      const r = await e.cli('sync', PAIR, '--json');
      expect(r.code).toBe(0);
      const flows = flowsOf(r.stdout);
      sent.push(flows.payments.written as number);
      skippedBack += flows.payments.skipped as number;
      // The ServiceTitan payment made from Odoo is not registered in Odoo again.
      expect(flows.collections.written).toBe(0);
      expect(flows.collections.failed + flows.payments.failed).toBe(0);
    }
    // The Odoo payment went to ServiceTitan in one pass; later passes send nothing.
    expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
    expect(sent.slice(-2)).toEqual([0, 0]);
    // The three payments registered from ServiceTitan were seen by the Odoo -> ServiceTitan flow and skipped.
    expect(skippedBack).toBe(3);
    const stAfter = await stPayments(e, '1000001');
    expect(stAfter).toHaveLength(3);
    expect(stAfter.filter((p) => /\[ODOO\.C1\.PAY\.\d+\]/.test(String(p.memo)))).toHaveLength(1);
    const all = await rows(e, 'account.payment', [['payment_type', '=', 'inbound']], ['memo', 'amount']);
    expect(all.filter((p) => String(p.memo).startsWith('ST1000001.C1.PAY.'))).toHaveLength(3);
    expect(all).toHaveLength(4);
  });

  it('two tenants register their payments in their own companies and journals', async () => {
    e = await start();
    await odoo(e, 'res.users', 'write', [[BOT_UID], { company_ids: [[6, 0, [1, 2]]] }]);
    e.env.MLC_E2E_ST2_SECRET = 'cs1.sim-secret-plumbing-0002';
    e.env.MLC_E2E_ST2_APP_KEY = String((e.sims.servicetitan?.credentials as { appKey: string }).appKey);
    e.editConfig((c) => {
      c.connections.plumbing = {
        ...c.connections.servicetitan,
        tenantId: '1000002',
        clientId: 'cid.sim1000002',
        clientSecret: '${MLC_E2E_ST2_SECRET}',
        appKey: '${MLC_E2E_ST2_APP_KEY}',
      };
      // The plumbing company's collections go to its cash journal, named by code.
      c.pairs.plumbing = {
        ...c.pairs[PAIR],
        type: PAIR,
        source: 'plumbing',
        collections: { journal: 'CSH1' },
      };
    });
    expect((await e.cli('sync', PAIR)).code).toBe(0);
    const plumbing = await e.cli('sync', 'plumbing', '--json');
    expect(plumbing.code).toBe(0);
    expect(flowsOf(plumbing.stdout).collections.written).toBe(3);
    const one = await paymentsFrom(e, '1000001', 1);
    const two = await paymentsFrom(e, '1000002', 2);
    expect([one.length, two.length]).toEqual([3, 3]);
    for (const p of one) expect(p.company_id[0]).toBe(1);
    for (const p of two) expect(p.company_id[0]).toBe(2);
    const journals = await rows(
      e,
      'account.journal',
      [['id', 'in', [...one, ...two].map((p) => p.journal_id[0])]],
      ['code', 'company_id'],
    );
    const byId = new Map(journals.map((j) => [j.id, j]));
    for (const p of one)
      expect(byId.get(p.journal_id[0])).toMatchObject({ code: 'BNK1', company_id: [1, expect.any(String)] });
    for (const p of two)
      expect(byId.get(p.journal_id[0])).toMatchObject({ code: 'CSH1', company_id: [2, expect.any(String)] });
    const inv2 = await invoicesOf(e, '1000002', 2);
    expect([...inv2.values()].map((m) => m.payment_state).sort()).toEqual(['in_payment', 'partial']);
    // Nothing of one tenant in the other's company.
    expect(await paymentsFrom(e, '1000002', 1)).toHaveLength(0);
    expect(written((await e.cli('sync', 'plumbing', '--json')).stdout)).toBe(0);
  });
});

it('ping checks the rights field collections need: register payments, read payments', async () => {
  const e = await startPairEnv({
    systems: ['servicetitan', 'odoo'],
    seed: 'demo',
    pairOptions: { [PAIR]: { ...serviceTitanOdoo.simSettings } },
  });
  try {
    const ok = await e.cli('ping', 'odoo', '--json');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('account.payment.register');
    await e.control('odoo', 'POST', 'access', { model: 'account.payment.register', deny: ['create'] });
    const refused = await e.cli('ping', 'odoo', '--json');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/may not create account\.payment\.register/);
    await e.control('odoo', 'POST', 'access', { reset: true });
    await e.control('odoo', 'POST', 'access', { model: 'account.payment', deny: ['read'] });
    const noRead = await e.cli('ping', 'odoo', '--json');
    expect(noRead.code).not.toBe(0);
    expect(noRead.stdout).toMatch(/not allowed to access 'Payments' \(account\.payment\)/);
    e.editConfig((c) => {
      c.pairs[PAIR].collections = { enabled: false };
    });
    // Off: the models are not asked for.
    const off = await e.cli('ping', 'odoo', '--json');
    expect(off.stdout).not.toContain('account.payment.register');
  } finally {
    await e.close();
  }
});

it('a payment taken in the field reaches Odoo by webhook, without a pass; the next pass writes nothing', async () => {
  const HMAC_KEY = 'st-webhook-hmac-key-0123456789abcdef';
  const e = await startPairEnv({
    systems: ['servicetitan', 'odoo'],
    seed: 'demo',
    pairOptions: { [PAIR]: { ...serviceTitanOdoo.simSettings } },
  });
  const rt = { current: undefined as undefined | Awaited<ReturnType<typeof openRuntime>> };
  let served: Awaited<ReturnType<typeof runServe>> | undefined;
  try {
    expect((await e.cli('sync', PAIR)).code).toBe(0);
    e.env.MLC_E2E_HMAC = HMAC_KEY;
    e.editConfig((c) => {
      c.pairs[PAIR].serve = { port: 0, hmacKey: '${MLC_E2E_HMAC}' };
    });
    rt.current = await openRuntime(
      e.config,
      createLogger({ verbose: false, json: false }, () => undefined),
      e.env,
    );
    served = await runServe(rt.current, PAIR);
    await e.control('servicetitan', 'POST', 'webhooks', {
      url: `${served.receiver.url}/webhooks/servicetitan`,
      hmacKey: HMAC_KEY,
      encoding: 'hex',
      timeScale: 0.01,
    });
    const partial = (await invoicesOf(e, '1000001', 1)).entries();
    const [stInvoice] = [...partial].find(([, m]) => m.payment_state === 'partial') ?? [];
    const made = (await e.control('servicetitan', 'POST', 'payments', {
      tenant: '1000001',
      splits: [{ invoiceId: stInvoice, amount: '100.00' }],
      paidOn: '2026-11-21T10:00:00Z',
    })) as { row: { id: number } };
    const memo = `ST1000001.C1.PAY.${made.row.id}-${String(stInvoice)}`;
    const end = Date.now() + 10_000;
    let found: any[] = [];
    while (found.length === 0 && Date.now() < end) {
      await served.drain();
      found = await rows(e, 'account.payment', [['memo', '=', memo]], ['amount', 'date']);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toEqual([expect.objectContaining({ amount: 100, date: '2026-11-21' })]);
    await served.close();
    served = undefined;
    await tick();
    const pass = await e.cli('sync', PAIR, '--json');
    expect(pass.code).toBe(0);
    expect(flowsOf(pass.stdout).collections.written).toBe(0);
    expect(await rows(e, 'account.payment', [['memo', '=', memo]], ['id'])).toHaveLength(1);
  } finally {
    await served?.close();
    rt.current?.close();
    await e.close();
  }
});
