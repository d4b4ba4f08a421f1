import { RecordError } from '../../src/errors.js';
import { mapCollection, splitsOf } from '../../src/pairs/servicetitan-odoo/collections.js';
import { mapPayment } from '../../src/pairs/servicetitan-odoo/payments.js';

/** Field collections, pure: a ServiceTitan payment as one record per invoice it pays, and each mapped. */
const A = { tenant: '1000001', company: 1 };

const payment = (extra: Record<string, unknown> = {}) => ({
  id: 55,
  referenceNumber: 'PAY-02',
  date: '2026-11-14T09:30:00Z',
  memo: 'Collected on site',
  active: true,
  modifiedOn: '2026-11-14T09:31:00.123Z',
  appliedTo: [
    { appliedTo: 70, appliedAmount: '63.03', appliedToReferenceNumber: 'INV-7000' },
    { appliedTo: 71, appliedAmount: '500.00', appliedToReferenceNumber: 'INV-7001' },
  ],
  ...extra,
});

describe('ServiceTitan payments to Odoo', () => {
  it('a payment split over two invoices is two records, each an Odoo payment of one invoice', () => {
    const splits = splitsOf('1000001', payment());
    expect(splits.map((s) => [s.id, s.label, s.modified])).toEqual([
      ['1000001/55-70', 'PAY-02 on INV-7000', '2026-11-14T09:31:00.123Z'],
      ['1000001/55-71', 'PAY-02 on INV-7001', '2026-11-14T09:31:00.123Z'],
    ]);
    expect(mapCollection(splits[1]!, A)).toEqual({
      kind: 'write',
      payload: {
        ref: 'ST1000001.C1.PAY.55-71',
        invoiceRef: 'ST1000001.C1.INV.71',
        amount: '500.00',
        date: '2026-11-14',
      },
      dimensions: [
        expect.objectContaining({
          kind: 'invoice',
          key: 'ST1000001.C1.INV.71',
          describe: 'invoice INV-7001 (ServiceTitan invoice 71, ST1000001.C1.INV.71)',
        }),
      ],
    });
  });

  it.each([
    [
      'created by mlc from an Odoo payment',
      { memo: 'Odoo PBNK1/2026/00001 [ODOO.C1.PAY.9]' },
      /created by mlc/,
    ],
    ['of another company too', { memo: '[ODOO.C2.PAY.12]' }, /created by mlc/],
    ['voided', { active: false }, /voided/],
    ['that is a refund', { appliedTo: [{ appliedTo: 70, appliedAmount: '-10.00' }] }, /not a collection/],
  ])('a payment %s is skipped', (_what, extra, reason) => {
    const [first] = splitsOf('1000001', payment(extra));
    const mapped = mapCollection(first!, A);
    expect(mapped.kind).toBe('skip');
    expect((mapped as { reason: string }).reason).toMatch(reason);
  });

  it('a payment applied to nothing is one record, skipped; one with no date fails', () => {
    const [unapplied] = splitsOf('1000001', payment({ appliedTo: [] }));
    expect(unapplied?.id).toBe('1000001/55');
    expect(mapCollection(unapplied!, A)).toMatchObject({ kind: 'skip', reason: /applied to no invoice/ });
    const [undated] = splitsOf('1000001', payment({ date: null }));
    expect(() => mapCollection(undated!, A)).toThrow(RecordError);
  });

  it('an Odoo payment registered from ServiceTitan is not sent back to it', () => {
    const rec = {
      id: '9',
      modified: '2026-11-20T00:00:00.000Z',
      label: 'PBNK1/2026/00001',
      data: {
        id: 9,
        name: 'PBNK1/2026/00001',
        amount: 62.75,
        date: '2026-11-20',
        invoiceRefs: ['ST1000001.C1.INV.70'],
        otherInvoices: 0,
        memo: 'ST1000001.C1.PAY.55-70',
      },
    };
    expect(mapPayment(rec, A, 1)).toMatchObject({ kind: 'skip', reason: /registered by mlc/ });
    expect(mapPayment({ ...rec, data: { ...rec.data, memo: 'Cheque 1001' } }, A, 1).kind).toBe('write');
  });
});
