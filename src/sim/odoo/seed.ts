/**
 * Seeds of the simulated Odoo: `empty`, `demo` and `volume:N`. Every record is stamped in the hour
 * before seeding, so a pass whose window ends "now - 2 s" sees all of them.
 */
import { microsToNaive } from './domain.js';
import { fixtureSeed } from './seed-fixture.js';
import type { Env, OdooStore } from './store.js';

export const SUPERUSER = 1;
export const ADMIN_UID = 2;
export const BOT_UID = 3;

interface Clock {
  next(stepS?: number): Env;
}

function clock(startUs: number): Clock {
  let t = startUs;
  let micro = 0;
  return {
    next(stepS = 7) {
      t += stepS * 1_000_000;
      micro = (micro + 137_913) % 1_000_000;
      return { now: Math.floor(t / 1_000_000) * 1_000_000 + micro, uid: ADMIN_UID, context: {} };
    },
  };
}

/** Users, company and currencies: present in every seed so that authentication works. */
function base(store: OdooStore, c: Clock, login: string): void {
  const env = c.next(1);
  store.create(
    'res.currency',
    [
      { name: 'EUR', symbol: '€', active: false },
      { name: 'USD', symbol: '$' },
    ],
    env,
  );
  const companyPartners = store.create(
    'res.partner',
    [
      { name: 'Acme Distribution', is_company: true },
      { name: 'Acme Services', is_company: true },
    ],
    env,
  );
  // Two root companies, as real databases often have (api notes §9).
  store.create(
    'res.company',
    [
      { name: 'Acme Distribution', currency_id: 2, sequence: 10 },
      { name: 'Acme Services', currency_id: 2, sequence: 20 },
    ],
    env,
  );
  companyPartners.forEach((p, i) => store.write('res.partner', [p], { company_id: i + 1 }, env));
  const partners = store.create(
    'res.partner',
    [{ name: 'OdooBot' }, { name: 'Mitchell Admin' }, { name: 'mlc bot' }],
    env,
  );
  const both = [[6, 0, [1, 2]]];
  store.create(
    'res.users',
    [
      {
        name: 'OdooBot',
        login: '__system__',
        partner_id: partners[0]?.id,
        company_id: 1,
        company_ids: both,
        active: false,
      },
      {
        name: 'Mitchell Admin',
        login: 'admin',
        partner_id: partners[1]?.id,
        company_id: 1,
        company_ids: both,
        tz: 'Europe/Brussels',
        lang: 'en_US',
      },
      // The bot starts in the first company only; an administrator grants it the second one
      // (res.users company_ids) when a pair is to cover it.
      {
        name: 'mlc bot',
        login,
        partner_id: partners[2]?.id,
        company_id: 1,
        company_ids: [[6, 0, [1]]],
        tz: 'UTC',
        lang: 'en_US',
      },
    ],
    env,
  );
}

/**
 * Each company's journals, as Odoo's chart of accounts installs them (same names and codes in each
 * company), and the payment methods of their bank and cash journals (Manual in and out).
 */
function journals(store: OdooStore, env: Env): void {
  for (const company of [1, 2]) {
    const made = store.create(
      'account.journal',
      [
        { name: 'Vendor Bills', code: 'BILL', type: 'purchase', sequence: 1 },
        { name: 'Customer Invoices', code: 'INV', type: 'sale', sequence: 2 },
        { name: 'Bank', code: 'BNK1', type: 'bank', sequence: 3 },
        { name: 'Cash', code: 'CSH1', type: 'cash', sequence: 4 },
        { name: 'Miscellaneous Operations', code: 'MISC', type: 'general', sequence: 5 },
      ].map((j) => ({ ...j, company_id: company })),
      env,
    );
    store.create(
      'account.payment.method.line',
      made
        .filter((j) => j.v.type === 'bank' || j.v.type === 'cash')
        .flatMap((j) => [
          { name: 'Manual Payment', journal_id: j.id, payment_type: 'inbound' },
          { name: 'Manual Payment', journal_id: j.id, payment_type: 'outbound' },
        ]),
      env,
    );
  }
}

interface Reference {
  analytic: Record<string, number>;
  accounts: Record<string, number>;
  /** The second company's accounts, by code. */
  accounts2: Record<string, number>;
  suppliers: number[];
  customer: number;
  products: Record<string, number>;
  uom: number;
}

