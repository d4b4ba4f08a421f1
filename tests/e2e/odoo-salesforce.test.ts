import { nextSecond, startPairEnv, type PairEnv, odooExec } from '../helpers/pair.js';

/**
 * odoo-salesforce end to end over HTTP through the real CLI, with Odoo on both transports and two
 * Odoo companies. The Salesforce org starts with its standard price book only (seed `volume:0`).
 */
const PAIR = 'odoo-salesforce';
const BOT_UID = 3;

const odoo = odooExec;

async function sfState(e: PairEnv, sobject: string): Promise<Array<Record<string, any>>> {
  return (
    (await e.control('salesforce', 'GET', `state?name=${sobject}`)) as Array<Record<string, any>>
  ).filter((r) => r.IsDeleted !== true);
}

/** A person's edit in Salesforce (not the integration user). */
async function sfExec(
  e: PairEnv,
  sobject: string,
  record: Record<string, unknown>,
  id?: string,
): Promise<string> {
  const answer = (await e.control('salesforce', 'POST', 'exec', {
    sobject,
    record,
    ...(id ? { id } : {}),
  })) as {
    id: string;
  };
  return answer.id;
}

async function sync(e: PairEnv, ...args: string[]): Promise<{ exitCode: number; flows: any[]; body: any }> {
  await nextSecond();
  const r = await e.cli('--json', 'sync', PAIR, ...args);
  const body = JSON.parse(r.stdout);
  return { exitCode: r.code, flows: body.data?.outcomes?.[0]?.flows ?? [], body };
}

const written = (flows: any[]): number => flows.reduce((s, f) => s + (f.written ?? 0), 0);
const flow = (flows: any[], name: string): any => flows.find((f) => f.flow === name);

async function productId(e: PairEnv, code: string): Promise<number> {
  const [id] = (await odoo(e, 'product.product', 'search', [[['default_code', '=', code]]])) as number[];
  return id as number;
}

/** The second company's customer and order, a contact in each company, an invoice of the first order. */
async function seedSales(e: PairEnv): Promise<{ so1: string; so2: number }> {
  await odoo(e, 'res.users', 'write', [[BOT_UID], { company_ids: [[6, 0, [1, 2]]] }]);
  const ctx2 = { context: { allowed_company_ids: [2] } };
  const [lumen] = await odoo(
    e,
    'res.partner',
    'create',
    [[{ name: 'Lumen Möbel GmbH', is_company: true, customer_rank: 1, company_id: 2, city: 'Berlin' }]],
    ctx2,
  );
  await odoo(
    e,
    'res.partner',
    'create',
    [[{ name: 'Jonas Keller', parent_id: lumen, company_id: 2, email: 'jonas@lumen.example' }]],
    ctx2,
  );
  const [deco] = await odoo(e, 'res.partner', 'search', [[['name', '=', 'Deco Addict']]]);
  await odoo(e, 'res.partner', 'create', [
    [{ name: 'Colleen Diaz', parent_id: deco, email: 'colleen@deco.example' }],
  ]);
  const [so2] = await odoo(
    e,
    'sale.order',
    'create',
    [
      [
        {
          partner_id: lumen,
          company_id: 2,
          date_order: '2026-11-20 10:00:00',
          order_line: [
            [
              0,
              0,
              {
                product_id: await productId(e, 'FURN-001'),
                name: 'Chair',
                product_uom_qty: 3,
                price_unit: 118,
              },
            ],
            [
              0,
              0,
              {
                product_id: await productId(e, 'IT-001'),
                name: 'Laptop',
                product_uom_qty: 1,
                price_unit: 1200,
                discount: 10,
              },
            ],
          ],
        },
      ],
    ],
    ctx2,
  );
  await odoo(e, 'sale.order', 'action_confirm', [[so2]], ctx2);
  const [so1] = (await odoo(e, 'sale.order', 'search_read', [[['company_id', '=', 1]]], {
    fields: ['name'],
  })) as Array<{ name: string }>;
  const [so2row] = (await odoo(e, 'sale.order', 'read', [[so2]], { fields: ['name'] })) as Array<{
    name: string;
  }>;
  // Both companies number their orders and invoices from their own sequences: the invoice's origin is
  // resolved in its own company.
  for (const [partner, company, origin, price] of [
    [deco, 1, so1?.name, 450],
    [lumen, 2, so2row?.name, 118],
  ] as const) {
    const ctx = { context: { allowed_company_ids: [company] } };
    const [move] = await odoo(
      e,
      'account.move',
      'create',
      [
        [
          {
            move_type: 'out_invoice',
            partner_id: partner,
            company_id: company,
            invoice_date: '2026-11-21',
            invoice_origin: origin,
            invoice_line_ids: [
              [0, 0, { display_type: 'product', name: 'Goods', quantity: 2, price_unit: price }],
            ],
          },
        ],
      ],
      ctx,
    );
    await odoo(e, 'account.move', 'action_post', [[move]], ctx);
  }
  return { so1: so1?.name ?? '', so2 };
}

