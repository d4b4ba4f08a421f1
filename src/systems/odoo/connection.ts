import { z } from 'zod';
import { baseConnection, credential } from '../connection.js';

export const odooConnectionSchema = z
  .object({
    system: z.literal('odoo'),
    ...baseConnection,
    db: z.string().min(1),
    login: z.string().min(1),
    apiKey: credential,
    transport: z.enum(['auto', 'xmlrpc', 'json2']).default('auto'),
    pageSize: z.number().int().min(1).max(5000).optional(),
    batchSize: z.number().int().min(1).max(500).optional(),
  })
  .strict();

export type OdooConnectionConfig = z.infer<typeof odooConnectionSchema>;

/** Dotted paths of the fields that hold credentials. */
export const odooSecretFields = ['apiKey'];
