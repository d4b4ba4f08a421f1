import { RecordError } from '../../src/errors.js';
import {
  costCenterCanonical,
  documentRef,
  mapBill,
  mapCostCenterToDepartment,
  mapDepartment,
  mapGlAccount,
  mapPosting,
  type DocumentData,
  type MapOptions,
} from '../../src/pairs/netsuite-servicenow/mappers.js';

const OPTS: MapOptions = {
  erpSource: 'NETSUITE',
  subsidiaries: {
    '1': { legalEntity: 'Acme Distribution' },
    '2': { legalEntity: 'Acme Europe', prefix: 'DE' },
  },
  glAccountMap: { '6000': '600000' },
  glAccountTypes: ['Expense'],
  departmentSubsidiaries: [],
  codePrefix: 'NS-DEPT-',
};

const bill = (over: Partial<DocumentData> = {}): DocumentData => ({
  id: '4',
  tranId: 'VB1001',
  type: 'VendBill',
  status: 'A',
  statusText: 'Open',
  subsidiary: { id: '1', name: 'Acme Inc.' },
  vendor: { entityId: 'V100', name: 'Globex Supplies' },
  date: '2026-11-12',
  dueDate: null,
  currency: 'USD',
  total: 950.4,
  memo: null,
  vendorInvoice: 'GX-88120',
  lines: [
    {
      lineId: '1',
      item: null,
      description: 'Flights',
      quantity: null,
      rate: null,
      amount: 820.4,
      account: { number: '6000', name: 'Travel' },
      costCenter: 'NS-DEPT-1',
      expected: null,
    },
    {
      lineId: '2',
      item: 'PAPER-A4',
      description: 'Toner',
      quantity: 2,
      rate: 65,
      amount: 130,
      account: { number: '6100', name: 'Office Supplies' },
      costCenter: 'CC-200',
      expected: null,
    },
  ],
  ...over,
});

describe('netsuite-servicenow mappers', () => {
  it('carries the subsidiary in every document reference, with a configured prefix or S<id>', () => {
    expect(documentRef('1', 'PO1001', OPTS)).toBe('S1-PO1001');
    expect(documentRef('2', 'PO1001', OPTS)).toBe('DE-PO1001');
    expect(documentRef('3', 'PO1001', OPTS)).toBe('S3-PO1001');
  });

  it('maps a bill line by line: mapped GL code, cost center, amounts, and the dimensions each names', () => {
    const r = mapBill(bill(), OPTS);
    if (r.kind !== 'write') throw new Error('expected a write');
    expect(r.payload.header).toMatchObject({
      u_external_invoice_number: 'S1-VB1001',
      u_legal_entity: 'Acme Distribution',
      u_supplier_invoice_number: 'GX-88120',
    });
    expect(
      r.payload.lines.map((l) => [
        l.u_erp_line_number,
        l.u_gl_account,
        l.u_cost_center,
        l.u_line_quantity,
        l.u_line_unit_price,
        l.u_subtotal,
      ]),
    ).toEqual([
      ['1', '600000', 'NS-DEPT-1', '1', '820.40', '820.40'],
      ['2', '6100', 'CC-200', '2', '65.00', '130.00'],
    ]);
    expect(r.dimensions?.map((d) => `${d.kind}:${d.key}`)).toEqual([
      'supplier:V100',
      'gl_account:600000',
      'cost_center:NS-DEPT-1',
      'gl_account:6100',
      'cost_center:CC-200',
    ]);
  });

  it('refuses a bill of an unmapped subsidiary, and a line without a GL account, saying what to do', () => {
    const unmapped = (): unknown => mapBill(bill({ subsidiary: { id: '7', name: 'Acme Ltd' } }), OPTS);
    expect(unmapped).toThrow(RecordError);
    expect(unmapped).toThrow(/subsidiary 7 "Acme Ltd", which has no ServiceNow legal entity/);
    const noAccount = bill();
    noAccount.lines[1]!.account = null;
    expect(() => mapBill(noAccount, OPTS)).toThrow(/line 2 has no GL account/);
  });

  it('sends only the configured account types', () => {
    const a = {
      number: '2000',
      name: 'Accounts Payable',
      type: 'AcctPay',
      active: true,
      currency: 'USD',
      subsidiary: null,
    };
    expect(mapGlAccount(a, OPTS).kind).toBe('skip');
    expect(mapGlAccount({ ...a, type: 'Expense' }, OPTS)).toMatchObject({
      kind: 'write',
      payload: { u_number: '2000', u_inactive: 'false' },
    });
  });

  it('writes a NetSuite-born department back by internal id, any other cost center by external id', () => {
    expect(
      mapCostCenterToDepartment({ code: 'NS-DEPT-3', name: 'Vertrieb', active: true }, OPTS),
    ).toMatchObject({
      payload: { internalId: '3' },
    });
    expect(
      mapCostCenterToDepartment({ code: 'CC-100', name: 'Operations', active: true }, OPTS),
    ).toMatchObject({
      payload: { internalId: null, subsidiaries: ['1', '2'] },
    });
    expect(() =>
      mapCostCenterToDepartment(
        { code: 'CC-100', name: 'Operations', active: true },
        { ...OPTS, subsidiaries: {} },
      ),
    ).toThrow(/no subsidiary to give it/);
  });

  it('gives both directions of a department the same canonical content, so neither echoes the other', () => {
    const out = mapDepartment(
      { code: 'NS-DEPT-1', name: 'R&D ', active: false },
      '2026-11-30T10:00:00.000Z',
      OPTS,
    );
    if (out.kind !== 'write') throw new Error('expected a write');
    expect(out.payload.u_valid_to).toBe('2026-11-30');
    const toSn = costCenterCanonical(out.payload.u_code!, out.payload.u_name!, out.payload.u_valid_to === '');
    const back = mapCostCenterToDepartment({ code: 'ns-dept-1', name: 'R&D', active: false }, OPTS);
    if (back.kind !== 'write') throw new Error('expected a write');
    expect(costCenterCanonical(back.payload.code, back.payload.name, back.payload.active)).toEqual(toSn);
  });

  it('keys a GL posting on the document reference and its line', () => {
    const r = mapPosting(
      {
        transactionId: '4',
        tranId: 'VB1001',
        type: 'VendBill',
        line: '0',
        subsidiary: { id: '2', name: 'Acme GmbH' },
        date: '2026-11-12',
        currency: 'EUR',
        account: { number: '2010', name: 'Verbindlichkeiten' },
        costCenter: null,
        debit: 0,
        credit: 362,
        memo: null,
      },
      OPTS,
    );
    expect(r).toMatchObject({
      kind: 'write',
      payload: {
        u_posting_key: 'DE-VB1001/0',
        u_legal_entity: 'Acme Europe',
        u_credit: '362.00',
        u_debit: '0.00',
      },
    });
  });
});
