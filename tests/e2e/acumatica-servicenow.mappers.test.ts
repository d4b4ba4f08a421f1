import { RecordError } from '../../src/errors.js';
import {
  documentNumber,
  mapBill,
  mapCheck,
  mapGlAccount,
  mapPurchaseOrder,
  mapRequestToPo,
  mapVendor,
  type BillData,
  type MapOptions,
  type RequestData,
  type RequestMapOptions,
} from '../../src/pairs/acumatica-servicenow/mappers.js';

/** The pure mappers of acumatica-servicenow: tables of inputs and what they must produce. */
const opts: MapOptions = {
  erpSource: 'ACUMATICA',
  legalEntity: 'Acme',
  costCenterSource: 'Subaccount',
  costCenterMap: { '300-000': 'CC-300' },
  glAccountMap: {},
  glAccountTypes: ['Expense'],
};

const bill: BillData = {
  type: 'Bill',
  number: '000123',
  status: 'Open',
  vendorId: 'V000001',
  vendorName: 'Alpha Lumber',
  vendorRef: 'INV-4471',
  date: '2025-02-27T00:00:00+00:00',
  dueDate: null,
  currency: 'USD',
  amount: 201.73,
  taxTotal: 0,
  description: null,
  branch: 'HQ',
  lines: [
    {
      id: 'b8410d82-9476-ef11-8c65-ac198e472cfe',
      description: 'Forklift repair',
      quantity: 1,
      unitCost: 201.73,
      amount: 201.73,
      account: '64000',
      accountName: 'Repairs',
      subaccount: '300-000',
      branch: 'HQ',
      poOrderNbr: null,
      poLine: null,
    },
  ],
};

const requestOpts: RequestMapOptions = {
  orderType: 'Normal',
  branch: '',
  hold: false,
  inventoryId: 'NONSTOCK',
  account: '',
  refField: 'VendorRef',
  defaultVendor: '',
  costCenterSource: 'Subaccount',
  costCenterMap: { '300-000': 'CC-300' },
};

const request: RequestData = {
  sysId: 'a'.repeat(32),
  number: 'REQ0010042',
  description: 'Laptop setup',
  approval: 'approved',
  opened: '2025-03-02',
  vendorId: 'V000003',
  supplierName: 'Cobalt Tools',
  costCenter: 'CC-300',
  items: [{ number: 'RITM0010001', description: 'Laptop', quantity: 2, price: 150, inventoryId: null }],
};

