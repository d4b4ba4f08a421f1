import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigError, isMlcError } from '../../src/errors.js';
import type { StRow } from '../../src/systems/servicetitan/index.js';
import { client, collect, control, startSim, WINDOW_ALL, type Sim } from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim({ exportPageSize: 2 });
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

describe('ServiceTitan reads', () => {
  it('reads inactive and merged customers (active=Any) and follows merges to the surviving customer', async () => {
    const st = client(sim, 0, { pageSize: 2 });
    const rows = await collect(st.readChanged('customers', { window: WINDOW_ALL }));
    const byName = new Map(rows.map((r) => [String(r.name), r]));
    expect([...byName.keys()].sort()).toEqual(['Doe Holdings', 'J. Doe (old)', 'Jane Doe', 'Jane Doe (dup)']);
    const survivor = byName.get('Doe Holdings');
    expect(byName.get('Jane Doe (dup)')?.active).toBe(false);
    // dup → old → Doe Holdings: two hops.
    expect(byName.get('Jane Doe (dup)')?.survivorId).toBe(survivor?.id);
    expect(byName.get('J. Doe (old)')?.survivorId).toBe(survivor?.id);
    expect(byName.get('Jane Doe')?.survivorId).toBe(byName.get('Jane Doe')?.id);
    // Tenants never meet: tenant 2 has its own customers.
    const other = await collect(client(sim, 1).readChanged('customers', { window: WINDOW_ALL }));
    expect(other.map((r) => r.name)).not.toContain('Jane Doe');
    await st.close();
  });

  it('follows a merge whose survivor lies outside the window', async () => {
    const st = client(sim, 0);
    const all = await state('customers:1000001');
    const dup = all.find((c) => c.name === 'Jane Doe (dup)') as StRow;
    const survivor = all.find((c) => c.name === 'Doe Holdings') as StRow;
    const window = {
      since: new Date(dup.modifiedOn as string),
      until: new Date(Date.parse(dup.modifiedOn as string) + 1),
    };
    const rows = await collect(st.readChanged('customers', { window }));
    expect(rows.map((r) => r.id)).toEqual([dup.id]);
    expect(rows[0]?.survivorId).toBe(survivor.id);
    await st.close();
  });

  it('treats modifiedOnOrAfter as inclusive and modifiedBefore as exclusive', async () => {
    const st = client(sim, 0);
    const vendors = await state('vendors:1000001');
    const [v1, v2] = vendors as [StRow, StRow];
    const at1 = new Date(v1.modifiedOn as string);
    const at2 = new Date(v2.modifiedOn as string);
    const rows = await collect(st.readChanged('vendors', { window: { since: at1, until: at2 } }));
    expect(rows.map((r) => r.id)).toEqual([v1.id]);
    const both = await collect(
      st.readChanged('vendors', { window: { since: at1, until: new Date(at2.getTime() + 1) } }),
    );
    // The second vendor is inactive: read anyway (active=Any).
    expect(both.map((r) => [r.id, r.active])).toEqual([
      [v1.id, true],
      [v2.id, false],
    ]);
    await st.close();
  });

  it('re-reads the window when a row leaves it mid-read, so no row behind it is skipped', async () => {
    const st = client(sim, 0, { pageSize: 1 });
    const window = { since: null, until: new Date() };
    const all = (await state('customers:1000001')).map((r) => r.id);
    expect(all).toHaveLength(4);
    const gen = st.readChanged('customers', { window });
    const first = await gen.next();
    const seen = ((first.value ?? []) as StRow[]).map((r) => r.id);
    expect(seen).toHaveLength(1);
    // The customer of page 1 changes now: its stamp moves past the window's end and every row
    // behind it moves up one place, so page 2 would start at the third customer.
    await control(sim, 'touch', {
      tenant: '1000001',
      entity: 'customers',
      id: seen[0],
      changes: { doNotMail: true },
    });
    for await (const page of gen) for (const r of page) seen.push(r.id);
    expect([...new Set(seen)].sort()).toEqual([...all].sort());
    expect(seen).toHaveLength(4);
    await st.close();
  });

  it('reads inventory bills from the export feed, deleted bills included as inactive', async () => {
    const st = client(sim, 0);
    const bills = await collect(st.readChanged('inventory_bills', { window: WINDOW_ALL }));
    expect(bills).toHaveLength(2);
    expect(bills.map((b) => b.active).sort()).toEqual([false, true]);
    const stats = (await control(sim, 'stats', undefined, 'GET')) as { byRoute: Record<string, number> };
    expect(stats.byRoute['GET /accounting/v2/tenant/1000001/export/inventory-bills']).toBeGreaterThanOrEqual(
      1,
    );
    // The window applies to the export too.
    const newest = bills.map((b) => Date.parse(String(b.modifiedOn))).sort((a, b) => a - b)[1] as number;
    const later = await collect(
      st.readChanged('inventory_bills', { window: { since: new Date(newest), until: new Date(newest + 1) } }),
    );
    expect(later).toHaveLength(1);
    await st.close();
  });

  it('continues an export from a stored continueFrom token and sees only what changed after it', async () => {
    const st = client(sim, 1);
    const chunks: Array<{ ids: number[]; token: string }> = [];
    for await (const chunk of st.exportFeed('customers'))
      chunks.push({ ids: chunk.rows.map((r) => r.id), token: chunk.continueFrom });
    expect(chunks.length).toBe(2);
    expect(chunks.flatMap((c) => c.ids)).toHaveLength(4);
    const cursor = chunks[chunks.length - 1]?.token as string;
    const nothing = await collect(
      (async function* () {
        for await (const c of st.exportFeed('customers', cursor)) yield c.rows;
      })(),
    );
    expect(nothing).toEqual([]);
    const changed = chunks[0]?.ids[0] as number;
    await control(sim, 'touch', {
      tenant: '1000002',
      entity: 'customers',
      id: changed,
      changes: { doNotMail: true },
    });
    const after: StRow[] = [];
    for await (const c of st.exportFeed('customers', cursor)) after.push(...c.rows);
    expect(after.map((r) => [r.id, r.doNotMail])).toEqual([[changed, true]]);
    await st.close();
  });

  it('asks for at most 50 ids at a time', async () => {
    const st = client(sim, 0);
    await control(sim, 'stats', undefined, 'DELETE');
    const ids = Array.from({ length: 120 }, (_, i) => 900_000 + i);
    const all = await state('vendors:1000001');
    ids.push(...all.map((v) => v.id));
    const rows = await st.getByIds('vendors', ids);
    expect(rows.map((r) => r.id).sort()).toEqual(all.map((v) => v.id).sort());
    const stats = (await control(sim, 'stats', undefined, 'GET')) as { byRoute: Record<string, number> };
    expect(stats.byRoute['GET /inventory/v2/tenant/1000001/vendors']).toBe(3);
    await st.close();
  });

  it('reads customer contacts, whose list requires a window bound', async () => {
    const st = client(sim, 0);
    const contacts = await collect(st.readChanged('customer_contacts', { window: WINDOW_ALL }));
    expect(contacts.map((c) => c.type)).toEqual(['Email', 'Email']);
    const t = await fetch(`${sim.url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${sim.tenants[0]?.clientId}&client_secret=${sim.tenants[0]?.clientSecret}`,
    });
    const { access_token } = (await t.json()) as { access_token: string };
    const unbounded = await fetch(`${sim.url}/crm/v2/tenant/1000001/customers/contacts`, {
      headers: { authorization: `Bearer ${access_token}`, 'st-app-key': sim.appKey },
    });
    expect(unbounded.status).toBe(400);
    await st.close();
  });

  it('reports a refused query (page size over 5000) as a ConfigError naming the parameter', async () => {
    const st = client(sim, 0);
    const err = await collect(st.readChanged('vendors', { window: WINDOW_ALL, pageSize: 6000 })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(isMlcError(err) && err.code).toBe('servicetitan.bad_query');
    expect(String((err as Error).message)).toMatch(/pageSize/);
    await st.close();
  });

  it('retries a 5xx on a read and reads the page', async () => {
    const st = client(sim, 0);
    await control(sim, 'faults', { kind: 'server_error', match: 'purchase-orders', times: 2 });
    const rows = await collect(st.readChanged('purchase_orders', { window: WINDOW_ALL }));
    expect(rows).toHaveLength(2);
    await st.close();
  });
});
