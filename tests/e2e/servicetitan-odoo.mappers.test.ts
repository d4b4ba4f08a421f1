import { RecordError } from '../../src/errors.js';
import {
  mapBusinessUnit,
  mapCustomer,
  mapInventoryBill,
  mapInvoice,
  mapJob,
  mapPurchaseOrder,
  mapVendor,
  odooDatetime,
  odooDay,
} from '../../src/pairs/servicetitan-odoo/mappers.js';
import { mapPayment, type OdooPaymentData } from '../../src/pairs/servicetitan-odoo/payments.js';
import { stRef } from '../../src/pairs/servicetitan-odoo/refs.js';
import { serviceTitanOdooWebhooks } from '../../src/pairs/servicetitan-odoo/webhooks.js';
import type { StRow } from '../../src/systems/servicetitan/index.js';

/** The pure mappings of servicetitan-odoo, one table per kind of record. */
const A = { tenant: '1000001', company: 1 };
const B = { tenant: '1000002', company: 2 };

describe('references', () => {
  it.each([
    [A, 'PO', 42, 'ST1000001.C1.PO.42'],
    [B, 'PO', 42, 'ST1000002.C2.PO.42'],
    [{ tenant: '1000001', company: 2 }, 'VEND', 7, 'ST1000001.C2.VEND.7'],
  ] as const)('%j %s %s -> %s', (scope, kind, id, ref) => {
    expect(stRef(scope, kind, id)).toBe(ref);
  });
});

describe('dates', () => {
  it.each([
    ['2026-11-01T00:00:00Z', '2026-11-01', '2026-11-01 00:00:00'],
    ['2026-11-01T23:30:15.123Z', '2026-11-01', '2026-11-01 23:30:15'],
    ['2026-11-01T01:00:00+02:00', '2026-10-31', '2026-10-31 23:00:00'],
    [null, null, null],
    ['not a date', null, null],
  ])('%s -> %s / %s', (iso, day, datetime) => {
    expect(odooDay(iso)).toBe(day);
    expect(odooDatetime(iso)).toBe(datetime);
  });
});

describe('business units, vendors, customers', () => {
  it.each([
    [
      { id: 3, name: 'HVAC Residential', active: true },
      { ref: 'ST1000001.C1.BU.3', name: 'HVAC Residential', active: true },
    ],
    [
      { id: 4, name: 'Closed', active: false },
      { ref: 'ST1000001.C1.BU.4', name: 'Closed', active: false },
    ],
  ])('business unit %j', (row, payload) => {
    expect(mapBusinessUnit(row as StRow, A)).toEqual({ kind: 'write', payload });
  });

  it('a vendor is an archived supplier company when inactive', () => {
    const r = mapVendor(
      {
        id: 9,
        name: 'Winsupply',
        active: false,
        contactInfo: { email: 'ap@x.example', phone: '1' },
        address: { street: '9 Rd', city: 'Dallas', zip: '1', unit: '' },
      } as StRow,
      B,
    );
    expect(r).toEqual({
      kind: 'write',
      payload: {
        ref: 'ST1000002.C2.VEND.9',
        role: 'supplier',
        vals: {
          name: 'Winsupply',
          is_company: true,
          active: false,
          email: 'ap@x.example',
          phone: '1',
          street: '9 Rd',
          street2: false,
          city: 'Dallas',
          zip: '1',
        },
        children: [],
      },
    });
  });

  it.each([
    [{ id: 5, survivorId: 5, name: 'Jane', type: 'Residential' }, 'write'],
    [{ id: 6, survivorId: 5, name: 'Jane (dup)' }, 'skip'],
    [{ id: 7, name: 'No survivor known' }, 'write'],
  ])('customer %j -> %s', (row, kind) => {
    expect(mapCustomer(row as StRow, A).kind).toBe(kind);
  });

  it('a customer carries its email and phone contacts as children, in id order; other kinds are left out', () => {
    const r = mapCustomer(
      {
        id: 5,
        survivorId: 5,
        name: 'Doe Holdings',
        type: 'Commercial',
        contacts: [
          { id: 12, type: 'Phone', value: '555' },
          { id: 11, type: 'Email', value: 'a@b.example' },
          { id: 13, type: 'Fax', value: '666' },
          { id: 14, type: 'Email', value: '' },
        ],
      } as unknown as StRow,
      A,
    );
    if (r.kind !== 'write') throw new Error('expected a write');
    expect(r.payload.vals.is_company).toBe(true);
    expect(r.payload.children).toEqual([
      { ref: 'ST1000001.C1.CUST.5.K11', vals: { name: 'Doe Holdings (Email)', email: 'a@b.example' } },
      { ref: 'ST1000001.C1.CUST.5.K12', vals: { name: 'Doe Holdings (Phone)', phone: '555' } },
    ]);
  });

  it.each([mapBusinessUnit, mapVendor, mapCustomer])('a row without a name is a RecordError (%#)', (map) => {
    expect(() => map({ id: 1, name: '' } as StRow, A)).toThrow(RecordError);
  });
});

