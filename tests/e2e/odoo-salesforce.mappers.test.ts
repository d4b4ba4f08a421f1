import { RecordError } from '../../src/errors.js';
import { resolveCompanies } from '../../src/pairs/odoo-salesforce/companies.js';
import {
  contactCanonical,
  mapAccount,
  mapContact,
  mapContactToOdoo,
  mapInvoice,
  invoiceLineAmount,
  mapOrder,
  mapProductToOdoo,
  mapProductToSalesforce,
  productCanonical,
  splitName,
  withInvoiceLine,
  type FieldNames,
} from '../../src/pairs/odoo-salesforce/mappers.js';
import type {
  OdooCustomer,
  OdooInvoice,
  OdooProduct,
  OdooSaleOrder,
} from '../../src/systems/odoo/sources/index.js';

const F: FieldNames = {
  externalId: 'Odoo_Id__c',
  lineExternalId: 'Odoo_Line_Id__c',
  company: 'Odoo_Company__c',
};
const T = new Date('2026-11-20T10:00:00Z');

const product = (p: Partial<OdooProduct> = {}): OdooProduct => ({
  id: 7,
  code: 'FURN-002',
  name: 'Desk',
  listPrice: 450,
  active: true,
  templateId: null,
  company: 1,
  modified: T,
  ...p,
});
const customer = (c: Partial<OdooCustomer> = {}): OdooCustomer => ({
  id: 12,
  ref: 'res.partner:12',
  company: 2,
  kind: 'company',
  parentRef: null,
  name: 'Lumen Möbel GmbH',
  code: 'C-0020',
  vat: null,
  email: null,
  phone: '+49 30 1',
  street: 'Hauptstr. 1',
  city: 'Berlin',
  zip: '10115',
  country: 'Germany',
  active: true,
  modified: T,
  ...c,
});
const order = (o: Partial<OdooSaleOrder> = {}): OdooSaleOrder => ({
  id: 3,
  ref: 'sale.order:3',
  name: 'S00001',
  company: 2,
  customerRef: 'res.partner:12',
  clientRef: null,
  state: 'sale',
  orderDate: '2026-11-20',
  currency: 'EUR',
  amountTotal: 1434,
  lines: [
    {
      id: 5,
      ref: 'sale.order.line:5',
      sequence: 10,
      productId: 1,
      productCode: 'FURN-001',
      description: 'Chair',
      quantity: 3,
      priceUnit: 118,
      discount: 0,
    },
    {
      id: 6,
      ref: 'sale.order.line:6',
      sequence: 11,
      productId: 3,
      productCode: 'IT-001',
      description: 'Laptop',
      quantity: 1,
      priceUnit: 1200,
      discount: 10,
    },
  ],
  modified: T,
  ...o,
});

describe('products', () => {
  test.each([
    ['a product with a code', product(), { kind: 'write', code: 'FURN-002', price: 450 }],
    ['a product without a code is skipped', product({ code: null }), { kind: 'skip' }],
    [
      'prices are rounded to cents',
      product({ listPrice: 10.005 }),
      { kind: 'write', code: 'FURN-002', price: 10.01 },
    ],
  ] as Array<[string, OdooProduct, { kind: string; code?: string; price?: number }]>)(
    '%s',
    (_name, p, expected) => {
      const m = mapProductToSalesforce(p, 'Acme');
      expect(m.kind).toBe(expected.kind);
      if (m.kind === 'write')
        expect(m.payload).toMatchObject({
          code: expected.code,
          price: expected.price,
          odooRef: 'product.product:7',
        });
    },
  );

  test('both directions hash a product the same (no echo)', () => {
    const out = mapProductToSalesforce(product(), 'Acme');
    const back = mapProductToOdoo({ id: '01t', code: 'FURN-002', name: 'Desk', active: true, price: 450 });
    if (out.kind !== 'write' || back.kind !== 'write') throw new Error('expected writes');
    expect(productCanonical(out.payload)).toEqual(productCanonical(back.payload));
    const changed = mapProductToOdoo({ id: '01t', code: 'FURN-002', name: 'Desk', active: true, price: 451 });
    if (changed.kind !== 'write') throw new Error('expected a write');
    expect(productCanonical(changed.payload)).not.toEqual(productCanonical(out.payload));
  });

  test.each([
    [{ id: '01t', code: null, name: 'X', active: true, price: 1 }, /product code/],
    [{ id: '01t', code: 'A', name: 'X', active: true, price: null }, /no standard price/],
  ])('a Salesforce product that cannot reach Odoo is skipped with its reason', (p, reason) => {
    const m = mapProductToOdoo(p);
    expect(m.kind).toBe('skip');
    if (m.kind === 'skip') expect(m.reason).toMatch(reason);
  });
});

