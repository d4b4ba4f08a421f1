import type { OdooRequirement } from '../../systems/odoo/adapter.js';
import type { OdooClient } from '../../systems/odoo/client.js';
import type { ServiceNowRequirement } from '../../systems/servicenow/adapter.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';
import {
  S2P_STAGING_COLUMNS,
  s2pDimensionRequirements,
  s2pDimensions,
  stagingRequirement as staging,
} from '../s2p.js';
import type { PairDefinition } from '../types.js';
import { odooServiceNowDemo } from './demo.js';
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
    const toOdoo = options.costCenters.direction === 'both' || options.costCenters.direction === 'to-odoo';
    const source: OdooRequirement[] = Object.entries(ODOO_FIELDS).map(([model, fields]) => ({
      model,
      fields: [...fields],
      // Cost centers from ServiceNow are created and updated as analytic accounts.
      ...(toOdoo && model === 'account.analytic.account' ? { access: ['create', 'write'] as const } : {}),
    }));
    const t = options.tables;
    const c = options.coalesce;
    const target: ServiceNowRequirement[] = [
      ...s2pDimensionRequirements(t, options.erpSource),
      staging(t.costCenterStaging, S2P_STAGING_COLUMNS.costCenter, c.costCenter),
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
      staging(t.orderStaging, S2P_STAGING_COLUMNS.order, c.order),
      staging(t.orderLineStaging, S2P_STAGING_COLUMNS.orderLine, c.orderLine),
      staging(t.invoiceStaging, S2P_STAGING_COLUMNS.invoice, c.invoice),
      staging(t.invoiceLineStaging, S2P_STAGING_COLUMNS.invoiceLine, c.invoiceLine),
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
      // The models' field metadata in one round trip instead of one per flow.
      session: async (run) => {
        odoo.prefetchFields(Object.keys(ODOO_FIELDS));
        return run();
      },
      makeDims: () => s2pDimensions(sn, t, o.erpSource),
    };
  },
  // Fits the simulators' demo seeds: the legal entity the ServiceNow seed holds, and so on.
  simSettings: { legalEntity: 'Acme Distribution' },
  demo: odooServiceNowDemo,
};
