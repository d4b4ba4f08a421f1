import { nextSecond, snRows, startPairEnv, type PairEnv } from '../helpers/pair.js';

/**
 * Two Odoo companies against one ServiceNow instance, end to end: the demo seed's second company
 * ("Acme Services") has its own P00001/P00002 and BILL/2026/0001 (per-company sequences) and its own
 * account codes (601000, 611000: company-dependent), and a vendor with a confirmed purchase order but
 * no posted bill (supplier_rank 0).
 */
const PAIR = 'odoo-servicenow';
const BOT_UID = 3;

async function odoo(
  envp: PairEnv,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
): Promise<any> {
  const answer = (await envp.control('odoo', 'POST', 'exec', { model, method, args, kwargs })) as {
    result: unknown;
  };
  return answer.result;
}

/** A ServiceNow record created as an administrator would, over the Table API. */
async function snInsert(envp: PairEnv, table: string, record: Record<string, string>): Promise<string> {
  const sim = envp.sims.servicenow!;
  const { username, password } = sim.credentials as { username: string; password: string };
  const res = await fetch(`${sim.running.url}/api/now/table/${table}`, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    },
    body: JSON.stringify(record),
  });
  if (!res.ok) throw new Error(`${table}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { result: { sys_id: string } }).result.sys_id;
}

/** An Odoo administrator lets the bot user into the second company. */
async function grantSecondCompany(envp: PairEnv): Promise<void> {
  await odoo(envp, 'res.users', 'write', [[BOT_UID], { company_ids: [[6, 0, [1, 2]]] }]);
}

const COMPANIES = {
  'Acme Distribution': { legalEntity: 'Acme Distribution' },
  'Acme Services': {
    legalEntity: 'Acme Services',
    // The second company's chart uses other codes than the ServiceNow GL accounts.
    glAccounts: { map: { '601000': '600000', '611000': '610000' } },
  },
};

function count<T>(rows: T[], pick: (r: T) => string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const k = pick(r) ?? '';
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

describe.each(['json2', 'xmlrpc'] as const)(
  'odoo-servicenow with two Odoo companies over %s',
  (transport) => {
    let e: PairEnv;
    afterEach(async () => {
      await e?.close();
    });
    const start = async (): Promise<PairEnv> => {
      const env = await startPairEnv({ systems: ['odoo', 'servicenow'] });
      env.editConfig((c) => {
        c.connections.odoo.transport = transport;
      });
      return env;
    };

    it('every document lands once, under its own company reference, legal entity and account codes', async () => {
      e = await start();
      await grantSecondCompany(e);
      const services = await snInsert(e, 'sn_fin_legal_entity', { name: 'Acme Services', currency: 'USD' });
      e.editConfig((c) => {
        c.pairs[PAIR].companies = COMPANIES;
      });
      const first = await e.cli('sync', PAIR, '--json');
      expect(first.code).toBe(3); // company 1's BILL/2026/0004 names 630000, absent in ServiceNow

      const orders = await snRows(e, 'sn_shop_purchase_order');
      expect(orders.map((o) => o.erp_number).sort()).toEqual([
        'C2-P00001',
        'C2-P00002',
        'P00001',
        'P00002',
        'P00003',
        'P00004',
        'P00005',
      ]);
      const acme = (await snRows(e, 'sn_fin_legal_entity', 'name=Acme Distribution'))[0]!.sys_id;
      for (const o of orders)
        expect(o.legal_entity).toBe((o.erp_number ?? '').startsWith('C2-') ? services : acme);

      const invoices = await snRows(e, 'sn_shop_invoice');
      expect(invoices.map((i) => i.external_invoice_number).sort()).toEqual([
        'BILL/2026/0001',
        'BILL/2026/0002',
        'BILL/2026/0003',
        'C2-BILL/2026/0001',
      ]);
      const byNumber = new Map(invoices.map((i) => [i.external_invoice_number, i]));
      expect(byNumber.get('C2-BILL/2026/0001')!.legal_entity).toBe(services);
      expect(byNumber.get('BILL/2026/0001')!.legal_entity).toBe(acme);

      // Each invoice holds its own company's lines only: two for each BILL/2026/0001.
      const lines = await snRows(e, 'sn_shop_invoice_line');
      const perInvoice = count(lines, (l) => l.invoice ?? '');
      expect(perInvoice.get(byNumber.get('BILL/2026/0001')!.sys_id ?? '')).toBe(2);
      expect(perInvoice.get(byNumber.get('C2-BILL/2026/0001')!.sys_id ?? '')).toBe(2);
      // The second company's lines carry its codes, read in its own company and mapped: 601000 ->
      // 600000, 611000 -> 610000.
      const gl = new Map((await snRows(e, 'sn_fin_gl_account')).map((a) => [a.sys_id, a.code]));
      const c2Lines = lines.filter((l) => l.invoice === byNumber.get('C2-BILL/2026/0001')!.sys_id);
      expect(c2Lines.map((l) => gl.get(l.gl_account)).sort()).toEqual(['600000', '610000']);

      // A vendor with a confirmed purchase order and no posted bill (supplier_rank 0) is sent.
      const suppliers = await snRows(e, 'sn_fin_supplier');
      expect(suppliers.filter((s) => s.legal_name === 'Northwind Supplies')).toHaveLength(1);
      const [northwind] = (await odoo(
        e,
        'res.partner',
        'search_read',
        [[['name', '=', 'Northwind Supplies']]],
        {
          fields: ['supplier_rank'],
        },
      )) as Array<{ supplier_rank: number }>;
      expect(northwind?.supplier_rank).toBe(0);

      const failures = JSON.parse((await e.cli('audit', 'failures', '--json')).stdout).data.groups as Array<{
        cause: string;
      }>;
      expect(failures.map((f) => f.cause).join('\n')).not.toMatch(/no GL account|supplier_missing/);

      await nextSecond();
      const second = await e.cli('sync', PAIR, '--json');
      const pass = JSON.parse(second.stdout).data.outcomes[0];
      expect(pass.flows.reduce((n: number, f: { written: number }) => n + f.written, 0)).toBe(0);
    });

    it('a covered company without a legal entity is a config error that names it', async () => {
      e = await start();
      await grantSecondCompany(e);
      e.editConfig((c) => {
        c.pairs[PAIR].legalEntity = 'Acme Distribution';
      });
      const r = await e.cli('sync', PAIR);
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toMatch(
        /Odoo company "Acme Services" \(id 2\) has no ServiceNow legal entity/,
      );
      expect(r.stdout + r.stderr).toMatch(/companies\."Acme Services"\.legalEntity/);
      expect(await snRows(e, 'sn_shop_purchase_order')).toHaveLength(0);
    });

    it('upgrading from one company to two keeps every existing reference: no duplicate in ServiceNow', async () => {
      e = await start();
      e.editConfig((c) => {
        c.pairs[PAIR].legalEntity = 'Acme Distribution';
      });
      // Before: the bot sees one company; references are the bare document numbers, as a
      // single-company setup has always written them.
      await e.cli('sync', PAIR);
      const before = await snRows(e, 'sn_shop_purchase_order');
      expect(before.map((o) => o.erp_number).sort()).toEqual([
        'P00001',
        'P00002',
        'P00003',
        'P00004',
        'P00005',
      ]);

      await grantSecondCompany(e);
      await snInsert(e, 'sn_fin_legal_entity', { name: 'Acme Services', currency: 'USD' });
      e.editConfig((c) => {
        c.pairs[PAIR].companies = COMPANIES;
      });
      await nextSecond();
      // The second company's documents predate the cursor: a newly covered company is read in
      // full once (`--full` re-reads idempotently).
      const after = await e.cli('sync', PAIR, '--full', '--json');
      const pass = JSON.parse(after.stdout).data.outcomes[0];
      const written = (flow: string): number =>
        pass.flows.find((f: { flow: string }) => f.flow === flow).written as number;
      // Only the second company's documents are new; the first company's are recognised as unchanged.
      expect(written('purchase_orders')).toBe(2);
      expect(written('vendor_bills')).toBe(1);

      const orders = await snRows(e, 'sn_shop_purchase_order');
      for (const [number, n] of count(orders, (o) => o.erp_number)) expect([number, n]).toEqual([number, 1]);
      expect(orders).toHaveLength(7);
      const invoices = await snRows(e, 'sn_shop_invoice');
      for (const [number, n] of count(invoices, (i) => i.external_invoice_number))
        expect([number, n]).toEqual([number, 1]);
      // The first company's records kept their sys_id: updated in place, never re-created.
      const keep = new Map(before.map((o) => [o.erp_number, o.sys_id]));
      for (const o of orders) if (keep.has(o.erp_number)) expect(o.sys_id).toBe(keep.get(o.erp_number));
    });
  },
);
