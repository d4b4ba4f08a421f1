import type { SystemAdapter } from '../registry.js';
import { NetSuiteClient } from './client.js';
import {
  netSuiteConnectionSchema,
  netSuiteSecretFields,
  type NetSuiteConnectionConfig,
} from './connection.js';

/** What a pair asks `mlc ping` to verify on NetSuite: a SuiteQL table its flows read. */
export interface NetSuiteRequirement {
  table: string;
}

export const netSuiteAdapter: SystemAdapter<NetSuiteConnectionConfig, NetSuiteClient, NetSuiteRequirement> = {
  system: 'netsuite',
  schema: netSuiteConnectionSchema as never,
  secretFields: netSuiteSecretFields,
  connect: (conn, ctx) =>
    new NetSuiteClient(conn, { ...ctx, ...(conn.retry === undefined ? {} : { retry: conn.retry }) }),
  ping: (client, requirements) => client.ping([...new Set(requirements.map((r) => r.table))]),
  close: (client) => client.close(),
};
