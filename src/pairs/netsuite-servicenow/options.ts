import { z } from 'zod';
import {
  S2P_COALESCE,
  S2P_GL_ACCOUNT_COALESCE,
  S2P_GL_ACCOUNT_STAGING,
  S2P_TABLES,
  defaulted,
} from '../s2p-options.js';

const codeMap = z.record(z.string(), z.string()).default({});

/**
 * Options of the netsuite-servicenow pair in mlc.yaml (`pairs.netsuite-servicenow`). Staging tables,
 * columns and coalesce keys default to the Source-to-Pay staging tables; `mlc ping` checks them.
 */
export const netSuiteServiceNowOptions = z.object({
  /** The ERP source value written on every staging row (a `sn_fin_erp_source` record). */
  erpSource: z.string().min(1).default('NETSUITE'),
  /**
   * NetSuite subsidiary internal id -> its ServiceNow legal entity and the prefix of its document
   * references. Document numbers repeat across subsidiaries, so each reference carries the prefix
   * (default `S<id>`): `S1-PO1001`, `S2-PO1001`. A document of an unlisted subsidiary fails, naming it.
   */
  subsidiaries: z
    .record(
      z.string().regex(/^\d+$/, 'expected a NetSuite subsidiary internal id such as "1"'),
      z
        .object({
          legalEntity: z.string().min(1),
          prefix: z
            .string()
            .regex(/^[A-Za-z0-9]+$/, 'letters and digits only')
            .optional(),
        })
        .strict(),
    )
    .default({}),
  glAccounts: z
    .object({
      enabled: z.boolean().default(true),
      /** NetSuite account types (`accttype`) sent to ServiceNow; others are audited as skipped. */
      types: z.array(z.string().min(1)).default(['Expense']),
      /** NetSuite account number -> ServiceNow GL account code, where they differ. */
      map: codeMap,
    })
    .strict()
    .default({ enabled: true, types: ['Expense'], map: {} }),
  costCenters: z
    .object({
      /** Departments <-> ServiceNow cost centers; NetSuite wins when both change in one pass. */
      direction: z.enum(['both', 'to-servicenow', 'to-netsuite', 'none']).default('both'),
      /**
       * A department's cost center code is its external id; one without an external id gets
       * `<codePrefix><internal id>`.
       */
      codePrefix: z
        .string()
        .regex(/^[A-Za-z0-9_-]*$/)
        .default('NS-DEPT-'),
      /** Subsidiaries of departments created from ServiceNow; empty = every subsidiary in `subsidiaries`. */
      subsidiaries: z.array(z.string().regex(/^\d+$/)).default([]),
    })
    .strict()
    .default({ direction: 'both', codePrefix: 'NS-DEPT-', subsidiaries: [] }),
  vendors: z
    .object({ enabled: z.boolean().default(true) })
    .strict()
    .default({ enabled: true }),
  purchaseOrders: z
    .object({
      enabled: z.boolean().default(true),
      /** Status letters sent (`A` pending approval and `C` rejected stay in NetSuite). */
      statuses: z.array(z.string().regex(/^[A-Z]$/)).default(['B', 'D', 'E', 'F', 'G', 'H']),
    })
    .strict()
    .default({ enabled: true, statuses: ['B', 'D', 'E', 'F', 'G', 'H'] }),
  bills: z
    .object({
      enabled: z.boolean().default(true),
      /** Status letters sent: `A` open and `B` paid in full (pending approval and rejected stay). */
      statuses: z.array(z.string().regex(/^[A-Z]$/)).default(['A', 'B']),
    })
    .strict()
    .default({ enabled: true, statuses: ['A', 'B'] }),
  /** Posted GL lines, read only, into a ServiceNow table of the customer's choosing. */
  glPostings: z
    .object({
      enabled: z.boolean().default(true),
      /** Transaction type codes whose postings are sent. */
      types: z.array(z.string().min(1)).default(['VendBill', 'Journal']),
      staging: z.string().min(1).default('u_erp_gl_posting_import'),
      coalesce: z.array(z.string()).default(['u_posting_key', 'u_erp_source']),
    })
    .strict()
    .default({
      enabled: true,
      types: ['VendBill', 'Journal'],
      staging: 'u_erp_gl_posting_import',
      coalesce: ['u_posting_key', 'u_erp_source'],
    }),
  tables: defaulted({ ...S2P_TABLES, ...S2P_GL_ACCOUNT_STAGING }),
  coalesce: defaulted({ ...S2P_COALESCE, ...S2P_GL_ACCOUNT_COALESCE }),
});

export type NetSuiteServiceNowOptions = z.infer<typeof netSuiteServiceNowOptions>;
