/**
 * The Source-to-Pay inbound staging tables, with their transform maps (what `mlc setup servicenow`
 * creates and the simulator seeds) (api notes
 * §3.1, §4.1). Docs give labels only; column names follow the `u_<label_snake_case>` convention
 * confirmed for `sn_spend_intg_imp_invoice`. Which fields the out-of-box maps coalesce on is not
 * documented: these are the simulator's choices, published through `sys_transform_entry` exactly as
 * an instance publishes its own, so clients must read them rather than assume them.
 */

/** A field map of a transform map (one `sys_transform_entry`). */
export interface StagingFieldMap {
  /** Staging column. */
  source: string;
  /** Target table field. */
  target: string;
  coalesce?: boolean;
  /** Reference resolution: the referenced table's field the value is looked up by, and the choice action. */
  ref?: { table: string; field: string; action: 'reject' | 'ignore' };
  /** Boolean inverted by a source script (`u_inactive` "true" -> `active` "false"). */
  invert?: boolean;
}

export interface StagingColumn {
  name: string;
  label: string;
  mandatory: boolean;
}

export interface StagingTable {
  /** Staging table name (extends `sys_import_set_row`). */
  name: string;
  /** Table label, also the transform map's name. */
  label: string;
  target: string;
  columns: StagingColumn[];
  maps: StagingFieldMap[];
}

const ACRONYMS = new Set(['erp', 'po', 'gl', 'id', 'uom']);

