/**
 * Project tasks (project.task). A task has no free reference field, so its key is an external id
 * (`ir.model.data`): module `TASK_MODULE`, name from the source reference (`taskXmlIdName`), written
 * with the task by the client's `loadByXmlId` (ORM `load`): a new id creates the task, a known one
 * updates it, so a repeated write never makes a second task.
 */
import { InternalError } from '../../../errors.js';
import type { OdooClient } from '../client.js';
import { companyContext, refusedAsRecords, type SinkResult, type SinkScope } from './common.js';

/**
 * The module of mlc's external ids. Double underscores, as Odoo's own `__import__` and `__export__`,
 * mark ids no installed module owns: a module update never rewrites or deletes them.
 */
export const TASK_MODULE = '__mlc__';

export interface TaskItem {
  /** The source reference (`sourceRef(...)`); the external id's name is derived from it. */
  ref: string;
  name: string;
  /** project.project id (in the sink's company, or shared). */
  project: number;
  /** res.partner id of the customer, or null. */
  partner: number | null;
  /** Plain text, stored as the task's HTML description. */
  description?: string;
  /** Deadline as a UTC datetime `YYYY-MM-DD HH:MM:SS`, or null for none. */
  deadline?: string | null;
  /** false archives the task. */
  active?: boolean;
}

/**
 * The external id name of a reference: its dots become underscores (`ST1000001.C1.JOB.42` ->
 * `ST1000001_C1_JOB_42`), since Odoo splits `module.name` at the first dot and its data files
 * refuse a second one. A reference holding `_` or another character would not map one to one.
 */
export function taskXmlIdName(ref: string): string {
  if (!/^[A-Za-z0-9.-]+$/.test(ref))
    throw new InternalError(`reference "${ref}" cannot be an external id (letters, digits, . and - only)`, {
      code: 'odoo.bad_xmlid',
    });
  return ref.replace(/\./g, '_');
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function projectTaskSink(odoo: OdooClient, scope: SinkScope) {
  return {
    model: 'project.task',
    async write(items: TaskItem[]): Promise<SinkResult[]> {
      return refusedAsRecords(items.length, 'tasks (project.task)', async () => {
        const names = items.map((i) => taskXmlIdName(i.ref));
        const known = await odoo.xmlIdsOf('project.task', TASK_MODULE, names);
        const results = await odoo.loadByXmlId(
          'project.task',
          TASK_MODULE,
          items.map((i, n) => ({
            name: names[n] as string,
            values: {
              name: i.name,
              'project_id/.id': i.project,
              'company_id/.id': scope.company,
              'partner_id/.id': i.partner,
              description: i.description ? `<p>${escapeHtml(i.description)}</p>` : '',
              date_deadline: i.deadline ?? '',
              active: i.active !== false,
            },
          })),
          // The import reads datetimes in the context's time zone: UTC, as the deadline is given.
          { context: { ...companyContext(scope), tz: 'UTC' } },
        );
        return results.map((r): SinkResult => {
          if (r.error) return { ok: false, error: r.error };
          if (r.id === undefined)
            throw new InternalError(`Odoo load wrote no task for ${r.name}`, { code: 'odoo.not_written' });
          return { ok: true, id: r.id, created: !known.has(r.name) };
        });
      });
    },
  };
}