function reference(store: OdooStore, c: Clock): Reference {
  const env = (): Env => c.next();
  store.create('uom.uom', [{ name: 'Units' }, { name: 'Hours' }], env());
  store.create('account.tax', [{ name: '15%', amount: 15, type_tax_use: 'purchase', sequence: 1 }], env());
  store.create('account.payment.term', [{ name: '30 Days' }], env());
  journals(store, env());
  const [plan] = store.create('account.analytic.plan', [{ name: 'Cost Centers', sequence: 10 }], env());
  const analytic: Record<string, number> = {};
  for (const [code, name] of [
    ['CC-100', 'Operations'],
    ['CC-200', 'IT'],
    ['CC-300', 'Warehouse'],
    ['CC-400', 'Sales'],
  ] as const) {
    // Shared by both companies (no company_id).
    const [rec] = store.create(
      'account.analytic.account',
      [{ name, code, plan_id: plan?.id, company_id: false }],
      env(),
    );
    if (rec) analytic[code] = rec.id;
  }
  const accounts: Record<string, number> = {};
  const accounts2: Record<string, number> = {};
  const chart = (
    company: number,
    into: Record<string, number>,
    rows: ReadonlyArray<readonly [string, string, string]>,
  ): void => {
    const owner = store.version >= 18 ? { company_ids: [[6, 0, [company]]] } : { company_id: company };
    for (const [code, name, account_type] of rows) {
      const [rec] = store.create(
        'account.account',
        [{ code, name, account_type, reconcile: account_type === 'liability_payable', ...owner }],
        env(),
      );
      if (rec) into[code] = rec.id;
    }
  };
  chart(1, accounts, [
    ['600000', 'Purchases', 'expense'],
    ['610000', 'Office Supplies', 'expense'],
    ['620000', 'IT Equipment', 'expense'],
    ['630000', 'Freight In', 'expense'],
    ['211000', 'Accounts Payable', 'liability_payable'],
    ['400000', 'Product Sales', 'income'],
  ]);
  // The second company's chart: its own codes (company-dependent from 18, §9).
  chart(2, accounts2, [
    ['601000', 'Purchases', 'expense'],
    ['611000', 'Office Supplies', 'expense'],
    ['212000', 'Accounts Payable', 'liability_payable'],
  ]);
  const suppliers: number[] = [];
  for (const [name, ref, city] of [
    ['Wood Corner', 'V-0001', 'Turlock'],
    ['Azure Interior', 'V-0002', 'Fremont'],
    ['Gemini Furniture', 'V-0003', 'Fairfield'],
  ] as const) {
    const [rec] = store.create(
      'res.partner',
      [
        {
          name,
          ref,
          city,
          is_company: true,
          // Raised by posting their bills (§9).
          supplier_rank: 0,
          email: `info@${name.toLowerCase().replace(/\s+/g, '')}.example.com`,
        },
      ],
      env(),
    );
    if (rec) suppliers.push(rec.id);
  }
  const [customer] = store.create(
    'res.partner',
    [{ name: 'Deco Addict', is_company: true, customer_rank: 1, supplier_rank: 0, city: 'Pleasant Hill' }],
    env(),
  );
  const products: Record<string, number> = {};
  for (const [code, name, type, price] of [
    ['FURN-001', 'Office Chair', 'consu', 120],
    ['FURN-002', 'Desk', 'consu', 450],
    ['IT-001', 'Laptop 14"', 'consu', 1250],
    ['SRV-001', 'Freight', 'service', 75],
  ] as const) {
    const [rec] = store.create(
      'product.product',
      [{ default_code: code, name, type, list_price: price, standard_price: price * 0.7, uom_id: 1 }],
      env(),
    );
    if (rec) products[code] = rec.id;
  }
  return { analytic, accounts, accounts2, suppliers, customer: customer?.id ?? 0, products, uom: 1 };
}

