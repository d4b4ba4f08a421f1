import { z } from 'zod';
import { baseConnection, credential } from '../connection.js';

/**
 * Hosts that answer the client-credentials grant with "request not supported on this domain": the
 * flow works on the org's My Domain only
 * (https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_client_credentials_flow.htm).
 */
const GENERIC_LOGIN_HOSTS = new Set(['login.salesforce.com', 'test.salesforce.com']);

export const salesforceConnectionSchema = z
  .object({
    system: z.literal('salesforce'),
    ...baseConnection,
    /** Pinned REST API version, sent in every path; versions 30.0 and older are retired (410). */
    apiVersion: z
      .string()
      .regex(/^\d{2,3}\.0$/, 'expected an API version such as 62.0')
      .refine((v) => Number(v) >= 31, 'API versions 30.0 and older are retired (the org answers 410 GONE)')
      .default('62.0'),
    auth: z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('client_credentials'),
          clientId: z.string().min(1),
          clientSecret: credential,
        })
        .strict(),
      z
        .object({
          kind: z.literal('jwt_bearer'),
          clientId: z.string().min(1),
          /** The Salesforce username the integration runs as (pre-authorized on the app). */
          username: z.string().min(1),
          /** PEM private key of the certificate uploaded to the connected app. */
          privateKey: credential,
          /** `aud` claim: https://login.salesforce.com (production) or https://test.salesforce.com (sandbox). */
          audience: z.url().default('https://login.salesforce.com'),
        })
        .strict(),
    ]),
    /**
     * Share of the org's remaining daily API requests one pass may spend (0 < share ≤ 1). The rest is
     * left to the org's other integrations; a pass that reaches its share stops cleanly and resumes
     * on the next run.
     */
    dailyApiShare: z.number().gt(0).max(1).default(0.5),
    /** sObject Collections records per call (at most 200). */
    batchSize: z.number().int().min(1).max(200).optional(),
    /** `Sforce-Query-Options: batchSize=` hint, 200–2000. */
    queryBatchSize: z.number().int().min(200).max(2000).optional(),
    concurrency: z.number().int().min(1).max(16).optional(),
  })
  .strict()
  .superRefine((conn, ctx) => {
    let host = '';
    try {
      host = new URL(conn.url).hostname.toLowerCase();
    } catch {
      return;
    }
    if (GENERIC_LOGIN_HOSTS.has(host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: `use the org's My Domain URL (https://<mydomain>.my.salesforce.com), not ${host}: the OAuth flows mlc uses are refused there`,
      });
    }
  });

export type SalesforceConnectionConfig = z.infer<typeof salesforceConnectionSchema>;

export const salesforceSecretFields = ['auth.clientSecret', 'auth.privateKey'];
