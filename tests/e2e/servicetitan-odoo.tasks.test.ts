import { serviceTitanOdoo } from '../../src/pairs/servicetitan-odoo/index.js';
import { startPairEnv, type PairEnv } from '../helpers/pair.js';

/**
 * servicetitan-odoo with `jobs: project_task`, end to end through the CLI against the ServiceTitan
 * and Odoo simulators (Odoo over both transports): jobs become tasks of each company's "Field
 * Service" project keyed by external id, an idle pass writes nothing, a lost answer or a pass that
 * forgot what it wrote makes no second task, and a missing project fails clearly and replays.
 */
const PAIR = 'servicetitan-odoo';
const BOT_UID = 3;

async function odoo(
  e: PairEnv,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
): Promise<any> {
  return ((await e.control('odoo', 'POST', 'exec', { model, method, args, kwargs })) as { result: any })
    .result;
}

const tasks = (e: PairEnv): Promise<any[]> =>
  odoo(e, 'project.task', 'search_read', [[['active', 'in', [true, false]]]], {
    fields: ['name', 'project_id', 'company_id', 'partner_id', 'description', 'active'],
    order: 'id asc',
  });

function flowsOf(stdout: string): Record<string, any> {
  const pass = JSON.parse(stdout).data.outcomes[0];
  return Object.fromEntries((pass.flows as any[]).map((f) => [f.flow, f]));
}

const written = (stdout: string): number =>
  Object.values(flowsOf(stdout)).reduce((n, f) => n + (f.written as number), 0);

