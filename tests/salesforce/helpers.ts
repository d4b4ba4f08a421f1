import { startSalesforceSim, type SalesforceSimOptions } from '../../src/sim/salesforce/index.js';
import { SalesforceClient } from '../../src/systems/salesforce/client.js';
import type { SalesforceConnection } from '../../src/systems/salesforce/transport.js';
import type { Logger } from '../../src/systems/types.js';

export type Sim = Awaited<ReturnType<typeof startSalesforceSim>>;

export const RETRY = { baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 500, attempts: 4 };

export function startSim(opts: SalesforceSimOptions = {}): Promise<Sim> {
  return startSalesforceSim({ seed: 'demo', ...opts });
}

export function sfClient(
  sim: Sim,
  o: Partial<SalesforceConnection> & {
    log?: Logger;
    onRequest?: (i: { method: string; path: string }) => void;
  } = {},
): SalesforceClient {
  const c = sim.credentials;
  const { log, onRequest, ...conn } = o;
  return new SalesforceClient(
    {
      url: sim.url,
      apiVersion: '62.0',
      auth: { kind: 'client_credentials', clientId: c.clientId, clientSecret: c.clientSecret },
      ...conn,
    },
    { connection: 'salesforce', retry: RETRY, ...(log ? { log } : {}), ...(onRequest ? { onRequest } : {}) },
  );
}

export function jwtAuth(
  sim: Sim,
  over: Partial<{ username: string; audience: string; privateKey: string }> = {},
): SalesforceConnection['auth'] {
  const c = sim.credentials;
  return {
    kind: 'jwt_bearer',
    clientId: c.clientId,
    username: over.username ?? c.username,
    privateKey: over.privateKey ?? c.privateKey,
    audience: over.audience ?? 'https://login.salesforce.com',
  };
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

/** Raw REST call with a fresh client-credentials session (for simulator tests). */
export async function rest(
  sim: Sim,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const c = sim.credentials;
  const tok = await fetch(`${sim.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: c.clientId,
      client_secret: c.clientSecret,
    }).toString(),
  });
  const { access_token } = (await tok.json()) as { access_token: string };
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export const WINDOW_ALL = { since: null, until: new Date(Date.now() + 3600_000) };