describe('acumatica-servicenow mappers', () => {
  it('sends a vendor value that is empty in Acumatica as an empty string, never leaving the column out', () => {
    const full = mapVendor(
      {
        vendorId: 'V000001',
        name: 'Alpha Lumber',
        legalName: 'Alpha Lumber Inc.',
        status: 'Active',
        currency: 'USD',
        terms: '30D',
        vendorClass: 'LUMBER',
        taxId: 'TX-001',
        email: 'ap@alpha.example',
        city: 'Portland',
        country: 'US',
      },
      opts,
    );
    expect(full.kind === 'write' && full.payload.u_email).toBe('ap@alpha.example');
    const cleared = mapVendor(
      {
        vendorId: 'V000001',
        name: 'Alpha Lumber',
        legalName: null,
        status: 'Active',
        currency: null,
        terms: null,
        vendorClass: null,
        taxId: null,
        email: null,
        city: null,
        country: null,
      },
      opts,
    );
    expect(cleared.kind).toBe('write');
    if (cleared.kind !== 'write') return;
    expect(cleared.payload).toEqual({
      u_erp_company_code: 'V000001',
      u_erp_source: 'ACUMATICA',
      u_legal_name: 'Alpha Lumber',
      u_status: 'Active',
      u_payment_term: '',
      u_tax_id: '',
      u_email: '',
      u_city: '',
      u_country: '',
    });
  });

  it('sends only GL accounts of the configured types, coalescing on the account code', () => {
    const expense = mapGlAccount(
      { code: '64000', description: 'Repairs', type: 'Expense', active: true, currency: 'USD' },
      opts,
    );
    expect(expense).toMatchObject({ kind: 'write', payload: { u_number: '64000', u_inactive: 'false' } });
    expect(
      mapGlAccount(
        { code: '10100', description: 'Cash', type: 'Asset', active: true, currency: 'USD' },
        opts,
      ),
    ).toMatchObject({ kind: 'skip', reason: expect.stringMatching(/Asset is not sent/) });
  });

  it('declares the GL account, the mapped cost center and the supplier of every bill line', () => {
    const r = mapBill(bill, opts);
    if (r.kind !== 'write') throw new Error('expected a write');
    expect(r.dimensions?.map((d) => `${d.kind}:${d.key}`)).toEqual([
      'supplier:V000001',
      'gl_account:64000',
      'cost_center:CC-300',
    ]);
    expect(r.payload.lines[0]).toMatchObject({
      u_gl_account: '64000',
      u_cost_center: 'CC-300',
      u_subtotal: '201.73',
    });
    expect(r.payload.header).toMatchObject({
      u_external_invoice_number: '000123',
      u_invoice_date: '2025-02-27',
    });
  });

  it('names the cost center by branch when cost centers come from branches', () => {
    const r = mapBill(bill, { ...opts, costCenterSource: 'Branch', costCenterMap: {} });
    if (r.kind !== 'write') throw new Error('expected a write');
    expect(r.payload.lines[0]?.u_cost_center).toBe('HQ');
  });

  it('refuses a bill line without an account and a document without a vendor', () => {
    expect(() => mapBill({ ...bill, lines: [{ ...bill.lines[0]!, account: null }] }, opts)).toThrow(
      RecordError,
    );
    expect(() =>
      mapPurchaseOrder(
        {
          type: 'Normal',
          number: 'PO000001',
          status: 'Open',
          vendorId: null,
          vendorName: null,
          vendorRef: null,
          date: null,
          description: null,
          branch: null,
          currency: 'USD',
          total: 0,
          lines: [],
        },
        opts,
      ),
    ).toThrow(/has no vendor/);
  });

  it('keeps AP document numbers unique across types', () => {
    expect(documentNumber('Bill', '000123')).toBe('000123');
    expect(documentNumber('Credit Adj.', '000123')).toBe('ACR-000123');
    const r = mapCheck(
      {
        type: 'Payment',
        number: '000007',
        status: 'Closed',
        vendorId: 'V000001',
        vendorName: null,
        paymentMethod: 'CHECK',
        cashAccount: '10100',
        paymentRef: '10001',
        date: '2025-03-01T00:00:00+00:00',
        currency: 'USD',
        amount: 480,
        description: null,
        applications: [{ docType: 'Bill', referenceNbr: '000001', amountPaid: 480 }],
      },
      opts,
    );
    expect(r).toMatchObject({
      kind: 'write',
      payload: { u_payment_number: '000007', u_invoice_number: '000001' },
    });
  });

  it('turns an approved request into a PO carrying the request number in the reference field', () => {
    const r = mapRequestToPo(request, requestOpts);
    if (r.kind !== 'write') throw new Error('expected a write');
    expect(r.payload).toMatchObject({
      Type: 'Normal',
      VendorID: 'V000003',
      VendorRef: 'REQ0010042',
      Hold: false,
    });
    expect(r.payload.Details[0]).toMatchObject({
      InventoryID: 'NONSTOCK',
      OrderQty: 2,
      UnitCost: 150,
      Subaccount: '300-000',
    });
    expect(mapRequestToPo({ ...request, approval: 'requested' }, requestOpts).kind).toBe('skip');
    expect(() => mapRequestToPo({ ...request, vendorId: null }, requestOpts)).toThrow(
      /no supplier known to Acumatica/,
    );
  });
});
