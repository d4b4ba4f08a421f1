/**
 * The ServiceNow tables mlc reads and the staging tables it writes through (api notes §4). Entities
 * are declarations: the client pages every table the same way (window on `sys_updated_on`, keyset on
 * `sys_id`).
 */
export interface SnTable {
  table: string;
  key: string;
  cursor: 'sys_updated_on';
  fields: string[];
}

export interface SnStaging {
  staging: string;
  label: string;
  target: string;
}

export const SN_TABLES = {
  costCenter: {
    table: 'cmn_cost_center',
    key: 'code',
    cursor: 'sys_updated_on',
    fields: [
      'sys_id',
      'code',
      'name',
      'account_number',
      'parent',
      'valid_from',
      'valid_to',
      'sys_updated_on',
    ],
  },
  glAccount: {
    table: 'sn_fin_gl_account',
    key: 'code',
    cursor: 'sys_updated_on',
    fields: ['sys_id', 'code', 'name', 'currency', 'active', 'sys_updated_on'],
  },
  supplier: {
    table: 'sn_fin_supplier',
    key: 'erp_company_code',
    cursor: 'sys_updated_on',
    fields: ['sys_id', 'erp_company_code', 'erp_source', 'legal_name', 'sys_updated_on'],
  },
  company: {
    table: 'core_company',
    key: 'sys_id',
    cursor: 'sys_updated_on',
    fields: ['sys_id', 'name', 'vendor', 'sys_updated_on'],
  },
  request: {
    table: 'sc_request',
    key: 'number',
    cursor: 'sys_updated_on',
    fields: [
      'sys_id',
      'number',
      'approval',
      'request_state',
      'short_description',
      'requested_for',
      'sys_updated_on',
    ],
  },
  requestItem: {
    table: 'sc_req_item',
    key: 'sys_id',
    cursor: 'sys_updated_on',
    fields: ['sys_id', 'request', 'cat_item', 'quantity', 'price', 'short_description', 'sys_updated_on'],
  },
  requisition: {
    table: 'sn_shop_purchase_requisition',
    key: 'number',
    cursor: 'sys_updated_on',
    fields: [
      'sys_id',
      'number',
      'state',
      'supplier',
      'cost_center',
      'legal_entity',
      'total_amount',
      'purchase_order',
      'sys_updated_on',
    ],
  },
} satisfies Record<string, SnTable>;

/** Source-to-Pay inbound staging tables and the tables their transform maps write (S2P defaults). */
export const SN_STAGING = {
  costCenter: {
    staging: 'sn_fcms_intg_imp_cost_center',
    label: 'Master data cost center',
    target: 'cmn_cost_center',
  },
  supplier: {
    staging: 'sn_fcms_intg_imp_supplier',
    label: 'Master data supplier',
    target: 'sn_fin_supplier',
  },
  order: { staging: 'sn_fcms_intg_imp_order', label: 'Order stage', target: 'sn_shop_purchase_order' },
  orderLine: {
    staging: 'sn_fcms_intg_imp_order_line',
    label: 'Order line stage',
    target: 'sn_shop_purchase_order_line',
  },
  invoice: { staging: 'sn_spend_intg_imp_invoice', label: 'Invoice import', target: 'sn_shop_invoice' },
  invoiceLine: {
    staging: 'sn_spend_intg_imp_invoice_line',
    label: 'Invoice line import',
    target: 'sn_shop_invoice_line',
  },
  glAccount: {
    staging: 'sn_fcms_intg_gl_account_stage',
    label: 'GL account load data',
    target: 'sn_fin_gl_account',
  },
  supplierPayment: {
    staging: 'sn_fcms_intg_supplier_payment_inbound_stage',
    label: 'Supplier payment',
    target: 'sn_fin_supplier_payment',
  },
} satisfies Record<string, SnStaging>;
