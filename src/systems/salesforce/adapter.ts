import type { SystemAdapter } from '../registry.js';
import { SalesforceClient } from './client.js';
import {
  salesforceConnectionSchema,
  salesforceSecretFields,
  type SalesforceConnectionConfig,
} from './connection.js';
import type { SalesforceRequirement } from './ping.js';

export const salesforceAdapter: SystemAdapter<
  SalesforceConnectionConfig,
  SalesforceClient,
  SalesforceRequirement
> = {
  system: 'salesforce',
  schema: salesforceConnectionSchema,
  secretFields: salesforceSecretFields,
  connect: (conn, ctx) =>
    new SalesforceClient(
      {
        url: conn.url,
        apiVersion: conn.apiVersion,
        auth: conn.auth,
        dailyApiShare: conn.dailyApiShare,
        ...(conn.timeoutMs === undefined ? {} : { timeoutMs: conn.timeoutMs }),
        ...(conn.batchSize === undefined ? {} : { batchSize: conn.batchSize }),
        ...(conn.queryBatchSize === undefined ? {} : { queryBatchSize: conn.queryBatchSize }),
        ...(conn.concurrency === undefined ? {} : { concurrency: conn.concurrency }),
      },
      { ...ctx, ...(conn.retry === undefined ? {} : { retry: conn.retry }) },
    ),
  ping: (client, requirements) => {
    const merged = new Map<string, SalesforceRequirement>();
    for (const r of requirements) {
      const prev = merged.get(r.sobject);
      merged.set(r.sobject, {
        ...prev,
        ...r,
        fields: [...new Set([...(prev?.fields ?? []), ...r.fields])],
        optional: (prev?.optional ?? true) && r.optional === true,
        writes: prev?.writes === true || r.writes === true,
      });
    }
    return client.ping(connectionName(client), [...merged.values()]);
  },
  close: (client) => client.close(),
};

function connectionName(client: SalesforceClient): string {
  return client.transport.ctx.connection;
}
