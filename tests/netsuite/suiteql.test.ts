import { ConfigError, InternalError } from '../../src/errors.js';
import { fromZoned, toZoned } from '../../src/systems/netsuite/timezone.js';
import { client, startSim, type Sim } from './helpers.js';

const QUERY_ROUTE = 'POST /services/rest/query/v1/suiteql';

describe('NetSuite SuiteQL reads', () => {
  let sim: Sim;
  afterEach(async () => {
    await sim?.close();
  });

  it('reads 3,000 rows that share one lastmodifieddate across page boundaries exactly once each', async () => {
    sim = await startSim({ seed: 'empty' });
    const stamp = Date.parse('2026-11-30T10:15:07Z');
    for (let i = 0; i < 3000; i += 1)
      sim.system.store.insert(
        'vendor',
        { entityid: `V${i}`, companyname: `Vendor ${i}`, isinactive: 'F', subsidiary: 1 + (i % 2) },
        stamp,
      );
    // Neighbours on either side of the window, which must stay out.
    sim.system.store.insert('vendor', { entityid: 'BEFORE', companyname: 'b', subsidiary: 1 }, stamp - 1000);
    sim.system.store.insert('vendor', { entityid: 'AT-END', companyname: 'e', subsidiary: 1 }, stamp + 1000);
    const ns = client(sim, 'PS256', { pageSize: 700 });
    const seen: string[] = [];
    let pages = 0;
    for await (const page of ns.suiteql.changed(
      { select: 'v.id, v.entityid', from: 'vendor v', where: ["v.isinactive = 'F'"] },
      { since: new Date(stamp), until: new Date(stamp + 1000) },
    )) {
      pages += 1;
      for (const r of page) {
        seen.push(String(r.entityid));
        expect(r.mlc_lmd).toBe('2026-11-30T10:15:07.000Z');
      }
    }
    expect(seen).toHaveLength(3000);
    expect(new Set(seen).size).toBe(3000);
    expect(pages).toBe(5);
    expect(sim.stats.byRoute[QUERY_ROUTE]).toBe(5);
    await ns.close();
  });

  it("windows in the account user's time zone across a DST change, and reads the stamp back as UTC", async () => {
    sim = await startSim({ seed: 'empty', timeZone: 'America/Los_Angeles' });
    // 2026-03-08: clocks in Los Angeles jump from 02:00 to 03:00 (UTC-8 -> UTC-7).
    const at = [
      Date.parse('2026-03-08T09:59:59Z'),
      Date.parse('2026-03-08T10:00:00Z'),
      Date.parse('2026-03-08T10:30:00Z'),
    ];
    at.forEach((ms, i) => sim.system.store.insert('department', { name: `D${i}`, subsidiary: 1 }, ms));
    const ns = client(sim);
    const rows = [];
    for await (const page of ns.suiteql.changed(
      { select: 'd.id, d.name', from: 'department d' },
      { since: new Date(at[1]!), until: new Date(at[2]! + 1000) },
    ))
      rows.push(...page);
    expect(rows.map((r) => r.name)).toEqual(['D1', 'D2']);
    expect(rows.map((r) => r.mlc_lmd)).toEqual(['2026-03-08T10:00:00.000Z', '2026-03-08T10:30:00.000Z']);
    expect(toZoned(new Date(at[1]!), 'America/Los_Angeles')).toBe('2026-03-08 03:00:00');
    expect(fromZoned('2026-11-01 01:30:00', 'America/Los_Angeles').toISOString()).toBe(
      '2026-11-01T08:30:00.000Z',
    );
    await ns.close();
  });

  it('gets bare datetimes as the user date format (never a cursor) and refuses date literals', async () => {
    sim = await startSim();
    const ns = client(sim);
    const page = await ns.suiteql.page(
      "SELECT t.id, t.trandate, t.lastmodifieddate, TO_CHAR(t.trandate,'YYYY-MM-DD') AS d FROM transaction t WHERE t.type = 'PurchOrd' AND t.trandate >= TO_DATE('2026-11-03','YYYY-MM-DD') ORDER BY t.id",
    );
    expect(page.rows.map((r) => [r.trandate, r.d])).toEqual([
      ['11/3/2026', '2026-11-03'],
      ['11/10/2026', '2026-11-10'],
    ]);
    expect(page.rows[0]!.lastmodifieddate).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4}$/);
    const err = await ns.suiteql
      .page("SELECT t.id FROM transaction t WHERE t.lastmodifieddate > '2026-01-15' ORDER BY t.id")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/INVALID_PARAMETER.*no date literals/);
    const unknown = await ns.suiteql
      .page('SELECT t.lastmodified FROM transaction t')
      .catch((e: unknown) => e);
    expect((unknown as ConfigError).message).toMatch(
      /Field 'lastmodified' for record 'transaction' was not found/,
    );
    await ns.close();
  });

  it('evaluates joins, IN, BETWEEN, OR, NVL, BUILTIN.DF and FETCH FIRST like NetSuite', async () => {
    sim = await startSim();
    const ns = client(sim);
    const q = `SELECT t.id, t.tranid, BUILTIN.DF(t.status) AS status, ml.subsidiary, tl.id AS line, tl.expenseaccount, tl.department, tal.debit
      FROM transaction t
      JOIN transactionline ml ON ml.transaction = t.id AND ml.mainline = 'T'
      JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'F' AND tl.taxline = 'F'
      LEFT JOIN transactionaccountingline tal ON tal.transaction = tl.transaction AND tal.transactionline = tl.id AND tal.posting = 'T'
      WHERE t.type IN ('VendBill', 'Journal') AND (ml.subsidiary = 2 OR NVL(tal.debit, 0) BETWEEN 800 AND 900)
      ORDER BY t.id, tl.id FETCH FIRST 10 ROWS ONLY`;
    const { rows } = await ns.suiteql.page(q);
    expect(
      rows.map((r) => [r.tranid, r.subsidiary, r.line, r.expenseaccount, r.department, r.debit ?? null]),
    ).toEqual([
      ['VB1001', '1', '1', '2', '1', 820.4],
      ['VB1001', '2', '1', '7', '4', 310],
      ['VB1001', '2', '2', '8', '3', 52],
    ]);
    expect(rows[0]!.status).toBe('Open');
    await ns.close();
  });

  it('refuses to page past the 100,000-row ceiling, and so does NetSuite', async () => {
    sim = await startSim();
    const ns = client(sim);
    const err = await ns.suiteql
      .page('SELECT id FROM vendor ORDER BY id', { offset: 99_500, limit: 1000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalError);
    const res = await fetch(`${sim.url}/services/rest/query/v1/suiteql?limit=1000&offset=99500`, {
      method: 'POST',
      headers: {
        authorization: await ns.transport['signer'].authorization('POST', ''),
        prefer: 'transient',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ q: 'SELECT id FROM vendor' }),
    });
    expect(res.status).toBe(400);
    const noPrefer = await fetch(`${sim.url}/services/rest/query/v1/suiteql`, {
      method: 'POST',
      headers: {
        authorization: await ns.transport['signer'].authorization('POST', ''),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ q: 'SELECT id FROM vendor' }),
    });
    expect(noPrefer.status).toBe(400);
    expect(JSON.stringify(await noPrefer.json())).toMatch(/Prefer: transient/);
    await ns.close();
  });
});
