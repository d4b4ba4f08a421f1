import { z } from 'zod';
import { baseConnection, credential } from '../connection.js';

export const serviceNowConnectionSchema = z
  .object({
    system: z.literal('servicenow'),
    ...baseConnection,
    auth: z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('oauth_client_credentials'),
          clientId: z.string().min(1),
          clientSecret: credential,
        })
        .strict(),
      z
        .object({
          kind: z.literal('oauth_password'),
          clientId: z.string().min(1),
          clientSecret: credential,
          username: z.string().min(1),
          password: credential,
        })
        .strict(),
      z.object({ kind: z.literal('basic'), username: z.string().min(1), password: credential }).strict(),
    ]),
    pageSize: z.number().int().min(1).max(10_000).optional(),
    batchSize: z.number().int().min(1).max(200).optional(),
    concurrency: z.number().int().min(1).max(16).optional(),
  })
  .strict();

export type ServiceNowConnectionConfig = z.infer<typeof serviceNowConnectionSchema>;

export const serviceNowSecretFields = ['auth.clientSecret', 'auth.password'];