async function startEnv(
  transport: 'xmlrpc' | 'json2',
  sfSeed = 'volume:0',
  pairOptions: Record<string, unknown> = {},
): Promise<PairEnv> {
  const e = await startPairEnv({
    systems: ['odoo', 'salesforce'],
    seed: 'demo',
    pairOptions: { [PAIR]: pairOptions },
  });
  await e.control('salesforce', 'POST', 'seed', { seed: sfSeed });
  e.editConfig((c) => {
    c.connections.odoo.transport = transport;
  });
  return e;
}

describe.each(['xmlrpc', 'json2'] as const)('odoo-salesforce over Odoo %s', (transport) => {
  let e: PairEnv;
  let so1 = '';
  beforeAll(async () => {
    e = await startEnv(transport);
    ({ so1 } = await seedSales(e));
    // A product a person created in Salesforce, with its standard price.
    const book = (await sfState(e, 'Pricebook2')).find((b) => b.IsStandard === true)?.Id;
    const p = await sfExec(e, 'Product2', { Name: 'Gift Card', ProductCode: 'SF-GIFT', IsActive: true });
    await sfExec(e, 'PricebookEntry', { Pricebook2Id: book, Product2Id: p, UnitPrice: 25, IsActive: true });
  });
  afterAll(() => e.close());

  test('a full pass sends products, customers, orders and invoices of both companies; prices come back', async () => {
    const r = await sync(e);
    expect(r.body.error ?? null).toBeNull();
    expect(r.exitCode).toBe(0);
    const products = await sfState(e, 'Product2');
    expect(products.map((p) => p.ProductCode).sort()).toEqual([
      'FURN-001',
      'FURN-002',
      'IT-001',
      'SF-GIFT',
      'SRV-001',
    ]);
    const entries = await sfState(e, 'PricebookEntry');
    expect(entries.find((x) => x.ProductCode === 'FURN-002')?.UnitPrice).toBe(450);
    const accounts = await sfState(e, 'Account');
    expect(accounts.map((a) => [a.Name, a.Odoo_Company__c]).sort()).toEqual([
      ['Deco Addict', 'Acme Distribution'],
      ['Lumen Möbel GmbH', 'Acme Services'],
    ]);
    const contacts = await sfState(e, 'Contact');
    expect(contacts.map((c) => [c.FirstName, c.LastName, c.Odoo_Company__c]).sort()).toEqual([
      ['Colleen', 'Diaz', 'Acme Distribution'],
      ['Jonas', 'Keller', 'Acme Services'],
    ]);
    const orders = await sfState(e, 'Order');
    expect(orders).toHaveLength(2);
    expect(orders.every((o) => o.Status === 'Activated')).toBe(true);
    const items = await sfState(e, 'OrderItem');
    expect(items).toHaveLength(3);
    // The 10 % discount is in the unit price.
    expect(items.map((i) => i.UnitPrice).sort((a, b) => a - b)).toEqual([118, 450, 1080]);
    const first = orders.find((o) => o.Odoo_Company__c === 'Acme Distribution');
    expect(first?.Description).toMatch(/^Invoice INV\/\S+ \(2026-11-21\): 900\.00/);
    const second = orders.find((o) => o.Odoo_Company__c === 'Acme Services');
    expect(second?.Description).toMatch(/^Invoice INV\/\S+ \(2026-11-21\): 236\.00/);
    // The Salesforce product reached Odoo with its price.
    const [gift] = await odoo(e, 'product.product', 'search_read', [[['default_code', '=', 'SF-GIFT']]], {
      fields: ['name', 'list_price'],
    });
    expect(gift).toMatchObject({ name: 'Gift Card', list_price: 25 });
    expect(so1).not.toBe('');
  });

  test('an idle pass writes nothing (no echo of either direction)', async () => {
    const r = await sync(e);
    expect(r.exitCode).toBe(0);
    expect(written(r.flows)).toBe(0);
    // mlc's own Salesforce writes (by the integration user: the four products and prices of the
    // first pass) are not even read back; at most the person's product, re-read in the overlap window.
    expect(flow(r.flows, 'products_to_odoo').read).toBeLessThanOrEqual(1);
    // Reconcile agrees: nothing missing, different or extra in any flow.
    const rec = await e.cli('reconcile', PAIR, '--json');
    expect(rec.code).toBe(0);
  });

  test('a price changed by a person in Salesforce reaches Odoo once and does not come back', async () => {
    const entry = (await sfState(e, 'PricebookEntry')).find((x) => x.ProductCode === 'SRV-001');
    await sfExec(e, 'PricebookEntry', { UnitPrice: 80 }, entry?.Id);
    const r = await sync(e);
    expect(flow(r.flows, 'products_to_odoo').written).toBe(1);
    expect(flow(r.flows, 'products_to_salesforce').written).toBe(0);
    const [srv] = await odoo(e, 'product.product', 'search_read', [[['default_code', '=', 'SRV-001']]], {
      fields: ['list_price'],
    });
    expect(srv.list_price).toBe(80);
    expect(written((await sync(e)).flows)).toBe(0);
  });

  test('an order of 250 items lands whole, over more than one collection call', async () => {
    const codes = ['FURN-001', 'FURN-002', 'IT-001', 'SRV-001'];
    const ids = await Promise.all(codes.map((c) => productId(e, c)));
    const [deco] = await odoo(e, 'res.partner', 'search', [[['name', '=', 'Deco Addict']]]);
    const [big] = await odoo(e, 'sale.order', 'create', [
      [
        {
          partner_id: deco,
          date_order: '2026-11-25 09:00:00',
          order_line: Array.from({ length: 250 }, (_, i) => [
            0,
            0,
            {
              product_id: ids[i % 4],
              name: `Line ${i + 1}`,
              product_uom_qty: 1 + (i % 3),
              price_unit: 10 + i,
            },
          ]),
        },
      ],
    ]);
    await odoo(e, 'sale.order', 'action_confirm', [[big]]);
    await e.control('salesforce', 'DELETE', 'stats');
    const r = await sync(e);
    expect(r.exitCode).toBe(0);
    expect(flow(r.flows, 'orders').written).toBe(1);
    const order = (await sfState(e, 'Order')).find((o) => o.Odoo_Id__c === `sale.order:${big}`);
    expect(order?.Status).toBe('Activated');
    const items = (await sfState(e, 'OrderItem')).filter((i) => i.OrderId === order?.Id);
    expect(items).toHaveLength(250);
    const stats = (await e.control('salesforce', 'GET', 'stats')) as { byRoute: Record<string, number> };
    const calls = Object.entries(stats.byRoute)
      .filter(([k]) => k.includes('/composite/sobjects/OrderItem/'))
      .reduce((s, [, n]) => s + n, 0);
    expect(calls).toBeGreaterThan(1);
  });

  test('an activated order takes new, changed and removed items by going back to Draft, or refuses them when told to', async () => {
    const [so] = (await odoo(e, 'sale.order', 'search_read', [[['company_id', '=', 2]]], {
      fields: ['order_line'],
      context: { allowed_company_ids: [2] },
    })) as Array<{ id: number; order_line: number[] }>;
    const ctx2 = { context: { allowed_company_ids: [2] } };
    await odoo(
      e,
      'sale.order',
      'write',
      [
        [so?.id],
        {
          // A new date too: an activated order's EffectiveDate changes only once it is Draft again.
          date_order: '2026-11-22 08:00:00',
          order_line: [
            [1, so?.order_line[0], { product_uom_qty: 5 }],
            // A line removed in Odoo leaves the Salesforce order too.
            [2, so?.order_line[1]],
            [
              0,
              0,
              {
                product_id: await productId(e, 'SRV-001'),
                name: 'Freight',
                product_uom_qty: 1,
                price_unit: 75,
              },
            ],
          ],
        },
      ],
      ctx2,
    );
    const r = await sync(e);
    expect(r.exitCode).toBe(0);
    expect(flow(r.flows, 'orders').written).toBe(1);
    const order = (await sfState(e, 'Order')).find((o) => o.Odoo_Id__c === `sale.order:${so?.id}`);
    expect(order?.Status).toBe('Activated');
    expect(order?.EffectiveDate).toBe('2026-11-22');
    const items = (await sfState(e, 'OrderItem')).filter((i) => i.OrderId === order?.Id);
    expect(items.map((i) => [i.Quantity, i.Description]).sort()).toEqual([
      [1, 'Freight'],
      [5, 'Chair'],
    ]);

    e.editConfig((c) => {
      c.pairs[PAIR].orders = { reopenActivated: false };
    });
    try {
      await odoo(
        e,
        'sale.order',
        'write',
        [[so?.id], { order_line: [[1, so?.order_line[0], { product_uom_qty: 6 }]] }],
        ctx2,
      );
      const refused = await sync(e);
      expect(refused.exitCode).toBe(3);
      const audit = JSON.parse(
        (await e.cli('audit', '--json', '--pair', PAIR, '--flow', 'orders', '--outcome', 'failed')).stdout,
      ).data.entries as Array<{ message: string }>;
      expect(audit[0]?.message).toMatch(/is activated: it takes no new or changed order products/);
      const still = (await sfState(e, 'OrderItem')).filter((i) => i.OrderId === order?.Id);
      expect(still.map((i) => i.Quantity).sort()).toEqual([1, 5]);
    } finally {
      e.editConfig((c) => {
        c.pairs[PAIR].orders = { reopenActivated: true };
      });
    }
    // Allowed again: the next pass re-reads nothing new, the replay of the refused record lands it.
    const failed = JSON.parse(
      (await e.cli('audit', '--json', '--pair', PAIR, '--flow', 'orders', '--outcome', 'failed')).stdout,
    ).data.entries as Array<{ id: number }>;
    expect((await e.cli('replay', String(failed[0]?.id))).code).toBe(0);
    const after = (await sfState(e, 'OrderItem')).filter((i) => i.OrderId === order?.Id);
    expect(after.map((i) => i.Quantity).sort()).toEqual([1, 6]);
  });

  test('an item on a product Salesforce lacks fails clearly and replays once it exists', async () => {
    const [newProduct] = await odoo(e, 'product.product', 'create', [
      [{ name: 'Bookshelf', default_code: 'FURN-NEW', list_price: 210 }],
    ]);
    const [deco] = await odoo(e, 'res.partner', 'search', [[['name', '=', 'Deco Addict']]]);
    const [so] = await odoo(e, 'sale.order', 'create', [
      [
        {
          partner_id: deco,
          date_order: '2026-11-26 09:00:00',
          order_line: [
            [0, 0, { product_id: newProduct, name: 'Shelf', product_uom_qty: 1, price_unit: 210 }],
          ],
        },
      ],
    ]);
    await odoo(e, 'sale.order', 'action_confirm', [[so]]);
    // Only the documents: the product stays in Odoo.
    const r = await sync(e, '--flow', 'orders,invoices');
    expect(r.exitCode).toBe(3);
    const audit = JSON.parse(
      (await e.cli('audit', '--json', '--pair', PAIR, '--flow', 'orders', '--outcome', 'failed')).stdout,
    ).data;
    const entries = audit.entries as Array<{ id: number; flow: string; message: string }>;
    const failed = entries.find((x) => x.flow === 'orders');
    expect(failed?.message).toMatch(/FURN-NEW/);
    // The products flow sends it; the replay then writes the order.
    const p = await sync(e, '--flow', 'products_to_salesforce');
    expect(p.exitCode).toBe(0);
    const replay = await e.cli('replay', String(failed?.id));
    expect(replay.code).toBe(0);
    const order = (await sfState(e, 'Order')).find((o) => o.Odoo_Id__c === `sale.order:${so}`);
    expect(order?.Status).toBe('Activated');
    expect((await sfState(e, 'OrderItem')).filter((i) => i.OrderId === order?.Id)).toHaveLength(1);
  });

  test('a session expiring mid-pass costs no record', async () => {
    const [deco] = await odoo(e, 'res.partner', 'search', [[['name', '=', 'Deco Addict']]]);
    const created = await odoo(e, 'res.partner', 'create', [
      Array.from({ length: 5 }, (_, i) => ({
        name: `Buyer ${i} Person`,
        parent_id: deco,
        email: `b${i}@deco.example`,
      })),
    ]);
    await e.control('salesforce', 'POST', 'faults', {
      kind: 'revoke_session',
      match: 'composite/sobjects/Contact',
    });
    const r = await sync(e);
    expect(r.exitCode).toBe(0);
    expect(flow(r.flows, 'contacts').written).toBe(5);
    const contacts = await sfState(e, 'Contact');
    for (const id of created)
      expect(contacts.filter((c) => c.Odoo_Id__c === `res.partner:${id}`)).toHaveLength(1);
  });

  test('a daily allowance that runs out mid-pass stops cleanly (exit 4); the next pass finishes with nothing duplicated', async () => {
    const ids = await odoo(e, 'product.product', 'create', [
      Array.from({ length: 3 }, (_, i) => ({
        name: `Stool ${i}`,
        default_code: `STOOL-${i}`,
        list_price: 30 + i,
      })),
    ]);
    const [deco] = await odoo(e, 'res.partner', 'search', [[['name', '=', 'Deco Addict']]]);
    const [so] = await odoo(e, 'sale.order', 'create', [
      [
        {
          partner_id: deco,
          date_order: '2026-11-27 09:00:00',
          order_line: ids.map((p: number) => [
            0,
            0,
            { product_id: p, name: 'Stool', product_uom_qty: 2, price_unit: 31 },
          ]),
        },
      ],
    ]);
    await odoo(e, 'sale.order', 'action_confirm', [[so]]);
    const usage = (await e.control('salesforce', 'POST', 'api_usage', {})) as { used: number; max: number };
    // Enough for the products, not for the order.
    await e.control('salesforce', 'POST', 'api_usage', { max: usage.used + 12 });
    const r = await sync(e);
    expect(r.exitCode).toBe(4);
    await e.control('salesforce', 'POST', 'api_usage', { max: usage.used + 10_000 });
    const again = await sync(e);
    expect(again.exitCode).toBe(0);
    const products = await sfState(e, 'Product2');
    for (const code of ['STOOL-0', 'STOOL-1', 'STOOL-2'])
      expect(products.filter((p) => p.ProductCode === code)).toHaveLength(1);
    const entries = await sfState(e, 'PricebookEntry');
    for (const code of ['STOOL-0', 'STOOL-1', 'STOOL-2'])
      expect(entries.filter((p) => p.ProductCode === code)).toHaveLength(1);
    const orders = (await sfState(e, 'Order')).filter((o) => o.Odoo_Id__c === `sale.order:${so}`);
    expect(orders).toHaveLength(1);
    expect((await sfState(e, 'OrderItem')).filter((i) => i.OrderId === orders[0]?.Id)).toHaveLength(3);
    expect(written((await sync(e)).flows)).toBe(0);
  });

  test('contacts flow back to Odoo when enabled, and never echo', async () => {
    e.editConfig((c) => {
      c.pairs[PAIR].contactsToOdoo = { enabled: true };
    });
    const jonas = (await sfState(e, 'Contact')).find((c) => c.LastName === 'Keller');
    await sfExec(e, 'Contact', { Email: 'jonas.keller@lumen.example', Phone: '+49 30 1234' }, jonas?.Id);
    const lumen = (await sfState(e, 'Account')).find((a) => a.Name === 'Lumen Möbel GmbH');
    const born = await sfExec(e, 'Contact', {
      FirstName: 'Anna',
      LastName: 'Weber',
      AccountId: lumen?.Id,
      Email: 'anna@lumen.example',
    });
    const r = await sync(e);
    expect(r.exitCode).toBe(0);
    expect(flow(r.flows, 'contacts_to_odoo').written).toBe(2);
    const [k] = await odoo(e, 'res.partner', 'search_read', [[['name', '=', 'Jonas Keller']]], {
      fields: ['email', 'phone', 'company_id'],
    });
    expect(k).toMatchObject({ email: 'jonas.keller@lumen.example', phone: '+49 30 1234' });
    const [anna] = await odoo(e, 'res.partner', 'search_read', [[['name', '=', 'Anna Weber']]], {
      fields: ['email', 'ref', 'parent_id', 'company_id'],
    });
    expect(anna.ref).toBe(`salesforce:${born}`);
    expect(anna.company_id[0]).toBe(2);
    // The next passes: the contact born in Salesforce learns its Odoo reference, nothing is duplicated,
    // and nothing goes back and forth.
    const r2 = await sync(e);
    expect(r2.exitCode).toBe(0);
    expect(flow(r2.flows, 'contacts_to_odoo').written).toBe(0);
    const r3 = await sync(e);
    expect(written(r3.flows)).toBe(0);
    const contacts = await sfState(e, 'Contact');
    expect(contacts.filter((c) => c.LastName === 'Weber')).toHaveLength(1);
    expect(contacts.find((c) => c.Id === born)?.Odoo_Id__c).toBe(`res.partner:${anna.id}`);
    expect(contacts.filter((c) => c.LastName === 'Keller')).toHaveLength(1);
  });
});

