/**
 * Model and field declarations of the simulated Odoo, per version (api notes §4 and §8: 19 renames
 * `taxes_id`→`tax_ids`, `product_uom`→`product_uom_id`, drops PO state `done`; 18+ has
 * `account.account.company_ids`/`active` and `account.payment.memo`).
 */
export type SimVersion = 17 | 18 | 19;

export type FieldType =
  | 'char'
  | 'text'
  | 'html'
  | 'integer'
  | 'float'
  | 'monetary'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'selection'
  | 'many2one'
  | 'one2many'
  | 'many2many'
  | 'json';

export interface FieldDef {
  type: FieldType;
  string: string;
  relation?: string;
  /** one2many: the many2one field on `relation` that points back. */
  inverse?: string;
  required?: boolean;
  readonly?: boolean;
  selection?: string[];
  /** Computed by the simulator (not writable from outside; readonly). */
  computed?: boolean;
  default?: unknown;
  /**
   * What `fields_get` reports where it differs from how the simulator enforces the field (19.0 as
   * recorded: e.g. `res.partner.name` is not `required` there, a constraint enforces it).
   */
  report?: { required?: boolean; readonly?: boolean; store?: boolean; company_dependent?: boolean };
}

export interface ModelDef {
  name: string;
  description: string;
  fields: Record<string, FieldDef>;
  /** Default `order` of search. */
  order: string;
  /** Record methods callable over RPC besides the ORM ones. */
  actions: string[];
}

const f = (type: FieldType, string: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  type,
  string,
  ...extra,
});
const m2o = (relation: string, string: string, extra: Partial<FieldDef> = {}): FieldDef =>
  f('many2one', string, { relation, ...extra });
const o2m = (relation: string, inverse: string, string: string): FieldDef =>
  f('one2many', string, { relation, inverse });
const m2m = (relation: string, string: string): FieldDef => f('many2many', string, { relation });
const sel = (selection: string[], string: string, extra: Partial<FieldDef> = {}): FieldDef =>
  f('selection', string, { selection, ...extra });
const computed = (def: FieldDef): FieldDef => ({ ...def, computed: true, readonly: true });

const LOG_FIELDS: Record<string, FieldDef> = {
  id: f('integer', 'ID', { readonly: true }),
  display_name: computed(f('char', 'Display Name')),
  create_date: f('datetime', 'Created on', { readonly: true }),
  write_date: f('datetime', 'Last Updated on', { readonly: true }),
  create_uid: m2o('res.users', 'Created by', { readonly: true }),
  write_uid: m2o('res.users', 'Last Updated by', { readonly: true }),
};

