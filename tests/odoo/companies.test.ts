import { clientFor, exec, startSim, type RunningOdoo } from './helpers.js';

/**
 * The simulator's company rules (api notes §9): two companies with their own sequences and charts,
 * a user sees only its allowed companies, and company-dependent values (account codes) answer for
 * the first company of allowed_company_ids.
 */
describe.each(['demo', 'volume:20'])('two companies in the %s seed', (seed) => {
  let sim: RunningOdoo;
  beforeAll(async () => {
    sim = await startSim({ version: 19, seed });
  });
  afterAll(() => sim.close());

  test('both companies have a P00001 of their own', async () => {
    const rows = (await exec(sim, 'purchase.order', 'search_read', [[['name', '=', 'P00001']]], {
      fields: ['company_id'],
      order: 'id asc',
    })) as Array<{ company_id: [number, string] }>;
    expect(rows.map((r) => r.company_id[0])).toEqual([1, 2]);
  });

  test('account codes are company-dependent and each company has its own chart', async () => {
    const ask = async (companies: number[]): Promise<string[]> =>
      (
        (await exec(sim, 'account.account', 'search_read', [[['account_type', '=', 'expense']]], {
          fields: ['code'],
          order: 'id asc',
          context: { allowed_company_ids: companies },
        })) as Array<{ code: string | false }>
      ).map((r) => String(r.code));
    expect(await ask([1])).toEqual(['600000', '610000', '620000', '630000']);
    expect(await ask([2])).toEqual(['601000', '611000']);
    // Codes follow the first company: the other company's accounts are visible without a code.
    expect(await ask([2, 1])).toEqual(['false', 'false', 'false', 'false', '601000', '611000']);
  });

  test('the bot sees only its allowed companies; naming another is refused', async () => {
    const client = clientFor(sim, 'json2');
    const orders = await client.searchRead('purchase.order', [['name', '=', 'P00001']], {
      fields: ['company_id'],
    });
    expect(orders).toHaveLength(1);
    const err = await client
      .searchRead('purchase.order', [], { fields: ['name'], context: { allowed_company_ids: [2] } })
      .then(
        () => undefined,
        (e: unknown) => e as { kind: string; code: string },
      );
    expect(err).toMatchObject({ kind: 'config', code: 'odoo.company_not_allowed' });
  });
});
