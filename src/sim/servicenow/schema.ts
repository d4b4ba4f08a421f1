import { STAGING_TABLES } from './staging.js';

/**
 * The tables the simulator knows, with their fields (api notes §4). A table not listed here answers
 * 400 "Invalid table"; a field not listed is silently ignored in queries, `sysparm_fields` and
 * writes, as the real Table API does (§2.1, trap 2).
 */
export type FieldType =
  | 'string'
  | 'reference'
  | 'glide_date_time'
  | 'glide_date'
  | 'integer'
  | 'decimal'
  | 'currency'
  | 'boolean'
  | 'sys_id';

export interface FieldDef {
  type: FieldType;
  /** Referenced table of a reference field. */
  ref?: string;
  label?: string;
  mandatory?: boolean;
}

export interface TableDef {
  name: string;
  label: string;
  /** The display field (display values, Import Set `display_name`). */
  display: string;
  /** Prefix of the auto-numbered `number` field, when the table has one. */
  numberPrefix?: string;
  /** Import-set staging table (extends `sys_import_set_row`). */
  staging?: boolean;
  fields: Record<string, FieldDef>;
}

const S: FieldDef = { type: 'string' };
const D: FieldDef = { type: 'decimal' };
const C: FieldDef = { type: 'currency' };
const B: FieldDef = { type: 'boolean' };
const DATE: FieldDef = { type: 'glide_date' };
const DT: FieldDef = { type: 'glide_date_time' };
const I: FieldDef = { type: 'integer' };
const r = (table: string): FieldDef => ({ type: 'reference', ref: table });

/** Fields every table has (`sys_metadata`). */
export const SYSTEM_FIELDS: Record<string, FieldDef> = {
  sys_id: { type: 'sys_id' },
  sys_created_on: DT,
  sys_created_by: S,
  sys_updated_on: DT,
  sys_updated_by: S,
  sys_mod_count: I,
};

/** Fields of `sys_import_set_row`, inherited by every staging table. */
export const IMPORT_ROW_FIELDS: Record<string, FieldDef> = {
  sys_import_set: r('sys_import_set'),
  sys_import_row: I,
  sys_import_state: S,
  sys_import_state_comment: S,
  sys_target_sys_id: S,
  sys_target_table: S,
  sys_transform_map: r('sys_transform_map'),
  sys_row_error: S,
};

function def(
  name: string,
  label: string,
  display: string,
  fields: Record<string, FieldDef>,
  extra: Partial<TableDef> = {},
): TableDef {
  return { name, label, display, ...extra, fields: { ...SYSTEM_FIELDS, ...fields } };
}

