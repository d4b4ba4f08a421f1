import type { NetSuiteRequirement } from '../../systems/netsuite/adapter.js';
import type { NetSuiteClient } from '../../systems/netsuite/client.js';
import type { ServiceNowRequirement } from '../../systems/servicenow/adapter.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';
import {
  S2P_STAGING_COLUMNS,
  s2pDimensionRequirements,
  s2pDimensions,
  stagingRequirement as staging,
} from '../s2p.js';
import type { PairDefinition } from '../types.js';
import { buildFlows, netSuiteTables } from './flows.js';
import { NETSUITE_SERVICENOW_SIM_SETTINGS, netSuiteServiceNowDemo } from './demo.js';
import { netSuiteServiceNowOptions, type NetSuiteServiceNowOptions } from './options.js';

/** Staging columns each flow writes (what `mlc ping` checks exist). */
export const STAGING_COLUMNS = {
  ...S2P_STAGING_COLUMNS,
  glAccount: [
    'u_number',
    'u_account_name',
    'u_account_currency',
    'u_category',
    'u_type',
    'u_inactive',
    'u_erp_source',
  ],
  supplier: ['u_erp_company_code', 'u_erp_source', 'u_legal_name', 'u_status', 'u_payment_term', 'u_email'],
  glPosting: [
    'u_posting_key',
    'u_erp_source',
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
} as const;

/**
 * netsuite-servicenow: NetSuite (financial system of record, several subsidiaries) -> ServiceNow
 * Source-to-Pay. GL accounts, departments <-> cost centers (both ways, no echo), vendors, purchase
 * orders and vendor bills with lines, and posted GL lines (read only) through the S2P Import Sets,
 * coalesced on the NetSuite reference, which carries the subsidiary. Each subsidiary maps to its
 * ServiceNow legal entity.
 */
export const netSuiteServiceNow: PairDefinition<(typeof netSuiteServiceNowOptions)['shape']> = {
  name: 'netsuite-servicenow',
  description:
    'NetSuite -> ServiceNow Source-to-Pay: GL accounts, departments <-> cost centers, vendors, purchase orders, vendor bills, GL postings; per-subsidiary legal entities',
  systems: { source: 'netsuite', target: 'servicenow' },
  options: netSuiteServiceNowOptions,
  requirements(o: NetSuiteServiceNowOptions) {
    const source: NetSuiteRequirement[] = netSuiteTables(o).map((table) => ({ table }));
    const t = o.tables;
    const c = o.coalesce;
    const target: ServiceNowRequirement[] = [...s2pDimensionRequirements(t, o.erpSource)];
    if (o.glAccounts.enabled)
      target.push(staging(t.glAccountStaging, STAGING_COLUMNS.glAccount, c.glAccount));
    if (o.costCenters.direction === 'both' || o.costCenters.direction === 'to-servicenow')
      target.push(staging(t.costCenterStaging, STAGING_COLUMNS.costCenter, c.costCenter));
    if (o.vendors.enabled) target.push(staging(t.supplierStaging, STAGING_COLUMNS.supplier, c.supplier));
    if (o.purchaseOrders.enabled)
      target.push(
        staging(t.orderStaging, STAGING_COLUMNS.order, c.order),
        staging(t.orderLineStaging, STAGING_COLUMNS.orderLine, c.orderLine),
      );
    if (o.bills.enabled)
      target.push(
        staging(t.invoiceStaging, STAGING_COLUMNS.invoice, c.invoice),
        staging(t.invoiceLineStaging, STAGING_COLUMNS.invoiceLine, c.invoiceLine),
      );
    if (o.glPostings.enabled)
      target.push(staging(o.glPostings.staging, STAGING_COLUMNS.glPosting, o.glPostings.coalesce));
    return { source, target };
  },
  build(env) {
    const ns = env.source as NetSuiteClient;
    const sn = env.target as ServiceNowClient;
    const o = env.options;
    return {
      flows: buildFlows(ns, sn, o),
      makeDims: () => s2pDimensions(sn, o.tables, o.erpSource),
    };
  },
  simSettings: NETSUITE_SERVICENOW_SIM_SETTINGS,
  demo: netSuiteServiceNowDemo,
};