function demoDocuments(store: OdooStore, c: Clock, ref: Reference): void {
  const uomField = store.version >= 19 ? 'product_uom_id' : 'product_uom';
  const cc = (code: string): Record<string, number> => ({ [String(ref.analytic[code])]: 100.0 });
  const p = ref.products;
  const orders: Array<{
    partner: number;
    partnerRef: string | false;
    lines: Array<[number, string, number, number, string]>;
  }> = [
    {
      partner: ref.suppliers[0] as number,
      partnerRef: 'WC-SO-2201',
      lines: [
        [p['FURN-001'] as number, 'Office Chair', 10, 120, 'CC-100'],
        [p['FURN-002'] as number, 'Desk', 4, 450, 'CC-100'],
      ],
    },
    {
      partner: ref.suppliers[1] as number,
      partnerRef: false,
      lines: [
        [p['IT-001'] as number, 'Laptop 14"', 3, 1250, 'CC-200'],
        [p['SRV-001'] as number, 'Freight', 1, 75, 'CC-300'],
        [p['FURN-001'] as number, 'Office Chair', 3, 118.5, 'CC-200'],
      ],
    },
    {
      partner: ref.suppliers[2] as number,
      partnerRef: 'GF-7781',
      lines: [
        [p['FURN-002'] as number, 'Desk', 6, 430, 'CC-300'],
        [p['FURN-001'] as number, 'Office Chair', 12, 115, 'CC-300'],
      ],
    },
    {
      partner: ref.suppliers[0] as number,
      partnerRef: false,
      lines: [
        [p['IT-001'] as number, 'Laptop 14"', 2, 1199.99, 'CC-400'],
        [p['SRV-001'] as number, 'Freight', 1, 60, 'CC-400'],
      ],
    },
    {
      partner: ref.suppliers[1] as number,
      partnerRef: 'AZ-PO-99',
      lines: [
        [p['FURN-002'] as number, 'Desk', 1, 480, 'CC-100'],
        [p['FURN-001'] as number, 'Office Chair', 2, 120, 'CC-100'],
        [p['SRV-001'] as number, 'Freight', 1, 45, 'CC-100'],
      ],
    },
    {
      partner: ref.suppliers[2] as number,
      partnerRef: false,
      lines: [[p['FURN-001'] as number, 'Office Chair', 5, 120, 'CC-300']],
    },
  ];
  orders.forEach((o, i) => {
    const env = c.next(30);
    const planned = microsToNaive(env.now + 14 * 86_400_000_000);
    const [po] = store.create(
      'purchase.order',
      [
        {
          partner_id: o.partner,
          partner_ref: o.partnerRef,
          date_order: microsToNaive(env.now - 3_600_000_000),
          order_line: o.lines.map(([product, name, qty, price, code]) => [
            0,
            0,
            {
              product_id: product,
              name,
              product_qty: qty,
              price_unit: price,
              analytic_distribution: cc(code),
              date_planned: planned,
              [uomField]: ref.uom,
            },
          ]),
        },
      ],
      env,
    );
    if (po && i < 5) store.action('purchase.order', 'button_confirm', [po], env);
  });

  const a = ref.accounts;
  const bills: Array<{
    partner: number;
    ref: string;
    date: string;
    origin: string | false;
    lines: Array<[number, number, string, number, number, string]>;
  }> = [
    {
      partner: ref.suppliers[0] as number,
      ref: 'WC-INV-881',
      date: '2026-01-12',
      origin: 'P00001',
      lines: [
        [p['FURN-001'] as number, a['600000'] as number, 'Office Chair', 10, 120, 'CC-100'],
        [p['FURN-002'] as number, a['610000'] as number, 'Desk', 4, 450, 'CC-100'],
      ],
    },
    {
      partner: ref.suppliers[1] as number,
      ref: 'AZ-INV-1203',
      date: '2026-01-19',
      origin: 'P00002',
      lines: [
        [p['IT-001'] as number, a['620000'] as number, 'Laptop 14"', 3, 1250, 'CC-200'],
        [p['FURN-001'] as number, a['600000'] as number, 'Office Chair', 3, 118.5, 'CC-200'],
      ],
    },
    {
      partner: ref.suppliers[2] as number,
      ref: 'GF-INV-0457',
      date: '2026-02-02',
      origin: false,
      lines: [
        [p['FURN-002'] as number, a['600000'] as number, 'Desk', 6, 430, 'CC-300'],
        [p['FURN-001'] as number, a['610000'] as number, 'Office Chair', 12, 115, 'CC-300'],
      ],
    },
    {
      partner: ref.suppliers[0] as number,
      ref: 'WC-INV-902',
      date: '2026-02-09',
      origin: false,
      lines: [[p['SRV-001'] as number, a['630000'] as number, 'Freight', 1, 60, 'CC-400']],
    },
  ];
  const posted = bills.map((b) => {
    const env = c.next(30);
    const [move] = store.create(
      'account.move',
      [
        {
          move_type: 'in_invoice',
          partner_id: b.partner,
          ref: b.ref,
          invoice_date: b.date,
          invoice_date_due: b.date,
          invoice_origin: b.origin,
          invoice_line_ids: b.lines.map(([product, account, name, quantity, price, code]) => [
            0,
            0,
            {
              display_type: 'product',
              product_id: product,
              account_id: account,
              name,
              quantity,
              price_unit: price,
              analytic_distribution: cc(code),
            },
          ]),
        },
      ],
      env,
    );
    if (move) store.action('account.move', 'action_post', [move], env);
    return move;
  });
  store.create(
    'account.move',
    [
      {
        move_type: 'in_invoice',
        partner_id: ref.suppliers[2],
        ref: 'GF-INV-0470',
        invoice_line_ids: [
          [
            0,
            0,
            {
              display_type: 'product',
              product_id: p['FURN-001'],
              account_id: a['600000'],
              name: 'Office Chair',
              quantity: 5,
              price_unit: 120,
              analytic_distribution: cc('CC-300'),
            },
          ],
        ],
      },
    ],
    c.next(30),
  );
  const memo = store.version >= 18 ? 'memo' : 'ref';
  posted.slice(0, 2).forEach((bill, i) => {
    if (!bill) return;
    const env = c.next(30);
    const [pay] = store.create(
      'account.payment',
      [
        {
          payment_type: 'outbound',
          partner_type: 'supplier',
          partner_id: bill.v.partner_id,
          amount: bill.v.amount_total,
          date: bills[i]?.date,
          [memo]: bills[i]?.ref,
          reconciled_bill_ids: [[6, 0, [bill.id]]],
        },
      ],
      env,
    );
    if (pay) store.action('account.payment', 'action_post', [pay], env);
    store.write('account.move', [bill], {}, env);
    bill.v.payment_state = 'paid';
    bill.v.amount_residual = 0;
  });

  const envHr = c.next(30);
  const [dept] = store.create('hr.department', [{ name: 'Purchasing' }], envHr);
  store.create(
    'hr.employee',
    [
      {
        name: 'Marc Demo',
        work_email: 'mark.brown23@example.com',
        job_title: 'Purchasing Officer',
        department_id: dept?.id,
      },
      { name: 'Audrey Peterson', work_email: 'audrey.peterson25@example.com', job_title: 'Accountant' },
    ],
    envHr,
  );
  const envSo = c.next(30);
  const [so] = store.create(
    'sale.order',
    [
      {
        partner_id: ref.customer,
        client_order_ref: 'DA-PO-5512',
        order_line: [
          [0, 0, { product_id: p['FURN-002'], name: 'Desk', product_uom_qty: 2, price_unit: 450 }],
        ],
      },
    ],
    envSo,
  );
  if (so) store.action('sale.order', 'action_confirm', [so], envSo);
}

