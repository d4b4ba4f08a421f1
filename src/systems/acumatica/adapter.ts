import type { SystemAdapter } from '../registry.js';
import { AcumaticaClient, type AcumaticaProbe } from './client.js';
import {
  acumaticaConnectionSchema,
  acumaticaSecretFields,
  type AcumaticaConnectionConfig,
} from './connection.js';

/**
 * What a pair asks `mlc ping` to verify on Acumatica: each flow's real query (entity, `$filter`,
 * `$select`, `$expand`), sent with `$top=1`.
 */
export type AcumaticaRequirement = AcumaticaProbe;

export const acumaticaAdapter: SystemAdapter<
  AcumaticaConnectionConfig,
  AcumaticaClient,
  AcumaticaRequirement
> = {
  system: 'acumatica',
  schema: acumaticaConnectionSchema,
  secretFields: acumaticaSecretFields,
  connect: (conn, ctx, hooks) =>
    new AcumaticaClient(
      {
        url: conn.url,
        endpointName: conn.endpointName,
        endpointVersion: conn.endpointVersion,
        auth: conn.auth,
        ...(conn.timeoutMs === undefined ? {} : { timeoutMs: conn.timeoutMs }),
        ...(conn.pageSize === undefined ? {} : { pageSize: conn.pageSize }),
        ...(conn.concurrency === undefined ? {} : { concurrency: conn.concurrency }),
        ...(conn.requestsPerMinute === undefined ? {} : { requestsPerMinute: conn.requestsPerMinute }),
        refreshTokenStore: {
          load: () => hooks.rotating.load('refresh_token'),
          save: (token) => hooks.rotating.save('refresh_token', token),
        },
      },
      { ...ctx, ...(conn.retry === undefined ? {} : { retry: conn.retry }) },
    ),
  ping: (client, requirements) =>
    client.ping([...new Map(requirements.map((r) => [JSON.stringify(r), r])).values()]),
  close: (client) => client.close(),
};
