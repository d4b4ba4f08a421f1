/**
 * ServiceTitan jobs as Odoo project tasks (option `jobs: project_task`): each job one task of the
 * project `jobProject` of the tenant's company, keyed by external id (the project task sink). A
 * missing project fails the job as a missing dimension, replayable once the project exists. A
 * canceled job archives its task (a task is created archived for a job canceled before it was sent),
 * so Odoo keeps the trace of the work once planned.
 */
import { RecordError } from '../../errors.js';
import { projectTaskSink } from '../../systems/odoo/sinks/index.js';
import type { StRow } from '../../systems/servicetitan/index.js';
import type { DimensionRef, Flow, MapResult, WriteResult } from '../../sync/types.js';
import { stFlow, toWriteResults, type PairContext } from './context.js';
import { customerDim } from './mappers.js';
import { stRef, type Scope } from './refs.js';

export interface TaskPayload {
  ref: string;
  partnerRef: string;
  /** The project's name (the `project` dimension key). */
  project: string;
  name: string;
  description: string;
  active: boolean;
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

export function projectDim(scope: Scope, project: string): DimensionRef {
  const company = scope.companyName ? `"${scope.companyName}" (${scope.company})` : String(scope.company);
  return {
    kind: 'project',
    key: project,
    describe: `project "${project}" in Odoo company ${company}`,
    hint: `create the project "${project}" in that company (or set the pair's jobProject), then run \`mlc replay <audit id>\``,
  };
}

/** A job as a task of its (surviving) customer: `<jobNumber> — <summary>`. */
export function mapJobTask(
  row: StRow & { customerSurvivorId?: number },
  scope: Scope,
  project: string,
): MapResult<TaskPayload> {
  const number = str(row.jobNumber) || String(row.id);
  const summary = str(row.summary).trim();
  const what = summary || (row.jobTypeId === undefined ? 'job' : `job type ${str(row.jobTypeId)}`);
  const dimensions = [
    customerDim(scope, row.customerSurvivorId ?? row.customerId, undefined),
    projectDim(scope, project),
  ];
  return {
    kind: 'write',
    dimensions,
    payload: {
      ref: stRef(scope, 'JOB', row.id),
      partnerRef: dimensions[0]?.key as string,
      project,
      name: `${number} — ${what}`,
      description: summary,
      active: str(row.jobStatus) !== 'Canceled',
    },
  };
}

/** The project of each name in the scope's company (or of no company), for the `project` dimension. */
export async function loadProjects(pc: PairContext): Promise<Map<string, string>> {
  const scope = await pc.scope();
  const rows = await pc.odoo.searchRead(
    'project.project',
    [
      ['name', '=', pc.options.jobProject],
      ['company_id', 'in', [scope.company, false]],
    ],
    {
      fields: ['id', 'name', 'company_id'],
      order: 'id asc',
      context: { allowed_company_ids: [scope.company] },
    },
  );
  // The company's own project before a shared one.
  const own = rows.filter((r) => Array.isArray(r.company_id) && r.company_id[0] === scope.company);
  const out = new Map<string, string>();
  for (const r of [...own, ...rows])
    if (typeof r.name === 'string' && !out.has(r.name)) out.set(r.name, String(r.id));
  return out;
}

export function jobTaskFlow(pc: PairContext, enrich: (rows: StRow[]) => Promise<StRow[]>): Flow {
  let cache: { company: number; sink: ReturnType<typeof projectTaskSink> } | undefined;
  const sink = (scope: Scope) => {
    if (cache?.company !== scope.company)
      cache = { company: scope.company, sink: projectTaskSink(pc.odoo, scope) };
    return cache.sink;
  };
  return stFlow(pc, {
    name: 'jobs',
    entity: 'job',
    source: 'jobs',
    target: 'project.task',
    description: `ServiceTitan jobs -> tasks of the Odoo project "${pc.options.jobProject}" (canceled jobs archived)`,
    enrich,
    map: (row, scope) => mapJobTask(row, scope, pc.options.jobProject),
    write: async (items, ctx, scope) => {
      const out: Array<{ ok: false; error: RecordError } | undefined> = [];
      const ready = [];
      for (const item of items) {
        const p = item.payload;
        const partner = await ctx.dims.get('customer', p.partnerRef);
        const project = await ctx.dims.get('project', p.project);
        if (!partner || !project) {
          out.push({
            ok: false,
            error: new RecordError(`a record ${p.ref} names is no longer in Odoo`, {
              code: 'dimension.gone',
              hint: 'run the next pass, then `mlc replay <audit id>`',
            }),
          });
          continue;
        }
        out.push(undefined);
        ready.push({
          ref: p.ref,
          name: p.name,
          project: Number(project),
          partner: Number(partner),
          description: p.description,
          active: p.active,
        });
      }
      const written = toWriteResults(await sink(scope).write(ready));
      let k = 0;
      return out.map((r) => r ?? (written[k++] as WriteResult));
    },
  });
}
