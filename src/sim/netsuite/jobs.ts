import { json, type SimResponse } from '../common/server.js';
import { errorBody } from './wire.js';

/**
 * Asynchronous record requests (api notes §4.3): `Prefer: respond-async` gets 202,
 * `Preference-Applied: respond-async` and a job `Location`; the job, its task and the task's result
 * (the answer the request would have had) are read under `/services/rest/async/v1/job/{id}`.
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/chapter_161251386312.html
 */
export const ASYNC_PATH = 'services/rest/async/v1/job';

interface Job {
  id: string;
  answer: SimResponse;
  started: string;
  ended: string;
}

export class AsyncJobs {
  private readonly jobs = new Map<string, Job>();
  private next = 1000;

  /** Runs nothing later: the request already ran; the job holds its answer. */
  submit(answer: SimResponse, base: string): SimResponse {
    const id = String((this.next += 1));
    const now = new Date().toISOString();
    this.jobs.set(id, { id, answer, started: now, ended: now });
    return {
      status: 202,
      headers: { 'preference-applied': 'respond-async', location: `${base}/${ASYNC_PATH}/${id}` },
    };
  }

  /** `{id}`, `{id}/task`, `{id}/task/{taskId}`, `{id}/task/{taskId}/result`. */
  read(rest: string, base: string): SimResponse {
    const [id = '', task, taskId, result, ...more] = rest.split('/');
    const job = this.jobs.get(id);
    if (
      !job ||
      more.length > 0 ||
      (task !== undefined && task !== 'task') ||
      (taskId !== undefined && taskId !== id)
    )
      return errorBody(404, 'NONEXISTENT_ID', 'The record instance does not exist.');
    const taskLink = { rel: 'related', href: `${base}/${ASYNC_PATH}/${id}/task/${id}` };
    if (task === undefined)
      return json(200, {
        links: [{ rel: 'self', href: `${base}/${ASYNC_PATH}/${id}` }],
        id,
        completed: true,
        progress: 'succeeded',
        task: { links: [taskLink] },
      });
    if (taskId === undefined)
      return json(200, { links: [], items: [{ links: [taskLink], id }], totalResults: 1 });
    if (result === undefined)
      return json(200, {
        links: [taskLink],
        id,
        completed: true,
        progress: 'succeeded',
        startTime: job.started,
        endTime: job.ended,
      });
    if (result !== 'result') return errorBody(404, 'NONEXISTENT_ID', 'The record instance does not exist.');
    return job.answer;
  }
}
