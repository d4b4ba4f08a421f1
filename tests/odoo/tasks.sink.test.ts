import type { OdooClient } from '../../src/systems/odoo/client.js';
import {
  TASK_MODULE,
  projectTaskSink,
  sourceRef,
  taskXmlIdName,
} from '../../src/systems/odoo/sinks/index.js';
import { clientFor, control, dump, exec, fault, startSim, type RunningOdoo } from './helpers.js';

/**
 * The project task sink and the client's loadByXmlId against the simulator over both transports:
 * one task per reference whatever is repeated, one bad row failing alone, the company and rights.
 */
const BOT_UID = 3;

describe.each(['json2', 'xmlrpc'] as const)('Odoo project task sink over %s', (transport) => {
  let sim: RunningOdoo;
  let odoo: OdooClient;
  beforeEach(async () => {
    sim = await startSim({ version: 19, seed: 'demo' });
    odoo = clientFor(sim, transport);
  });
  afterEach(async () => {
    await odoo.close();
    await sim.close();
  });

  const projectOf = async (company: number): Promise<number> =>
    (
      (await exec(sim, 'project.project', 'search', [[['company_id', '=', company]]])) as number[]
    )[0] as number;
  const tasks = (): Promise<any[]> =>
    exec(sim, 'project.task', 'search_read', [[['active', 'in', [true, false]]]], {
      fields: ['name', 'project_id', 'company_id', 'partner_id', 'description', 'date_deadline', 'active'],
      order: 'id asc',
    }) as Promise<any[]>;
  const ref = (n: number, company = 1): string => sourceRef('ST', '1000001', company, 'JOB', n);

  test('writes each task once under its external id, then updates it in place', async () => {
    const sink = projectTaskSink(odoo, { company: 1 });
    const project = await projectOf(1);
    const item = {
      ref: ref(42),
      name: 'J-42 — Replace capacitor',
      project,
      partner: 1,
      description: 'Replace <capacitor> & test',
      deadline: '2026-12-01 09:30:00',
    };
    const [first] = await sink.write([item]);
    expect(first).toEqual({ ok: true, id: expect.any(Number), created: true });
    expect(taskXmlIdName(item.ref)).toBe('ST1000001_C1_JOB_42');
    expect(await odoo.xmlIdsOf('project.task', TASK_MODULE, ['ST1000001_C1_JOB_42'])).toEqual(
      new Map([['ST1000001_C1_JOB_42', (first as { id: number }).id]]),
    );
    const [second] = await sink.write([{ ...item, name: 'J-42 — Replace capacitor (2)', active: false }]);
    expect(second).toEqual({ ok: true, id: (first as { id: number }).id, created: false });
    const all = await tasks();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      name: 'J-42 — Replace capacitor (2)',
      company_id: [1, 'Acme Distribution'],
      partner_id: [1, 'Acme Distribution'],
      description: '<p>Replace &lt;capacitor&gt; &amp; test</p>',
      // Sent in UTC (context tz), stored as given.
      date_deadline: '2026-12-01 09:30:00',
      active: false,
    });
  });

  test('a row Odoo refuses fails alone with its message; the rest of the batch is written', async () => {
    const sink = projectTaskSink(odoo, { company: 1 });
    const project = await projectOf(1);
    const results = await sink.write([
      { ref: ref(1), name: 'J-1', project, partner: 1 },
      { ref: ref(2), name: '', project, partner: 1 },
      { ref: ref(3), name: 'J-3', project, partner: 1 },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    const bad = results[1] as { ok: false; error: any };
    expect(bad.error.code).toBe('odoo.load_refused');
    expect(bad.error.message).toMatch(/ST1000001_C1_JOB_2: .*Missing required value for the field 'Title'/);
    expect((await tasks()).map((t) => t.name)).toEqual(['J-1', 'J-3']);
  });

  test('an answer lost after the server committed is repeated as an update: still one task', async () => {
    const client = clientFor(sim, transport, { timeoutMs: 400 });
    const path = transport === 'json2' ? '^POST /json/2/project.task/load' : '^POST /xmlrpc/2/object';
    // Over XML-RPC the ir.model.data read is the first object call of the write, the load the second.
    fault(sim, {
      kind: 'lost_response',
      delayMs: 1200,
      match: path,
      ...(transport === 'xmlrpc' ? { skip: 1 } : {}),
    });
    const [r] = await projectTaskSink(client, { company: 1 }).write([
      { ref: ref(9), name: 'J-9', project: await projectOf(1), partner: null },
    ]);
    await client.close();
    expect(r).toMatchObject({ ok: true, created: true });
    expect((await dump(sim, 'project.task')).map((t) => t.name)).toEqual(['J-9']);
    expect(
      sim.stats.byRoute[transport === 'json2' ? 'POST /json/2/project.task/load' : 'POST /xmlrpc/2/object'],
    ).toBeGreaterThanOrEqual(2);
  });

  test('a company the bot user may not enter, and a model it may not create, fail each record clearly', async () => {
    const project2 = await projectOf(2);
    const [outside] = await projectTaskSink(odoo, { company: 2 }).write([
      { ref: ref(5, 2), name: 'J-5', project: project2, partner: null },
    ]);
    expect(outside).toMatchObject({ ok: false, error: { code: 'odoo.access_denied' } });
    await exec(sim, 'res.users', 'write', [[BOT_UID], { company_ids: [[6, 0, [1, 2]]] }]);
    await control(sim, 'access', { model: 'project.task', deny: ['create'] });
    const [denied] = await projectTaskSink(odoo, { company: 2 }).write([
      { ref: ref(5, 2), name: 'J-5', project: project2, partner: null },
    ]);
    expect(denied).toMatchObject({ ok: false, error: { code: 'odoo.access_denied' } });
    expect((denied as any).error.message).toMatch(/You are not allowed to create 'Task'/);
    await control(sim, 'access', { reset: true });
    const [ok] = await projectTaskSink(odoo, { company: 2 }).write([
      { ref: ref(5, 2), name: 'J-5', project: project2, partner: null },
    ]);
    expect(ok).toMatchObject({ ok: true, created: true });
    expect((await tasks())[0].company_id[0]).toBe(2);
  });
});