export function buildModels(version: SimVersion): Map<string, ModelDef> {
  const v19 = version >= 19;
  const v18 = version >= 18;
  const models: ModelDef[] = [
    {
      name: 'res.company',
      description: 'Companies',
      order: 'sequence, name',
      actions: [],
      fields: {
        name: f('char', 'Company Name', { required: true }),
        currency_id: m2o('res.currency', 'Currency', { report: { required: true } }),
        parent_id: m2o('res.company', 'Parent Company'),
        partner_id: m2o('res.partner', 'Partner', { report: { required: true } }),
        country_id: m2o('res.country', 'Country'),
        sequence: f('integer', 'Sequence'),
      },
    },
    {
      name: 'res.currency',
      description: 'Currency',
      order: 'active desc, name',
      actions: [],
      fields: {
        name: f('char', 'Currency', { required: true }),
        symbol: f('char', 'Symbol'),
        active: f('boolean', 'Active', { default: true }),
      },
    },
    {
      name: 'res.users',
      description: 'User',
      order: 'name, login',
      actions: [],
      fields: {
        name: f('char', 'Name', { required: true, report: { required: false } }),
        login: f('char', 'Login', { required: true }),
        partner_id: m2o('res.partner', 'Related Partner'),
        company_id: m2o('res.company', 'Company', { report: { required: true } }),
        company_ids: m2m('res.company', 'Allowed Companies'),
        tz: f('char', 'Timezone'),
        lang: f('char', 'Language'),
        active: f('boolean', 'Active', { default: true }),
      },
    },
    {
      name: 'res.partner',
      description: 'Contact',
      order: 'complete_name ASC, id DESC',
      actions: [],
      fields: {
        name: f('char', 'Name', { required: true, report: { required: false } }),
        complete_name: computed(f('char', 'Complete Name')),
        is_company: f('boolean', 'Is a Company'),
        parent_id: m2o('res.partner', 'Related Company'),
        child_ids: o2m('res.partner', 'parent_id', 'Contact'),
        commercial_partner_id: computed(m2o('res.partner', 'Commercial Entity')),
        ref: f('char', 'Reference'),
        vat: f('char', 'Tax ID'),
        email: f('char', 'Email'),
        phone: f('char', 'Phone'),
        street: f('char', 'Street'),
        street2: f('char', 'Street2'),
        city: f('char', 'City'),
        zip: f('char', 'Zip'),
        state_id: m2o('res.country.state', 'State'),
        country_id: m2o('res.country', 'Country'),
        company_id: m2o('res.company', 'Company'),
        active: f('boolean', 'Active', { default: true }),
        supplier_rank: f('integer', 'Supplier Rank', { default: 0 }),
        customer_rank: f('integer', 'Customer Rank', { default: 0 }),
        property_supplier_payment_term_id: m2o('account.payment.term', 'Vendor Payment Terms'),
        bank_ids: m2m('res.partner.bank', 'Banks'),
      },
    },
    {
      name: 'res.country',
      description: 'Country',
      order: 'name',
      actions: [],
      fields: { name: f('char', 'Country Name', { required: true }), code: f('char', 'Country Code') },
    },
    {
      name: 'res.country.state',
      description: 'Country state',
      order: 'name',
      actions: [],
      fields: { name: f('char', 'State Name', { required: true }), code: f('char', 'State Code') },
    },
    {
      name: 'res.partner.bank',
      description: 'Bank Accounts',
      order: 'id',
      actions: [],
      fields: {
        acc_number: f('char', 'Account Number', { required: true }),
        partner_id: m2o('res.partner', 'Account Holder'),
      },
    },
    {
      name: 'account.payment.term',
      description: 'Payment Terms',
      order: 'name',
      actions: [],
      fields: { name: f('char', 'Payment Terms', { required: true }) },
    },
    {
      name: 'uom.uom',
      description: 'Product Unit of Measure',
      order: 'name',
      actions: [],
      fields: { name: f('char', 'Unit', { required: true }) },
    },
    {
      name: 'account.tax',
      description: 'Tax',
      order: 'sequence,id',
      actions: [],
      fields: {
        name: f('char', 'Tax Name', { required: true }),
        amount: f('float', 'Amount'),
        type_tax_use: sel(['sale', 'purchase', 'none'], 'Tax Type'),
        sequence: f('integer', 'Sequence'),
      },
    },
    {
      name: 'product.product',
      description: 'Product Variant',
      order: 'default_code, name, id',
      actions: [],
      fields: {
        name: f('char', 'Name', { required: true }),
        default_code: f('char', 'Internal Reference'),
        barcode: f('char', 'Barcode'),
        product_tmpl_id: m2o('product.template', 'Product Template'),
        type: sel(v18 ? ['consu', 'service', 'combo'] : ['consu', 'service', 'product'], 'Product Type', {
          default: 'consu',
        }),
        list_price: f('float', 'Sales Price'),
        standard_price: f('float', 'Cost'),
        uom_id: m2o('uom.uom', 'Unit'),
        active: f('boolean', 'Active', { default: true }),
      },
    },
    {
      name: 'product.template',
      description: 'Product',
      order: 'name',
      actions: [],
      fields: { name: f('char', 'Name', { required: true }) },
    },
    {
      name: 'account.analytic.plan',
      description: 'Analytic Plans',
      order: 'sequence asc, id',
      actions: [],
      fields: {
        name: f('char', 'Name', { required: true }),
        sequence: f('integer', 'Sequence'),
        parent_id: m2o('account.analytic.plan', 'Parent'),
        default_applicability: sel(['optional', 'mandatory', 'unavailable'], 'Default Applicability', {
          default: 'optional',
        }),
      },
    },
    {
      name: 'account.analytic.account',
      description: 'Analytic Account',
      order: 'plan_id, name asc',
      actions: [],
      fields: {
        name: f('char', 'Analytic Account', { required: true }),
        code: f('char', 'Reference'),
        plan_id: m2o('account.analytic.plan', 'Plan', { required: true }),
        company_id: m2o('res.company', 'Company'),
        partner_id: m2o('res.partner', 'Customer'),
        active: f('boolean', 'Active', { default: true }),
        balance: computed(f('monetary', 'Balance')),
      },
    },
    {
      name: 'account.account',
      description: 'Account',
      order: v18 ? 'code, id' : 'code, company_id',
      actions: [],
      fields: {
        name: f('char', 'Account Name', { required: true }),
        // 18+: `code` is computed from the company-dependent `code_store` (§9).
        code: f('char', 'Code', {
          required: true,
          ...(v18 ? { report: { required: false, store: false, company_dependent: false } } : {}),
        }),
        ...(v18
          ? {
              code_store: f('char', 'Code Store', {
                report: { store: true, company_dependent: true, readonly: false },
                computed: true,
              }),
            }
          : {}),
        account_type: sel(
          [
            'asset_receivable',
            'asset_cash',
            'asset_current',
            'asset_non_current',
            'asset_prepayments',
            'asset_fixed',
            'liability_payable',
            'liability_credit_card',
            'liability_current',
            'liability_non_current',
            'equity',
            'equity_unaffected',
            'income',
            'income_other',
            'expense',
            'expense_depreciation',
            'expense_direct_cost',
            'off_balance',
          ],
          'Type',
          { required: true },
        ),
        reconcile: f('boolean', 'Allow Reconciliation'),
        currency_id: m2o('res.currency', 'Account Currency'),
        ...(v18
          ? {
              company_ids: { ...m2m('res.company', 'Companies'), report: { required: true } },
              active: f('boolean', 'Active', { default: true }),
            }
          : { company_id: m2o('res.company', 'Company'), deprecated: f('boolean', 'Deprecated') }),
      },
    },
    {
      name: 'account.journal',
      description: 'Journal',
      order: 'sequence, type, code',
      actions: [],
      fields: {
        name: f('char', 'Journal Name', { required: true }),
        code: f('char', 'Short Code'),
        type: sel(['sale', 'purchase', 'cash', 'bank', 'general'], 'Type'),
        sequence: f('integer', 'Sequence'),
        company_id: m2o('res.company', 'Company'),
        active: f('boolean', 'Active', { default: true }),
      },
    },
    {
      // The ways a bank or cash journal receives and sends money (Manual, Checks…).
      name: 'account.payment.method.line',
      description: 'Payment Methods',
      order: 'sequence, id',
      actions: [],
      fields: {
        name: f('char', 'Name'),
        sequence: f('integer', 'Sequence', { default: 10 }),
        journal_id: m2o('account.journal', 'Journal'),
        payment_type: sel(['inbound', 'outbound'], 'Payment Type', { required: true }),
      },
    },
    {
      name: 'purchase.order',
      description: 'Purchase Order',
      order: 'priority desc, id desc',
      actions: ['button_confirm', 'button_cancel', 'button_draft'],
      fields: {
        name: f('char', 'Order Reference', { required: true, default: 'New' }),
        priority: sel(['0', '1'], 'Priority', { default: '0' }),
        partner_id: m2o('res.partner', 'Vendor', { required: true }),
        partner_ref: f('char', 'Vendor Reference'),
        origin: f('char', 'Source Document'),
        date_order: f('datetime', 'Order Deadline', { required: true }),
        date_approve: f('datetime', 'Confirmation Date', { readonly: true }),
        date_planned: { ...computed(f('datetime', 'Expected Arrival')), report: { readonly: false } },
        state: sel(
          v19
            ? ['draft', 'sent', 'to approve', 'purchase', 'cancel']
            : ['draft', 'sent', 'to approve', 'purchase', 'done', 'cancel'],
          'Status',
          { default: 'draft', readonly: true },
        ),
        ...(v19 ? { locked: f('boolean', 'Locked') } : {}),
        order_line: o2m('purchase.order.line', 'order_id', 'Order Lines'),
        currency_id: m2o('res.currency', 'Currency', { required: true }),
        amount_untaxed: computed(f('monetary', 'Untaxed Amount')),
        amount_tax: computed(f('monetary', 'Taxes')),
        amount_total: computed(f('monetary', 'Total')),
        company_id: m2o('res.company', 'Company', { required: true }),
        user_id: m2o('res.users', 'Buyer'),
        invoice_status: sel(['no', 'to invoice', 'invoiced'], 'Billing Status', {
          default: 'no',
          readonly: true,
        }),
        invoice_ids: m2m('account.move', 'Bills'),
        receipt_status: sel(['pending', 'partial', 'full'], 'Receipt Status'),
        payment_term_id: m2o('account.payment.term', 'Payment Terms'),
        fiscal_position_id: m2o('account.fiscal.position', 'Fiscal Position'),
        note: f(v19 ? 'html' : 'html', 'Terms and Conditions'),
      },
    },
    {
      name: 'account.fiscal.position',
      description: 'Fiscal Position',
      order: 'sequence',
      actions: [],
      fields: { name: f('char', 'Fiscal Position', { required: true }) },
    },
    {
      name: 'purchase.order.line',
      description: 'Purchase Order Line',
      order: 'order_id, sequence, id',
      actions: [],
      fields: {
        order_id: m2o('purchase.order', 'Order Reference', { required: true }),
        sequence: f('integer', 'Sequence', { default: 10 }),
        display_type: sel(['line_section', 'line_note'], 'Display Type'),
        product_id: m2o('product.product', 'Product'),
        name: f('text', 'Description', { required: true }),
        product_qty: f('float', 'Quantity', { required: true, default: 1 }),
        product_uom_qty: computed(f('float', 'Total Quantity')),
        [v19 ? 'product_uom_id' : 'product_uom']: m2o('uom.uom', 'Unit'),
        price_unit: f('float', 'Unit Price', { required: true, default: 0 }),
        discount: f('float', 'Discount (%)', { default: 0 }),
        [v19 ? 'tax_ids' : 'taxes_id']: m2m('account.tax', 'Taxes'),
        price_subtotal: computed(f('monetary', 'Subtotal')),
        price_tax: computed(f('float', 'Tax')),
        price_total: computed(f('monetary', 'Total')),
        date_planned: f('datetime', 'Expected Arrival'),
        qty_received: f('float', 'Received Qty', { default: 0 }),
        qty_invoiced: f('float', 'Billed Qty', { default: 0, report: { readonly: true } }),
        qty_to_invoice: computed(f('float', 'To Invoice Quantity')),
        analytic_distribution: f('json', 'Analytic Distribution'),
        company_id: computed(m2o('res.company', 'Company')),
        partner_id: computed(m2o('res.partner', 'Partner')),
        currency_id: computed(m2o('res.currency', 'Currency')),
        state: computed(
          sel(
            v19
              ? ['draft', 'sent', 'to approve', 'purchase', 'cancel']
              : ['draft', 'sent', 'to approve', 'purchase', 'done', 'cancel'],
            'Status',
          ),
        ),
      },
    },
    {
      name: 'account.move',
      description: 'Journal Entry',
      order: 'date desc, name desc, invoice_date desc, id desc',
      actions: ['action_post', 'button_draft', 'button_cancel'],
      fields: {
        name: f('char', 'Number', { readonly: true, report: { readonly: false } }),
        ref: f('char', 'Reference'),
        payment_reference: f('char', 'Payment Reference'),
        move_type: sel(
          ['entry', 'out_invoice', 'out_refund', 'in_invoice', 'in_refund', 'out_receipt', 'in_receipt'],
          'Type',
          { required: true, default: 'entry', report: { readonly: true } },
        ),
        partner_id: m2o('res.partner', 'Partner'),
        commercial_partner_id: computed(m2o('res.partner', 'Commercial Entity')),
        invoice_date: f('date', 'Invoice/Bill Date'),
        invoice_date_due: f('date', 'Due Date'),
        date: f('date', 'Date', { required: true }),
        journal_id: m2o('account.journal', 'Journal', { required: true }),
        currency_id: m2o('res.currency', 'Currency', { required: true }),
        company_id: m2o('res.company', 'Company', { required: true, report: { required: false } }),
        state: sel(['draft', 'posted', 'cancel'], 'Status', {
          default: 'draft',
          readonly: true,
          required: true,
        }),
        payment_state: sel(
          [
            'not_paid',
            'in_payment',
            'paid',
            'partial',
            'reversed',
            'invoicing_legacy',
            ...(v18 ? ['blocked'] : []),
          ],
          'Payment Status',
          { default: 'not_paid', readonly: true },
        ),
        amount_untaxed: computed(f('monetary', 'Untaxed Amount')),
        amount_tax: computed(f('monetary', 'Tax')),
        amount_total: computed(f('monetary', 'Total')),
        amount_residual: computed(f('monetary', 'Amount Due')),
        invoice_line_ids: o2m('account.move.line', 'move_id', 'Invoice lines'),
        line_ids: o2m('account.move.line', 'move_id', 'Journal Items'),
        invoice_origin: f('char', 'Origin', { report: { readonly: true } }),
        invoice_payment_term_id: m2o('account.payment.term', 'Payment Terms'),
      },
    },
    {
      name: 'account.move.line',
      description: 'Journal Item',
      order: 'date desc, move_name desc, id',
      actions: [],
      fields: {
        move_id: m2o('account.move', 'Journal Entry', { required: true, report: { readonly: true } }),
        company_id: computed(m2o('res.company', 'Company')),
        move_name: computed(f('char', 'Number')),
        sequence: f('integer', 'Sequence', { default: 10 }),
        display_type: sel(
          [
            'product',
            'cogs',
            'tax',
            'discount',
            'rounding',
            'payment_term',
            'line_section',
            'line_note',
            'epd',
          ],
          'Display Type',
          { default: 'product', required: true },
        ),
        account_id: m2o('account.account', 'Account'),
        name: f('char', 'Label'),
        product_id: m2o('product.product', 'Product'),
        quantity: f('float', 'Quantity', { default: 1 }),
        price_unit: f('float', 'Unit Price', { default: 0 }),
        discount: f('float', 'Discount (%)', { default: 0 }),
        tax_ids: m2m('account.tax', 'Taxes'),
        price_subtotal: computed(f('monetary', 'Subtotal')),
        price_total: computed(f('monetary', 'Total')),
        debit: f('monetary', 'Debit', { default: 0 }),
        credit: f('monetary', 'Credit', { default: 0 }),
        balance: computed(f('monetary', 'Balance')),
        amount_currency: computed(f('monetary', 'Amount in Currency')),
        currency_id: computed(m2o('res.currency', 'Currency')),
        partner_id: m2o('res.partner', 'Partner'),
        analytic_distribution: f('json', 'Analytic Distribution'),
        purchase_line_id: m2o('purchase.order.line', 'Purchase Order Line'),
        date: computed(f('date', 'Date')),
        parent_state: computed(sel(['draft', 'posted', 'cancel'], 'Status')),
      },
    },
    {
      name: 'account.payment',
      description: 'Payments',
      order: 'date desc, name desc',
      actions: ['action_post', 'action_draft', 'action_cancel'],
      fields: {
        name: f('char', 'Number', { readonly: true }),
        payment_type: sel(['outbound', 'inbound'], 'Payment Type', { required: true, default: 'inbound' }),
        partner_type: sel(['customer', 'supplier'], 'Partner Type', { default: 'customer' }),
        partner_id: m2o('res.partner', 'Customer/Vendor'),
        amount: f('monetary', 'Amount'),
        currency_id: m2o('res.currency', 'Currency'),
        date: f('date', 'Date', { required: true }),
        journal_id: m2o('account.journal', 'Journal', { required: true }),
        state: sel(
          v18 ? ['draft', 'in_process', 'paid', 'canceled', 'rejected'] : ['draft', 'posted', 'cancel'],
          'Status',
          { default: 'draft', readonly: true, required: true },
        ),
        [v18 ? 'memo' : 'ref']: f('char', 'Memo'),
        payment_method_line_id: m2o('account.payment.method.line', 'Payment Method'),
        company_id: m2o('res.company', 'Company'),
        move_id: m2o('account.move', 'Journal Entry'),
        reconciled_bill_ids: m2m('account.move', 'Reconciled Bills'),
        reconciled_invoice_ids: m2m('account.move', 'Reconciled Invoices'),
      },
    },
    {
      // The "Register Payment" wizard of an invoice (transient; sim/odoo/payments.ts).
      name: 'account.payment.register',
      description: 'Pay',
      order: 'id',
      actions: ['action_create_payments'],
      fields: {
        payment_date: f('date', 'Payment Date', { required: true }),
        amount: f('monetary', 'Amount'),
        communication: f('char', 'Memo'),
        journal_id: m2o('account.journal', 'Journal'),
        payment_method_line_id: m2o('account.payment.method.line', 'Payment Method'),
        payment_type: sel(['outbound', 'inbound'], 'Payment Type', { report: { readonly: true } }),
        partner_type: sel(['customer', 'supplier'], 'Partner Type', { report: { readonly: true } }),
        // Computed from the invoice being paid (writable, as Odoo's stored computes are).
        partner_id: m2o('res.partner', 'Customer/Vendor', { report: { readonly: true } }),
        company_id: m2o('res.company', 'Company', { report: { readonly: true } }),
        currency_id: m2o('res.currency', 'Currency'),
        line_ids: m2m('account.move.line', 'Journal items'),
      },
    },
    {
      name: 'hr.employee',
      description: 'Employee',
      order: 'name',
      actions: [],
      fields: {
        name: f('char', 'Employee Name', { required: true }),
        work_email: f('char', 'Work Email'),
        department_id: m2o('hr.department', 'Department'),
        job_title: f('char', 'Job Title'),
        company_id: m2o('res.company', 'Company', { required: true }),
        user_id: m2o('res.users', 'User'),
        active: f('boolean', 'Active', { default: true }),
      },
    },
    {
      name: 'hr.department',
      description: 'Department',
      order: 'name',
      actions: [],
      fields: { name: f('char', 'Department Name', { required: true }) },
    },
    {
      name: 'sale.order',
      description: 'Sales Order',
      order: 'date_order desc, id desc',
      actions: ['action_confirm', 'action_cancel'],
      fields: {
        name: f('char', 'Order Reference', { required: true, default: 'New' }),
        partner_id: m2o('res.partner', 'Customer', { required: true }),
        client_order_ref: f('char', 'Customer Reference'),
        date_order: f('datetime', 'Order Date', { required: true }),
        state: sel(['draft', 'sent', 'sale', 'cancel'], 'Status', { default: 'draft', readonly: true }),
        locked: f('boolean', 'Locked'),
        amount_untaxed: computed(f('monetary', 'Untaxed Amount')),
        amount_total: computed(f('monetary', 'Total')),
        currency_id: m2o('res.currency', 'Currency'),
        company_id: m2o('res.company', 'Company', { required: true }),
        order_line: o2m('sale.order.line', 'order_id', 'Order Lines'),
      },
    },
    {
      name: 'sale.order.line',
      description: 'Sales Order Line',
      order: 'order_id, sequence, id',
      actions: [],
      fields: {
        order_id: m2o('sale.order', 'Order Reference', { required: true }),
        sequence: f('integer', 'Sequence', { default: 10 }),
        display_type: sel(['line_section', 'line_note'], 'Display Type'),
        product_id: m2o('product.product', 'Product'),
        name: f('text', 'Description', { required: true }),
        product_uom_qty: f('float', 'Quantity', { default: 1 }),
        price_unit: f('float', 'Unit Price', { default: 0 }),
        discount: f('float', 'Discount (%)', { default: 0 }),
        [v18 ? 'tax_ids' : 'tax_id']: m2m('account.tax', 'Taxes'),
        price_subtotal: computed(f('monetary', 'Subtotal')),
      },
    },
    {
      name: 'ir.model.data',
      description: 'Model Data',
      order: 'module, model, name',
      actions: [],
      fields: {
        module: f('char', 'Module', { required: true }),
        name: f('char', 'External Identifier', { required: true }),
        model: f('char', 'Model Name', { required: true }),
        res_id: f('integer', 'Record ID'),
        noupdate: f('boolean', 'Non Updatable', { default: false }),
      },
    },
    // Project (17+: a task's deadline is a datetime; its company follows its project's).
    {
      name: 'project.project',
      description: 'Project',
      order: 'sequence, name, id',
      actions: [],
      fields: {
        name: f('char', 'Name', { required: true }),
        sequence: f('integer', 'Sequence', { default: 10 }),
        company_id: m2o('res.company', 'Company'),
        partner_id: m2o('res.partner', 'Customer'),
        active: f('boolean', 'Active', { default: true }),
        task_ids: o2m('project.task', 'project_id', 'Tasks'),
      },
    },
    {
      name: 'project.task.type',
      description: 'Task Stage',
      order: 'sequence, id',
      actions: [],
      fields: {
        name: f('char', 'Name', { required: true }),
        sequence: f('integer', 'Sequence', { default: 1 }),
      },
    },
    {
      name: 'project.task',
      description: 'Task',
      order: 'priority desc, sequence, date_deadline asc, id desc',
      actions: [],
      fields: {
        name: f('char', 'Title', { required: true }),
        project_id: m2o('project.project', 'Project'),
        partner_id: m2o('res.partner', 'Customer'),
        company_id: m2o('res.company', 'Company', { report: { readonly: false } }),
        description: f('html', 'Description'),
        date_deadline: f('datetime', 'Deadline'),
        stage_id: m2o('project.task.type', 'Stage'),
        priority: sel(['0', '1'], 'Priority', { default: '0' }),
        sequence: f('integer', 'Sequence', { default: 10 }),
        active: f('boolean', 'Active', { default: true }),
      },
    },
  ];
  const map = new Map<string, ModelDef>();
  for (const m of models) map.set(m.name, { ...m, fields: { ...LOG_FIELDS, ...m.fields } });
  return map;
}
