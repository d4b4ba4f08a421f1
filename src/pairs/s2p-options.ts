import { z } from 'zod';

/**
 * The ServiceNow tables and coalesce columns every S2P pair writes the same way, each overridable in
 * mlc.yaml (`tables:`, `coalesce:`); a pair adds the ones only it uses.
 */
export const S2P_TABLES = {
  costCenter: z.string().default('cmn_cost_center'),
  glAccount: z.string().default('sn_fin_gl_account'),
  supplier: z.string().default('sn_fin_supplier'),
  costCenterStaging: z.string().default('sn_fcms_intg_imp_cost_center'),
  supplierStaging: z.string().default('sn_fcms_intg_imp_supplier'),
  orderStaging: z.string().default('sn_fcms_intg_imp_order'),
  orderLineStaging: z.string().default('sn_fcms_intg_imp_order_line'),
  invoiceStaging: z.string().default('sn_spend_intg_imp_invoice'),
  invoiceLineStaging: z.string().default('sn_spend_intg_imp_invoice_line'),
};

/** The GL-account staging table of the pairs that send GL accounts (not a check-only flow). */
export const S2P_GL_ACCOUNT_STAGING = {
  glAccountStaging: z.string().default('sn_fcms_intg_gl_account_stage'),
};

/** Staging columns each transform map must coalesce on (checked by `mlc ping` and every pass). */
export const S2P_COALESCE = {
  costCenter: z.array(z.string()).default(['u_code']),
  supplier: z.array(z.string()).default(['u_erp_company_code', 'u_erp_source']),
  order: z.array(z.string()).default(['u_erp_po_number', 'u_erp_source']),
  orderLine: z.array(z.string()).default(['u_erp_source', 'u_erp_po_number', 'u_erp_po_line_number']),
  invoice: z.array(z.string()).default(['u_external_invoice_number', 'u_external_invoice_source']),
  invoiceLine: z
    .array(z.string())
    .default(['u_external_invoice_number', 'u_external_invoice_source', 'u_erp_line_number']),
};

export const S2P_GL_ACCOUNT_COALESCE = {
  glAccount: z.array(z.string()).default(['u_number']),
};

/** An options block whose every field has its default: leaving it out of mlc.yaml gives them all. */
export function defaulted<S extends Record<string, z.ZodDefault>>(shape: S) {
  return z
    .object(shape)
    .strict()
    .prefault({} as z.input<z.ZodObject<S>>);
}
