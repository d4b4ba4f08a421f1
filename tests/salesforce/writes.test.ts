import { RecordError, TransientError } from '../../src/errors.js';
import type { WriteOutcome } from '../../src/systems/salesforce/collections.js';
import { control, rest, sfClient, startSim, stats, type Sim } from './helpers.js';

const failed = (o: WriteOutcome | undefined) => (o && !o.ok ? o.error : undefined);

describe('Salesforce writes against the simulator', () => {
  let sim: Sim;
  let sf: ReturnType<typeof sfClient>;
  beforeAll(async () => {
    sim = await startSim({ seed: 'demo' });
    sf = sfClient(sim);
  });
  afterAll(async () => {
    await sf.close();
    await sim.close();
  });
  afterEach(async () => {
    await control(sim, 'DELETE', 'faults');
  });

  it('upserts 250 records in two Collections calls with one outcome each, in order; a second upsert updates them', async () => {
    const records = Array.from({ length: 250 }, (_, i) => ({
      Odoo_Id__c: `res.partner:${5000 + i}`,
      Name: `Bulk ${i}`,
      Odoo_Company__c: i % 2 ? 'acme-eu' : 'acme-us',
    }));
    await control(sim, 'DELETE', 'stats');
    const first = await sf.upsert('Account', 'Odoo_Id__c', records);
    expect(
      (await stats(sim)).byRoute['PATCH /services/data/v62.0/composite/sobjects/Account/Odoo_Id__c'],
    ).toBe(2);
    expect(first).toHaveLength(250);
    expect(first.every((o) => o.ok && o.created)).toBe(true);
    const rows = await sf.query(
      "SELECT Id, Odoo_Id__c, Name FROM Account WHERE Odoo_Id__c LIKE 'res.partner:5%'",
    );
    const byExt = new Map(rows.map((r) => [r.Odoo_Id__c, r.Id]));
    first.forEach((o, i) => expect(o.ok && o.id).toBe(byExt.get(`res.partner:${5000 + i}`)));
    const second = await sf.upsert(
      'Account',
      'Odoo_Id__c',
      records.map((r) => ({ ...r, Name: `${r.Name} (renamed)` })),
    );
    expect(second.map((o) => o.ok && o.created)).toEqual(Array(250).fill(false));
    expect(second.map((o) => o.ok && o.id)).toEqual(first.map((o) => o.ok && o.id));
    expect(await sf.query("SELECT Id FROM Account WHERE Name LIKE '%(renamed)'")).toHaveLength(250);
  });

  it('fails only the record whose external id two contacts carry (300 for a single upsert), the others are written', async () => {
    const out = await sf.upsert('Contact', 'Odoo_Id__c', [
      { Odoo_Id__c: 'res.partner:30', LastName: 'Freeman' },
      { Odoo_Id__c: 'res.partner:99', LastName: 'Twin' },
      { Odoo_Id__c: 'res.partner:77', LastName: 'New', Account: { Odoo_Id__c: 'res.partner:10' } },
    ]);
    expect(out[0]).toMatchObject({ ok: true, created: false });
    expect(out[2]).toMatchObject({ ok: true, created: true });
    const err = failed(out[1]);
    expect(err).toBeInstanceOf(RecordError);
    expect(err?.code).toBe('salesforce.duplicate_external_id');
    const single = await rest(
      sim,
      'PATCH',
      '/services/data/v62.0/sobjects/Contact/Odoo_Id__c/res.partner:99',
      { LastName: 'Twin' },
    );
    expect(single.status).toBe(300);
    expect(single.body).toHaveLength(2);
    const [created] = await sf.query(
      "SELECT Id, AccountId, Account.Odoo_Id__c FROM Contact WHERE Odoo_Id__c = 'res.partner:77'",
    );
    expect(created?.Account).toEqual({ Odoo_Id__c: 'res.partner:10' });
  });

  it('reports a required field and an unknown parent per record', async () => {
    const out = await sf.upsert('Contact', 'Odoo_Id__c', [
      { Odoo_Id__c: 'c-1' },
      { Odoo_Id__c: 'c-2', LastName: 'Orphan', Account: { Odoo_Id__c: 'res.partner:404' } },
      { Odoo_Id__c: 'c-3', LastName: 'Fine' },
    ]);
    expect(failed(out[0])?.code).toBe('salesforce.required_field_missing');
    expect(failed(out[0])?.data).toMatchObject({ fields: ['LastName'] });
    expect(failed(out[1])?.message).toContain('Foreign key external ID: res.partner:404 not found');
    expect(out[2]?.ok).toBe(true);
  });

  it('sends records refused with UNABLE_TO_LOCK_ROW again, and only those', async () => {
    await control(sim, 'POST', 'faults', {
      kind: 'row_lock',
      match: '^PATCH /services/data/v62\\.0/composite/sobjects/',
      params: { keys: ['lock-2'] },
    });
    await control(sim, 'DELETE', 'stats');
    const out = await sf.upsert('Product2', 'Odoo_Id__c', [
      { Odoo_Id__c: 'lock-1', Name: 'One' },
      { Odoo_Id__c: 'lock-2', Name: 'Two' },
    ]);
    expect(out.map((o) => o.ok)).toEqual([true, true]);
    expect(
      (await stats(sim)).byRoute['PATCH /services/data/v62.0/composite/sobjects/Product2/Odoo_Id__c'],
    ).toBe(2);
  });

  it('stops the flow with a TransientError when a record stays locked past the repeats', async () => {
    await control(sim, 'POST', 'faults', {
      kind: 'row_lock',
      match: '^PATCH /services/data/v62\\.0/composite/sobjects/',
      times: -1,
      params: { keys: ['lock-9'] },
    });
    const err = await sf
      .upsert('Product2', 'Odoo_Id__c', [
        { Odoo_Id__c: 'lock-8', Name: 'Eight' },
        { Odoo_Id__c: 'lock-9', Name: 'Nine' },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).code).toBe('salesforce.row_locked');
  });

  it('gives every record of a call the org refused as a whole that refusal as its outcome', async () => {
    await control(sim, 'POST', 'faults', {
      kind: 'status',
      status: 400,
      match: '^PATCH /services/data/v62\\.0/composite/sobjects/',
      body: [{ message: 'Unexpected character', errorCode: 'JSON_PARSER_ERROR' }],
    });
    const out = await sf.upsert('Product2', 'Odoo_Id__c', [
      { Odoo_Id__c: 'whole-1', Name: 'One' },
      { Odoo_Id__c: 'whole-2', Name: 'Two' },
    ]);
    expect(out.map((o) => failed(o)?.code)).toEqual([
      'salesforce.json_parser_error',
      'salesforce.json_parser_error',
    ]);
  });

  it('creates an order and its lines in one Composite call, the lines naming the new order by reference', async () => {
    const [book] = await sf.query('SELECT Id FROM Pricebook2 WHERE IsStandard = true');
    const entries = await sf.query(
      `SELECT Id, Product2.Odoo_Id__c FROM PricebookEntry WHERE Pricebook2Id = '${book?.Id}' ORDER BY Id`,
    );
    await control(sim, 'DELETE', 'stats');
    const result = await sf.upsertWithChildren({
      parent: {
        sobject: 'Order',
        externalIdField: 'Odoo_Id__c',
        externalId: 'sale.order:50',
        values: {
          Account: { Odoo_Id__c: 'res.partner:11' },
          EffectiveDate: '2026-11-30',
          Status: 'Draft',
          Pricebook2Id: book?.Id,
          Odoo_Company__c: 'acme-us',
        },
      },
      parentField: 'OrderId',
      children: Array.from({ length: 30 }, (_, i) => ({
        sobject: 'OrderItem',
        externalIdField: 'Odoo_Line_Id__c',
        externalId: `sale.order.line:50-${i}`,
        values: { PricebookEntryId: entries[i % entries.length]?.Id, Quantity: i + 1, UnitPrice: 10 },
      })),
    });
    expect(result.parent).toMatchObject({ ok: true, created: true });
    expect(result.children).toHaveLength(30);
    expect(result.children.every((c) => c.ok && c.created)).toBe(true);
    const s = await stats(sim);
    expect(s.byRoute['POST /services/data/v62.0/composite']).toBe(1);
    // 24 lines fit beside the order; the other 6 follow through Collections with the order's id.
    expect(s.byRoute['PATCH /services/data/v62.0/composite/sobjects/OrderItem/Odoo_Line_Id__c']).toBe(1);
    const lines = await sf.query(
      `SELECT Id, OrderId FROM OrderItem WHERE OrderId = '${result.parent.ok ? result.parent.id : ''}'`,
    );
    expect(lines).toHaveLength(30);
    const [order] = await sf.query("SELECT Id, TotalAmount FROM Order WHERE Odoo_Id__c = 'sale.order:50'");
    expect(order?.TotalAmount).toBe(
      Array.from({ length: 30 }, (_, i) => (i + 1) * 10).reduce((a, b) => a + b, 0),
    );
  });

  it('sends a Composite call again when a row of it was locked, and gives up with a TransientError if it stays locked', async () => {
    const doc = (n: number) => ({
      parent: {
        sobject: 'Order',
        externalIdField: 'Odoo_Id__c',
        externalId: `sale.order:${n}`,
        values: { Account: { Odoo_Id__c: 'res.partner:10' }, EffectiveDate: '2026-11-30', Status: 'Draft' },
      },
      parentField: 'OrderId',
      children: [],
    });
    const lock = (key: string, times: number) =>
      control(sim, 'POST', 'faults', {
        kind: 'row_lock',
        match: '^POST /services/data/v62\\.0/composite$',
        times,
        params: { keys: [key] },
      });
    await lock('sale.order:61', 1);
    await control(sim, 'DELETE', 'stats');
    expect((await sf.upsertWithChildren(doc(61))).parent).toMatchObject({ ok: true, created: true });
    expect((await stats(sim)).byRoute['POST /services/data/v62.0/composite']).toBe(2);
    await lock('sale.order:62', -1);
    const err = await sf.upsertWithChildren(doc(62)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
  });

  it('refuses a new line on an activated order as a RecordError, and leaves the order as it was', async () => {
    const [entry] = await sf.query(
      "SELECT Id FROM PricebookEntry WHERE Pricebook2.Name = 'EU Price Book' ORDER BY Id",
    );
    const before = await sf.query(
      "SELECT Id, SystemModstamp, TotalAmount FROM Order WHERE Odoo_Id__c = 'sale.order:2'",
    );
    const result = await sf.upsertWithChildren(
      {
        parent: {
          sobject: 'Order',
          externalIdField: 'Odoo_Id__c',
          externalId: 'sale.order:2',
          values: { Description: 'edited' },
        },
        parentField: 'OrderId',
        children: [
          {
            sobject: 'OrderItem',
            externalIdField: 'Odoo_Line_Id__c',
            externalId: 'sale.order.line:9',
            values: { PricebookEntryId: entry?.Id, Quantity: 1, UnitPrice: 1 },
          },
        ],
      },
      { allOrNone: true },
    );
    const err = failed(result.children[0]);
    expect(err).toBeInstanceOf(RecordError);
    expect(err?.code).toBe('salesforce.field_integrity_exception');
    expect(err?.message).toContain('activated order');
    // allOrNone: the order's own change was rolled back.
    expect(failed(result.parent)?.code).toBe('salesforce.processing_halted');
    const after = await sf.query(
      "SELECT Id, SystemModstamp, TotalAmount, Description FROM Order WHERE Odoo_Id__c = 'sale.order:2'",
    );
    expect(after[0]).toEqual({ ...before[0], Description: null });
    expect(
      await sf.query("SELECT Id FROM OrderItem WHERE Odoo_Line_Id__c = 'sale.order.line:9'"),
    ).toHaveLength(0);
  });

  it('refuses an order line whose price book entry is not in the order’s price book', async () => {
    const [std] = await sf.query(
      'SELECT Id FROM PricebookEntry WHERE Pricebook2.IsStandard = true ORDER BY Id LIMIT 1',
    );
    const out = await sf.upsert('OrderItem', 'Odoo_Line_Id__c', [
      {
        Odoo_Line_Id__c: 'x-1',
        Order: { Odoo_Id__c: 'sale.order:50' },
        PricebookEntryId: std?.Id,
        Quantity: 1,
        UnitPrice: 5,
      },
    ]);
    expect(out[0]?.ok).toBe(true);
    const [eu] = await sf.query(
      "SELECT Id FROM PricebookEntry WHERE Pricebook2.Name = 'EU Price Book' LIMIT 1",
    );
    const bad = await sf.upsert('OrderItem', 'Odoo_Line_Id__c', [
      {
        Odoo_Line_Id__c: 'x-2',
        Order: { Odoo_Id__c: 'sale.order:50' },
        PricebookEntryId: eu?.Id,
        Quantity: 1,
        UnitPrice: 5,
      },
    ]);
    expect(failed(bad[0])?.message).toContain('pricebook entry is in a different pricebook');
  });

  it('requires a standard price before a custom one', async () => {
    const [eu] = await sf.query("SELECT Id FROM Pricebook2 WHERE Name = 'EU Price Book'");
    const [p] = await sf.upsert('Product2', 'Odoo_Id__c', [
      { Odoo_Id__c: 'product.product:900', Name: 'Unpriced', IsActive: true },
    ]);
    const res = await rest(sim, 'POST', '/services/data/v62.0/composite/sobjects', {
      allOrNone: false,
      records: [
        {
          attributes: { type: 'PricebookEntry' },
          Pricebook2Id: eu?.Id,
          Product2Id: p?.ok ? p.id : '',
          UnitPrice: 3,
          IsActive: true,
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        success: false,
        errors: [
          {
            statusCode: 'STANDARD_PRICE_NOT_DEFINED',
            message: 'Before creating a custom price, create a standard price.',
            fields: [],
          },
        ],
      },
    ]);
  });
});
