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
 * Options of the acumatica-servicenow pair in mlc.yaml (`pairs.acumatica-servicenow`). Staging table
 * names, column names and coalesce keys default to the documented Source-to-Pay staging tables
 * (servicenow notes §4.1); `mlc ping` checks them against the instance's sys_dictionary and transform
 * maps.
 */
export const acumaticaServiceNowOptions = z.object({
  /** The ERP source value written on every staging row (a `sn_fin_erp_source` record). */
  erpSource: z.string().min(1).default('ACUMATICA'),
  /** Legal entity name written on orders, invoices and payments (a `sn_fin_legal_entity` record); empty = not sent. */
  legalEntity: z.string().default(''),
  glAccounts: z
    .object({
      enabled: z.boolean().default(true),
      /**
       * Acumatica account types sent to ServiceNow (Asset, Liability, Income, Expense). Accounts of
       * other types are audited as skipped; a document line coded to one fails on the GL-account
       * check until the account exists in ServiceNow.
       */
      types: z.array(z.enum(['Asset', 'Liability', 'Income', 'Expense'])).default(['Expense']),
      /** Acumatica AccountCD -> ServiceNow GL account code, where they differ. */
      map: codeMap,
    })
    .strict()
    .default({ enabled: true, types: ['Expense'], map: {} }),
  costCenters: z
    .object({
      enabled: z.boolean().default(true),
      /**
       * Where cost centers come from: the Default endpoint has no cost-center entity (acumatica notes
       * §4). `Subaccount`: each subaccount is a cost center and a line's `Subaccount` names it.
       * `Branch`: each branch (CompaniesStructure) is one and a line's branch names it.
       */
      source: z.enum(['Subaccount', 'Branch']).default('Subaccount'),
      /** Acumatica SubaccountCD / BranchID -> ServiceNow cost center code, where they differ. */
      map: codeMap,
    })
    .strict()
    .default({ enabled: true, source: 'Subaccount', map: {} }),
  vendors: z
    .object({ enabled: z.boolean().default(true) })
    .strict()
    .default({ enabled: true }),
  purchaseOrders: z
    .object({
      enabled: z.boolean().default(true),
      /** PO statuses sent (drafts on hold and orders pending approval stay in Acumatica). */
      statuses: z
        .array(z.string())
        .default(['Open', 'Pending Printing', 'Pending Email', 'Completed', 'Closed', 'Canceled']),
    })
    .strict()
    .default({
      enabled: true,
      statuses: ['Open', 'Pending Printing', 'Pending Email', 'Completed', 'Closed', 'Canceled'],
    }),
  bills: z
    .object({
      enabled: z.boolean().default(true),
      /** Bill document types sent (`Bill`, `Credit Adj.`, `Debit Adj.`, `Prepayment`). */
      types: z.array(z.string()).default(['Bill']),
      /** Bill statuses sent: approved (Balanced) and released (Open, Closed); holds stay in Acumatica. */
      statuses: z.array(z.string()).default(['Balanced', 'Open', 'Closed']),
    })
    .strict()
    .default({ enabled: true, types: ['Bill'], statuses: ['Balanced', 'Open', 'Closed'] }),
  payments: z
    .object({
      enabled: z.boolean().default(true),
      /** AP payment (`Check` entity) types sent; `Payment` is the AR entity and never read. */
      types: z.array(z.string()).default(['Payment', 'Prepayment', 'Voided Payment']),
      statuses: z.array(z.string()).default(['Balanced', 'Printed', 'Open', 'Closed', 'Voided']),
    })
    .strict()
    .default({
      enabled: true,
      types: ['Payment', 'Prepayment', 'Voided Payment'],
      statuses: ['Balanced', 'Printed', 'Open', 'Closed', 'Voided'],
    }),
  /** Return path: procurement requests approved in ServiceNow become Acumatica purchase orders, once each. */
  requests: z
    .object({
      enabled: z.boolean().default(true),
      /** Encoded query selecting approved requests. */
      query: z.string().default('approval=approved'),
      /** Acumatica PO field holding the ServiceNow request number; looked up before creating. */
      refField: z.string().min(1).default('VendorRef'),
      /** Acumatica VendorID for requests whose requisition names no supplier from this ERP; '' = they fail. */
      defaultVendor: z.string().default(''),
      /** PO type and branch of the created orders; branch empty = the API user's branch. */
      orderType: z.string().default('Normal'),
      branch: z.string().default(''),
      /** Create the PO on hold (for review in Acumatica) instead of open. */
      hold: z.boolean().default(false),
      /** Acumatica InventoryID of request items without a mapped one (a non-stock item). */
      inventoryId: z.string().default('NONSTOCK'),
      /** Expense account of the PO lines; empty = the inventory item's default. */
      account: z.string().default(''),
    })
    .strict()
    .default({
      enabled: true,
      query: 'approval=approved',
      refField: 'VendorRef',
      defaultVendor: '',
      orderType: 'Normal',
      branch: '',
      hold: false,
      inventoryId: 'NONSTOCK',
      account: '',
    }),
  tables: defaulted({
    ...S2P_TABLES,
    ...S2P_GL_ACCOUNT_STAGING,
    request: z.string().default('sc_request'),
    requestItem: z.string().default('sc_req_item'),
    /** Links a request to its supplier and cost center. */
    requisition: z.string().default('sn_shop_purchase_requisition'),
    paymentStaging: z.string().default('sn_fcms_intg_supplier_payment_inbound_stage'),
  }),
  coalesce: defaulted({
    ...S2P_COALESCE,
    ...S2P_GL_ACCOUNT_COALESCE,
    payment: z.array(z.string()).default(['u_payment_number', 'u_erp_source']),
  }),
});

export type AcumaticaServiceNowOptions = z.infer<typeof acumaticaServiceNowOptions>;