describe('odoo-salesforce with an org without the Invoice object', () => {
  let e: PairEnv;
  beforeAll(async () => {
    e = await startEnv('json2', 'volume:0-no-invoice');
    await seedSales(e);
  });
  afterAll(() => e.close());

  test('ping says so, and invoices are recorded on their orders', async () => {
    const pingRun = await e.cli('--json', 'ping');
    const ping = JSON.parse(pingRun.stdout);
    // Every model, sObject, field and external id the flows need is there; Invoice is only reported.
    expect(pingRun.code).toBe(0);
    const text = JSON.stringify(ping.data);
    expect(text).toMatch(/absent: the org has no Invoice object[^"]*recorded on their Orders/);
    // A company field the org lacks is named by ping.
    e.editConfig((c) => {
      c.pairs[PAIR].fields = { company: 'Odoo_Firm__c' };
    });
    const bad = await e.cli('ping');
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/Odoo_Firm__c/);
    e.editConfig((c) => {
      delete c.pairs[PAIR].fields;
    });
    const r = await sync(e);
    expect(r.exitCode).toBe(0);
    expect(flow(r.flows, 'invoices').written).toBe(2);
    const orders = await sfState(e, 'Order');
    expect(orders.filter((o) => /^Invoice INV\//.test(o.Description ?? ''))).toHaveLength(2);
  });
});
