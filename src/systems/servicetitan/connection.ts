import { z } from 'zod';
import { credential, retrySchema } from '../connection.js';

/**
 * A ServiceTitan connection in mlc.yaml: one tenant of one developer app. The app key is one per
 * app; the client id/secret are generated per tenant when the tenant connects the app
 * (https://developer.servicetitan.io/docs/faqs-app-key-client-id-secret). Several tenants are
 * several connections sharing the app key; the 60 requests/second budget is per (app key, tenant).
 */
export const SERVICETITAN_HOSTS = {
  production: { api: 'https://api.servicetitan.io', auth: 'https://auth.servicetitan.io' },
  integration: {
    api: 'https://api-integration.servicetitan.io',
    auth: 'https://auth-integration.servicetitan.io',
  },
} as const;

const httpUrl = z.url({ message: 'expected an http(s) URL such as https://api.servicetitan.io' });

export const serviceTitanConnectionSchema = z
  .object({
    system: z.literal('servicetitan'),
    /** `integration` is the sandbox (https://developer.servicetitan.io/docs/overview). */
    environment: z.enum(['production', 'integration']).default('production'),
    /** Overrides the environment's API host (a simulator, a proxy). */
    url: httpUrl.optional(),
    /** Overrides the environment's identity host (`/connect/token` is appended). */
    authUrl: httpUrl.optional(),
    tenantId: z
      .union([z.number().int().positive(), z.string().regex(/^\d+$/, 'expected a numeric tenant id')])
      .transform((v) => String(v)),
    clientId: z.string().min(1, 'expected the client id the tenant generated (cid.…)'),
    clientSecret: credential,
    appKey: credential,
    /** Records per list page (1–5000; the server's default of 50 wastes the request budget). */
    pageSize: z.number().int().min(1).max(5000).optional(),
    /** Request budget of this app for this tenant, default 60 per second. */
    requestsPerSecond: z.number().int().min(1).max(60).optional(),
    /** Requests in flight at once, default 8. */
    concurrency: z.number().int().min(1).max(32).optional(),
    /** Whole-request timeout; the server gives up at 100 s (docs/timeouts-and-pagination). */
    timeoutMs: z.number().int().min(1000).max(600_000).optional(),
    /** Application GUID whose `externalData` the reads return and the writes stamp. */
    externalDataApplicationGuid: z.uuid().optional(),
    retry: retrySchema.optional(),
  })
  .strict();

export type ServiceTitanConnectionConfig = z.infer<typeof serviceTitanConnectionSchema>;

export const serviceTitanSecretFields = ['clientSecret', 'appKey'];

/** The API and identity base URLs of a connection. */
export function serviceTitanHosts(conn: {
  environment?: 'production' | 'integration' | undefined;
  url?: string | undefined;
  authUrl?: string | undefined;
}): { api: string; auth: string } {
  const hosts = SERVICETITAN_HOSTS[conn.environment ?? 'production'];
  return {
    api: (conn.url ?? hosts.api).replace(/\/+$/, ''),
    auth: (conn.authUrl ?? conn.url ?? hosts.auth).replace(/\/+$/, ''),
  };
}