describe.each(['json2', 'xmlrpc'] as const)(
  'servicetitan-odoo jobs as project tasks, Odoo over %s',
  (transport) => {
    let e: PairEnv;
    const start = async (): Promise<PairEnv> => {
      const env = await startPairEnv({
        systems: ['servicetitan', 'odoo'],
        pairOptions: { [PAIR]: { ...serviceTitanOdoo.simSettings, jobs: 'project_task' } },
      });
      env.editConfig((c) => {
        c.connections.odoo.transport = transport;
      });
      return env;
    };
    afterEach(async () => {
      await e?.close();
    });

    it('two tenants: tasks in both companies, idle passes write nothing, a forgetful pass no second task', async () => {
      e = await start();
      await odoo(e, 'res.users', 'write', [[BOT_UID], { company_ids: [[6, 0, [1, 2]]] }]);
      e.env.MLC_E2E_ST2_SECRET = 'cs1.sim-secret-plumbing-0002';
      e.env.MLC_E2E_ST2_APP_KEY = String((e.sims.servicetitan?.credentials as { appKey: string }).appKey);
      e.editConfig((c) => {
        c.connections.plumbing = {
          ...c.connections.servicetitan,
          tenantId: '1000002',
          clientId: 'cid.sim1000002',
          clientSecret: '${MLC_E2E_ST2_SECRET}',
          appKey: '${MLC_E2E_ST2_APP_KEY}',
        };
        c.pairs.plumbing = { ...c.pairs[PAIR], type: PAIR, source: 'plumbing' };
      });
      const first = await e.cli('sync', PAIR, '--json');
      expect(first.code).toBe(0);
      expect(flowsOf(first.stdout).jobs).toMatchObject({ written: 2, failed: 0 });
      expect((await e.cli('sync', 'plumbing')).code).toBe(0);

      const all = await tasks(e);
      expect(all).toHaveLength(4);
      const byCompany = (c: number) => all.filter((t) => t.company_id[0] === c);
      for (const c of [1, 2]) {
        expect(byCompany(c)).toHaveLength(2);
        for (const t of byCompany(c)) {
          expect(t.name).toMatch(/^J-\d+ — Replace capacitor$/);
          expect(t.description).toBe('<p>Replace capacitor</p>');
          expect(t.project_id[1]).toBe('Field Service');
          expect(t.partner_id).not.toBe(false);
          expect(t.active).toBe(true);
        }
      }
      // Each task's customer is the tenant's partner in the same company, and its key an external id.
      const partners = await odoo(e, 'res.partner', 'read', [
        all.map((t) => t.partner_id[0]),
        ['company_id', 'ref'],
      ]);
      for (const t of all)
        expect(partners.find((p: any) => p.id === t.partner_id[0]).company_id[0]).toBe(t.company_id[0]);
      const xmlids = await odoo(e, 'ir.model.data', 'search_read', [[['model', '=', 'project.task']]], {
        fields: ['module', 'name', 'res_id'],
      });
      expect(xmlids.map((x: any) => x.module)).toEqual(['__mlc__', '__mlc__', '__mlc__', '__mlc__']);
      expect(xmlids.map((x: any) => x.name.replace(/\d+$/, 'N')).sort()).toEqual([
        'ST1000001_C1_JOB_N',
        'ST1000001_C1_JOB_N',
        'ST1000002_C2_JOB_N',
        'ST1000002_C2_JOB_N',
      ]);

      expect(written((await e.cli('sync', PAIR, '--json')).stdout)).toBe(0);
      expect(written((await e.cli('sync', 'plumbing', '--json')).stdout)).toBe(0);

      // A pass that remembers nothing (a second instance of the same tenant: its own cursors and
      // hashes) writes every job again: updates of the same tasks.
      e.editConfig((c) => {
        c.pairs.forgetful = { ...c.pairs[PAIR], type: PAIR };
      });
      const again = await e.cli('sync', 'forgetful', '--json');
      expect(again.code).toBe(0);
      expect(flowsOf(again.stdout).jobs.written).toBe(2);
      expect((await tasks(e)).map((t) => t.id)).toEqual(all.map((t) => t.id));
    });

    // JSON-2 gives the load a route of its own to lose; over XML-RPC every call shares one route, and
    // the sink test (tests/odoo) loses the load's answer by its place among the calls.
    if (transport === 'json2')
      it('an answer lost after Odoo committed the tasks is repeated as an update: no second task', async () => {
        e = await start();
        e.editConfig((c) => {
          c.connections.odoo.timeoutMs = 1000;
        });
        await e.control('odoo', 'POST', 'faults', {
          kind: 'lost_response',
          delayMs: 2500,
          match: '^POST /json/2/project.task/load',
        });
        const r = await e.cli('sync', PAIR, '--json');
        expect(r.code).toBe(0);
        expect(flowsOf(r.stdout).jobs).toMatchObject({ written: 2, failed: 0 });
        const stats = (await e.control('odoo', 'GET', 'stats')) as { byRoute: Record<string, number> };
        expect(stats.byRoute['POST /json/2/project.task/load']).toBe(2);
        expect(await tasks(e)).toHaveLength(2);
      });

    it('ping checks the task, project and external id models, and the task write rights', async () => {
      e = await start();
      const ok = await e.cli('ping', 'odoo', '--json');
      expect(ok.code).toBe(0);
      for (const name of ['project.task', 'project.project', 'ir.model.data'])
        expect(ok.stdout).toContain(name);
      expect(ok.stdout).not.toContain('sale.order');
      await e.control('odoo', 'POST', 'access', { model: 'project.task', deny: ['write'] });
      const refused = await e.cli('ping', 'odoo', '--json');
      expect(refused.code).not.toBe(0);
      expect(refused.stdout).toMatch(/may not write project\.task records/);
    });

    it('a missing project fails the jobs clearly; they replay once the project exists', async () => {
      e = await start();
      const [project] = await odoo(e, 'project.project', 'search', [[['company_id', '=', 1]]]);
      await odoo(e, 'project.project', 'write', [[project], { name: 'Old Field Service' }]);
      const first = await e.cli('sync', PAIR, '--json');
      expect(first.code).toBe(3);
      expect(flowsOf(first.stdout).jobs).toMatchObject({ written: 0, failed: 2 });
      const audit = JSON.parse(
        (await e.cli('audit', '--json', '--outcome', 'failed', '--limit', '100')).stdout,
      ).data;
      const jobs = ((audit.entries ?? audit) as any[]).filter((a) => a.flow === 'jobs');
      expect(jobs).toHaveLength(2);
      for (const j of jobs)
        expect(j.message).toMatch(
          /project "Field Service" in Odoo company "Acme Distribution" \(1\) does not exist in the target$/,
        );
      expect(await tasks(e)).toEqual([]);

      const tooEarly = await e.cli('replay', String(jobs[0].id), '--json');
      expect(tooEarly.code).toBe(3);
      await odoo(e, 'project.project', 'create', [[{ name: 'Field Service', company_id: 1 }]]);
      for (const j of jobs) expect((await e.cli('replay', String(j.id))).code).toBe(0);
      const made = await tasks(e);
      expect(made).toHaveLength(2);
      expect(made.every((t) => t.project_id[1] === 'Field Service' && t.company_id[0] === 1)).toBe(true);
      expect(written((await e.cli('sync', PAIR, '--json')).stdout)).toBe(0);
    });
  },
);
