import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import { ServiceNowClient, type ServiceNowAuth } from '../../src/systems/servicenow/client.js';
import type { Logger } from '../../src/systems/types.js';

export type Sim = Awaited<ReturnType<typeof startServiceNowSim>>;

export const RETRY = { baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 1500, attempts: 5 };

export interface ClientOptions {
  auth?: ServiceNowAuth;
  pageSize?: number;
  batchSize?: number;
  log?: Logger;
}

export function snClient(sim: Sim, o: ClientOptions = {}): ServiceNowClient {
  const c = sim.credentials;
  return new ServiceNowClient(
    {
      url: sim.url,
      auth: o.auth ?? {
        kind: 'oauth_client_credentials',
        clientId: c.clientId,
        clientSecret: c.clientSecret,
      },
      ...(o.pageSize === undefined ? {} : { pageSize: o.pageSize }),
      ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
    },
    { connection: 'servicenow', retry: RETRY, ...(o.log ? { log: o.log } : {}) },
  );
}

/** A logger that keeps debug lines (the client logs every retry with its delay). */
export function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m) };
}

export async function control(sim: Sim, method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sim.url}/_sim/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export async function stats(sim: Sim): Promise<{ requests: number; byRoute: Record<string, number> }> {
  return (await (await fetch(`${sim.url}/_sim/stats`)).json()) as {
    requests: number;
    byRoute: Record<string, number>;
  };
}

export function basic(sim: Sim): string {
  return `Basic ${Buffer.from(`${sim.credentials.username}:${sim.credentials.password}`).toString('base64')}`;
}

/** A raw request as an admin tool would send it (Basic auth, JSON). */
export async function raw(
  sim: Sim,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      authorization: basic(sim),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export const window = (): { since: null; until: Date } => ({
  since: null,
  until: new Date(Date.now() + 3_600_000),
});
export const costCenter = (code: string, name = `Center ${code}`): Record<string, string> => ({
  u_code: code,
  u_name: name,
  u_erp_source: 'ODOO',
});

/** Token counters of the simulator: tokens issued, token requests per grant type, requests refused with 401. */
export async function authState(
  sim: Sim,
): Promise<{ issued: number; refused: number; grants: Record<string, number> }> {
  return (await (await fetch(`${sim.url}/_sim/state?name=auth`)).json()) as {
    issued: number;
    refused: number;
    grants: Record<string, number>;
  };
}
