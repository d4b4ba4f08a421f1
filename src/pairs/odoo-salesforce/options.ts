import { z } from 'zod';

/**
 * Options of the odoo-salesforce pair in mlc.yaml (`pairs.odoo-salesforce`). The external-id fields
 * are custom fields the org defines (marked External ID); `mlc ping` checks each one.
 */
export const odooSalesforceOptions = z.object({
  /**
   * The Odoo companies this pair covers, by name (or id), each with the value written in the
   * company field of Salesforce records. Absent: every company the bot user is allowed into, each
   * written as its Odoo name.
   */
  companies: z.record(z.string().min(1), z.object({ code: z.string().min(1) }).strict()).optional(),
  /**
   * Price books by Odoo company (name or id, as in `companies`): the Salesforce price book, by name,
   * that company's Orders use. Every product sent gets an entry in each book named here besides its
   * standard one. A company left out uses the standard price book.
   */
  priceBooks: z.record(z.string().min(1), z.string().min(1)).optional(),
  fields: z
    .object({
      /** External id of Accounts, Contacts, Products and Orders: `res.partner:42`, `sale.order:7`… */
      externalId: z.string().min(1).default('Odoo_Id__c'),
      /** External id of OrderItems: `sale.order.line:<id>`. */
      lineExternalId: z.string().min(1).default('Odoo_Line_Id__c'),
      /** The Odoo company a record belongs to. */
      company: z.string().min(1).default('Odoo_Company__c'),
    })
    .strict()
    .default({ externalId: 'Odoo_Id__c', lineExternalId: 'Odoo_Line_Id__c', company: 'Odoo_Company__c' }),
  products: z
    .object({
      /** both | to-salesforce | to-odoo | off. Keyed on the product code (Odoo internal reference). */
      direction: z.enum(['both', 'to-salesforce', 'to-odoo', 'off']).default('both'),
    })
    .strict()
    .default({ direction: 'both' }),
  customers: z
    .object({ enabled: z.boolean().default(true) })
    .strict()
    .default({ enabled: true }),
  contactsToOdoo: z
    .object({
      /** Salesforce contacts changed by people flow back to Odoo contacts (off by default). */
      enabled: z.boolean().default(false),
    })
    .strict()
    .default({ enabled: false }),
  orders: z
    .object({
      enabled: z.boolean().default(true),
      /** Odoo sales order states that are sent (quotations stay in Odoo). */
      states: z.array(z.string()).default(['sale']),
      /** Activate the Salesforce order once its items are in. */
      activate: z.boolean().default(true),
      /**
       * An activated order takes no new or changed items: move it back to Draft, write, activate
       * again (true), or refuse the change as a failed record (false).
       */
      reopenActivated: z.boolean().default(true),
    })
    .strict()
    .default({ enabled: true, states: ['sale'], activate: true, reopenActivated: true }),
  invoices: z
    .object({ enabled: z.boolean().default(true) })
    .strict()
    .default({ enabled: true }),
});

export type OdooSalesforceOptions = z.infer<typeof odooSalesforceOptions>;
