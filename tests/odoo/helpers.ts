import { OdooClient, type OdooConnection } from '../../src/systems/odoo/client.js';
import { startOdooSim } from '../../src/sim/odoo/index.js';
import type { OdooSimOptions } from '../../src/sim/odoo/server.js';
import type { FaultRule } from '../../src/sim/common/server.js';

export type RunningOdoo = Awaited<ReturnType<typeof startOdooSim>>;

export const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 1500 };

export function startSim(opts: OdooSimOptions = {}): Promise<RunningOdoo> {
  return startOdooSim(opts);
}

export function clientFor(
  sim: RunningOdoo,
  transport: OdooConnection['transport'],
  extra: Partial<OdooConnection> = {},
): OdooClient {
  return new OdooClient(
    { url: sim.url, ...sim.credentials, transport, timeoutMs: 10_000, ...extra },
    { connection: 'odoo-test', retry: FAST_RETRY },
  );
}

export async function control(sim: RunningOdoo, route: string, body: unknown = {}): Promise<unknown> {
  const res = await fetch(`${sim.url}/_sim/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as unknown;
  if (res.status !== 200) throw new Error(`control ${route} failed: ${JSON.stringify(answer)}`);
  return answer;
}

/** Runs an ORM call as the admin, like a user editing data in the UI (stamps write_date). */
export async function exec(
  sim: RunningOdoo,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
): Promise<unknown> {
  const answer = (await control(sim, 'exec', { model, method, args, kwargs })) as { result: unknown };
  return answer.result;
}

export async function dump(
  sim: RunningOdoo,
  model: string,
): Promise<Array<Record<string, unknown> & { id: number; write_date: string; write_date_us: number }>> {
  const res = await fetch(`${sim.url}/_sim/state?name=${encodeURIComponent(model)}`);
  return (await res.json()) as Array<
    Record<string, unknown> & { id: number; write_date: string; write_date_us: number }
  >;
}

export function fault(sim: RunningOdoo, rule: FaultRule): void {
  sim.faults.add(rule);
}

/** Raw XML-RPC request (to observe the server's framing without the client's normalisation). */
export async function rawXmlRpc(
  sim: RunningOdoo,
  service: 'common' | 'object',
  body: string,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${sim.url}/xmlrpc/2/${service}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body,
  });
  return { status: res.status, text: await res.text() };
}

export async function rawJson2(
  sim: RunningOdoo,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `bearer ${sim.credentials.apiKey}`,
      'content-type': 'application/json',
      ...headers,
    },
    body,
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

export async function collect<T>(gen: AsyncGenerator<T[]>): Promise<T[][]> {
  const pages: T[][] = [];
  for await (const page of gen) pages.push(page);
  return pages;
}

export async function expectRejects(p: Promise<unknown>): Promise<
  Error & {
    code?: string;
    kind?: string;
    retryAfterMs?: number;
    hint?: string;
    status?: number;
    data?: Record<string, unknown>;
  }
> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string; kind?: string };
  }
  throw new Error('expected the call to fail');
}
