import { snRows, startPairEnv, type PairEnv } from '../helpers/pair.js';

/**
 * `mlc setup servicenow` against an instance without the S2P staging tables and maps: a dry run
 * changes nothing, a real run creates what odoo-servicenow needs (ping then passes and a pass writes
 * purchase orders), a second run changes nothing, and a map mlc did not create is changed only with
 * --force.
 */
const PAIR = 'odoo-servicenow';

interface Step {
  staging: string;
  action: string;
  status: 'in place' | 'planned' | 'done' | 'refused';
  detail: string;
}

async function setup(e: PairEnv, ...args: string[]): Promise<{ code: number; steps: Step[] }> {
  const r = await e.cli('setup', 'servicenow', ...args, '--json');
  const parsed = JSON.parse(r.stdout) as {
    ok: boolean;
    command: string;
    data: { connections: Array<{ steps: Step[] }> };
  };
  return { code: r.code, steps: parsed.data.connections.flatMap((c) => c.steps) };
}

async function snPatch(
  e: PairEnv,
  table: string,
  sysId: string,
  body: Record<string, string>,
): Promise<void> {
  const sim = e.sims.servicenow;
  if (!sim) throw new Error('no ServiceNow simulator');
  const { username, password } = sim.credentials as { username: string; password: string };
  const res = await fetch(`${sim.running.url}/api/now/table/${table}/${sysId}`, {
    method: 'PATCH',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`PATCH ${table}: ${res.status} ${await res.text()}`);
}

const STAGINGS = [
  'sn_fcms_intg_imp_cost_center',
  'sn_fcms_intg_imp_supplier',
  'sn_fcms_intg_imp_order',
  'sn_fcms_intg_imp_order_line',
  'sn_spend_intg_imp_invoice',
  'sn_spend_intg_imp_invoice_line',
];

describe('mlc setup servicenow', () => {
  let e: PairEnv;
  afterEach(async () => {
    await e?.close();
  });

  it('creates the staging tables and maps odoo-servicenow needs, then a pass writes purchase orders', async () => {
    e = await startPairEnv({
      systems: ['odoo', 'servicenow'],
      pairOptions: { [PAIR]: { legalEntity: 'Acme Distribution' } },
    });
    await e.control('servicenow', 'POST', 'seed', { seed: 'demo+bare' });
    expect(await snRows(e, 'sys_transform_map')).toEqual([]);
    const before = await e.cli('ping', 'servicenow', '--json');
    expect(before.code).toBe(2);

    const dry = await setup(e, '--dry-run');
    expect(dry.code).toBe(0);
    const planned = dry.steps.filter((s) => s.status === 'planned').map((s) => s.action);
    for (const t of STAGINGS) expect(planned).toContain(`create table ${t}`);
    expect(planned).toContain('add column sn_fcms_intg_imp_order.u_erp_po_number');
    expect(planned).toContain('create transform map "mlc: Order stage"');
    expect(dry.steps.some((s) => s.status === 'done')).toBe(false);
    expect(await snRows(e, 'sys_transform_map')).toEqual([]);
    expect(await snRows(e, 'sys_db_object', 'name=sn_fcms_intg_imp_order')).toEqual([]);

    const run = await setup(e);
    expect(run.code).toBe(0);
    expect(run.steps.filter((s) => s.status === 'done').map((s) => s.action)).toEqual(
      dry.steps.filter((s) => s.status === 'planned').map((s) => s.action),
    );
    const maps = await snRows(e, 'sys_transform_map');
    expect(maps.map((m) => m.name).sort()).toEqual(
      [
        'Invoice import',
        'Invoice line import',
        'Master data cost center',
        'Master data supplier',
        'Order line stage',
        'Order stage',
      ].map((n) => `mlc: ${n}`),
    );
    expect(maps.every((m) => m.copy_empty === 'false' && m.active === 'true')).toBe(true);
    const order = maps.find((m) => m.name === 'mlc: Order stage');
    const entries = await snRows(e, 'sys_transform_entry', `map=${order?.sys_id}`);
    expect(
      entries
        .filter((x) => x.coalesce === 'true')
        .map((x) => x.source_field)
        .sort(),
    ).toEqual(['u_erp_po_number', 'u_erp_source']);
    expect(entries.find((x) => x.source_field === 'u_cost_center')).toMatchObject({
      target_field: 'cost_center',
      referenced_value_field: 'code',
      choice_action: 'reject',
    });

    const ping = await e.cli('ping', 'servicenow', '--json');
    const checks = (
      JSON.parse(ping.stdout) as { data: { results: Array<{ checks: Array<{ ok: boolean }> }> } }
    ).data.results[0]?.checks;
    expect(checks?.filter((c) => !c.ok)).toEqual([]);
    expect(ping.code).toBe(0);

    // As on the stock instance: BILL/2026/0004 names GL account 630000, absent in ServiceNow (exit 3).
    const sync = await e.cli('sync', PAIR, '--json');
    expect(sync.code).toBe(3);
    const orders = await snRows(e, 'sn_shop_purchase_order');
    expect(orders.map((o) => o.erp_number).sort()).toEqual([
      'P00001',
      'P00002',
      'P00003',
      'P00004',
      'P00005',
    ]);
    const lines = await snRows(e, 'sn_shop_purchase_order_line');
    expect(lines.length).toBeGreaterThan(0);
    const keys = lines.map((l) => `${l.purchase_order}:${l.erp_line_number}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(lines.every((l) => orders.some((o) => o.sys_id === l.purchase_order))).toBe(true);
    // The maps coalesce: a second pass re-sends nothing new and duplicates nothing.
    const second = await e.cli('sync', PAIR, '--json');
    expect(second.code).toBe(0);
    expect((await snRows(e, 'sn_shop_purchase_order')).length).toBe(5);

    const again = await setup(e);
    expect(again.code).toBe(0);
    expect(again.steps.filter((s) => s.status !== 'in place')).toEqual([]);
    expect((await snRows(e, 'sys_transform_map')).length).toBe(6);
    const human = await e.cli('setup', 'servicenow');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/already in place: transform map "mlc: Order stage"/);
    expect(human.stdout).not.toMatch(/^\s+(done|planned|refused):/m);
  }, 120_000);

  it('leaves a map it did not create alone unless --force', async () => {
    e = await startPairEnv({ systems: ['odoo', 'servicenow'] });
    // The seeded maps are the instance's own (no "mlc: " prefix); one stops coalescing on the source.
    const [map] = await snRows(e, 'sys_transform_map', 'source_table=sn_fcms_intg_imp_order');
    const [entry] = await snRows(e, 'sys_transform_entry', `map=${map?.sys_id}^source_field=u_erp_source`);
    await snPatch(e, 'sys_transform_entry', entry?.sys_id ?? '', { coalesce: 'false' });
    await snPatch(e, 'sys_transform_map', map?.sys_id ?? '', { copy_empty: 'true' });

    const refused = await setup(e);
    expect(refused.code).toBe(2);
    const bad = refused.steps.filter((s) => s.status === 'refused');
    expect(bad.map((s) => s.action)).toEqual([
      'transform map "Order stage": coalesce on u_erp_po_number + u_erp_source',
      'transform map "Order stage": "Copy empty fields" off',
    ]);
    expect(bad[0]?.detail).toMatch(/not created by mlc/);
    expect(refused.steps.some((s) => s.status === 'done')).toBe(false);
    const [still] = await snRows(e, 'sys_transform_entry', `sys_id=${entry?.sys_id}`);
    expect(still?.coalesce).toBe('false');
    expect((await snRows(e, 'sys_transform_map', `sys_id=${map?.sys_id}`))[0]?.copy_empty).toBe('true');

    const forced = await setup(e, '--force');
    expect(forced.code).toBe(0);
    expect(forced.steps.filter((s) => s.status === 'done').map((s) => s.action)).toEqual(
      bad.map((s) => s.action),
    );
    const [fixed] = await snRows(e, 'sys_transform_entry', `sys_id=${entry?.sys_id}`);
    expect(fixed?.coalesce).toBe('true');
    expect((await snRows(e, 'sys_transform_map', `sys_id=${map?.sys_id}`))[0]?.copy_empty).toBe('false');
    const after = await setup(e);
    expect(after.code).toBe(0);
    expect(after.steps.filter((s) => s.status !== 'in place')).toEqual([]);
  }, 120_000);
});
