import { control, exec, rawJson2, startSim, type RunningOdoo } from './helpers.js';

/**
 * The simulated Odoo's `load(fields, data)` (the ORM import): external ids in `ir.model.data`,
 * create then update by the same id, all-or-nothing with per-row messages, `/id` and `/.id`
 * many2one columns, the caller's rights and companies.
 */
describe('Odoo simulator: load', () => {
  let sim: RunningOdoo;
  beforeEach(async () => {
    sim = await startSim({ version: 19, seed: 'demo' });
  });
  afterEach(() => sim.close());

  const load = (fields: string[], data: unknown[][], context: Record<string, unknown> = {}): Promise<any> =>
    exec(sim, 'project.task', 'load', [fields, data], { context });
  const projectOf = async (company: number): Promise<number> =>
    (
      (await exec(sim, 'project.project', 'search', [[['company_id', '=', company]]])) as number[]
    )[0] as number;
  const tasks = (): Promise<any[]> =>
    exec(sim, 'project.task', 'search_read', [[['active', 'in', [true, false]]]], {
      fields: ['name', 'project_id', 'company_id', 'partner_id', 'description', 'date_deadline', 'active'],
      order: 'id asc',
    }) as Promise<any[]>;
  const xmlids = (): Promise<any[]> =>
    exec(sim, 'ir.model.data', 'search_read', [[['model', '=', 'project.task']]], {
      fields: ['module', 'name', 'res_id', 'noupdate'],
      order: 'id asc',
    }) as Promise<any[]>;

  test('each company has its seeded "Field Service" project and fields_get lists the task fields', async () => {
    const projects = (await exec(sim, 'project.project', 'search_read', [[]], {
      fields: ['name', 'company_id'],
      order: 'id asc',
    })) as any[];
    expect(projects.map((p) => [p.name, p.company_id[0]])).toEqual([
      ['Field Service', 1],
      ['Field Service', 2],
    ]);
    const fields = (await exec(sim, 'project.task', 'fields_get', [], { attributes: ['type'] })) as any;
    for (const [name, type] of Object.entries({
      name: 'char',
      project_id: 'many2one',
      partner_id: 'many2one',
      company_id: 'many2one',
      description: 'html',
      date_deadline: 'datetime',
      stage_id: 'many2one',
      active: 'boolean',
    }))
      expect(fields[name]).toEqual({ type });
  });

  test('a new external id creates the record and its ir.model.data row; the same id updates it', async () => {
    const project = await projectOf(1);
    const first = await load(
      ['id', 'name', 'project_id/.id', 'description', 'date_deadline'],
      [
        [
          '__mlc__.ST1_C1_JOB_1',
          'J-1 — Replace capacitor',
          String(project),
          '<p>x</p>',
          '2026-12-01 09:30:00',
        ],
      ],
      { tz: 'Europe/Brussels' },
    );
    expect(first).toEqual({ ids: [expect.any(Number)], messages: [], nextrow: 0 });
    const id = first.ids[0];
    expect(await xmlids()).toEqual([
      { id: expect.any(Number), module: '__mlc__', name: 'ST1_C1_JOB_1', res_id: id, noupdate: false },
    ]);
    // The import reads datetimes in the user's zone: 09:30 in Brussels is 08:30 UTC; the company is the project's.
    expect((await tasks())[0]).toMatchObject({
      name: 'J-1 — Replace capacitor',
      company_id: [1, 'Acme Distribution'],
      date_deadline: '2026-12-01 08:30:00',
    });
    const again = await load(['id', 'name', 'active'], [['__mlc__.ST1_C1_JOB_1', 'J-1 — renamed', '0']]);
    expect(again).toEqual({ ids: [id], messages: [], nextrow: 0 });
    const all = await tasks();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id, name: 'J-1 — renamed', active: false });
    expect(await xmlids()).toHaveLength(1);
  });

  test('ir.model.data is unique on module and name', async () => {
    await load(['id', 'name'], [['__mlc__.once', 'Once']]);
    await expect(
      exec(sim, 'ir.model.data', 'create', [
        [{ module: '__mlc__', name: 'once', model: 'project.task', res_id: 1 }],
      ]),
    ).rejects.toThrow(/ir_model_data_module_name_uniq_index/);
  });

  test('a bare name takes the module __import__; a record gone is created again under its id', async () => {
    const { ids } = await load(['id', 'name'], [['job_7', 'Seven']]);
    expect((await xmlids())[0]).toMatchObject({ module: '__import__', name: 'job_7', res_id: ids[0] });
    await exec(sim, 'project.task', 'unlink', [ids]);
    const again = await load(['id', 'name'], [['__import__.job_7', 'Seven again']]);
    expect(again.ids[0]).not.toBe(ids[0]);
    expect(await xmlids()).toEqual([expect.objectContaining({ res_id: again.ids[0] })]);
  });

  test('one bad row keeps nothing: ids false, the errors by row index', async () => {
    const project = await projectOf(1);
    const answer = await load(
      ['id', 'name', 'project_id/.id'],
      [
        ['__mlc__.a', 'A', String(project)],
        ['__mlc__.b', '', String(project)],
        ['__mlc__.c', 'C', '999'],
      ],
    );
    expect(answer.ids).toBe(false);
    expect(answer.nextrow).toBe(0);
    expect(answer.messages).toEqual([
      expect.objectContaining({
        type: 'error',
        record: 1,
        rows: { from: 1, to: 1 },
        message: expect.stringMatching(/Missing required value for the field 'Title' \(name\)/),
      }),
      expect.objectContaining({
        type: 'error',
        record: 2,
        field: 'project_id',
        message: "No matching record found for database id '999' in field 'Project'",
      }),
    ]);
    expect(await tasks()).toEqual([]);
    expect(await xmlids()).toEqual([]);
  });

  test('many2one columns by external id, by database id and by name; a database id column updates', async () => {
    const partner = (
      (await exec(sim, 'res.partner', 'search', [[['name', '=', 'Wood Corner']]])) as number[]
    )[0];
    await exec(sim, 'res.partner', 'load', [['id', 'name'], [['__mlc__.cust_1', 'Customer One']]]);
    const answer = await load(
      ['id', 'name', 'partner_id/id', 'project_id'],
      [
        ['__mlc__.t1', 'T1', '__mlc__.cust_1', 'Field Service'],
        ['__mlc__.t2', 'T2', '__mlc__.nobody', ''],
      ],
    );
    expect(answer.ids).toBe(false);
    expect(answer.messages).toEqual([
      expect.objectContaining({
        record: 1,
        field: 'partner_id',
        message: "No matching record found for external id '__mlc__.nobody' in field 'Customer'",
      }),
    ]);
    const ok = await load(
      ['id', 'name', 'partner_id/id', 'project_id'],
      [['__mlc__.t1', 'T1', '__mlc__.cust_1', 'Field Service']],
    );
    const [t1] = await tasks();
    expect(t1).toMatchObject({ id: ok.ids[0], partner_id: [expect.any(Number), 'Customer One'] });
    expect(t1.project_id[1]).toBe('Field Service');
    const byId = await load(['.id', 'partner_id/.id'], [[String(ok.ids[0]), String(partner)]]);
    expect(byId.ids).toEqual(ok.ids);
    expect((await tasks())[0].partner_id[0]).toBe(partner);
    const unknown = await load(['.id', 'name'], [['99999', 'x']]);
    expect(unknown.messages[0]).toMatchObject({
      field: '.id',
      message: "Unknown database identifier '99999'",
    });
  });

  test('a task in a company other than its project is that row error', async () => {
    const answer = await load(
      ['id', 'name', 'project_id/.id', 'company_id/.id'],
      [['__mlc__.x', 'X', String(await projectOf(1)), '2']],
    );
    expect(answer.ids).toBe(false);
    expect(answer.messages[0].message).toMatch(
      /^Incompatible companies on records:\n- 'X' belongs to company 'Acme Services'/,
    );
  });

  describe('as the bot user over JSON-2', () => {
    const call = async (body: unknown): Promise<any> => {
      const res = await rawJson2(sim, '/json/2/project.task/load', JSON.stringify(body), {
        'x-odoo-database': sim.credentials.db,
      });
      expect(res.status).toBe(200);
      return JSON.parse(res.text);
    };

    test('answers {ids, messages, nextrow}; without create rights each row is an access error, nothing kept', async () => {
      const ok = await call({ fields: ['id', 'name'], data: [['__mlc__.j1', 'One']] });
      expect(ok).toEqual({ ids: [expect.any(Number)], messages: [], nextrow: 0 });
      await control(sim, 'access', { model: 'project.task', deny: ['create'] });
      const refused = await call({
        fields: ['id', 'name'],
        data: [
          ['__mlc__.j2', 'Two'],
          ['__mlc__.j3', 'Three'],
        ],
      });
      expect(refused.ids).toBe(false);
      expect(refused.messages.map((m: any) => [m.record, m.message.split('\n')[0]])).toEqual([
        [0, "You are not allowed to create 'Task' (project.task) records."],
        [1, "You are not allowed to create 'Task' (project.task) records."],
      ]);
      // An update needs write, not create.
      expect((await call({ fields: ['id', 'name'], data: [['__mlc__.j1', 'One again']] })).ids).toEqual(
        ok.ids,
      );
    });

    test('a task in a company the bot user may not use is refused as the record rule refuses it', async () => {
      const answer = await call({
        fields: ['id', 'name', 'project_id/.id'],
        data: [['__mlc__.k1', 'K', String(await projectOf(2))]],
      });
      expect(answer.ids).toBe(false);
      expect(answer.messages[0].message).toMatch(
        /^Uh-oh! .*\n\nSorry, mlc bot \(id=3\) doesn't have 'create' access to:\n- Task, 'K'/s,
      );
    });
  });
});
