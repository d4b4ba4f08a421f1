import {
  AcumaticaClient,
  type AcumaticaAuth,
  type AcumaticaConnection,
} from '../../src/systems/acumatica/index.js';
import type { RetryPolicy } from '../../src/http/retry.js';
import type { ClientContext } from '../../src/systems/types.js';
import type { startAcumaticaSim } from '../../src/sim/acumatica/index.js';

export type Sim = Awaited<ReturnType<typeof startAcumaticaSim>>;

export const FAST_RETRY: Partial<RetryPolicy> = { baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 1500 };

export function oauth(sim: Sim): AcumaticaAuth {
  const c = sim.credentials;
  return {
    kind: 'oauth_password',
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    username: c.username,
    password: c.password,
  };
}

export function cookie(sim: Sim): AcumaticaAuth {
  const c = sim.credentials;
  return { kind: 'cookie', username: c.username, password: c.password, tenant: c.tenant };
}

export function client(
  sim: Sim,
  extra: Partial<AcumaticaConnection> = {},
  ctx: Partial<ClientContext> = {},
): AcumaticaClient {
  return new AcumaticaClient(
    { url: sim.url, auth: oauth(sim), ...extra },
    { connection: 'acu-test', retry: FAST_RETRY, ...ctx },
  );
}

export async function control(sim: Sim, route: string, body: unknown, method = 'POST'): Promise<unknown> {
  const res = await fetch(`${sim.url}/_sim/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: method === 'GET' ? null : JSON.stringify(body),
  });
  return res.json();
}

export function memoryStore(initial?: string): {
  tokens: string[];
  load(): Promise<string | undefined>;
  save(t: string): Promise<void>;
} {
  const tokens: string[] = initial ? [initial] : [];
  return {
    tokens,
    load: async () => tokens[tokens.length - 1],
    save: async (t: string) => {
      tokens.push(t);
    },
  };
}
