import type { SystemAdapter } from '../registry.js';
import { ServiceTitanClient } from './client.js';
import {
  serviceTitanConnectionSchema,
  serviceTitanSecretFields,
  type ServiceTitanConnectionConfig,
} from './connection.js';
import type { ServiceTitanRequirement } from './ping.js';

export const serviceTitanAdapter: SystemAdapter<
  ServiceTitanConnectionConfig,
  ServiceTitanClient,
  ServiceTitanRequirement
> = {
  system: 'servicetitan',
  schema: serviceTitanConnectionSchema as unknown as SystemAdapter<ServiceTitanConnectionConfig>['schema'],
  secretFields: serviceTitanSecretFields,
  connect: (conn, ctx) =>
    new ServiceTitanClient(
      {
        environment: conn.environment,
        url: conn.url,
        authUrl: conn.authUrl,
        tenantId: conn.tenantId,
        clientId: conn.clientId,
        clientSecret: conn.clientSecret,
        appKey: conn.appKey,
        pageSize: conn.pageSize,
        requestsPerSecond: conn.requestsPerSecond,
        concurrency: conn.concurrency,
        timeoutMs: conn.timeoutMs,
        externalDataApplicationGuid: conn.externalDataApplicationGuid,
      },
      { ...ctx, ...(conn.retry === undefined ? {} : { retry: conn.retry }) },
    ),
  ping: (client, requirements) => client.ping(requirements),
  close: (client) => client.close(),
};
