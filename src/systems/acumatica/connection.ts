import { z } from 'zod';
import { baseConnection, credential } from '../connection.js';

export const acumaticaConnectionSchema = z
  .object({
    system: z.literal('acumatica'),
    ...baseConnection,
    endpointName: z.string().min(1).default('Default'),
    endpointVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, 'expected an endpoint version such as 24.200.001')
      .default('24.200.001'),
    auth: z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('oauth_password'),
          clientId: z.string().min(1),
          clientSecret: credential,
          username: z.string().min(1),
          password: credential,
          scope: z.string().optional(),
        })
        .strict(),
      z
        .object({
          kind: z.literal('cookie'),
          username: z.string().min(1),
          password: credential,
          tenant: z.string().optional(),
          branch: z.string().optional(),
        })
        .strict(),
    ]),
    pageSize: z.number().int().min(1).max(10_000).optional(),
    concurrency: z.number().int().min(1).max(16).optional(),
    requestsPerMinute: z.number().int().min(1).optional(),
  })
  .strict();

export type AcumaticaConnectionConfig = z.infer<typeof acumaticaConnectionSchema>;

export const acumaticaSecretFields = ['auth.clientSecret', 'auth.password'];
