import { nextSecond, startPairEnv, type PairEnv, odooExec } from '../helpers/pair.js';

/**
 * odoo-salesforce with a price book per Odoo company: the second company's Orders use the custom
 * book named in the options, the first keeps the standard one; every product sent has an entry in
 * both. A book the org lacks is a configuration error naming it, in ping and in a pass.
 */
const PAIR = 'odoo-salesforce';
const BOT_UID = 3;
const BOOK = 'Services Prices';

const odoo = odooExec;

async function sfState(e: PairEnv, sobject: string): Promise<Array<Record<string, any>>> {
  return (
    (await e.control('salesforce', 'GET', `state?name=${sobject}`)) as Array<Record<string, any>>
  ).filter((r) => r.IsDeleted !== true);
}

async function sync(e: PairEnv): Promise<{ exitCode: number; flows: any[]; body: any }> {
  await nextSecond();
  const r = await e.cli('--json', 'sync', PAIR);
  const body = JSON.parse(r.stdout);
  return { exitCode: r.code, flows: body.data?.outcomes?.[0]?.flows ?? [], body };
}

async function order(e: PairEnv, company: 1 | 2): Promise<number> {
  const ctx = { context: { allowed_company_ids: [company] } };
  const [partner] = await odoo(
    e,
    'res.partner',
    'create',
    [[{ name: `Customer ${company}`, is_company: true, customer_rank: 1, company_id: company }]],
    ctx,
  );
  const [product] = await odoo(e, 'product.product', 'search', [[['default_code', '=', 'FURN-001']]]);
  const [id] = await odoo(
    e,
    'sale.order',
    'create',
    [
      [
        {
          partner_id: partner,
          company_id: company,
          date_order: '2026-11-24 10:00:00',
          order_line: [[0, 0, { product_id: product, name: 'Chair', product_uom_qty: 2, price_unit: 100 }]],
        },
      ],
    ],
    ctx,
  );
  await odoo(e, 'sale.order', 'action_confirm', [[id]], ctx);
  return id as number;
}

describe('odoo-salesforce: a price book per company', () => {
  let e: PairEnv;
  beforeAll(async () => {
    e = await startPairEnv({
      systems: ['odoo', 'salesforce'],
      seed: 'demo',
      pairOptions: { [PAIR]: { priceBooks: { 'Acme Services': BOOK } } },
    });
    await e.control('salesforce', 'POST', 'seed', { seed: 'volume:0' });
    await odoo(e, 'res.users', 'write', [[BOT_UID], { company_ids: [[6, 0, [1, 2]]] }]);
  });
  afterAll(() => e.close());

  test('a price book the org lacks: ping and the pass name it (exit 2), nothing is half-written', async () => {
    const ping = await e.cli('ping');
    expect(ping.code).not.toBe(0);
    expect(ping.stdout + ping.stderr).toMatch(/Pricebook2 "Services Prices".*does not exist/);
    const r = await sync(e);
    expect(r.exitCode).toBe(2);
    expect(await sfState(e, 'Product2')).toHaveLength(0);
    expect(JSON.stringify(r.body)).toMatch(
      /Salesforce price book \\"Services Prices\\" \(pairs\.odoo-salesforce\.priceBooks\) does not exist/,
    );
  });

  test("each company's orders use its book; products get an entry in every book; an idle pass writes nothing", async () => {
    const book = (await e.control('salesforce', 'POST', 'exec', {
      sobject: 'Pricebook2',
      record: { Name: BOOK, IsActive: true },
    })) as { id: string };
    expect((await e.cli('ping')).code).toBe(0);
    const first = await order(e, 1);
    const second = await order(e, 2);
    const r = await sync(e);
    expect(r.body.error ?? null).toBeNull();
    expect(r.exitCode).toBe(0);

    const standard = (await sfState(e, 'Pricebook2')).find((b) => b.IsStandard === true)?.Id;
    const entries = await sfState(e, 'PricebookEntry');
    const products = await sfState(e, 'Product2');
    for (const p of products) {
      expect(entries.filter((x) => x.Product2Id === p.Id && x.Pricebook2Id === standard)).toHaveLength(1);
      expect(entries.filter((x) => x.Product2Id === p.Id && x.Pricebook2Id === book.id)).toHaveLength(1);
    }
    const orders = await sfState(e, 'Order');
    const o1 = orders.find((o) => o.Odoo_Id__c === `sale.order:${first}`);
    const o2 = orders.find((o) => o.Odoo_Id__c === `sale.order:${second}`);
    expect(o1?.Pricebook2Id).toBe(standard);
    expect(o2?.Pricebook2Id).toBe(book.id);
    expect([o1?.Status, o2?.Status]).toEqual(['Activated', 'Activated']);
    const items = await sfState(e, 'OrderItem');
    const entryBook = new Map(entries.map((x) => [x.Id, x.Pricebook2Id]));
    expect(items.filter((i) => i.OrderId === o2?.Id).map((i) => entryBook.get(i.PricebookEntryId))).toEqual([
      book.id,
    ]);
    expect(items.filter((i) => i.OrderId === o1?.Id).map((i) => entryBook.get(i.PricebookEntryId))).toEqual([
      standard,
    ]);

    const idle = await sync(e);
    expect(idle.exitCode).toBe(0);
    expect(idle.flows.reduce((s: number, f: any) => s + (f.written ?? 0), 0)).toBe(0);
  });
});
