import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { RecordError, isMlcError } from '../../src/errors.js';
import { sumMoney, type StRow } from '../../src/systems/servicetitan/index.js';
import { client, control, raw, startSim, token, type Sim } from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  await control(sim, 'faults', {}, 'DELETE');
  await control(sim, 'seed', { seed: 'demo' });
});

async function state(name: string): Promise<StRow[]> {
  return (await control(sim, `state?name=${name}`, undefined, 'GET')) as StRow[];
}

async function invoiceAndType(tenant = '1000001'): Promise<{ invoice: StRow; typeId: number }> {
  const invoice = (await state(`invoices:${tenant}`)).find((i) =>
    String(i.referenceNumber).endsWith('00'),
  ) as StRow;
  const typeId = (await state(`payment_types:${tenant}`))[1]?.id as number;
  return { invoice, typeId };
}

describe('ServiceTitan writes', () => {
  it('creates a payment once even when its answer is lost, found again by its exportId', async () => {
    const st = client(sim, 0, { timeoutMs: 1000 });
    const { invoice, typeId } = await invoiceAndType();
    await control(sim, 'faults', {
      kind: 'commit_then_stall',
      match: '^POST /accounting/v2/tenant/1000001/payments$',
      delayMs: 2500,
    });
    const outcome = await st.createPayment({
      typeId,
      exportId: 'odoo-pay-42',
      memo: 'Odoo PAY/0042',
      paidOn: '2026-11-20T00:00:00Z',
      splits: [{ invoiceId: invoice.id, amount: '25.78' }],
    });
    const payments = (await state('payments:1000001')).filter((p) =>
      String(p.memo).includes('[odoo-pay-42]'),
    );
    expect(payments).toHaveLength(1);
    expect(outcome).toEqual({ id: payments[0]?.id, created: false });
    const after = (await state('invoices:1000001')).find((i) => i.id === invoice.id);
    // The balance drops once, by the payment (the seed's field payments paid part of it already).
    expect(after?.balance).toBe(sumMoney([String(invoice.balance), '-25.78']));
    // A replay of the same payment (a later pass, mlc replay) sends nothing.
    const writesBefore = sim.sim.writes.length;
    expect(
      await st.createPayment({
        typeId,
        exportId: 'odoo-pay-42',
        paidOn: '2026-11-20T00:00:00Z',
        splits: [{ invoiceId: invoice.id, amount: '25.78' }],
      }),
    ).toEqual({
      id: payments[0]?.id,
      created: false,
    });
    expect(sim.sim.writes.length).toBe(writesBefore);
    await st.close();
  });

  it('creates a payment once when the server answers 502 after making it', async () => {
    const st = client(sim, 0);
    const { invoice, typeId } = await invoiceAndType();
    await control(sim, 'faults', {
      kind: 'commit_then_fail',
      match: 'POST /accounting/v2/tenant/1000001/payments$',
    });
    const outcome = await st.createPayment({
      typeId,
      exportId: 'odoo-pay-43',
      paidOn: '2026-11-20T00:00:00Z',
      splits: [{ invoiceId: invoice.id, amount: '0.10' }],
    });
    expect(outcome.created).toBe(false);
    expect(
      (await state('payments:1000001')).filter((p) => String(p.memo).includes('[odoo-pay-43]')),
    ).toHaveLength(1);
    await st.close();
  });

  it('sends the payment with its exportId and exact amounts, and answers created', async () => {
    const st = client(sim, 1);
    const { invoice, typeId } = await invoiceAndType('1000002');
    const outcome = await st.createPayment({
      typeId,
      exportId: 'odoo-pay-44',
      memo: 'Odoo PAY/0044',
      paidOn: '2026-11-21T00:00:00Z',
      checkNumber: '1001',
      splits: [
        { invoiceId: invoice.id, amount: '0.10' },
        { invoiceId: invoice.id, amount: '0.20' },
      ],
    });
    expect(outcome.created).toBe(true);
    const sent = sim.sim.writes.at(-1)?.body as Record<string, unknown>;
    expect(sent).toMatchObject({
      typeId,
      exportId: 'odoo-pay-44',
      memo: 'Odoo PAY/0044 [odoo-pay-44]',
      amount: 0.3,
      checkNumber: '1001',
    });
    const stored = (await state('payments:1000002')).find((p) => p.id === outcome.id);
    expect(stored).toMatchObject({ total: '0.30', _exportId: 'odoo-pay-44' });
    // The other tenant has no such payment.
    expect((await state('payments:1000001')).some((p) => String(p.memo).includes('odoo-pay-44'))).toBe(false);
    await st.close();
  });

  it('turns a refused payment into a RecordError naming the field', async () => {
    const st = client(sim, 0);
    const { invoice } = await invoiceAndType();
    const err = await st
      .createPayment({
        typeId: 999_999,
        exportId: 'odoo-pay-45',
        paidOn: '2026-11-20T00:00:00Z',
        splits: [{ invoiceId: invoice.id, amount: '1.00' }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordError);
    expect(isMlcError(err) && err.code).toBe('servicetitan.validation');
    expect(isMlcError(err) && err.data).toEqual({
      errors: { typeId: ['Payment type 999999 does not exist.'] },
    });
    await st.close();
  });

  it('creates a purchase order once, with exact totals, and refuses an inactive vendor', async () => {
    const st = client(sim, 0, { timeoutMs: 1000 });
    const vendors = await state('vendors:1000001');
    const bu = (await state('business_units:1000001'))[0] as StRow;
    const active = vendors.find((v) => v.active === true) as StRow;
    const inactive = vendors.find((v) => v.active === false) as StRow;
    const po = {
      ref: 'odoo-po-7',
      vendorId: active.id,
      typeId: 1,
      businessUnitId: bu.id,
      inventoryLocationId: 1,
      shipTo: {
        description: 'Warehouse',
        address: { street: '1 Main St', unit: '', city: 'Austin', state: 'TX', zip: '78701', country: 'USA' },
      },
      impactsTechnicianPayroll: false,
      memo: 'From Odoo P00007',
      date: '2026-11-20T00:00:00Z',
      requiredOn: '2026-11-27T00:00:00Z',
      tax: '0.83',
      shipping: '0.10',
      items: [
        { skuId: 501, description: 'Capacitor', vendorPartNumber: 'C-1', quantity: '3', cost: '19.99' },
      ],
    };
    await control(sim, 'faults', {
      kind: 'commit_then_stall',
      match: 'POST /inventory/v2/tenant/1000001/purchase-orders$',
      delayMs: 2500,
    });
    const first = await st.createPurchaseOrder(po);
    const made = (await state('purchase_orders:1000001')).filter((p) =>
      String(p.summary).includes('[odoo-po-7]'),
    );
    expect(made).toHaveLength(1);
    expect(first.id).toBe(made[0]?.id);
    expect(made[0]?.total).toBe('60.90');
    const err = await st
      .createPurchaseOrder({ ...po, ref: 'odoo-po-8', vendorId: inactive.id })
      .catch((e: unknown) => e);
    expect(isMlcError(err) && err.code).toBe('servicetitan.validation');
    expect(String((err as Error).message)).toMatch(/vendorId: Vendor .* is inactive/);
    await st.close();
  });

  it('marks invoices as exported, one result per invoice', async () => {
    const st = client(sim, 0);
    const invoices = await state('invoices:1000001');
    const results = await st.markInvoicesExported([
      { invoiceId: invoices[0]?.id as number, externalId: 'INV/2026/0001', externalMessage: 'synced' },
      { invoiceId: 424242, externalId: 'INV/2026/0002' },
    ]);
    expect(results).toEqual([
      { invoiceId: invoices[0]?.id, success: true, errorMessage: null },
      { invoiceId: 424242, success: false, errorMessage: 'Invoice 424242 was not found.' },
    ]);
    expect((await state('invoices:1000001'))[0]).toMatchObject({
      syncStatus: 'Exported',
      exportId: 'INV/2026/0001',
    });
    await st.close();
  });

  it('refuses a stand-alone invoice (400) and a job without a campaign (422), as the server does', async () => {
    const t = await token(sim, 0);
    const inv = await raw(sim, 'POST', '/accounting/v2/tenant/1000001/invoices', {
      token: t,
      body: { summary: 'new' },
    });
    expect(inv.status).toBe(400);
    expect(inv.body).toMatchObject({
      status: 400,
      errors: { adjustmentToId: [expect.stringMatching(/adjustment/)] },
    });
    const job = await raw(sim, 'POST', '/jpm/v2/tenant/1000001/jobs', {
      token: t,
      body: {
        customerId: 1,
        locationId: 2,
        businessUnitId: 3,
        jobTypeId: 4,
        priority: 'Normal',
        appointments: [],
      },
    });
    expect(job.status).toBe(422);
  });
});
