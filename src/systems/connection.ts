import { z } from 'zod';

/** Options shared by every connection in mlc.yaml. */
export const retrySchema = z
  .object({
    attempts: z.number().int().min(1).max(20).optional(),
    baseDelayMs: z.number().int().min(0).optional(),
    maxDelayMs: z.number().int().min(0).optional(),
    maxRetryAfterMs: z.number().int().min(0).optional(),
    maxTotalMs: z.number().int().min(0).optional(),
  })
  .strict();

export const baseConnection = {
  url: z.url({ message: 'expected an http(s) URL such as https://acme.example.com' }),
  timeoutMs: z.number().int().min(1000).max(600_000).optional(),
  retry: retrySchema.optional(),
};

/**
 * A credential field: `secret:<name>` (from the encrypted store) or `${ENV_VAR}` (already
 * interpolated by the loader). A literal value is refused by the loader before this runs.
 */
export const credential = z.string().min(1, 'expected a secret reference such as secret:odoo.api_key');
