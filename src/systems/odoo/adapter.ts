import type { SystemAdapter } from '../registry.js';
import { OdooClient } from './client.js';
import { odooConnectionSchema, odooSecretFields, type OdooConnectionConfig } from './connection.js';

/** What a pair asks `mlc ping` to verify on Odoo: a model and the fields its flows read or write. */
export interface OdooRequirement {
  model: string;
  fields: string[];
}

export const odooAdapter: SystemAdapter<OdooConnectionConfig, OdooClient, OdooRequirement> = {
  system: 'odoo',
  schema: odooConnectionSchema,
  secretFields: odooSecretFields,
  connect: (conn, ctx) =>
    new OdooClient(
      {
        url: conn.url,
        db: conn.db,
        login: conn.login,
        apiKey: conn.apiKey,
        transport: conn.transport,
        ...(conn.timeoutMs === undefined ? {} : { timeoutMs: conn.timeoutMs }),
        ...(conn.pageSize === undefined ? {} : { pageSize: conn.pageSize }),
        ...(conn.batchSize === undefined ? {} : { batchSize: conn.batchSize }),
      },
      { ...ctx, ...(conn.retry === undefined ? {} : { retry: conn.retry }) },
    ),
  ping: (client, requirements) => {
    const required: Record<string, string[]> = {};
    for (const r of requirements)
      required[r.model] = [...new Set([...(required[r.model] ?? []), ...r.fields])];
    return client.ping(required);
  },
  close: (client) => client.close(),
};
