import type { RunningSim } from './common/server.js';
import { startNetSuiteSim } from './netsuite/index.js';
import { startServiceTitanSim } from './servicetitan/index.js';
import { startOdooSim } from './odoo/index.js';
import { startServiceNowSim } from './servicenow/index.js';
import { startAcumaticaSim } from './acumatica/index.js';
import { startSalesforceSim } from './salesforce/index.js';

export interface SimStartOptions {
  seed: string;
  latencyMs: number;
  port?: number | undefined;
  odooVersion?: number | undefined;
}

export interface StartedSim {
  system: string;
  running: RunningSim;
  /** The connection block for mlc.yaml (credentials as `secret:` references) and the secrets to store. */
  connection(name: string): { config: Record<string, unknown>; secrets: Record<string, string> };
  /** Credentials to print for people (shown only by `mlc sim`, which runs on 127.0.0.1). */
  credentials: Record<string, string | number>;
}

/** The simulators mlc ships, one line each. */
export const SIMULATORS: Record<string, (o: SimStartOptions) => Promise<StartedSim>> = {
  odoo: async (o) => {
    const sim = await startOdooSim({
      seed: o.seed,
      latencyMs: o.latencyMs,
      ...(o.port === undefined ? {} : { port: o.port }),
      version: (o.odooVersion ?? 19) as 17 | 18 | 19,
    });
    const c = sim.credentials;
    return {
      system: 'odoo',
      running: sim,
      credentials: { ...c },
      connection: (name) => ({
        config: {
          system: 'odoo',
          url: sim.url,
          db: c.db,
          login: c.login,
          apiKey: `secret:${name}.api_key`,
          transport: 'auto',
        },
        secrets: { [`${name}.api_key`]: c.apiKey },
      }),
    };
  },
  servicenow: async (o) => {
    const sim = await startServiceNowSim({
      seed: o.seed,
      latencyMs: o.latencyMs,
      ...(o.port === undefined ? {} : { port: o.port }),
    });
    const c = sim.credentials;
    return {
      system: 'servicenow',
      running: sim,
      credentials: { ...c },
      connection: (name) => ({
        config: {
          system: 'servicenow',
          url: sim.url,
          auth: {
            kind: 'oauth_client_credentials',
            clientId: c.clientId,
            clientSecret: `secret:${name}.client_secret`,
          },
        },
        secrets: { [`${name}.client_secret`]: c.clientSecret },
      }),
    };
  },
  acumatica: async (o) => {
    const sim = await startAcumaticaSim({
      seed: o.seed,
      latencyMs: o.latencyMs,
      ...(o.port === undefined ? {} : { port: o.port }),
    });
    const c = sim.credentials;
    return {
      system: 'acumatica',
      running: sim,
      credentials: { ...c },
      connection: (name) => ({
        config: {
          system: 'acumatica',
          url: sim.url,
          endpointName: 'Default',
          endpointVersion: '24.200.001',
          auth: {
            kind: 'oauth_password',
            clientId: c.clientId,
            clientSecret: `secret:${name}.client_secret`,
            username: c.username,
            password: `secret:${name}.password`,
          },
        },
        secrets: { [`${name}.client_secret`]: c.clientSecret, [`${name}.password`]: c.password },
      }),
    };
  },
  salesforce: async (o) => {
    const sim = await startSalesforceSim({
      seed: o.seed,
      latencyMs: o.latencyMs,
      ...(o.port === undefined ? {} : { port: o.port }),
    });
    const c = sim.credentials;
    return {
      system: 'salesforce',
      running: sim,
      credentials: { clientId: c.clientId, clientSecret: c.clientSecret, username: c.username },
      connection: (name) => ({
        config: {
          system: 'salesforce',
          url: sim.url,
          apiVersion: '62.0',
          auth: {
            kind: 'client_credentials',
            clientId: c.clientId,
            clientSecret: `secret:${name}.client_secret`,
          },
        },
        secrets: { [`${name}.client_secret`]: c.clientSecret },
      }),
    };
  },
  netsuite: async (o) => {
    const sim = await startNetSuiteSim({
      seed: o.seed,
      latencyMs: o.latencyMs,
      ...(o.port === undefined ? {} : { port: o.port }),
    });
    const c = sim.credentials;
    const [kid, cert] = Object.entries(c.certificates)[0]!;
    return {
      system: 'netsuite',
      running: sim,
      credentials: {
        account: c.account,
        clientId: c.clientId,
        certificateId: kid,
        timeZone: sim.system.timeZone,
      },
      connection: (name) => ({
        config: {
          system: 'netsuite',
          account: c.account,
          url: sim.url,
          timeZone: sim.system.timeZone,
          auth: {
            kind: 'oauth_m2m',
            clientId: c.clientId,
            certificateId: kid,
            algorithm: cert.algorithm,
            privateKey: `secret:${name}.private_key`,
          },
        },
        secrets: { [`${name}.private_key`]: cert.privateKey },
      }),
    };
  },
  servicetitan: async (o) => {
    const sim = await startServiceTitanSim({
      seed: o.seed,
      latencyMs: o.latencyMs,
      ...(o.port === undefined ? {} : { port: o.port }),
    });
    const [first] = sim.tenants;
    if (!first) throw new Error('the ServiceTitan simulator has no tenant');
    return {
      system: 'servicetitan',
      running: sim,
      credentials: {
        appKey: sim.appKey,
        ...Object.fromEntries(
          sim.tenants.map((t) => [`tenant ${t.tenantId}`, `${t.clientId} / ${t.clientSecret}`]),
        ),
      },
      connection: (name) => ({
        config: {
          system: 'servicetitan',
          url: sim.url,
          tenantId: first.tenantId,
          clientId: first.clientId,
          clientSecret: `secret:${name}.client_secret`,
          appKey: `secret:${name}.app_key`,
        },
        secrets: { [`${name}.client_secret`]: first.clientSecret, [`${name}.app_key`]: sim.appKey },
      }),
    };
  },
};
