import { snRows, startPairEnv, type PairEnv } from '../helpers/pair.js';

/**
 * What `mlc ping` refuses, `mlc sync` and `mlc replay` refuse too, with the same words, before they
 * write anything: a transform map that no longer coalesces would insert a duplicate on every retry.
 */
const PAIR = 'odoo-servicenow';

async function snPatch(e: PairEnv, path: string, body: unknown): Promise<void> {
  const sim = e.sims.servicenow!;
  const { username, password } = sim.credentials as { username: string; password: string };
  const res = await fetch(`${sim.running.url}/api/now/table/${path}`, {
    method: 'PATCH',
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

describe('the preflight of a pass', () => {
  let e: PairEnv;
  afterEach(async () => {
    await e?.close();
  });

  it("refuses a pass through a transform map that ping refuses, with ping's words, and writes nothing", async () => {
    e = await startPairEnv({ systems: ['odoo', 'servicenow'] });
    const [map] = await snRows(e, 'sys_transform_map', 'source_table=sn_spend_intg_imp_invoice');
    const entries = await snRows(e, 'sys_transform_entry', `map=${map!.sys_id}^coalesce=true`);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries)
      await snPatch(e, `sys_transform_entry/${entry.sys_id}`, { coalesce: 'false' });

    const ping = await e.cli('ping');
    expect(ping.code).toBe(2);
    expect(ping.stdout + ping.stderr).toMatch(/has no coalesce field/);

    const sync = await e.cli('sync', PAIR);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toMatch(/mlc ping refuses this configuration/);
    expect(sync.stderr).toMatch(/has no coalesce field: every retry or replay would insert a duplicate/);
    expect(await snRows(e, 'sn_shop_invoice')).toHaveLength(0);
    expect(await snRows(e, 'sn_shop_purchase_order')).toHaveLength(0);

    // Once the map coalesces again, the same pass runs.
    for (const entry of entries)
      await snPatch(e, `sys_transform_entry/${entry.sys_id}`, { coalesce: 'true' });
    const fixed = await e.cli('sync', PAIR);
    expect(fixed.code).toBe(3); // the demo seed's bill on a GL account ServiceNow lacks
    expect((await snRows(e, 'sn_shop_purchase_order')).length).toBeGreaterThan(0);
  });
});
