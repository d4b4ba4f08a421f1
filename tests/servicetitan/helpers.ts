import type { RetryPolicy } from '../../src/http/retry.js';
import { startServiceTitanSim, type ServiceTitanSimOptions } from '../../src/sim/servicetitan/index.js';
import { ServiceTitanClient } from '../../src/systems/servicetitan/index.js';
import type { ServiceTitanConnection } from '../../src/systems/servicetitan/transport.js';
import type { ClientContext } from '../../src/systems/types.js';

export type Sim = Awaited<ReturnType<typeof startServiceTitanSim>>;

export const FAST_RETRY: Partial<RetryPolicy> = { baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 1500 };

export async function startSim(opts: ServiceTitanSimOptions = {}): Promise<Sim> {
  return startServiceTitanSim({ seed: 'demo', ...opts });
}

/** A client of one of the simulator's tenants (index 0 or 1). */
export function client(
  sim: Sim,
  tenantIndex = 0,
  extra: Partial<ServiceTitanConnection> = {},
  ctx: Partial<ClientContext> = {},
): ServiceTitanClient {
  const t = sim.tenants[tenantIndex];
  if (!t) throw new Error(`no tenant ${tenantIndex}`);
  return new ServiceTitanClient(
    {
      url: sim.url,
      tenantId: t.tenantId,
      clientId: t.clientId,
      clientSecret: t.clientSecret,
      appKey: sim.appKey,
      ...extra,
    },
    { connection: `st-test-${tenantIndex}`, retry: FAST_RETRY, ...ctx },
  );
}

export async function control(
  sim: Sim,
  route: string,
  body: unknown = {},
  method = 'POST',
): Promise<unknown> {
  const res = await fetch(`${sim.url}/_sim/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: method === 'GET' || method === 'DELETE' ? null : JSON.stringify(body),
  });
  return res.json();
}

export async function token(sim: Sim, tenantIndex = 0): Promise<string> {
  const t = sim.tenants[tenantIndex];
  if (!t) throw new Error('no tenant');
  const res = await fetch(`${sim.url}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: t.clientId,
      client_secret: t.clientSecret,
    }).toString(),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A raw API call with both headers. */
export async function raw(
  sim: Sim,
  method: string,
  path: string,
  opts: { token?: string; appKey?: string | null; body?: unknown } = {},
): Promise<{ status: number; body: unknown; text: string; headers: Headers }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.appKey !== null) headers['st-app-key'] = opts.appKey ?? sim.appKey;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    body:
      opts.body === undefined ? null : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

export const WINDOW_ALL = { since: null, until: new Date(Date.now() + 86_400_000) };

export async function collect<T>(gen: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of gen) out.push(...page);
  return out;
}
