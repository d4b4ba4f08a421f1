import { startPairEnv, type PairEnv } from '../helpers/pair.js';

/**
 * `mlc ping` on the Odoo side checks what the first pass will do: a real read of every model the
 * flows read (fields_get answers even without read rights) and the write rights the flows need.
 */
const PAIR = 'odoo-servicenow';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function pingOdoo(e: PairEnv): Promise<{ code: number; checks: Check[] }> {
  const r = await e.cli('ping', 'odoo', '--json');
  const parsed = JSON.parse(r.stdout) as { data: { results: Array<{ checks: Check[] }> } };
  return { code: r.code, checks: parsed.data.results[0]?.checks ?? [] };
}

describe.each(['json2', 'xmlrpc'] as const)('mlc ping against Odoo over %s', (transport) => {
  let e: PairEnv;
  beforeEach(async () => {
    e = await startPairEnv({ systems: ['odoo', 'servicenow'] });
    e.editConfig((c) => {
      c.connections.odoo.transport = transport;
    });
  });
  afterEach(async () => {
    await e?.close();
  });

  it('is green when the bot user may read every model and write analytic accounts', async () => {
    const { code, checks } = await pingOdoo(e);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(code).toBe(0);
    expect(checks.find((c) => c.name === 'model account.analytic.plan')?.detail).toMatch(/readable/);
    expect(checks.find((c) => c.name === 'rights account.analytic.account')?.detail).toMatch(/create, write/);
  });

  it('reports a model the bot user may not read, which fields_get alone would not show', async () => {
    await e.control('odoo', 'POST', 'access', { model: 'account.analytic.plan', deny: ['read'] });
    const { code, checks } = await pingOdoo(e);
    expect(code).toBe(2);
    const plan = checks.find((c) => c.name === 'model account.analytic.plan');
    expect(plan?.ok).toBe(false);
    expect(plan?.detail).toMatch(/not allowed to access 'Analytic Plans' \(account\.analytic\.plan\)/);
    // The first pass fails the same way: ping told the truth.
    const sync = await e.cli('sync', PAIR);
    expect(sync.code).toBe(2);
  });

  it('reports missing write rights on a model a flow writes', async () => {
    await e.control('odoo', 'POST', 'access', { model: 'account.analytic.account', deny: ['create'] });
    const { code, checks } = await pingOdoo(e);
    expect(code).toBe(2);
    const rights = checks.find((c) => c.name === 'rights account.analytic.account');
    expect(rights?.ok).toBe(false);
    expect(rights?.detail).toMatch(/may not create account\.analytic\.account records/);
    expect(checks.find((c) => c.name === 'model account.analytic.account')?.ok).toBe(true);
  });
});
