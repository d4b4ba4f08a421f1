import { upsertContacts } from '../../src/systems/odoo/sinks/contacts.js';
import { upsertProducts } from '../../src/systems/odoo/sinks/products.js';
import type { OdooClient } from '../../src/systems/odoo/client.js';
import { clientFor, exec, startSim, type RunningOdoo } from './helpers.js';

/** The two sinks other systems write Odoo through: products by code, contacts by id or by reference. */
describe.each(['xmlrpc', 'json2'] as const)('Odoo sinks over %s', (transport) => {
  let sim: RunningOdoo;
  let odoo: OdooClient;
  beforeAll(async () => {
    sim = await startSim({ version: 19, seed: 'demo' });
    odoo = clientFor(sim, transport);
  });
  afterAll(async () => {
    await odoo.close();
    await sim.close();
  });

  test('products: an existing code is updated, a new one created once, a repeat changes nothing', async () => {
    const rows = [
      { code: 'FURN-002', name: 'Desk', listPrice: 480, active: true },
      { code: `NEW-${transport}`, name: 'Bench', listPrice: 99.5, active: true },
    ];
    const first = await upsertProducts(odoo, rows);
    expect(first.map((r) => [r.created, r.error])).toEqual([
      [false, undefined],
      [true, undefined],
    ]);
    const again = await upsertProducts(odoo, rows);
    expect(again.map((r) => r.created)).toEqual([false, false]);
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
    const read = await odoo.read(
      'product.product',
      first.map((r) => r.id as number),
      ['default_code', 'list_price'],
    );
    expect(read.map((r) => [r.default_code, r.list_price])).toEqual([
      ['FURN-002', 480],
      [`NEW-${transport}`, 99.5],
    ]);
  });

  test('contacts: a known partner is written in place, a new one created by reference once; refusals per row', async () => {
    const [deco] = (await exec(sim, 'res.partner', 'search', [[['name', '=', 'Deco Addict']]])) as number[];
    const [known] = (await exec(sim, 'res.partner', 'create', [
      [{ name: 'Old Name', parent_id: deco }],
    ])) as number[];
    const rows = [
      {
        partnerId: known as number,
        ref: 'salesforce:003A',
        name: 'New Name',
        email: 'n@d.example',
        phone: null,
        parentId: deco as number,
        companyId: null,
      },
      {
        partnerId: null,
        ref: `salesforce:003B-${transport}`,
        name: 'Anna Weber',
        email: null,
        phone: '+1',
        parentId: deco as number,
        companyId: 1,
      },
      {
        partnerId: 999_999,
        ref: 'salesforce:003C',
        name: 'Gone',
        email: null,
        phone: null,
        parentId: deco as number,
        companyId: null,
      },
    ];
    const first = await upsertContacts(odoo, rows);
    expect(first[0]).toMatchObject({ id: known, created: false });
    expect(first[1]).toMatchObject({ created: true });
    expect(first[2]?.error?.message).toMatch(/not exist|deleted/);
    const again = await upsertContacts(odoo, rows.slice(0, 2));
    expect(again[1]).toMatchObject({ id: first[1]?.id, created: false });
    const [anna] = await odoo.read(
      'res.partner',
      [first[1]?.id as number],
      ['name', 'ref', 'parent_id', 'phone'],
    );
    expect(anna).toMatchObject({ name: 'Anna Weber', ref: `salesforce:003B-${transport}`, phone: '+1' });
    const [renamed] = await odoo.read('res.partner', [known as number], ['name', 'email']);
    expect(renamed).toMatchObject({ name: 'New Name', email: 'n@d.example' });
  });
});