describe('purchase orders', () => {
  const po = {
    id: 20,
    number: 'PO-100',
    status: 'Pending',
    vendorId: 9,
    vendorName: 'Ferguson',
    businessUnitId: 3,
    date: '2026-11-01T00:00:00Z',
    tax: '4.80',
    shipping: '0.00',
    items: [
      { skuCode: 'CAP-45', description: 'cap', quantity: '3', cost: '19.99' },
      { skuCode: 'FUSE', description: '', quantity: '10', cost: '0.10' },
    ],
  } as unknown as StRow;

  it('names its vendor and business unit, keeps exact amounts, and adds tax as a line', () => {
    const r = mapPurchaseOrder(po, A);
    if (r.kind !== 'write') throw new Error('expected a write');
    expect(r.dimensions?.map((d) => [d.kind, d.key])).toEqual([
      ['vendor', 'ST1000001.C1.VEND.9'],
      ['analytic', 'ST1000001.C1.BU.3'],
    ]);
    expect(r.dimensions?.[0]?.describe).toBe('vendor "Ferguson" (ServiceTitan vendor 9)');
    expect(r.payload).toEqual({
      ref: 'ST1000001.C1.PO.20',
      partnerRef: 'ST1000001.C1.VEND.9',
      analyticRef: 'ST1000001.C1.BU.3',
      orderRef: null,
      vals: { partner_ref: 'PO-100', date_order: '2026-11-01 00:00:00' },
      lines: [
        { code: 'CAP-45', name: 'CAP-45 cap', quantity: 3, price: 19.99 },
        { code: 'FUSE', name: 'FUSE', quantity: 10, price: 0.1 },
        { name: 'Tax (ServiceTitan)', quantity: 1, price: 4.8 },
      ],
    });
  });

  it.each([
    [{ status: 'Canceled' }, 'skip'],
    [{ status: 'Received' }, 'write'],
  ])('%j -> %s', (patch, kind) => {
    expect(mapPurchaseOrder({ ...po, ...patch } as StRow, A).kind).toBe(kind);
  });

  it.each([
    [{ items: [] }, /has no items/],
    [{ items: [{ quantity: 'x', cost: '1' }] }, /quantity is "x", not an amount/],
  ])('%j is a RecordError', (patch, message) => {
    expect(() => mapPurchaseOrder({ ...po, ...patch } as StRow, A)).toThrow(message);
  });
});

describe('inventory bills, jobs, invoices', () => {
  const bill = {
    id: 30,
    referenceNumber: 'BILL-PO-100',
    vendorNumber: 'INV-20',
    purchaseOrderId: 20,
    billDate: '2026-11-05T00:00:00Z',
    taxAmount: '0.00',
    shippingAmount: '12.35',
    vendor: { id: 9, name: 'Ferguson' },
    businessUnit: { id: 3, name: 'HVAC Residential' },
    items: [
      { order: 2, name: 'B', description: '', quantity: '1', cost: '2.00' },
      { order: 1, name: 'A', description: 'a', quantity: '2', cost: '1.00' },
    ],
  } as unknown as StRow;

  it('a bill names its vendor, its purchase order and business unit; lines in item order, shipping as a line', () => {
    const r = mapInventoryBill(bill, A);
    if (r.kind !== 'write') throw new Error('expected a write');
    expect(r.dimensions?.map((d) => d.kind)).toEqual(['vendor', 'purchase_order', 'analytic']);
    expect(r.payload.orderRef).toBe('ST1000001.C1.PO.20');
    expect(r.payload.vals).toEqual({ payment_reference: 'INV-20', invoice_date: '2026-11-05' });
    expect(r.payload.lines).toEqual([
      { name: 'A a', quantity: 2, price: 1 },
      { name: 'B', quantity: 1, price: 2 },
      { name: 'Shipping', quantity: 1, price: 12.35 },
    ]);
  });

  it.each([
    [{ active: false }, 'skip'],
    [{ _deleted: true }, 'skip'],
    [{ purchaseOrderId: null }, 'write'],
  ])('bill %j -> %s', (patch, kind) => {
    expect(mapInventoryBill({ ...bill, ...patch } as StRow, A).kind).toBe(kind);
  });

  it('a job goes to the surviving customer', () => {
    const r = mapJob(
      {
        id: 40,
        jobNumber: 'J-1',
        customerId: 6,
        customerSurvivorId: 5,
        jobStatus: 'Completed',
        total: '10.00',
        summary: 'Fix',
      } as unknown as StRow,
      A,
    );
    if (r.kind !== 'write') throw new Error('expected a write');
    expect(r.dimensions?.[0]?.key).toBe('ST1000001.C1.CUST.5');
    expect(r.payload.lines).toEqual([{ name: 'J-1 Fix', quantity: 1, price: 10 }]);
    expect(mapJob({ id: 41, jobStatus: 'Canceled' } as unknown as StRow, A).kind).toBe('skip');
  });

  it('an invoice goes to the surviving customer, sales tax as a line; an inactive one is skipped', () => {
    const inv = {
      id: 50,
      referenceNumber: 'INV-7000',
      customer: { id: 6, name: 'Jane (dup)' },
      customerSurvivorId: 5,
      salesTax: '1.25',
      invoiceDate: '2026-11-10T00:00:00Z',
      items: [{ order: 1, skuName: 'SVC-1', description: 'Service 1', quantity: '1', price: '125.50' }],
    } as unknown as StRow;
    const r = mapInvoice(inv, B);
    if (r.kind !== 'write') throw new Error('expected a write');
    expect(r.payload.ref).toBe('ST1000002.C2.INV.50');
    expect(r.dimensions?.[0]?.key).toBe('ST1000002.C2.CUST.5');
    expect(r.payload.lines).toEqual([
      { code: 'SVC-1', name: 'SVC-1 Service 1', quantity: 1, price: 125.5 },
      { name: 'Sales tax (ServiceTitan)', quantity: 1, price: 1.25 },
    ]);
    expect(mapInvoice({ ...inv, active: false } as StRow, B).kind).toBe('skip');
  });
});

