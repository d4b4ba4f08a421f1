import type { SystemAdapter } from '../registry.js';
import { OdooClient } from './client.js';
import { odooConnectionSchema, odooSecretFields, type OdooConnectionConfig } from './connection.js';

/** What a pair asks `mlc ping` to verify on Odoo: a model and the fields its flows read or write. */
export interface OdooRequirement {
  model: string;
  fields: string[];
  /** Write rights a flow needs on the model (checked by `mlc ping` besides a real read). */
  access?: Array<'write' | 'create' | 'unlink'>;
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
    const access: Record<string, Array<'write' | 'create' | 'unlink'>> = {};
    for (const r of requirements) {
      required[r.model] = [...new Set([...(required[r.model] ?? []), ...r.fields])];
      if (r.access?.length) access[r.model] = [...new Set([...(access[r.model] ?? []), ...r.access])];
    }
    return client.ping(required, access);
  },
  close: (client) => client.close(),
};
