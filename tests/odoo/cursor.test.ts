import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { OdooRow } from '../../src/systems/odoo/client.js';
import { clientFor, collect, control, dump, exec, startSim, type RunningOdoo } from './helpers.js';

const SECOND = 1_000_000;

describe('windowed reads see same-second and late-committed rows', () => {
  let sim: RunningOdoo;
  beforeAll(async () => {
    sim = await startSim({ version: 19, seed: 'empty' });
  });
  afterAll(() => sim.close());

  test.each(['json2', 'xmlrpc'] as const)(
    're-reads the boundary second and a late commit with an older write_date (%s)',
    async (transport) => {
      await control(sim, 'seed', { seed: 'empty' });
      const client = clientFor(sim, transport);
      // 25 rows in one request: one transaction, one write_date (microseconds), more than a page.
      const ids = (await exec(sim, 'res.partner', 'create', [
        Array.from({ length: 25 }, (_, i) => ({ name: `Tie ${i}`, supplier_rank: 1 })),
      ])) as number[];
      const stored = (await dump(sim, 'res.partner')).filter((r) => ids.includes(r.id));
      expect(new Set(stored.map((r) => r.write_date_us)).size).toBe(1);
      const stampUs = stored[0]!.write_date_us;
      // The previous pass ended exactly at the start of that second: the cursor shares its second.
      const cursor = new Date(Math.floor(stampUs / SECOND) * 1000);
      // A long transaction started 30 s earlier commits its rows only after that pass.
      const txn = (await control(sim, 'long_transaction', {
        model: 'res.partner',
        vals_list: [{ name: 'Late 1' }, { name: 'Late 2' }, { name: 'Late 3' }],
        backdateSeconds: 30,
      })) as { txn: number; ids: number[] };

      const pass1 = (
        await collect(
          client.readChanged('res.partner', {
            fields: ['name', 'write_date'],
            window: { since: new Date(cursor.getTime() - 600_000), until: cursor },
            pageSize: 10,
          }),
        )
      ).flat();
      const seen1 = new Set(pass1.map((r) => r.id));
      expect(ids.some((id) => seen1.has(id))).toBe(false);
      expect(txn.ids.some((id) => seen1.has(id))).toBe(false);

      await control(sim, 'commit', { txn: txn.txn });
      const late = (await dump(sim, 'res.partner')).filter((r) => txn.ids.includes(r.id));
      expect(late.every((r) => r.write_date_us < cursor.getTime() * 1000)).toBe(true);

      // Next pass: since = cursor - overlap (60 s), until past the tie second.
      const pages = await collect(
        client.readChanged('res.partner', {
          fields: ['name', 'write_date'],
          window: { since: new Date(cursor.getTime() - 60_000), until: new Date(cursor.getTime() + 1000) },
          pageSize: 10,
        }),
      );
      const rows: OdooRow[] = pages.flat();
      expect(pages.length).toBeGreaterThanOrEqual(3);
      expect(pages.every((p) => p.length <= 10)).toBe(true);
      const seen2 = rows.map((r) => r.id);
      expect(new Set(seen2).size).toBe(seen2.length);
      for (const id of [...ids, ...txn.ids]) expect(seen2).toContain(id);
    },
  );

  test('upsertByRef run twice creates nothing twice, and isolates a bad row', async () => {
    await control(sim, 'seed', { seed: 'empty' });
    const client = clientFor(sim, 'json2', { batchSize: 7 });
    const rows = Array.from({ length: 20 }, (_, i) => ({
      ref: `ACU-V${String(i).padStart(3, '0')}`,
      vals: { name: `Vendor ${i}`, supplier_rank: 1 },
    }));
    const first = await client.upsertByRef('res.partner', 'ref', rows);
    expect(first.every((r) => r.created === true && typeof r.id === 'number')).toBe(true);
    const second = await client.upsertByRef(
      'res.partner',
      'ref',
      rows.map((r) => ({ ...r, vals: { ...r.vals, email: 'ap@example.com' } })),
    );
    expect(second.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(second.every((r) => r.created === false)).toBe(true);
    const all = (await dump(sim, 'res.partner')).filter(
      (r) => typeof r.ref === 'string' && r.ref.startsWith('ACU-V'),
    );
    expect(all).toHaveLength(20);
    expect(all.every((r) => r.email === 'ap@example.com')).toBe(true);

    const mixed = await client.upsertByRef('res.partner', 'ref', [
      { ref: 'NEW-1', vals: { name: 'Good one' } },
      { ref: 'NEW-2', vals: { name: false } },
      { ref: 'NEW-3', vals: { name: 'Good three' } },
    ]);
    expect(mixed[0]).toMatchObject({ created: true });
    expect(mixed[1]!.error?.kind).toBe('record');
    expect(mixed[1]!.id).toBeUndefined();
    expect(mixed[2]).toMatchObject({ created: true });
    expect(
      (await dump(sim, 'res.partner')).filter((r) => typeof r.ref === 'string' && r.ref.startsWith('NEW-')),
    ).toHaveLength(2);
  });
});

describe.each([17, 19] as const)('write_date rules on Odoo %s', (version) => {
  let sim: RunningOdoo;
  beforeAll(async () => {
    sim = await startSim({ version, seed: 'demo' });
  });
  afterAll(() => sim.close());

  async function header(id: number): Promise<Record<string, unknown> & { write_date_us: number }> {
    return (await dump(sim, 'purchase.order')).find((r) => r.id === id)!;
  }

  test('a PO line price change bumps the header and its total; a description change does not', async () => {
    const [po] = (await exec(sim, 'purchase.order', 'search', [
      [
        ['name', '=', 'P00001'],
        ['company_id', '=', 1],
      ],
    ])) as number[];
    const lines = (await exec(sim, 'purchase.order.line', 'search', [[['order_id', '=', po]]], {
      order: 'id asc',
    })) as number[];
    const before = await header(po!);
    await exec(sim, 'purchase.order.line', 'write', [[lines[0]], { name: 'Office Chair, black' }]);
    const afterName = await header(po!);
    expect(afterName.write_date_us).toBe(before.write_date_us);
    const line = (await dump(sim, 'purchase.order.line')).find((r) => r.id === lines[0])!;
    expect(line.write_date_us).toBeGreaterThan(before.write_date_us);

    await exec(sim, 'purchase.order.line', 'write', [[lines[0]], { price_unit: 130 }]);
    const afterPrice = await header(po!);
    expect(afterPrice.write_date_us).toBeGreaterThan(before.write_date_us);
    expect(afterPrice.amount_total).toBe(10 * 130 + 4 * 450);

    await exec(sim, 'purchase.order.line', 'create', [
      { order_id: po, name: 'Freight', product_qty: 1, price_unit: 50 },
    ]);
    const afterCreate = await header(po!);
    expect(afterCreate.write_date_us).toBeGreaterThan(afterPrice.write_date_us);
    expect(afterCreate.amount_total).toBe(10 * 130 + 4 * 450 + 50);
  });

  test(
    version >= 19 ? "'>' rounds up to the next whole second on 19" : "'>' compares raw microseconds below 19",
    async () => {
      const client = clientFor(sim, version >= 19 ? 'json2' : 'xmlrpc');
      const id = (await exec(sim, 'res.partner', 'create', [{ name: `Rounding ${version}` }])) as number;
      const row = (await dump(sim, 'res.partner')).find((r) => r.id === id)!;
      const second = new Date(Math.floor(row.write_date_us / SECOND) * 1000)
        .toISOString()
        .slice(0, 19)
        .replace('T', ' ');
      expect(row.write_date_us % SECOND).toBeGreaterThan(0);
      const gt = await client.searchRead(
        'res.partner',
        [
          ['id', '=', id],
          ['write_date', '>', second],
        ],
        { fields: ['name'] },
      );
      const ge = await client.searchRead(
        'res.partner',
        [
          ['id', '=', id],
          ['write_date', '>=', second],
        ],
        { fields: ['name'] },
      );
      expect(ge).toHaveLength(1);
      expect(gt).toHaveLength(version >= 19 ? 0 : 1);
      const eq = await client.searchRead(
        'res.partner',
        [
          ['id', '=', id],
          ['write_date', '=', second],
        ],
        { fields: ['name'] },
      );
      // Recorded on 19: `=` matches the whole second too; older versions compare microseconds.
      expect(eq).toHaveLength(version >= 19 ? 1 : 0);
    },
  );

  test('field names and PO states follow the version', async () => {
    const client = clientFor(sim, version >= 19 ? 'json2' : 'xmlrpc');
    const fields = await client.fieldsGet('purchase.order.line');
    expect('tax_ids' in fields).toBe(version >= 19);
    expect('taxes_id' in fields).toBe(version < 19);
    expect('product_uom_id' in fields).toBe(version >= 19);
  });
});

describe('volume seed', () => {
  test('seeds 10,000 confirmed POs with 5 lines and 2,000 posted bills, all readable in one window', async () => {
    const sim = await startSim({ version: 19, seed: 'empty' });
    try {
      await control(sim, 'seed', { seed: 'volume:10000' });
      const client = clientFor(sim, 'json2');
      const count = (domain: unknown[], model: string): Promise<unknown> =>
        client.callMethod(model, 'search_count', [], { domain });
      await expect(count([['state', '=', 'purchase']], 'purchase.order')).resolves.toBe(10_000);
      await expect(count([], 'purchase.order.line')).resolves.toBe(50_000);
      await expect(
        count(
          [
            ['move_type', '=', 'in_invoice'],
            ['state', '=', 'posted'],
          ],
          'account.move',
        ),
      ).resolves.toBe(2_000);
      const until = new Date((await client.serverTime()).getTime() - 2000);
      let n = 0;
      let pages = 0;
      for await (const page of client.readChanged('purchase.order', {
        fields: ['name', 'amount_total', 'write_date'],
        window: { since: null, until },
        pageSize: 1000,
      })) {
        n += page.length;
        pages += 1;
      }
      expect(n).toBe(10_000);
      expect(pages).toBe(10);
    } finally {
      await sim.close();
    }
  });
});

describe('the Odoo simulator can age its data', () => {
  test('every create_date and write_date moves back by the seconds given, and windowed reads see it', async () => {
    const sim = await startSim({ version: 19, seed: 'demo' });
    try {
      const client = clientFor(sim, 'json2');
      // The bot user is allowed into the first company only.
      const before = (await dump(sim, 'purchase.order')).filter(
        (r) => Array.isArray(r.company_id) && r.company_id[0] === 1,
      );
      expect(before.length).toBeGreaterThan(0);
      // A window from the oldest stamp to now holds every order; aged by an hour, none.
      const oldest = Math.min(...before.map((r) => r.write_date_us as number));
      const window = {
        since: new Date(Math.floor(oldest / SECOND) * 1000),
        until: new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000),
      };
      const recent = async (): Promise<number> =>
        (await collect(client.readChanged('purchase.order', { fields: ['name'], window }))).flat().length;
      expect(await recent()).toBe(before.length);

      await control(sim, 'age', { seconds: 3600 });
      const after = (await dump(sim, 'purchase.order')).filter(
        (r) => Array.isArray(r.company_id) && r.company_id[0] === 1,
      );
      expect(after.map((r) => r.write_date_us)).toEqual(before.map((r) => r.write_date_us - 3600 * SECOND));
      expect(await recent()).toBe(0);
    } finally {
      await sim.close();
    }
  });
});
