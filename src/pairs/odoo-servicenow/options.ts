import { z } from 'zod';
import { S2P_COALESCE, S2P_TABLES, defaulted } from '../s2p-options.js';

const codeMap = z.record(z.string(), z.string()).default({});

/**
 * Options of the odoo-servicenow pair in mlc.yaml (`pairs.odoo-servicenow`). Staging table names,
 * column names and coalesce keys default to the documented Source-to-Pay staging tables; `mlc ping`
 * checks them against the instance's sys_dictionary and transform maps.
 */
export const odooServiceNowOptions = z.object({
  /** The ERP source value written on every staging row (a `sn_fin_erp_source` record). */
  erpSource: z.string().min(1).default('ODOO'),
  /**
   * Legal entity name written on orders and invoices (a `sn_fin_legal_entity` record) for the first
   * Odoo company (the lowest id the bot user may use); empty = not sent. Other companies name theirs
   * under `companies`.
   */
  legalEntity: z.string().default(''),
  /**
   * The Odoo companies this pair covers, by company name (or id), each with its ServiceNow legal
   * entity. Absent: every company the bot user is allowed into (res.users company_ids), and every
   * company but the first must then be listed here.
   */
  companies: z
    .record(
      z.string().min(1),
      z
        .object({
          legalEntity: z.string().min(1),
          /**
           * Put in front of this company's document numbers in ServiceNow, so that two companies'
           * P00001 stay apart. Default: none for the first company (references stay as a
           * single-company setup wrote them), `C<company id>-` for the others.
           */
          referencePrefix: z.string().optional(),
          /** This company's Odoo account code -> ServiceNow GL account code (over glAccounts.map). */
          glAccounts: z.object({ map: codeMap }).strict().optional(),
          /** This company's analytic account code -> ServiceNow cost center code (over costCenters.map). */
          costCenters: z.object({ map: codeMap }).strict().optional(),
        })
        .strict(),
    )
    .optional(),
  costCenters: z
    .object({
      /** both | to-servicenow | to-odoo | off. On a conflict within one pass, Odoo wins (it runs first). */
      direction: z.enum(['both', 'to-servicenow', 'to-odoo', 'off']).default('both'),
      /** Odoo analytic plan whose accounts are cost centers. */
      analyticPlan: z.string().min(1).default('Cost Centers'),
      /** Odoo analytic account code -> ServiceNow cost center code, where they differ. */
      map: codeMap,
    })
    .strict()
    .default({ direction: 'both', analyticPlan: 'Cost Centers', map: {} }),
  glAccounts: z
    .object({
      /** Check that Odoo accounts of these types exist in ServiceNow (mapped by code). */
      check: z.boolean().default(true),
      types: z.array(z.string()).default(['expense', 'expense_direct_cost', 'asset_fixed']),
      /** Odoo account code -> ServiceNow GL account code, where they differ. */
      map: codeMap,
    })
    .strict()
    .default({ check: true, types: ['expense', 'expense_direct_cost', 'asset_fixed'], map: {} }),
  suppliers: z
    .object({ enabled: z.boolean().default(true) })
    .strict()
    .default({ enabled: true }),
  purchaseOrders: z
    .object({
      enabled: z.boolean().default(true),
      /** Odoo states that are sent (RFQs stay in Odoo). `done` exists up to Odoo 18. */
      states: z.array(z.string()).default(['purchase', 'done']),
    })
    .strict()
    .default({ enabled: true, states: ['purchase', 'done'] }),
  vendorBills: z
    .object({ enabled: z.boolean().default(true) })
    .strict()
    .default({ enabled: true }),
  tables: defaulted(S2P_TABLES),
  coalesce: defaulted(S2P_COALESCE),
});

export type OdooServiceNowOptions = z.infer<typeof odooServiceNowOptions>;
