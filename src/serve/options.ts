import { z } from 'zod';
import { credential } from '../systems/connection.js';

/** The receiver's settings in mlc.yaml (a pair instance's `serve:` block); the pair gives the routes. */
const receiverSettingsShape = {
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(8787),
  hmacKey: credential.optional(),
  signatureHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'expected an HTTP header name such as X-ServiceTitan-Signature')
    .optional(),
  signatureEncodings: z
    .array(z.enum(['hex', 'base64']))
    .min(1)
    .optional(),
  allowUnsigned: z.boolean().default(false),
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .optional(),
  bodyTimeoutMs: z.number().int().min(100).max(120_000).optional(),
  maxConnections: z.number().int().min(1).max(10_000).optional(),
};

export const receiverSettingsSchema = z
  .object(receiverSettingsShape)
  .strict()
  .refine((c) => c.allowUnsigned || c.hmacKey !== undefined, {
    message: 'hmacKey is required unless allowUnsigned is true',
    path: ['hmacKey'],
  });

export type ReceiverSettings = z.infer<typeof receiverSettingsSchema>;

/**
 * The receiver's settings with its routes, as `startReceiver` takes them (`hmacKey` resolved from its
 * secret reference first). Paths are exact; each names the route handed to `store`.
 */
export const receiverConfigSchema = z
  .object({
    ...receiverSettingsShape,
    routes: z
      .array(
        z
          .object({
            path: z
              .string()
              .regex(/^\/[A-Za-z0-9/_.-]*$/, 'expected a path such as /webhooks/servicetitan/customers'),
            name: z.string().min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
  .refine((c) => c.allowUnsigned || c.hmacKey !== undefined, {
    message: 'hmacKey is required unless allowUnsigned is true',
    path: ['hmacKey'],
  });

export type ReceiverConfig = z.infer<typeof receiverConfigSchema>;
