import { z } from 'zod';

/**
 * Options of the servicetitan-odoo pair in mlc.yaml (`pairs.<name>`). One pair instance reads one
 * ServiceTitan tenant (its source connection) and writes into the Odoo company mapped to that
 * tenant; two tenants are two instances, sharing the Odoo connection, each in its own company.
 */
export const serviceTitanOdooOptions = z.object({
  /**
   * ServiceTitan tenant id -> Odoo company (its name, or its id). The bot user must be allowed into
   * the company (res.users company_ids).
   */
  companies: z
    .record(
      z.string().regex(/^\d+$/, 'expected a numeric ServiceTitan tenant id'),
      z.union([z.string().min(1), z.number().int().positive()]),
    )
    .default({}),
  /** Odoo analytic plan whose accounts are the ServiceTitan business units. */
  analyticPlan: z.string().min(1).default('Business Units'),
  /**
   * Odoo requires a product on purchase and sale order lines. A line takes the product whose
   * internal reference (`default_code`) is the item's SKU code, or else this one (an internal
   * reference, or a product name), also used for tax, shipping and job lines.
   */
  products: z
    .object({ fallback: z.string().min(1).default('ServiceTitan item') })
    .strict()
    .default({ fallback: 'ServiceTitan item' }),
  /** Vendor bills (from inventory bills) posted, or left in draft for review. */
  bills: z.enum(['posted', 'draft']).default('posted'),
  /**
   * ServiceTitan jobs as Odoo sale orders (quotations), as tasks of the project `jobProject`, or not
   * at all.
   */
  jobs: z.enum(['sale_order', 'project_task', 'off']).default('sale_order'),
  /**
   * With `jobs: project_task`: the Odoo project (its name) the tasks go in, looked up in the
   * tenant's company (a project of no company also serves).
   */
  jobProject: z.string().trim().min(1).default('Field Service'),
  /**
   * ServiceTitan invoices as Odoo customer invoices (posted or draft), each then marked exported in
   * ServiceTitan with the Odoo reference; `off` leaves invoices alone.
   */
  invoices: z.enum(['posted', 'draft', 'off']).default('posted'),
  /**
   * Odoo customer payments of those invoices, created in ServiceTitan with this payment type id
   * (`GET /accounting/v2/tenant/{tenant}/payment-types`); absent: payments are not sent.
   */
  payments: z.object({ typeId: z.number().int().positive() }).strict().optional(),
  /**
   * Payments taken in ServiceTitan (technicians collecting in the field) registered in Odoo against
   * the customer invoices this pair wrote, one Odoo payment per invoice a payment is applied to
   * (with `invoices` not off). `journal`: the bank or cash journal of this tenant's company to pay
   * into, by name or short code (default: the company's first bank journal).
   */
  collections: z
    .object({
      enabled: z.boolean().default(true),
      journal: z.string().trim().min(1).optional(),
    })
    .strict()
    .default({ enabled: true }),
});

export type ServiceTitanOdooOptions = z.infer<typeof serviceTitanOdooOptions>;
