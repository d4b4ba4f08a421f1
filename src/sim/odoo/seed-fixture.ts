/**
 * Seed `fixture`: the records of the recorded Odoo 19.0 database (tests/fixtures/odoo-19.0), by
 * role rather than by id — two root companies ("YourCompany", "My US Company"), the API user in
 * both, a demo user without purchase rights, the "Cost Centers" analytic plan with coded accounts,
 * vendor "Wood Corner" with a confirmed PO and no bill (supplier_rank 0), "Northwind Supplies" with
 * PO P00011 (EXT-123) and bill BILL/2026/11/0003, and a BILL/2026/11/0001 in each company.
 */
import { microsToNaive } from './domain.js';
import type { Env, OdooStore } from './store.js';

export const FIXTURE_DEMO_LOGIN = 'demo';
export const FIXTURE_DEMO_PASSWORD = 'demo';
/** The demo user's API key (a simulated value). */
export const FIXTURE_DEMO_KEY = 'd3m0'.repeat(10);

export interface FixtureUsers {
  apiUid: number;
  demoUid: number;
}

export function fixtureSeed(store: OdooStore, login: string, nowUs: number): FixtureUsers {
  let t = nowUs - 3_600_000_000;
  const env = (company = 1): Env => {
    t += 7_000_000 + 137_913;
    store.scope = { allowed: [1, 2], current: company };
    // Documents are the API user's (uid 3), as the recorded ones are the recording user's.
    return { now: t, uid: 3, context: {} };
  };
  store.create('res.currency', [{ name: 'USD', symbol: '$' }], env());
  const [us] = store.create('res.country', [{ name: 'United States', code: 'US' }], env());
  const [california] = store.create('res.country.state', [{ name: 'California', code: 'CA' }], env());
  const [p1, p2] = store.create(
    'res.partner',
    [
      { name: 'YourCompany', is_company: true },
      { name: 'My US Company', is_company: true },
    ],
    env(),
  );
  store.create(
    'res.company',
    [
      { name: 'YourCompany', currency_id: 1, sequence: 0, partner_id: p1?.id, country_id: us?.id },
      { name: 'My US Company', currency_id: 1, sequence: 10, partner_id: p2?.id, country_id: us?.id },
    ],
    env(),
  );
  if (p1) store.write('res.partner', [p1], { company_id: 1 }, env());
  if (p2) store.write('res.partner', [p2], { company_id: 2 }, env());
  const people = store.create(
    'res.partner',
    [{ name: 'OdooBot' }, { name: 'Mitchell Admin' }, { name: 'mlc bot' }, { name: 'Marc Demo' }],
    env(),
  );
  const users = store.create(
    'res.users',
    [
      { name: 'OdooBot', login: '__system__', partner_id: people[0]?.id, company_id: 1, active: false },
      {
        name: 'Mitchell Admin',
        login: 'admin',
        partner_id: people[1]?.id,
        company_id: 1,
        company_ids: [[6, 0, [2, 1]]],
        tz: 'Europe/Brussels',
        lang: 'en_US',
      },
      {
        name: 'mlc bot',
        login,
        partner_id: people[2]?.id,
        company_id: 1,
        company_ids: [[6, 0, [2, 1]]],
        tz: 'Europe/Brussels',
        lang: 'en_US',
      },
      {
        name: 'Marc Demo',
        login: FIXTURE_DEMO_LOGIN,
        partner_id: people[3]?.id,
        company_id: 1,
        company_ids: [[6, 0, [1]]],
        tz: 'Europe/Brussels',
        lang: 'en_US',
      },
    ],
    env(),
  );
  store.create('uom.uom', [{ name: 'Units' }, { name: 'Dozens' }], env());
  const terms = store.create(
    'account.payment.term',
    [{ name: '30 Days' }, { name: 'End of Following Month' }],
    env(),
  );
  store.create('account.tax', [{ name: '15%', amount: 15, type_tax_use: 'purchase', sequence: 1 }], env());
  store.create(
    'account.journal',
    [{ name: 'Purchases', code: 'BILL', type: 'purchase', sequence: 1 }],
    env(),
  );
  const plans = store.create(
    'account.analytic.plan',
    [
      { name: 'Project', sequence: 1 },
      { name: 'Departments', sequence: 2 },
      { name: 'Internal', sequence: 3, default_applicability: 'unavailable' },
      { name: 'Cost Centers', sequence: 4 },
    ],
    env(),
  );
  store.create(
    'account.analytic.account',
    [{ name: 'Time Off', plan_id: plans[2]?.id, company_id: false }],
    env(),
  );
  const cc: Record<string, number> = {};
  for (const [code, name] of [
    ['CC-100', 'Operations'],
    ['CC-200', 'IT'],
    ['CC-300', 'Warehouse'],
    ['CC-400', 'Sales'],
    ['CC-500', 'Facilities'],
    ['CC-600', 'Finance'],
  ] as const) {
    const [rec] = store.create('account.analytic.account', [{ name, code, plan_id: plans[3]?.id }], env());
    if (rec) cc[code] = rec.id;
  }
  const acc: Record<string, number> = {};
  const chart = (company: number, rows: Array<[string, string, string, string]>): void => {
    for (const [key, code, name, account_type] of rows) {
      const [rec] = store.create(
        'account.account',
        [{ code, name, account_type, company_ids: [[6, 0, [company]]] }],
        env(company),
      );
      if (rec) acc[key] = rec.id;
    }
  };
  chart(1, [
    ['443000', '443000', 'Cash Discount Loss', 'expense'],
    ['600000', '600000', 'Expenses', 'expense'],
    ['610000', '610000', 'Stock Variation', 'expense'],
    ['611000', '611000', 'Purchase of Equipments', 'expense'],
    ['211000', '211000', 'Account Payable', 'liability_payable'],
  ]);
  chart(2, [
    ['c2-601000', '601000', 'Raw Materials', 'expense'],
    ['c2-611000', '611000', 'Salaries & Wages', 'expense'],
    ['c2-211000', '211000', 'Account Payable', 'liability_payable'],
  ]);
  const vendors: Record<string, number> = {};
  for (const v of [
    {
      name: 'Wood Corner',
      vat: 'US12345672',
      email: 'wood.corner26@example.com',
      phone: '(623)-853-7197',
      street: '1839 Arbor Way',
      city: 'Turlock',
      zip: '95380',
      state_id: california?.id,
    },
    { name: 'Ready Mat', city: 'Fremont' },
    { name: 'Azure Interior', city: 'Fremont' },
    { name: 'Gemini Furniture', city: 'Fairfield' },
    { name: 'Northwind Supplies', vat: 'US123456789', email: 'ap@northwind.example', city: 'Seattle' },
  ]) {
    const [rec] = store.create(
      'res.partner',
      [{ ...v, is_company: true, supplier_rank: 0, country_id: us?.id }],
      env(),
    );
    if (rec) vendors[v.name] = rec.id;
  }
  const products = store.create(
    'product.product',
    [
      { default_code: 'FURN_8900', name: 'Drawer Black', type: 'consu', list_price: 280.8, uom_id: 2 },
      { default_code: 'FURN_9001', name: 'Flipover', type: 'consu', list_price: 450.7, uom_id: 2 },
      { default_code: 'E-COM07', name: 'Large Cabinet', type: 'consu', list_price: 800, uom_id: 1 },
      { default_code: 'E-COM08', name: 'Storage Box', type: 'consu', list_price: 14.25, uom_id: 1 },
    ],
    env(),
  );
  const pid = (i: number): number => products[i]?.id as number;

  // Purchase orders P00001 … P00012 of the first company; P00008 (Wood Corner, no bill) and P00011
  // (Northwind Supplies, EXT-123) are the ones the recordings read.
  const po = (
    partner: number,
    lines: Array<[number, string, number, number, Record<string, number> | false]>,
    extra: Record<string, unknown> = {},
    confirm = true,
  ): number => {
    const e = env();
    const [rec] = store.create(
      'purchase.order',
      [
        {
          partner_id: partner,
          ...extra,
          order_line: lines.map(([product, name, qty, price, dist]) => [
            0,
            0,
            {
              product_id: product,
              name,
              product_qty: qty,
              price_unit: price,
              product_uom_id: 1,
              analytic_distribution: dist,
              date_planned: microsToNaive(e.now),
            },
          ]),
        },
      ],
      e,
    );
    if (rec && confirm) store.action('purchase.order', 'button_confirm', [rec], env());
    return rec?.id ?? 0;
  };
  const dist = (code: string): Record<string, number> => ({ [String(cc[code])]: 100.0 });
  for (let i = 1; i <= 7; i += 1)
    po(vendors['Azure Interior'] as number, [[pid(0), 'Drawer Black', 1, 100, false]], {}, i > 2);
  po(vendors['Wood Corner'] as number, [
    [pid(0), 'Drawer Black', 15, 280.8, false],
    [pid(1), 'Flipover', 5, 450.7, false],
  ]);
  po(vendors['Gemini Furniture'] as number, [[pid(1), 'Flipover', 2, 450.7, false]]);
  po(vendors['Gemini Furniture'] as number, [[pid(1), 'Flipover', 3, 450.7, false]]);
  po(
    vendors['Northwind Supplies'] as number,
    [
      [pid(2), '[E-COM07] Large Cabinet', 3, 800, dist('CC-100')],
      [pid(3), '[E-COM08] Storage Box', 10, 14.25, dist('CC-200')],
    ],
    { partner_ref: 'EXT-123' },
  );
  const p11 = store.search('purchase.order', [['name', '=', 'P00011']], env())[0];
  if (p11) store.write('purchase.order', [p11], { invoice_status: 'to invoice' }, env());
  // P00012 … P00025: later orders of the same vendor.
  for (let i = 12; i <= 25; i += 1)
    po(vendors['Northwind Supplies'] as number, [[pid(2), 'Large Cabinet', 1, 800, false]]);

  const poLine = (order: string, name: string): number | false =>
    store.search(
      'purchase.order.line',
      [
        ['order_id.name', '=', order],
        ['name', '=', name],
      ],
      env(),
    )[0]?.id ?? false;
  const bill = (
    company: number,
    name: string,
    partner: number,
    lines: Array<
      [
        number | false,
        number,
        string,
        number,
        number,
        Record<string, number> | false,
        Record<string, unknown>?,
      ]
    >,
    extra: Record<string, unknown> = {},
  ): void => {
    const e = env(company);
    const [move] = store.create(
      'account.move',
      [
        {
          move_type: 'in_invoice',
          name,
          partner_id: partner,
          invoice_date: microsToNaive(e.now).slice(0, 10),
          invoice_date_due: microsToNaive(e.now + 30 * 86_400_000_000).slice(0, 10),
          ...extra,
          invoice_line_ids: lines.map(([product, account, label, quantity, price, d, more]) => [
            0,
            0,
            {
              display_type: 'product',
              product_id: product,
              account_id: account,
              name: label,
              quantity,
              price_unit: price,
              analytic_distribution: d,
              ...more,
            },
          ]),
        },
      ],
      e,
    );
    if (move) store.action('account.move', 'action_post', [move], env(company));
  };
  bill(
    1,
    'BILL/2026/11/0001',
    vendors['Ready Mat'] as number,
    [
      [false, acc['600000'] as number, 'Office paper', 2, 10, false],
      [false, acc['600000'] as number, 'Staples', 2, 5, false],
    ],
    { invoice_payment_term_id: terms[1]?.id },
  );
  bill(1, 'BILL/2026/11/0002', vendors['Azure Interior'] as number, [
    [pid(0), acc['600000'] as number, 'Drawer Black', 1, 100, false],
  ]);
  bill(2, 'BILL/2026/11/0001', vendors['Ready Mat'] as number, [
    [false, acc['c2-601000'] as number, 'Office paper', 2, 15, false],
  ]);
  bill(
    1,
    'BILL/2026/11/0003',
    vendors['Northwind Supplies'] as number,
    [
      [
        pid(2),
        acc['600000'] as number,
        '[E-COM07] Large Cabinet',
        3,
        800,
        dist('CC-100'),
        { purchase_line_id: poLine('P00011', '[E-COM07] Large Cabinet') },
      ],
      [
        pid(3),
        acc['600000'] as number,
        '[E-COM08] Storage Box',
        10,
        14.25,
        dist('CC-200'),
        { purchase_line_id: poLine('P00011', '[E-COM08] Storage Box'), tax_ids: [[6, 0, [1]]] },
      ],
    ],
    { ref: 'NW-INV-001', invoice_origin: 'P00011' },
  );
  bill(
    1,
    'BILL/2026/11/0004',
    vendors['Ready Mat'] as number,
    [
      [false, acc['610000'] as number, 'Office paper', 20, 4.5, dist('CC-300')],
      [false, acc['610000'] as number, 'Printer', 1, 1299.99, dist('CC-300')],
    ],
    { ref: 'RM-7781', invoice_payment_term_id: terms[0]?.id },
  );
  store.scope = undefined;
  return { apiUid: users[2]?.id as number, demoUid: users[3]?.id as number };
}