describe('customers', () => {
  test('a company becomes an Account keyed by its Odoo reference, with its company', () => {
    const m = mapAccount(customer(), 'Acme Services', F);
    expect(m).toEqual({
      kind: 'write',
      payload: {
        Odoo_Id__c: 'res.partner:12',
        Name: 'Lumen Möbel GmbH',
        AccountNumber: 'C-0020',
        Phone: '+49 30 1',
        BillingStreet: 'Hauptstr. 1',
        BillingCity: 'Berlin',
        BillingPostalCode: '10115',
        BillingCountry: 'Germany',
        Odoo_Company__c: 'Acme Services',
      },
    });
    expect(mapAccount(customer({ kind: 'person' }), 'x', F).kind).toBe('skip');
    expect(() => mapAccount(customer({ name: ' ' }), 'x', F)).toThrow(RecordError);
  });

  test.each([
    ['Jonas Keller', { first: 'Jonas', last: 'Keller' }],
    ['Cher', { first: null, last: 'Cher' }],
    ['  Anna  Maria   Weber ', { first: 'Anna Maria', last: 'Weber' }],
  ])('splitName(%j)', (name, expected) => expect(splitName(name)).toEqual(expected));

  test('a person becomes a Contact of its company Account, which must exist first', () => {
    const m = mapContact(
      customer({
        id: 13,
        ref: 'res.partner:13',
        kind: 'person',
        parentRef: 'res.partner:12',
        name: 'Jonas Keller',
        code: null,
        email: 'j@l.example',
      }),
      'Acme Services',
      F,
    );
    if (m.kind !== 'write') throw new Error('expected a write');
    expect(m.payload.key).toEqual({ field: 'Odoo_Id__c', value: 'res.partner:13' });
    expect(m.payload.values).toMatchObject({
      FirstName: 'Jonas',
      LastName: 'Keller',
      Account: { Odoo_Id__c: 'res.partner:12' },
    });
    expect(m.dimensions?.map((d) => [d.kind, d.key])).toEqual([['account', 'res.partner:12']]);
  });

  test('a contact born in Salesforce is written back by its Salesforce id', () => {
    const m = mapContact(
      customer({
        id: 14,
        ref: 'res.partner:14',
        kind: 'person',
        parentRef: 'res.partner:12',
        name: 'Anna Weber',
        code: 'salesforce:003AAA',
      }),
      'x',
      F,
    );
    if (m.kind !== 'write') throw new Error('expected a write');
    expect(m.payload.key).toEqual({ field: 'Id', value: '003AAA' });
    expect(m.payload.values.Odoo_Id__c).toBe('res.partner:14');
  });

  test('both directions hash a contact the same', () => {
    const out = mapContact(
      customer({
        id: 13,
        ref: 'res.partner:13',
        kind: 'person',
        parentRef: 'res.partner:12',
        name: 'Jonas Keller',
        email: 'J@L.example',
        phone: null,
      }),
      'x',
      F,
    );
    const back = mapContactToOdoo({
      id: '003',
      odooRef: 'res.partner:13',
      first: 'Jonas',
      last: 'Keller',
      email: 'j@l.example',
      phone: null,
      accountRef: 'res.partner:12',
      companyCode: 'x',
    });
    if (out.kind !== 'write' || back.kind !== 'write') throw new Error('expected writes');
    expect(out.payload.canonical).toEqual(back.payload.canonical);
    expect(
      contactCanonical({
        first: 'Jonas',
        last: 'Keller',
        email: null,
        phone: null,
        account: 'res.partner:99',
      }),
    ).not.toEqual(out.payload.canonical);
    expect(() =>
      mapContactToOdoo({
        id: '003',
        odooRef: null,
        first: null,
        last: 'X',
        email: null,
        phone: null,
        accountRef: null,
        companyCode: null,
      }),
    ).toThrow(/no Account that came from Odoo/);
  });
});

