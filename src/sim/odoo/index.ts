import { startSimServer, type RunningSim, type SimSystem } from '../common/server.js';
import { OdooSim, type OdooSimOptions } from './server.js';

export { OdooSim, type OdooSimOptions } from './server.js';
export type { SimVersion } from './models.js';

export interface OdooSimCredentials {
  db: string;
  login: string;
  apiKey: string;
}

/**
 * A simulated Odoo (17, 18 or 19; default 19). Defaults: db `acme`, login `mlc-bot`, a fresh
 * 40-hex API key per instance, seed `demo`.
 */
export function createOdooSim(
  opts: OdooSimOptions = {},
): SimSystem & { credentials: OdooSimCredentials; sim: OdooSim } {
  return new OdooSim(opts);
}

export async function startOdooSim(
  opts: OdooSimOptions & { port?: number; latencyMs?: number } = {},
): Promise<RunningSim & { credentials: OdooSimCredentials; sim: OdooSim }> {
  const { port, latencyMs, ...simOptions } = opts;
  const sim = new OdooSim(simOptions);
  const running = await startSimServer(sim, {
    ...(port === undefined ? {} : { port }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
  });
  return Object.assign(running, { credentials: sim.credentials, sim });
}