/**
 * The second company's documents: the same numbers as the first company's (P00001, BILL/2026/0001:
 * sequences are per company, §9), its own accounts, and a vendor with a confirmed purchase order
 * but no posted bill (supplier_rank 0).
 */
function secondCompanyDocuments(store: OdooStore, c: Clock, ref: Reference): void {
  store.scope = { allowed: [1, 2], current: 2 };
  const uomField = store.version >= 19 ? 'product_uom_id' : 'product_uom';
  const cc = (code: string): Record<string, number> => ({ [String(ref.analytic[code])]: 100.0 });
  const p = ref.products;
  const [northwind] = store.create(
    'res.partner',
    [
      {
        name: 'Northwind Supplies',
        ref: 'V-0004',
        city: 'Seattle',
        is_company: true,
        supplier_rank: 0,
        email: 'orders@northwind.example.com',
      },
    ],
    c.next(),
  );
  const orders: Array<[number, Array<[number, string, number, number, string]>]> = [
    [northwind?.id ?? 0, [[p['IT-001'] as number, 'Laptop 14"', 2, 1210, 'CC-200']]],
    [ref.suppliers[0] as number, [[p['FURN-002'] as number, 'Desk', 2, 440, 'CC-100']]],
  ];
  for (const [partner, lines] of orders) {
    const env = c.next(30);
    const [po] = store.create(
      'purchase.order',
      [
        {
          partner_id: partner,
          date_order: microsToNaive(env.now - 3_600_000_000),
          order_line: lines.map(([product, name, qty, price, code]) => [
            0,
            0,
            {
              product_id: product,
              name,
              product_qty: qty,
              price_unit: price,
              analytic_distribution: cc(code),
              date_planned: microsToNaive(env.now + 14 * 86_400_000_000),
              [uomField]: ref.uom,
            },
          ]),
        },
      ],
      env,
    );
    if (po) store.action('purchase.order', 'button_confirm', [po], env);
  }
  const a = ref.accounts2;
  const env = c.next(30);
  const [bill] = store.create(
    'account.move',
    [
      {
        move_type: 'in_invoice',
        partner_id: ref.suppliers[0],
        ref: 'WC-INV-US-17',
        invoice_date: '2026-01-15',
        invoice_date_due: '2026-01-15',
        invoice_origin: 'P00002',
        invoice_line_ids: [
          [
            0,
            0,
            {
              display_type: 'product',
              product_id: p['FURN-002'],
              account_id: a['601000'],
              name: 'Desk',
              quantity: 2,
              price_unit: 440,
              analytic_distribution: cc('CC-100'),
            },
          ],
          [
            0,
            0,
            {
              display_type: 'product',
              product_id: p['SRV-001'],
              account_id: a['611000'],
              name: 'Freight',
              quantity: 1,
              price_unit: 35,
              analytic_distribution: cc('CC-100'),
            },
          ],
        ],
      },
    ],
    env,
  );
  if (bill) store.action('account.move', 'action_post', [bill], env);
  store.scope = undefined;
}