describe('webhook events', () => {
  const resolve = (body: unknown) => serviceTitanOdooWebhooks.resolve({ route: 'servicetitan', body });
  it.each([
    ['purchaseorder.created', 'purchase_orders'],
    ['PurchaseOrder.Updated', 'purchase_orders'],
    ['inventorybill.updated', 'vendor_bills'],
    ['customer.updated', 'customers'],
    ['vendor.updated', 'vendors'],
    ['businessunit.updated', 'business_units'],
    ['job.created', 'jobs'],
    ['invoice.updated', 'invoices'],
    ['payment.created', 'collections'],
  ])('%s -> %s, source id <tenant>/<id>', (eventType, flow) => {
    expect(resolve({ eventId: 'e1', eventType, tenantId: 1000002, data: { id: 77 } })).toEqual([
      { flow, sourceId: '1000002/77' },
    ]);
  });
  it('events about records the pair does not read from ServiceTitan name nothing', () => {
    expect(resolve({ eventType: 'appointment.updated', tenantId: 1, data: { id: 2 } })).toEqual([]);
  });
  it('an event without a tenant or a record id is refused', () => {
    expect(() => resolve({ eventType: 'vendor.updated', data: { id: 2 } })).toThrow(/no tenant/);
    expect(() => resolve({ eventType: 'vendor.updated', tenantId: 1 })).toThrow(RecordError);
  });
  it('the sender event id de-duplicates; without one, the body does', () => {
    const raw = Buffer.from('{"x":1}');
    expect(serviceTitanOdooWebhooks.eventId({ route: 'r', body: { eventId: 'abc' }, raw })).toBe('abc');
    const a = serviceTitanOdooWebhooks.eventId({ route: 'r', body: {}, raw });
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(serviceTitanOdooWebhooks.eventId({ route: 'r', body: {}, raw: Buffer.from('{"x":2}') })).not.toBe(
      a,
    );
  });
});

describe('Odoo payments to ServiceTitan', () => {
  const rec = (data: Partial<OdooPaymentData>) => ({
    id: '9',
    modified: '2026-11-20T00:00:00.000Z',
    label: 'PBNK1/2026/00001',
    data: {
      id: 9,
      name: 'PBNK1/2026/00001',
      amount: 62.75,
      date: '2026-11-20',
      invoiceRefs: [],
      otherInvoices: 0,
      ...data,
    },
  });
  it('a payment of one invoice from ServiceTitan is applied to it, with an exportId of its company', () => {
    expect(mapPayment(rec({ invoiceRefs: ['ST1000001.C1.INV.70'] }), A, 12)).toEqual({
      kind: 'write',
      payload: {
        typeId: 12,
        exportId: 'ODOO.C1.PAY.9',
        memo: 'Odoo PBNK1/2026/00001',
        paidOn: '2026-11-20T00:00:00Z',
        splits: [{ invoiceId: 70, amount: '62.75' }],
      },
    });
  });
  it.each([
    [{}, 'skip'],
    [{ invoiceRefs: ['ST1000001.C1.INV.70', 'ST1000001.C1.INV.71'] }, 'error'],
    [{ invoiceRefs: ['ST1000001.C1.INV.70'], otherInvoices: 1 }, 'error'],
    [{ invoiceRefs: ['ST1000001.C1.INV.70'], date: null }, 'error'],
  ])('%j -> %s', (data, outcome) => {
    if (outcome === 'skip') expect(mapPayment(rec(data), A, 1).kind).toBe('skip');
    else expect(() => mapPayment(rec(data), A, 1)).toThrow(RecordError);
  });
});