/** Title Case label of a staging column without its `u_` prefix ("u_erp_po_number" -> "ERP PO Number"). */
export function columnLabel(name: string): string {
  return name
    .replace(/^u_/, '')
    .split('_')
    .map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

type ColumnSpec = string | [name: string, mandatory: true];

function table(
  name: string,
  label: string,
  target: string,
  columns: ColumnSpec[],
  maps: StagingFieldMap[],
): StagingTable {
  return {
    name,
    label,
    target,
    columns: columns.map((c) => {
      const [col, mandatory] = typeof c === 'string' ? [c, false] : c;
      return { name: col, label: columnLabel(col), mandatory: mandatory === true };
    }),
    maps,
  };
}

const ref = (t: string, field: string, action: 'reject' | 'ignore') => ({ table: t, field, action });

export const STAGING_TABLES: StagingTable[] = [
  table(
    'sn_fcms_intg_imp_cost_center',
    'Master data cost center',
    'cmn_cost_center',
    [
      ['u_code', true],
      'u_name',
      'u_account_number',
      'u_erp_source',
      'u_parent',
      'u_valid_from',
      'u_valid_to',
    ],
    [
      { source: 'u_code', target: 'code', coalesce: true },
      { source: 'u_name', target: 'name' },
      { source: 'u_account_number', target: 'account_number' },
      { source: 'u_erp_source', target: 'erp_source' },
      { source: 'u_parent', target: 'parent', ref: ref('cmn_cost_center', 'code', 'ignore') },
      { source: 'u_valid_from', target: 'valid_from' },
      { source: 'u_valid_to', target: 'valid_to' },
    ],
  ),
  table(
    'sn_fcms_intg_imp_supplier',
    'Master data supplier',
    'sn_fin_supplier',
    [
      ['u_erp_company_code', true],
      ['u_erp_source', true],
      ['u_legal_name', true],
      'u_tax_id',
      'u_status',
      'u_payment_term',
      'u_email',
      'u_city',
      'u_country',
    ],
    [
      { source: 'u_erp_company_code', target: 'erp_company_code', coalesce: true },
      { source: 'u_erp_source', target: 'erp_source', coalesce: true },
      { source: 'u_legal_name', target: 'legal_name' },
      { source: 'u_legal_name', target: 'name' },
      { source: 'u_tax_id', target: 'tax_id' },
      { source: 'u_status', target: 'status' },
      { source: 'u_payment_term', target: 'payment_term' },
      { source: 'u_email', target: 'email' },
      { source: 'u_city', target: 'city' },
      { source: 'u_country', target: 'country' },
    ],
  ),
  table(
    'sn_fcms_intg_imp_order',
    'Order stage',
    'sn_shop_purchase_order',
    [
      ['u_erp_po_number', true],
      ['u_erp_source', true],
      'u_supplier_company_name',
      'u_supplier_erp_code',
      'u_legal_entity',
      'u_cost_center',
      'u_po_amount',
      'u_po_amount_currency',
      'u_po_status',
      'u_order_type',
      'u_payment_term',
      'u_order_date',
    ],
    [
      { source: 'u_erp_po_number', target: 'erp_number', coalesce: true },
      { source: 'u_erp_source', target: 'erp_source', coalesce: true },
      {
        source: 'u_supplier_company_name',
        target: 'supplier',
        ref: ref('sn_fin_supplier', 'legal_name', 'ignore'),
      },
      { source: 'u_supplier_erp_code', target: 'supplier_erp_code' },
      { source: 'u_legal_entity', target: 'legal_entity', ref: ref('sn_fin_legal_entity', 'name', 'ignore') },
      { source: 'u_cost_center', target: 'cost_center', ref: ref('cmn_cost_center', 'code', 'reject') },
      { source: 'u_po_amount', target: 'total_amount' },
      { source: 'u_po_amount_currency', target: 'currency' },
      { source: 'u_po_status', target: 'status' },
      { source: 'u_order_type', target: 'order_type' },
      { source: 'u_payment_term', target: 'payment_term' },
      { source: 'u_order_date', target: 'order_placed' },
    ],
  ),
  table(
    'sn_fcms_intg_imp_order_line',
    'Order line stage',
    'sn_shop_purchase_order_line',
    [
      ['u_erp_source', true],
      ['u_erp_po_number', true],
      ['u_erp_po_line_number', true],
      'u_product_name',
      'u_product_type',
      'u_quantity',
      'u_unit_price',
      'u_line_amount',
      'u_cost_center',
      'u_expected_delivery',
    ],
    [
      { source: 'u_erp_source', target: 'erp_source', coalesce: true },
      // A line before its header is an error row (§4.1 "Retrigger failed order line import set records").
      {
        source: 'u_erp_po_number',
        target: 'purchase_order',
        coalesce: true,
        ref: ref('sn_shop_purchase_order', 'erp_number', 'reject'),
      },
      { source: 'u_erp_po_line_number', target: 'erp_line_number', coalesce: true },
      { source: 'u_product_name', target: 'product_name' },
      { source: 'u_product_type', target: 'product_type' },
      { source: 'u_quantity', target: 'quantity' },
      { source: 'u_unit_price', target: 'unit_price' },
      { source: 'u_line_amount', target: 'total_amount' },
      { source: 'u_cost_center', target: 'cost_center', ref: ref('cmn_cost_center', 'code', 'reject') },
      { source: 'u_expected_delivery', target: 'expected_delivery' },
    ],
  ),
  table(
    'sn_spend_intg_imp_invoice',
    'Invoice import',
    'sn_shop_invoice',
    [
      ['u_external_invoice_number', true],
      ['u_external_invoice_source', true],
      ['u_erp_source', true],
      ['u_invoice_date', true],
      ['u_other_charges', true],
      'u_amount_invoiced',
      'u_currency',
      'u_supplier',
      'u_supplier_invoice_number',
      'u_purchase_order',
      'u_legal_entity',
      'u_payment_terms',
      'u_final_tax',
      'u_invoice_type',
    ],
    [
      { source: 'u_external_invoice_number', target: 'external_invoice_number', coalesce: true },
      { source: 'u_external_invoice_source', target: 'external_invoice_source', coalesce: true },
      { source: 'u_erp_source', target: 'erp_source' },
      { source: 'u_invoice_date', target: 'invoice_date' },
      { source: 'u_other_charges', target: 'other_charges' },
      { source: 'u_amount_invoiced', target: 'amount_invoiced' },
      { source: 'u_currency', target: 'currency' },
      { source: 'u_supplier', target: 'supplier', ref: ref('sn_fin_supplier', 'erp_company_code', 'reject') },
      { source: 'u_supplier_invoice_number', target: 'supplier_invoice_number' },
      {
        source: 'u_purchase_order',
        target: 'purchase_order',
        ref: ref('sn_shop_purchase_order', 'erp_number', 'ignore'),
      },
      { source: 'u_legal_entity', target: 'legal_entity', ref: ref('sn_fin_legal_entity', 'name', 'ignore') },
      { source: 'u_payment_terms', target: 'payment_terms' },
      { source: 'u_final_tax', target: 'final_tax' },
      { source: 'u_invoice_type', target: 'invoice_type' },
    ],
  ),
  table(
    'sn_spend_intg_imp_invoice_line',
    'Invoice line import',
    'sn_shop_invoice_line',
    [
      ['u_external_invoice_number', true],
      ['u_external_invoice_source', true],
      ['u_erp_line_number', true],
      ['u_erp_source', true],
      ['u_line_description', true],
      ['u_line_quantity', true],
      ['u_line_unit_price', true],
      ['u_subtotal', true],
      'u_cost_center',
      'u_gl_account',
      'u_purchase_order_line',
      'u_tax_amount',
      'u_uom',
    ],
    [
      {
        source: 'u_external_invoice_number',
        target: 'invoice',
        coalesce: true,
        ref: ref('sn_shop_invoice', 'external_invoice_number', 'reject'),
      },
      { source: 'u_external_invoice_source', target: 'external_invoice_source', coalesce: true },
      { source: 'u_erp_line_number', target: 'erp_line_number', coalesce: true },
      { source: 'u_erp_source', target: 'erp_source' },
      { source: 'u_line_description', target: 'description' },
      { source: 'u_line_quantity', target: 'quantity' },
      { source: 'u_line_unit_price', target: 'unit_price' },
      { source: 'u_subtotal', target: 'subtotal' },
      { source: 'u_cost_center', target: 'cost_center', ref: ref('cmn_cost_center', 'code', 'reject') },
      { source: 'u_gl_account', target: 'gl_account', ref: ref('sn_fin_gl_account', 'code', 'reject') },
      { source: 'u_purchase_order_line', target: 'purchase_order_line' },
      { source: 'u_tax_amount', target: 'tax_amount' },
      { source: 'u_uom', target: 'uom' },
    ],
  ),
  table(
    'sn_fcms_intg_gl_account_stage',
    'GL account load data',
    'sn_fin_gl_account',
    [
      ['u_number', true],
      'u_account_name',
      'u_account_currency',
      'u_category',
      'u_type',
      'u_inactive',
      'u_erp_source',
    ],
    [
      { source: 'u_number', target: 'code', coalesce: true },
      { source: 'u_account_name', target: 'name' },
      { source: 'u_account_currency', target: 'currency' },
      { source: 'u_category', target: 'category' },
      { source: 'u_type', target: 'type' },
      { source: 'u_inactive', target: 'active', invert: true },
      { source: 'u_erp_source', target: 'erp_source' },
    ],
  ),
  table(
    'sn_fcms_intg_supplier_payment_inbound_stage',
    'Supplier payment',
    'sn_fin_supplier_payment',
    [
      ['u_payment_number', true],
      ['u_erp_source', true],
      'u_supplier',
      'u_amount',
      'u_currency',
      'u_payment_date',
      'u_status',
      'u_invoice_number',
      'u_payment_method',
    ],
    [
      { source: 'u_payment_number', target: 'payment_number', coalesce: true },
      { source: 'u_erp_source', target: 'erp_source', coalesce: true },
      { source: 'u_supplier', target: 'supplier', ref: ref('sn_fin_supplier', 'erp_company_code', 'reject') },
      { source: 'u_amount', target: 'amount' },
      { source: 'u_currency', target: 'currency' },
      { source: 'u_payment_date', target: 'payment_date' },
      { source: 'u_status', target: 'status' },
      { source: 'u_invoice_number', target: 'invoice_number' },
      { source: 'u_payment_method', target: 'payment_method' },
    ],
  ),
  // GL postings an ERP reports (read-only in the ERP): one row per posting line, coalesced on its key.
  table(
    'u_erp_gl_posting_import',
    'ERP GL posting import',
    'u_erp_gl_posting',
    [
      ['u_posting_key', true],
      ['u_erp_source', true],
      'u_legal_entity',
      'u_document_number',
      'u_document_type',
      'u_posting_date',
      'u_gl_account',
      'u_cost_center',
      'u_debit',
      'u_credit',
      'u_currency',
      'u_description',
    ],
    [
      { source: 'u_posting_key', target: 'posting_key', coalesce: true },
      { source: 'u_erp_source', target: 'erp_source', coalesce: true },
      { source: 'u_legal_entity', target: 'legal_entity', ref: ref('sn_fin_legal_entity', 'name', 'ignore') },
      { source: 'u_document_number', target: 'document_number' },
      { source: 'u_document_type', target: 'document_type' },
      { source: 'u_posting_date', target: 'posting_date' },
      { source: 'u_gl_account', target: 'gl_account' },
      { source: 'u_cost_center', target: 'cost_center' },
      { source: 'u_debit', target: 'debit' },
      { source: 'u_credit', target: 'credit' },
      { source: 'u_currency', target: 'currency' },
      { source: 'u_description', target: 'description' },
    ],
  ),
];

export const STAGING_BY_NAME: ReadonlyMap<string, StagingTable> = new Map(
  STAGING_TABLES.map((t) => [t.name, t]),
);