describe('orders', () => {
  test('a confirmed order with its items, the discount in the unit price, its price book entries checked', () => {
    const m = mapOrder(order(), 'Acme Services', { activate: true });
    if (m.kind !== 'write') throw new Error('expected a write');
    expect(m.payload).toMatchObject({
      ref: 'sale.order:3',
      accountRef: 'res.partner:12',
      effectiveDate: '2026-11-20',
      activate: true,
      companyCode: 'Acme Services',
    });
    expect(m.payload.items.map((i) => [i.ref, i.code, i.quantity, i.unitPrice])).toEqual([
      ['sale.order.line:5', 'FURN-001', 3, 118],
      ['sale.order.line:6', 'IT-001', 1, 1080],
    ]);
    expect(m.dimensions?.map((d) => `${d.kind}:${d.key}`)).toEqual([
      'account:res.partner:12',
      'pricebook_entry:FURN-001',
      'pricebook_entry:IT-001',
    ]);
  });

  test('an order of a company with its own price book names entries of that book', () => {
    const m = mapOrder(order(), 'x', { activate: true, priceBook: 'Services Prices' });
    if (m.kind !== 'write') throw new Error('expected a write');
    expect(m.payload.priceBook).toBe('Services Prices');
    expect(m.dimensions?.filter((d) => d.kind === 'pricebook_entry').map((d) => d.key)).toEqual([
      'FURN-001 @ Services Prices',
      'IT-001 @ Services Prices',
    ]);
    expect(m.dimensions?.[1]?.describe).toMatch(/no active entry in Salesforce price book "Services Prices"/);
  });

  test('the Odoo name is the Order name, cut to what Order.Name holds (80)', () => {
    const m = mapOrder(order(), 'x', { activate: true });
    expect(m.kind === 'write' && m.payload.name).toBe(order().name);
    const long = mapOrder(order({ name: `S${'9'.repeat(99)}` }), 'x', { activate: true });
    expect(long.kind === 'write' && long.payload.name).toBe(`S${'9'.repeat(79)}`);
  });

  test.each([
    [
      'a line without a product code',
      order({ lines: [{ ...order().lines[0]!, productCode: null }] }),
      /without an internal reference/,
    ],
    ['no customer', order({ customerRef: null }), /no customer/],
    ['no date', order({ orderDate: null }), /no order date/],
  ])('%s fails clearly', (_n, o, message) => {
    expect(() => mapOrder(o, 'x', { activate: true })).toThrow(message);
  });

  test('no product lines: skipped; activation off or not confirmed: stays Draft', () => {
    expect(mapOrder(order({ lines: [] }), 'x', { activate: true }).kind).toBe('skip');
    const draft = mapOrder(order(), 'x', { activate: false });
    const sent = mapOrder(order({ state: 'sent' }), 'x', { activate: true });
    expect(draft.kind === 'write' && draft.payload.activate).toBe(false);
    expect(sent.kind === 'write' && sent.payload.activate).toBe(false);
  });
});

