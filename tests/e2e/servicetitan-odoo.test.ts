import { serviceTitanOdoo } from '../../src/pairs/servicetitan-odoo/index.js';
import { startPairEnv, type PairEnv } from '../helpers/pair.js';

const PAIR = 'servicetitan-odoo';

async function odooRows(e: PairEnv, model: string, domain: unknown[], fields: string[]): Promise<any[]> {
  const answer = (await e.control('odoo', 'POST', 'exec', {
    model,
    method: 'search_read',
    args: [domain],
    kwargs: { fields, order: 'id asc' },
  })) as { result: any[] };
  return answer.result;
}

function flowsOf(stdout: string): Record<string, any> {
  const pass = JSON.parse(stdout).data.outcomes[0];
  return Object.fromEntries((pass.flows as any[]).map((f) => [f.flow, f]));
}

describe.each(['json2', 'xmlrpc'] as const)('servicetitan-odoo over Odoo %s', (transport) => {
  let e: PairEnv;
  beforeEach(async () => {
    e = await startPairEnv({
      systems: ['servicetitan', 'odoo'],
      pairOptions: { [PAIR]: { ...serviceTitanOdoo.simSettings } },
    });
    e.editConfig((c) => {
      c.connections.odoo.transport = transport;
    });
  });
  afterEach(async () => {
    await e?.close();
  });

  it('a full pass writes the tenant into its company; an idle pass writes nothing', async () => {
    const first = await e.cli('sync', PAIR, '--json');
    const flows = flowsOf(first.stdout);
    console.log(first.exitCode, JSON.stringify(flows, null, 1).slice(0, 3000), first.stderr.slice(0, 2000));
    expect(first.exitCode).toBe(0);
    const second = await e.cli('sync', PAIR, '--json');
    expect(second.exitCode).toBe(0);
    const idle = flowsOf(second.stdout);
    for (const f of Object.values(idle)) expect(f.written).toBe(0);
  });
});
