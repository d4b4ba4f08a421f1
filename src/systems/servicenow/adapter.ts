import type { SystemAdapter } from '../registry.js';
import { ServiceNowClient } from './client.js';
import {
  serviceNowConnectionSchema,
  serviceNowSecretFields,
  type ServiceNowConnectionConfig,
} from './connection.js';
import type { ServiceNowRequirement } from './ping.js';

export type { ServiceNowRequirement } from './ping.js';

export const serviceNowAdapter: SystemAdapter<
  ServiceNowConnectionConfig,
  ServiceNowClient,
  ServiceNowRequirement
> = {
  system: 'servicenow',
  schema: serviceNowConnectionSchema,
  secretFields: serviceNowSecretFields,
  connect: (conn, ctx) =>
    new ServiceNowClient(
      {
        url: conn.url,
        auth: conn.auth,
        ...(conn.timeoutMs === undefined ? {} : { timeoutMs: conn.timeoutMs }),
        ...(conn.pageSize === undefined ? {} : { pageSize: conn.pageSize }),
        ...(conn.batchSize === undefined ? {} : { batchSize: conn.batchSize }),
        ...(conn.concurrency === undefined ? {} : { concurrency: conn.concurrency }),
      },
      { ...ctx, ...(conn.retry === undefined ? {} : { retry: conn.retry }) },
    ),
  ping: (client, requirements) => {
    const staging = requirements.filter(
      (r): r is Extract<ServiceNowRequirement, { staging: string }> => 'staging' in r,
    );
    const tables = requirements.filter(
      (r): r is Extract<ServiceNowRequirement, { table: string }> => 'table' in r,
    );
    return client.ping(staging, tables);
  },
  preflight: (client, requirements) => client.preflight(requirements),
  close: (client) => client.close(),
};