describe('invoices', () => {
  const inv: OdooInvoice & { orderRef: string | null } = {
    id: 9,
    ref: 'account.move:9',
    number: 'INV/2026/00001',
    company: 1,
    customerRef: 'res.partner:12',
    invoiceDate: '2026-11-21',
    dueDate: '2026-12-21',
    origin: 'S00001',
    currency: 'USD',
    amountUntaxed: 900,
    amountTotal: 900,
    amountResidual: 900,
    paymentState: 'not_paid',
    modified: T,
    orderRef: 'sale.order:3',
  };
  test('an invoice is a line on its order, the order checked first', () => {
    const m = mapInvoice(inv);
    if (m.kind !== 'write') throw new Error('expected a write');
    expect(m.payload.line).toBe('Invoice INV/2026/00001 (2026-11-21): 900.00 USD, not_paid, due 2026-12-21');
    expect(m.dimensions?.map((d) => `${d.kind}:${d.key}`)).toEqual(['order:sale.order:3']);
    expect(mapInvoice({ ...inv, orderRef: null }).kind).toBe('skip');
  });

  test.each([
    [null, 'Invoice A (x): 1', 'Invoice A (x): 1'],
    ['Invoice A (x): 1', 'Invoice A (x): 2', 'Invoice A (x): 2'],
    ['Invoice A (x): 1', 'Invoice B (y): 5', 'Invoice A (x): 1\nInvoice B (y): 5'],
    ['Invoice AB (x): 1', 'Invoice A (x): 2', 'Invoice AB (x): 1\nInvoice A (x): 2'],
  ])('withInvoiceLine(%j, %j)', (before, line, after) => {
    const number = line.split(' ')[1] as string;
    expect(withInvoiceLine(before, number, line)).toBe(after);
  });
});

describe('invoice lines', () => {
  test('the amount an Order records for an invoice is read back from its line', () => {
    const d =
      'Note\nInvoice INV/2026/0001 (2026-11-21): 900.00 EUR, not_paid, due 2026-12-21\nInvoice INV/2026/0002 (undated): 12.50, paid, due -';
    expect(invoiceLineAmount(d, 'INV/2026/0001')).toEqual({ amount: '900.00', currency: 'EUR' });
    expect(invoiceLineAmount(d, 'INV/2026/0002')).toEqual({ amount: '12.50', currency: null });
    expect(invoiceLineAmount(d, 'INV/2026/0003')).toBeUndefined();
    expect(invoiceLineAmount(null, 'INV/2026/0001')).toBeUndefined();
  });
});

describe('companies', () => {
  const allowed = [
    { id: 2, name: 'Acme Services' },
    { id: 1, name: 'Acme Distribution' },
  ];
  test('every allowed company by default, the first owning shared records', () => {
    expect(resolveCompanies(undefined, allowed)).toEqual([
      { company: 1, shared: true, name: 'Acme Distribution', code: 'Acme Distribution', priceBook: null },
      { company: 2, shared: false, name: 'Acme Services', code: 'Acme Services', priceBook: null },
    ]);
  });
  test('configured companies by name or id, with their codes; refusals name the problem', () => {
    expect(resolveCompanies({ '2': { code: 'acme-eu' } }, allowed)).toEqual([
      { company: 2, shared: true, name: 'Acme Services', code: 'acme-eu', priceBook: null },
    ]);
    expect(() => resolveCompanies({ Other: { code: 'x' } }, allowed)).toThrow(/not one the bot user may use/);
    expect(() => resolveCompanies({ '1': { code: 'x' }, '2': { code: 'x' } }, allowed)).toThrow(/share/);
    expect(() => resolveCompanies(undefined, [])).toThrow(/no company/);
  });
  test('a price book per company by name or id; the others keep the standard one; an unknown company is refused', () => {
    expect(
      resolveCompanies(undefined, allowed, { '2': 'Services Prices' }).map((c) => [c.name, c.priceBook]),
    ).toEqual([
      ['Acme Distribution', null],
      ['Acme Services', 'Services Prices'],
    ]);
    expect(
      resolveCompanies(undefined, allowed, { 'Acme Distribution': 'B' }).map((c) => c.priceBook),
    ).toEqual(['B', null]);
    expect(() => resolveCompanies({ '1': { code: 'x' } }, allowed, { 'Acme Services': 'B' })).toThrow(
      /names Odoo company "Acme Services", which the pair does not cover/,
    );
  });
});
