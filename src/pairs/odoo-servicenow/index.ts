import type { OdooRequirement } from '../../systems/odoo/adapter.js';
import type { OdooClient } from '../../systems/odoo/client.js';
import type { ServiceNowRequirement } from '../../systems/servicenow/adapter.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';
import { s2pDimensions } from '../s2p.js';
import type { PairDefinition } from '../types.js';
import { buildFlows, ODOO_FIELDS } from './flows.js';
import { odooServiceNowOptions, type OdooServiceNowOptions } from './options.js';

/**
 * odoo-servicenow: Odoo (books) -> ServiceNow Source-to-Pay. Cost centers both ways, GL accounts
 * checked, suppliers, purchase orders with lines and posted vendor bills with lines into the S2P
 * staging tables. Payments and GL postings are never written back.
 */
export const odooServiceNow: PairDefinition<(typeof odooServiceNowOptions)['shape']> = {
  name: 'odoo-servicenow',
  description:
    'Odoo -> ServiceNow Source-to-Pay: cost centers (both ways), GL account checks, suppliers, purchase orders, vendor bills',
  systems: { source: 'odoo', target: 'servicenow' },
  options: odooServiceNowOptions,
  requirements(options: OdooServiceNowOptions) {
    const source: OdooRequirement[] = Object.entries(ODOO_FIELDS).map(([model, fields]) => ({
      model,
      fields: [...fields],
    }));
    const t = options.tables;
    const c = options.coalesce;
    const staging = (name: string, columns: string[], coalesceOn: string[]): ServiceNowRequirement => ({
      staging: name,
      columns,
      coalesceOn,
    });
    const target: ServiceNowRequirement[] = [
      { table: t.costCenter },
      { table: t.glAccount },
      { table: t.supplier },
      staging(t.costCenterStaging, ['u_code', 'u_name', 'u_erp_source', 'u_valid_to'], c.costCenter),
      staging(
        t.supplierStaging,
        [
          'u_erp_company_code',
          'u_erp_source',
          'u_legal_name',
          'u_tax_id',
          'u_status',
          'u_email',
          'u_city',
          'u_country',
        ],
        c.supplier,
      ),
      staging(
        t.orderStaging,
        [
          'u_erp_po_number',
          'u_erp_source',
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
        c.order,
      ),
      staging(
        t.orderLineStaging,
        [
          'u_erp_source',
          'u_erp_po_number',
          'u_erp_po_line_number',
          'u_product_name',
          'u_product_type',
          'u_quantity',
          'u_unit_price',
          'u_line_amount',
          'u_cost_center',
          'u_expected_delivery',
        ],
        c.orderLine,
      ),
      staging(
        t.invoiceStaging,
        [
          'u_external_invoice_number',
          'u_external_invoice_source',
          'u_erp_source',
          'u_invoice_date',
          'u_other_charges',
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
        c.invoice,
      ),
      staging(
        t.invoiceLineStaging,
        [
          'u_external_invoice_number',
          'u_external_invoice_source',
          'u_erp_line_number',
          'u_erp_source',
          'u_line_description',
          'u_line_quantity',
          'u_line_unit_price',
          'u_subtotal',
          'u_cost_center',
          'u_gl_account',
          'u_tax_amount',
          'u_purchase_order_line',
        ],
        c.invoiceLine,
      ),
    ];
    return { source, target };
  },
  build(env) {
    const odoo = env.source as OdooClient;
    const sn = env.target as ServiceNowClient;
    const o = env.options;
    const t = o.tables;
    return {
      flows: buildFlows({ odoo, sn }, o, o.batchSize),
      // Start-up work of both systems at once: the models' field metadata in one round trip instead
      // of one per flow, and ServiceNow's token and clock (for the flow it is the source of) while
      // Odoo answers.
      session: async (run) => {
        odoo.prefetchFields(Object.keys(ODOO_FIELDS));
        sn.prefetchServerTime();
        return run();
      },
      makeDims: () => s2pDimensions(sn, t, o.erpSource),
    };
  },
};
