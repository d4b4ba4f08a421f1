import { RecordError } from '../../src/errors.js';
import { client, startSim, type Sim } from './helpers.js';

describe('NetSuite record API', () => {
  let sim: Sim;
  afterEach(async () => {
    await sim?.close();
  });

  it('creates a vendor bill (204, id only in Location) and reads it back with sublists as {links, items, totalResults}', async () => {
    sim = await startSim();
    const ns = client(sim);
    const id = await ns.records.create('vendorBill', {
      tranId: 'VB7',
      entity: { id: '3' },
      subsidiary: { id: '2' },
      tranDate: '2026-11-25',
      expense: { items: [{ account: { id: '7' }, amount: 180, department: { id: '3' }, memo: 'Bahn' }] },
      item: { items: [{ item: { id: '3' }, quantity: 2, rate: 5.2, department: { id: '4' } }] },
    });
    const bill = await ns.records.get('vendorBill', id, { expand: true });
    expect(bill).toMatchObject({
      tranId: 'VB7',
      tranDate: '2026-11-25',
      subsidiary: { id: '2', refName: 'Acme GmbH' },
    });
    expect(bill!.lastModifiedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    expect(bill!.expense).toEqual({
      links: [expect.objectContaining({ rel: 'self' })],
      items: [
        expect.objectContaining({ line: 1, amount: 180, account: expect.objectContaining({ id: '7' }) }),
      ],
      totalResults: 1,
    });
    const item = (bill!.item as { items: Array<Record<string, unknown>> }).items[0]!;
    expect(item).not.toHaveProperty('memo');
    expect(item).not.toHaveProperty('description');
    const bare = await ns.records.get('vendorBill', id);
    expect(bare!.expense).toEqual({ links: [expect.objectContaining({ rel: 'self' })] });
    // The same bill through SuiteQL: its lines carry their own GL account and department.
    const lines = await ns.suiteql.all(
      `SELECT tl.id, tl.expenseaccount, tl.department FROM transactionline tl WHERE tl.transaction = ${id} AND tl.mainline = 'F' ORDER BY tl.id`,
    );
    expect(lines.map((l) => [l.id, l.expenseaccount, l.department])).toEqual([
      ['1', '7', '3'],
      ['2', '8', '4'],
    ]);
    await ns.close();
  });

  it('refuses a bill line naming an account that does not exist, pointing at the field', async () => {
    sim = await startSim();
    const ns = client(sim);
    const err = await ns.records
      .create('vendorBill', {
        entity: { id: '1' },
        subsidiary: { id: '1' },
        expense: { items: [{ account: { id: '999' }, amount: 1 }] },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordError);
    expect((err as RecordError).message).toMatch(/INVALID_FIELD_VALUE.*\(at expense\.items\[0\]\.account\)/);
    await ns.close();
  });
});

describe('NetSuite asynchronous record requests', () => {
  let sim: Sim;
  afterEach(async () => {
    await sim?.close();
  });

  it('answers Prefer: respond-async with 202 and a job whose task result is the answer, once per idempotency key', async () => {
    sim = await startSim();
    const ns = client(sim);
    const authorization = await ns.transport['signer'].authorization('PUT', '');
    const put = (): Promise<Response> =>
      fetch(`${sim.url}/services/rest/record/v1/department/eid:CC-777`, {
        method: 'PUT',
        headers: {
          authorization,
          prefer: 'respond-async',
          'content-type': 'application/json',
          'x-netsuite-idempotency-key': '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
        },
        body: JSON.stringify({ name: 'Async Dept', subsidiary: { items: [{ id: '1' }] } }),
      });
    const first = await put();
    expect(first.status).toBe(202);
    expect(first.headers.get('preference-applied')).toBe('respond-async');
    const job = first.headers.get('location')!;
    expect((await put()).headers.get('location')).toBe(job);
    const get = async (url: string): Promise<Response> => fetch(url, { headers: { authorization } });
    expect(await (await get(job)).json()).toMatchObject({ completed: true, progress: 'succeeded' });
    const id = job.split('/').pop()!;
    const result = await get(`${job}/task/${id}/result`);
    expect(result.status).toBe(204);
    expect(result.headers.get('location')).toMatch(/\/record\/v1\/department\/\d+$/);
    expect(sim.system.store.rows('department').filter((d) => d.externalid === 'CC-777')).toHaveLength(1);
    await ns.close();
  });
});
