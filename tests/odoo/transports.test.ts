import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { m2oId, m2oName, odooDate } from '../../src/systems/odoo/schemas.js';
import type { OdooClient } from '../../src/systems/odoo/client.js';
import {
  clientFor,
  collect,
  dump,
  exec,
  expectRejects,
  rawXmlRpc,
  startSim,
  type RunningOdoo,
} from './helpers.js';

const MATRIX = [
  { version: 17, transport: 'xmlrpc' },
  { version: 18, transport: 'xmlrpc' },
  { version: 19, transport: 'json2' },
  { version: 19, transport: 'xmlrpc' },
] as const;

describe.each(MATRIX)('Odoo $version over $transport', ({ version, transport }) => {
  let sim: RunningOdoo;
  let client: OdooClient;

  beforeAll(async () => {
    sim = await startSim({ version, seed: 'demo' });
    client = clientFor(sim, transport);
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  test('reports the server version and authenticates the key to a uid', async () => {
    await expect(client.version()).resolves.toEqual({ serverVersion: `${version}.0`, major: version });
    await expect(client.transport()).resolves.toBe(transport);
    const uid = await client.authenticate();
    expect(uid).toBeGreaterThan(0);
  });

  test('takes server time from the Date header', async () => {
    const t = await client.serverTime();
    expect(t.getUTCMilliseconds()).toBe(0);
    expect(Math.abs(t.getTime() - Date.now())).toBeLessThan(120_000);
  });

  test('parses many2one as [id, name], false as null, naive UTC datetimes', async () => {
    const rows = await client.searchRead('purchase.order', [['name', '=', 'P00001']], {
      fields: [
        'name',
        'partner_id',
        'partner_ref',
        'origin',
        'write_date',
        'amount_total',
        'state',
        'order_line',
      ],
    });
    expect(rows).toHaveLength(1);
    const po = rows[0]!;
    expect(m2oName(po.partner_id)).toBe('Wood Corner');
    expect(typeof m2oId(po.partner_id)).toBe('number');
    expect(po.origin).toBeNull();
    expect(po.partner_ref).toBe('WC-SO-2201');
    expect(po.amount_total).toBe(10 * 120 + 4 * 450);
    expect(po.state).toBe('purchase');
    expect(po.write_date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const stored = (await dump(sim, 'purchase.order')).find((r) => r.id === po.id)!;
    expect(odooDate(po.write_date)!.toISOString().slice(0, 19)).toBe(
      stored.write_date.slice(0, 19).replace(' ', 'T'),
    );
    const lines = await client.read('purchase.order.line', po.order_line as number[], [
      'order_id',
      'name',
      'analytic_distribution',
      'display_type',
    ]);
    expect(lines).toHaveLength(2);
    expect(m2oName(lines[0]!.order_id)).toBe('P00001 (WC-SO-2201)');
    expect(lines[0]!.display_type).toBeNull();
    expect(Object.values(lines[0]!.analytic_distribution as Record<string, number>)).toEqual([100]);
  });

  test('keeps false for boolean fields and null for an empty many2one', async () => {
    const rows = await client.searchRead('res.partner', [['name', '=', 'Deco Addict']], {
      fields: ['is_company', 'parent_id', 'ref', 'supplier_rank'],
    });
    expect(rows[0]).toEqual({
      id: expect.any(Number),
      is_company: true,
      parent_id: null,
      ref: null,
      supplier_rank: 0,
    });
    const draft = await client.searchRead(
      'account.move',
      [
        ['state', '=', 'draft'],
        ['move_type', '=', 'in_invoice'],
      ],
      { fields: ['name', 'state'] },
    );
    expect(draft).toEqual([{ id: expect.any(Number), name: null, state: 'draft' }]);
  });

  test('resolves version-specific field names', async () => {
    await expect(client.fieldName('purchase.order.line', 'tax_ids')).resolves.toBe(
      version >= 19 ? 'tax_ids' : 'taxes_id',
    );
    await expect(client.fieldName('purchase.order.line', 'product_uom')).resolves.toBe(
      version >= 19 ? 'product_uom_id' : 'product_uom',
    );
    await expect(client.fieldName('account.payment', 'memo')).resolves.toBe(version >= 18 ? 'memo' : 'ref');
    const err = await expectRejects(client.fieldName('purchase.order', 'no_such_field'));
    expect(err.code).toBe('odoo.missing_field');
    const states = await client.searchRead('purchase.order', [['state', '=', 'purchase']], {
      fields: ['state'],
    });
    expect(states).toHaveLength(5);
  });

  test('create returns ids as a list for one row and for many', async () => {
    const one = await client.create('res.partner', [{ name: `Solo ${transport}` }]);
    expect(one).toEqual([expect.any(Number)]);
    const many = await client.create('res.partner', [{ name: 'A' }, { name: 'B' }, { name: 'C' }]);
    expect(many).toHaveLength(3);
    const read = await client.read('res.partner', [...one, ...many], ['name']);
    expect(read.map((r) => r.name)).toEqual([`Solo ${transport}`, 'A', 'B', 'C']);
  });

  test('reads a missing id as nothing, and refuses a write to it as a RecordError', async () => {
    await expect(client.read('res.partner', [999_999], ['name'])).resolves.toEqual([]);
    const err = await expectRejects(client.write('res.partner', [999_999], { name: 'X' }));
    expect(err.kind).toBe('record');
    expect(err.code).toBe('odoo.missing_record');
  });

  test('an unknown model is a ConfigError; an unknown field names the field', async () => {
    const model = await expectRejects(client.searchRead('no.such.model', [], { fields: ['name'] }));
    expect(model.kind).toBe('config');
    const field = await expectRejects(
      client.searchRead('res.partner', [['no_such_field', '=', 1]], { fields: ['name'] }),
    );
    expect(field.code).toBe('odoo.bad_field');
    expect(field.data?.field).toBe('no_such_field');
    const inFields = await expectRejects(
      client.searchRead('res.partner', [], { fields: ['name', 'bogus_col'] }),
    );
    expect(inFields.code).toBe('odoo.bad_field');
    expect(inFields.data?.field).toBe('bogus_col');
    const inOrder = await expectRejects(
      client.searchRead('res.partner', [], { fields: ['name'], order: 'bogus_key asc' }),
    );
    expect(inOrder.code).toBe('odoo.bad_field');
  });

  test('a missing required field is a RecordError', async () => {
    const err = await expectRejects(client.create('res.partner', [{ email: 'x@example.com' }]));
    expect(err.kind).toBe('record');
    expect(err.message).toMatch(/mandatory field/);
  });

  test('archived rows are hidden unless active_test is false', async () => {
    const [id] = await client.create('res.partner', [
      { name: `Archived vendor ${transport}`, supplier_rank: 1 },
    ]);
    await client.write('res.partner', [id!], { active: false });
    const hidden = await client.searchRead('res.partner', [['id', '=', id]], { fields: ['name'] });
    expect(hidden).toEqual([]);
    const shown = await client.searchRead('res.partner', [['id', '=', id]], {
      fields: ['name', 'active'],
      context: { active_test: false },
    });
    expect(shown).toEqual([{ id, name: `Archived vendor ${transport}`, active: false }]);
    const pages = await collect(
      client.readChanged('res.partner', {
        fields: ['active'],
        window: { since: null, until: new Date(Date.now() + 5000) },
        activeTest: false,
        domain: [['id', '=', id]],
      }),
    );
    expect(pages.flat()).toEqual([{ id, active: false }]);
  });

  test('business methods confirm a PO and post a bill', async () => {
    const [po] = (await exec(sim, 'purchase.order', 'search', [[['state', '=', 'draft']]])) as number[];
    await client.callMethod('purchase.order', 'button_confirm', [po!]);
    const [row] = await client.read('purchase.order', [po!], ['state']);
    expect(row!.state).toBe('purchase');
    const [bill] = await client.searchRead('account.move', [['state', '=', 'draft']], { fields: ['name'] });
    await client.callMethod('account.move', 'action_post', [bill!.id]);
    const [posted] = await client.read('account.move', [bill!.id], ['name', 'state']);
    expect(posted).toEqual({
      id: bill!.id,
      name: expect.stringMatching(/^BILL\/\d{4}\/\d{4}$/),
      state: 'posted',
    });
  });

  test('ping checks version, authentication and required fields', async () => {
    const ok = await client.ping({ 'purchase.order.line': ['order_id', 'tax_ids', 'product_uom_id'] });
    expect(ok.ok).toBe(true);
    expect(ok.serverVersion).toBe(`${version}.0`);
    const bad = await client.ping({ 'purchase.order': ['not_a_field'] });
    expect(bad.ok).toBe(false);
    expect(bad.checks.find((c) => !c.ok)?.detail).toMatch(/not_a_field/);
  });
});

describe('transport auto', () => {
  test.each([
    [17, 'xmlrpc'],
    [18, 'xmlrpc'],
    [19, 'json2'],
  ] as const)('picks %s → %s from the server version', async (version, expected) => {
    const sim = await startSim({ version, seed: 'empty' });
    const client = clientFor(sim, 'auto');
    try {
      await expect(client.transport()).resolves.toBe(expected);
      await expect(client.authenticate()).resolves.toBeGreaterThan(0);
      const route = expected === 'json2' ? 'POST /json/2/res.users/context_get' : 'POST /xmlrpc/2/common';
      expect(sim.stats.byRoute[route]).toBeGreaterThan(0);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});

describe('XML-RPC framing of the simulator', () => {
  let sim: RunningOdoo;
  beforeAll(async () => {
    sim = await startSim({ version: 17, seed: 'empty' });
  });
  afterAll(() => sim.close());

  test('create with a single dict answers an int, with a list answers a list', async () => {
    const { db, apiKey } = sim.credentials;
    const call = (arg: string): string =>
      `<?xml version='1.0'?><methodCall><methodName>execute_kw</methodName><params><param><value><string>${db}</string></value></param><param><value><int>3</int></value></param><param><value><string>${apiKey}</string></value></param><param><value><string>res.partner</string></value></param><param><value><string>create</string></value></param><param><value><array><data>${arg}</data></array></value></param></params></methodCall>`;
    const single = await rawXmlRpc(
      sim,
      'object',
      call(
        '<value><struct><member><name>name</name><value><string>One</string></value></member></struct></value>',
      ),
    );
    expect(single.status).toBe(200);
    expect(single.text).toMatch(/<params>\s*<param>\s*<value><int>\d+<\/int><\/value>/);
    const list = await rawXmlRpc(
      sim,
      'object',
      call(
        '<value><array><data><value><struct><member><name>name</name><value>Two</value></member></struct></value></data></array></value>',
      ),
    );
    expect(list.text).toMatch(/<array><data>\s*<value><int>\d+<\/int><\/value>\s*<\/data><\/array>/);
  });

  test('faults come back with HTTP 200 and faultCode/faultString', async () => {
    const res = await rawXmlRpc(
      sim,
      'object',
      `<?xml version='1.0'?><methodCall><methodName>execute_kw</methodName><params><param><value><string>acme</string></value></param><param><value><int>3</int></value></param><param><value><string>wrong</string></value></param><param><value><string>res.partner</string></value></param><param><value><string>search</string></value></param><param><value><array><data/></array></value></param></params></methodCall>`,
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('<name>faultCode</name>');
    expect(res.text).toMatch(/<int>3<\/int>/);
    expect(res.text).toContain('Access Denied');
  });
});
