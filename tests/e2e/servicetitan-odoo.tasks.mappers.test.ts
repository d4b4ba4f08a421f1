import { mapJobTask } from '../../src/pairs/servicetitan-odoo/tasks.js';
import { serviceTitanOdooOptions } from '../../src/pairs/servicetitan-odoo/options.js';
import { taskXmlIdName } from '../../src/systems/odoo/sinks/index.js';
import type { StRow } from '../../src/systems/servicetitan/index.js';

/** Jobs as Odoo project tasks: the pure mapping, the option and the external id of a reference. */
const scope = { tenant: '1000001', company: 2, companyName: 'Acme Services' };
const job = (extra: Partial<StRow> = {}): StRow =>
  ({
    id: 42,
    jobNumber: 'J-42',
    customerId: 7,
    jobStatus: 'Scheduled',
    summary: 'Replace capacitor',
    jobTypeId: 3,
    ...extra,
  }) as StRow;

describe('mapJobTask', () => {
  it('names the task after the job, on the surviving customer and the project of the company', () => {
    const r = mapJobTask({ ...job(), customerSurvivorId: 9 }, scope, 'Field Service');
    expect(r).toEqual({
      kind: 'write',
      dimensions: [
        expect.objectContaining({ kind: 'customer', key: 'ST1000001.C2.CUST.9' }),
        {
          kind: 'project',
          key: 'Field Service',
          describe: 'project "Field Service" in Odoo company "Acme Services" (2)',
          hint: expect.stringMatching(/create the project "Field Service".*mlc replay <audit id>/),
        },
      ],
      payload: {
        ref: 'ST1000001.C2.JOB.42',
        partnerRef: 'ST1000001.C2.CUST.9',
        project: 'Field Service',
        name: 'J-42 — Replace capacitor',
        description: 'Replace capacitor',
        active: true,
      },
    });
  });

  it('archives the task of a canceled job; a job without summary is named by its type', () => {
    const canceled = mapJobTask(job({ jobStatus: 'Canceled' }), scope, 'Field Service');
    expect(canceled.kind === 'write' && canceled.payload.active).toBe(false);
    const bare = mapJobTask(job({ summary: '' }), scope, 'Field Service');
    expect(bare.kind === 'write' && bare.payload.name).toBe('J-42 — job type 3');
  });
});

describe('options and external ids', () => {
  it('jobs takes project_task, with the "Field Service" project by default', () => {
    expect(serviceTitanOdooOptions.parse({ jobs: 'project_task' })).toMatchObject({
      jobs: 'project_task',
      jobProject: 'Field Service',
    });
    expect(() => serviceTitanOdooOptions.parse({ jobs: 'task' })).toThrow();
  });

  it('a reference becomes an external id name without dots; one it cannot carry is refused', () => {
    expect(taskXmlIdName('ST1000001.C1.JOB.42')).toBe('ST1000001_C1_JOB_42');
    expect(() => taskXmlIdName('ST1.C1.JOB.a_b')).toThrow(/cannot be an external id/);
  });
});
