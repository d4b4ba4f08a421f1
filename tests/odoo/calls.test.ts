import { control, clientFor, exec, startSim, type RunningOdoo } from './helpers.js';

/**
 * Calls whose wire form the recordings fixed (api notes §9): `create` with `vals_list` positional
 * over XML-RPC, a None-returning action that XML-RPC cannot marshal, and the access-rights probe.
 */
describe.each(['xmlrpc', 'json2'] as const)('Odoo client calls over %s', (transport) => {
  let sim: RunningOdoo;
  beforeAll(async () => {
    sim = await startSim({ version: 19, seed: 'demo' });
  });
  afterAll(() => sim.close());

  test('create sends vals_list as the server needs it: one dict or a batch', async () => {
    const client = clientFor(sim, transport);
    const [plan] = (await exec(sim, 'account.analytic.plan', 'search', [
      [['name', '=', 'Cost Centers']],
    ])) as number[];
    const one = await client.create('account.analytic.account', [
      { name: 'One', code: `ONE-${transport}`, plan_id: plan },
    ]);
    expect(one).toHaveLength(1);
    const two = await client.create('account.analytic.account', [
      { name: 'Two', code: `TWO-${transport}`, plan_id: plan },
      { name: 'Three', code: `THREE-${transport}`, plan_id: plan },
    ]);
    expect(two).toHaveLength(2);
    const rows = await client.read('account.analytic.account', [...one, ...two], ['code']);
    expect(rows.map((r) => r.code).sort()).toEqual([
      `ONE-${transport}`,
      `THREE-${transport}`,
      `TWO-${transport}`,
    ]);
  });

  test('an action that returns None is done: the client reads it back and answers null', async () => {
    const client = clientFor(sim, transport);
    const [partner] = (await exec(sim, 'res.partner', 'search', [
      [['name', '=', 'Wood Corner']],
    ])) as number[];
    const id = (await exec(sim, 'purchase.order', 'create', [{ partner_id: partner }])) as number;
    await expect(client.callMethod('purchase.order', 'button_cancel', [id])).resolves.toBeNull();
    const [po] = await client.read('purchase.order', [id], ['state']);
    expect(po?.state).toBe('cancel');
  });

  test('hasAccess tells the rights a user has and lacks', async () => {
    const client = clientFor(sim, transport);
    expect(await client.hasAccess('account.analytic.account', 'create')).toBe(true);
    await control(sim, 'access', { model: 'account.analytic.account', deny: ['create'] });
    try {
      expect(await client.hasAccess('account.analytic.account', 'create')).toBe(false);
      expect(await client.hasAccess('account.analytic.account', 'write')).toBe(true);
    } finally {
      await control(sim, 'access', { reset: true });
    }
  });
});

test('the simulator refuses what the server refuses: vals_list by name over XML-RPC', async () => {
  const sim = await startSim({ version: 19, seed: 'demo' });
  try {
    const body = `<?xml version='1.0'?><methodCall><methodName>execute_kw</methodName><params>
<param><value><string>${sim.credentials.db}</string></value></param>
<param><value><int>3</int></value></param>
<param><value><string>${sim.credentials.apiKey}</string></value></param>
<param><value><string>account.analytic.account</string></value></param>
<param><value><string>create</string></value></param>
<param><value><array><data></data></array></value></param>
<param><value><struct><member><name>vals_list</name><value><array><data><value><struct>
<member><name>name</name><value><string>X</string></value></member></struct></value></data></array></value></member></struct></value></param>
</params></methodCall>`;
    const res = await fetch(`${sim.url}/xmlrpc/2/object`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
    });
    const text = await res.text();
    expect(text).toMatch(/<name>faultCode<\/name>\s*<value><int>1<\/int>/);
    expect(text).toMatch(/IndexError: list index out of range/);
  } finally {
    await sim.close();
  }
});