/** Deterministic PRNG (mulberry32) so that a volume seed is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * N confirmed POs (5 lines) and N/5 posted bills (3 lines) of one company, inserted directly for
 * speed. Numbers come from the company's own sequences; accounts from its own chart.
 */
function volume(
  store: OdooStore,
  ref: Reference,
  n: number,
  startUs: number,
  spanUs: number,
  company: 1 | 2 = 1,
): void {
  const rand = prng(n * 7919 + 17 + company);
  const uomField = store.version >= 19 ? 'product_uom_id' : 'product_uom';
  const products = Object.entries(ref.products);
  const codes = Object.keys(ref.analytic);
  const accounts =
    company === 1
      ? ['600000', '610000', '620000'].map((c) => ref.accounts[c] as number)
      : ['601000', '611000'].map((c) => ref.accounts2[c] as number);
  const round2 = (x: number): number => Math.round(x * 100) / 100;
  const stampAt = (i: number, total: number): number =>
    startUs + Math.floor((i * spanUs) / Math.max(1, total)) + ((i * 7919) % 1_000_000);
  for (let i = 0; i < n; i += 1) {
    const stamp = stampAt(i, n);
    const name = `P${String(store.nextSequence(store.companyKey('purchase.order', company))).padStart(5, '0')}`;
    const partner = ref.suppliers[i % ref.suppliers.length] as number;
    const po = store.insertRaw(
      'purchase.order',
      {
        name,
        priority: '0',
        partner_id: partner,
        partner_ref: i % 3 === 0 ? `EXT-${100000 + i}` : false,
        origin: false,
        date_order: microsToNaive(stamp - 600_000_000),
        date_approve: microsToNaive(stamp),
        state: 'purchase',
        currency_id: 2,
        company_id: company,
        user_id: ADMIN_UID,
        invoice_status: 'no',
        invoice_ids: [],
      },
      stamp,
      ADMIN_UID,
    );
    let total = 0;
    const planned = microsToNaive(stamp + 10 * 86_400_000_000);
    for (let l = 0; l < 5; l += 1) {
      const [code, productId] = products[(i + l) % products.length] as [string, number];
      const qty = 1 + Math.floor(rand() * 20);
      const price = round2(10 + rand() * 990);
      total += round2(qty * price);
      store.insertRaw(
        'purchase.order.line',
        {
          order_id: po.id,
          sequence: 10 + l,
          display_type: false,
          product_id: productId,
          name: `${code} item ${l + 1}`,
          product_qty: qty,
          [uomField]: ref.uom,
          price_unit: price,
          discount: 0,
          [store.version >= 19 ? 'tax_ids' : 'taxes_id']: [],
          date_planned: planned,
          qty_received: 0,
          qty_invoiced: 0,
          analytic_distribution: { [String(ref.analytic[codes[(i + l) % codes.length] as string])]: 100.0 },
        },
        stamp,
        ADMIN_UID,
      );
    }
    Object.assign(po.v, {
      amount_untaxed: round2(total),
      amount_tax: 0,
      amount_total: round2(total),
      date_planned: planned,
    });
  }
  const bills = Math.floor(n / 5);
  const payable = (company === 1 ? ref.accounts['211000'] : ref.accounts2['212000']) as number;
  for (let b = 0; b < bills; b += 1) {
    const stamp = stampAt(b, bills) + 500_000;
    const date = microsToNaive(stamp).slice(0, 10);
    const year = date.slice(0, 4);
    const partner = ref.suppliers[b % ref.suppliers.length] as number;
    const move = store.insertRaw(
      'account.move',
      {
        name: `BILL/${year}/${String(store.nextSequence(store.companyKey(`BILL/${year}`, company))).padStart(4, '0')}`,
        ref: `VB-${200000 + b}`,
        payment_reference: false,
        move_type: 'in_invoice',
        partner_id: partner,
        invoice_date: date,
        invoice_date_due: date,
        date,
        journal_id: 1,
        currency_id: 2,
        company_id: company,
        state: 'posted',
        payment_state: 'not_paid',
        invoice_origin: `P${String(b * 5 + 1).padStart(5, '0')}`,
        invoice_payment_term_id: 1,
      },
      stamp,
      ADMIN_UID,
    );
    let total = 0;
    for (let l = 0; l < 3; l += 1) {
      const [code, productId] = products[(b + l) % products.length] as [string, number];
      const quantity = 1 + Math.floor(rand() * 10);
      const price = round2(10 + rand() * 490);
      const sub = round2(quantity * price);
      total += sub;
      store.insertRaw(
        'account.move.line',
        {
          move_id: move.id,
          display_type: 'product',
          account_id: accounts[(b + l) % accounts.length],
          name: `${code} billed`,
          product_id: productId,
          quantity,
          price_unit: price,
          discount: 0,
          tax_ids: [],
          debit: sub,
          credit: 0,
          partner_id: partner,
          analytic_distribution: { [String(ref.analytic[codes[(b + l) % codes.length] as string])]: 100.0 },
          purchase_line_id: false,
        },
        stamp,
        ADMIN_UID,
      );
    }
    total = round2(total);
    store.insertRaw(
      'account.move.line',
      {
        move_id: move.id,
        display_type: 'payment_term',
        account_id: payable,
        name: false,
        quantity: 1,
        price_unit: 0,
        debit: 0,
        credit: total,
        partner_id: partner,
      },
      stamp,
      ADMIN_UID,
    );
    Object.assign(move.v, {
      amount_untaxed: total,
      amount_tax: 0,
      amount_total: total,
      amount_residual: total,
    });
  }
}