const BASE_TABLES: TableDef[] = [
  def('sys_user', 'User', 'name', {
    user_name: S,
    name: S,
    email: S,
    active: B,
    time_zone: S,
    web_service_access_only: B,
  }),
  def('sys_properties', 'System Property', 'name', { name: S, value: S, description: S }),
  def('sys_db_object', 'Table', 'label', { name: S, label: S, super_class: S }),
  def('sys_dictionary', 'Dictionary Entry', 'column_label', {
    name: S,
    element: S,
    column_label: S,
    mandatory: B,
    internal_type: S,
    reference: S,
    max_length: I,
    active: B,
  }),
  def('sys_transform_map', 'Table Transform Map', 'name', {
    name: S,
    source_table: S,
    target_table: S,
    active: B,
    run_business_rules: B,
    copy_empty: B,
    enforce_mandatory_fields: S,
  }),
  def('sys_transform_entry', 'Field Map', 'target_field', {
    map: r('sys_transform_map'),
    source_table: S,
    source_field: S,
    target_table: S,
    target_field: S,
    coalesce: B,
    coalesce_case_sensitive: B,
    coalesce_empty_fields: B,
    choice_action: S,
    referenced_value_field: S,
    use_source_script: B,
    source_script: S,
  }),
  def(
    'sys_import_set',
    'Import Set',
    'number',
    { number: S, table_name: S, state: S, mode: S, multi_import_set: S, load_completed: DT },
    { numberPrefix: 'ISET' },
  ),
  def('sys_rest_insert_multiple', 'REST Insert Multiple', 'source_table', {
    source_table: S,
    column_mapping: S,
    transform: S,
    active: B,
  }),
  def('sn_fin_erp_source', 'ERP Source', 'name', { name: S, description: S, active: B }),
  def('sn_fin_legal_entity', 'Legal Entity', 'name', {
    name: S,
    erp_source: r('sn_fin_erp_source'),
    currency: S,
    country: S,
  }),
  def('cmn_cost_center', 'Cost Center', 'name', {
    name: S,
    code: S,
    account_number: S,
    parent: r('cmn_cost_center'),
    manager: r('sys_user'),
    location: S,
    valid_from: DATE,
    valid_to: DATE,
    erp_source: S,
  }),
  def('sn_fin_gl_account', 'GL Account', 'name', {
    code: S,
    name: S,
    currency: S,
    category: S,
    type: S,
    active: B,
    erp_source: S,
  }),
  def('sn_fin_supplier', 'Supplier', 'name', {
    name: S,
    legal_name: S,
    erp_company_code: S,
    erp_source: S,
    tax_id: S,
    status: S,
    payment_term: S,
    email: S,
    city: S,
    country: S,
  }),
  def('core_company', 'Company', 'name', {
    name: S,
    vendor: B,
    manufacturer: B,
    customer: B,
    vendor_type: S,
    city: S,
    country: S,
  }),
  def(
    'sc_request',
    'Request',
    'number',
    {
      number: S,
      approval: S,
      request_state: S,
      short_description: S,
      requested_for: r('sys_user'),
      opened_at: DT,
      price: C,
    },
    { numberPrefix: 'REQ' },
  ),
  def(
    'sc_req_item',
    'Requested Item',
    'number',
    {
      number: S,
      request: r('sc_request'),
      cat_item: S,
      quantity: I,
      price: C,
      short_description: S,
      requested_for: r('sys_user'),
      approval: S,
      stage: S,
    },
    { numberPrefix: 'RITM' },
  ),
  def(
    'sn_shop_purchase_requisition',
    'Purchase Requisition',
    'number',
    {
      number: S,
      state: S,
      request: r('sc_request'),
      supplier: r('sn_fin_supplier'),
      cost_center: r('cmn_cost_center'),
      legal_entity: r('sn_fin_legal_entity'),
      total_amount: C,
      purchase_order: r('sn_shop_purchase_order'),
    },
    { numberPrefix: 'PRQ' },
  ),
  def(
    'sn_shop_purchase_order',
    'Purchase Order',
    'number',
    {
      number: S,
      erp_number: S,
      erp_source: S,
      supplier: r('sn_fin_supplier'),
      supplier_erp_code: S,
      legal_entity: r('sn_fin_legal_entity'),
      cost_center: r('cmn_cost_center'),
      total_amount: C,
      currency: S,
      status: S,
      order_type: S,
      payment_term: S,
      order_placed: S,
    },
    { numberPrefix: 'PO' },
  ),
  def(
    'sn_shop_purchase_order_line',
    'Purchase Order Line',
    'number',
    {
      number: S,
      purchase_order: r('sn_shop_purchase_order'),
      erp_line_number: S,
      erp_source: S,
      product_name: S,
      product_type: S,
      quantity: D,
      unit_price: C,
      total_amount: C,
      cost_center: r('cmn_cost_center'),
      expected_delivery: S,
    },
    { numberPrefix: 'POL' },
  ),
  def(
    'sn_shop_invoice',
    'Invoice',
    'number',
    {
      number: S,
      external_invoice_number: S,
      external_invoice_source: S,
      erp_source: S,
      invoice_date: S,
      other_charges: C,
      amount_invoiced: C,
      currency: S,
      supplier: r('sn_fin_supplier'),
      supplier_invoice_number: S,
      purchase_order: r('sn_shop_purchase_order'),
      legal_entity: r('sn_fin_legal_entity'),
      payment_terms: S,
      final_tax: C,
      invoice_type: S,
    },
    { numberPrefix: 'INV' },
  ),
  def(
    'sn_shop_invoice_line',
    'Invoice Line',
    'number',
    {
      number: S,
      invoice: r('sn_shop_invoice'),
      external_invoice_source: S,
      erp_line_number: S,
      erp_source: S,
      description: S,
      quantity: D,
      unit_price: C,
      subtotal: C,
      cost_center: r('cmn_cost_center'),
      gl_account: r('sn_fin_gl_account'),
      purchase_order_line: S,
      tax_amount: C,
      uom: S,
    },
    { numberPrefix: 'INVL' },
  ),
  def('sn_fin_supplier_payment', 'Supplier Payment', 'payment_number', {
    payment_number: S,
    erp_source: S,
    supplier: r('sn_fin_supplier'),
    amount: C,
    currency: S,
    payment_date: S,
    status: S,
    invoice_number: S,
    payment_method: S,
  }),
  def('u_erp_gl_posting', 'ERP GL Posting', 'posting_key', {
    posting_key: S,
    erp_source: S,
    legal_entity: r('sn_fin_legal_entity'),
    document_number: S,
    document_type: S,
    posting_date: DATE,
    gl_account: S,
    cost_center: S,
    debit: C,
    credit: C,
    currency: S,
    description: S,
  }),
  def(
    'proc_po',
    'Purchase Order',
    'number',
    {
      number: S,
      vendor: r('core_company'),
      status: S,
      short_description: S,
      total_cost: C,
      po_date: DATE,
    },
    { numberPrefix: 'PO' },
  ),
  def(
    'proc_po_item',
    'Purchase Order Line Item',
    'number',
    {
      number: S,
      purchase_order: r('proc_po'),
      short_description: S,
      ordered_quantity: I,
      cost: C,
      total_cost: C,
    },
    { numberPrefix: 'POL' },
  ),
];

const STAGING_DEFS: TableDef[] = STAGING_TABLES.map((t) =>
  def(
    t.name,
    t.label,
    'sys_id',
    {
      ...IMPORT_ROW_FIELDS,
      ...Object.fromEntries(
        t.columns.map((c) => [c.name, { type: 'string' as const, label: c.label, mandatory: c.mandatory }]),
      ),
    },
    { staging: true },
  ),
);

/** Every table the simulator answers for. */
export const TABLES: ReadonlyMap<string, TableDef> = new Map(
  [...BASE_TABLES, ...STAGING_DEFS].map((t) => [t.name, t]),
);

/** Fields of a staging table that are its own columns (not inherited from `sys_import_set_row`). */
export function ownColumns(t: TableDef): string[] {
  return Object.keys(t.fields).filter((f) => !(f in SYSTEM_FIELDS) && !(f in IMPORT_ROW_FIELDS));
}
