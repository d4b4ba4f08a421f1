import type { RetryPolicy } from '../../src/http/retry.js';
import type { SimServerOptions } from '../../src/sim/common/server.js';
import { startNetSuiteSim, type NetSuiteSimOptions } from '../../src/sim/netsuite/index.js';
import { NetSuiteClient } from '../../src/systems/netsuite/client.js';
import {
  netSuiteConnectionSchema,
  type NetSuiteConnectionConfig,
} from '../../src/systems/netsuite/connection.js';
import type { ClientContext } from '../../src/systems/types.js';

export type Sim = Awaited<ReturnType<typeof startNetSuiteSim>>;

export const FAST_RETRY: Partial<RetryPolicy> = {
  baseDelayMs: 5,
  maxDelayMs: 80,
  maxTotalMs: 20_000,
  attempts: 8,
};

let accounts = 0;

/**
 * A simulator for one test. Each gets its own account id, because mlc's concurrency limiter is per
 * account and shared by the whole process.
 */
export function startSim(opts: NetSuiteSimOptions & SimServerOptions = {}): Promise<Sim> {
  accounts += 1;
  return startNetSuiteSim({ seed: 'demo', account: `TSTDRV${100000 + accounts}`, ...opts });
}

export type AuthKind = 'PS256' | 'ES256' | 'tba';

export function connection(
  sim: Sim,
  kind: AuthKind = 'PS256',
  extra: Record<string, unknown> = {},
): NetSuiteConnectionConfig {
  const c = sim.credentials;
  const cert = Object.entries(c.certificates).find(([, v]) => v.algorithm === kind);
  const auth =
    kind === 'tba'
      ? {
          kind: 'tba',
          consumerKey: c.consumerKey,
          consumerSecret: c.consumerSecret,
          tokenId: c.tokenId,
          tokenSecret: c.tokenSecret,
        }
      : {
          kind: 'oauth_m2m',
          clientId: c.clientId,
          certificateId: cert![0],
          algorithm: kind,
          privateKey: cert![1].privateKey,
        };
  return netSuiteConnectionSchema.parse({
    system: 'netsuite',
    account: c.account,
    url: sim.url,
    timeZone: sim.system.timeZone,
    auth,
    ...extra,
  });
}

export function client(
  sim: Sim,
  kind: AuthKind = 'PS256',
  extra: Record<string, unknown> = {},
  ctx: Partial<ClientContext> = {},
): NetSuiteClient {
  return new NetSuiteClient(connection(sim, kind, extra), {
    connection: 'ns-test',
    retry: FAST_RETRY,
    ...ctx,
  });
}

export async function control(sim: Sim, route: string, body: unknown = {}): Promise<unknown> {
  const res = await fetch(`${sim.url}/_sim/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.json();
}

export const TOKEN_ROUTE = 'POST /services/rest/auth/oauth2/v1/token';