/** Task stages and a "Field Service" project in each company (field service jobs as its tasks). */
function projects(store: OdooStore, c: Clock): void {
  store.create(
    'project.task.type',
    [
      { name: 'New', sequence: 1 },
      { name: 'In Progress', sequence: 2 },
      { name: 'Done', sequence: 3 },
    ],
    c.next(),
  );
  store.create(
    'project.project',
    [
      { name: 'Field Service', company_id: 1 },
      { name: 'Field Service', company_id: 2 },
    ],
    c.next(),
  );
}

/** Applies a seed spec (`empty`, `demo`, `volume:N`, `fixture`) to an emptied store. */
export function applySeed(store: OdooStore, spec: string, login: string, nowUs: number): void {
  store.clear();
  if (spec === 'fixture') {
    fixtureSeed(store, login, nowUs);
    return;
  }
  const hourAgo = nowUs - 3_600_000_000;
  const c = clock(hourAgo);
  base(store, c, login);
  if (spec === 'empty') return;
  const ref = reference(store, c);
  if (spec === 'demo') {
    demoDocuments(store, c, ref);
    secondCompanyDocuments(store, c, ref);
    projects(store, c);
    return;
  }
  const m = /^volume:(\d+)$/.exec(spec);
  if (!m)
    throw new Error(`unknown seed ${JSON.stringify(spec)} (expected empty | demo | volume:N | fixture)`);
  const n = Number(m[1]);
  const start = hourAgo + 600_000_000;
  volume(store, ref, n, start, nowUs - 60_000_000 - start);
  // The second company: a tenth as many documents, numbered from its own P00001 / BILL/…/0001.
  volume(store, ref, Math.max(1, Math.floor(n / 10)), start, nowUs - 60_000_000 - start, 2);
  projects(store, c);
}
