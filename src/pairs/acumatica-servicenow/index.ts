import type { AcumaticaRequirement } from '../../systems/acumatica/adapter.js';
import type { AcumaticaClient } from '../../systems/acumatica/client.js';
import type { ServiceNowRequirement } from '../../systems/servicenow/adapter.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';
import {
  S2P_STAGING_COLUMNS,
  s2pDimensionRequirements,
  s2pDimensions,
  stagingRequirement as staging,
} from '../s2p.js';
import type { PairDefinition } from '../types.js';
import { acumaticaServiceNowDemo } from './demo.js';
import { buildFlows } from './flows.js';
import { acumaticaServiceNowOptions, type AcumaticaServiceNowOptions } from './options.js';
import { acumaticaProbes } from './queries.js';

/** Staging columns each flow writes (what `mlc ping` checks exist), keyed like `tables`/`coalesce`. */
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
  supplier: [
    'u_erp_company_code',
    'u_erp_source',
    'u_legal_name',
    'u_status',
    'u_payment_term',
    'u_tax_id',
    'u_email',
    'u_city',
    'u_country',
  ],
  payment: [
    'u_payment_number',
    'u_erp_source',
    'u_supplier',
    'u_amount',
    'u_currency',
    'u_payment_date',
    'u_status',
    'u_invoice_number',
    'u_payment_method',
  ],
} as const;

/**
 * acumatica-servicenow: Acumatica (financial system of record) -> ServiceNow Source-to-Pay. GL
 * accounts and cost centers first, then vendors, purchase orders, AP bills and AP payments into the
 * S2P staging tables; return path: approved ServiceNow requests -> Acumatica purchase orders, created
 * once each. Posted ledger entries are never written back. A pass runs in ONE Acumatica session
 * (one licensed API seat), always signed out.
 */
export const acumaticaServiceNow: PairDefinition<(typeof acumaticaServiceNowOptions)['shape']> = {
  name: 'acumatica-servicenow',
  description:
    'Acumatica -> ServiceNow Source-to-Pay: GL accounts, cost centers, vendors, purchase orders, AP bills, AP payments; approved requests -> Acumatica POs',
  systems: { source: 'acumatica', target: 'servicenow' },
  options: acumaticaServiceNowOptions,
  requirements(o: AcumaticaServiceNowOptions) {
    const source: AcumaticaRequirement[] = acumaticaProbes(o);
    const t = o.tables;
    const c = o.coalesce;
    const target: ServiceNowRequirement[] = [...s2pDimensionRequirements(t, o.erpSource)];
    if (o.glAccounts.enabled)
      target.push(staging(t.glAccountStaging, STAGING_COLUMNS.glAccount, c.glAccount));
    if (o.costCenters.enabled)
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
    if (o.payments.enabled) target.push(staging(t.paymentStaging, STAGING_COLUMNS.payment, c.payment));
    if (o.requests.enabled) {
      target.push({ table: t.request }, { table: t.requestItem }, { table: t.requisition });
    }
    return { source, target };
  },
  build(env) {
    const acu = env.source as AcumaticaClient;
    const sn = env.target as ServiceNowClient;
    const o = env.options;
    const t = o.tables;
    return {
      flows: buildFlows({ acu, sn }, o, o.batchSize),
      makeDims: () => s2pDimensions(sn, t, o.erpSource),
      session: (fn) => acu.withSession(fn),
    };
  },
  // Fits the simulators' demo seeds: the legal entity the ServiceNow seed holds, and so on.
  simSettings: {
    legalEntity: 'Acme Distribution',
    costCenters: { map: { '100-000': 'CC-100', '200-000': 'CC-200', '300-000': 'CC-300' } },
    requests: { defaultVendor: 'V000003' },
  },
  demo: acumaticaServiceNowDemo,
};
