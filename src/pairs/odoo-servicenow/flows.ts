/**
 * The flows of odoo-servicenow, one file per kind of record, assembled in dependency order.
 */
import type { OdooClient } from '../../systems/odoo/client.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';
import type { Flow } from '../../sync/types.js';
import { type MapOptions } from './mappers.js';
import type { OdooServiceNowOptions } from './options.js';
import { Companies } from './companies.js';
import type { FlowContext } from './context.js';
import { costCenterFlows } from './cost-centers.js';
import { glAccountFlows } from './gl-accounts.js';
import { OdooLookups } from './lookups.js';
import { purchaseOrderFlows } from './purchase-orders.js';
import { supplierFlows } from './suppliers.js';
import { vendorBillFlows } from './vendor-bills.js';

export { ODOO_FIELDS } from './fields.js';

export interface OdooServiceNowClients {
  odoo: OdooClient;
  sn: ServiceNowClient;
}

export function buildFlows(
  clients: OdooServiceNowClients,
  options: OdooServiceNowOptions,
  batchSize: number,
): Flow[] {
  const { odoo, sn } = clients;
  const t = options.tables;
  const opts: MapOptions = {
    erpSource: options.erpSource,
    legalEntity: options.legalEntity,
    costCenterMap: options.costCenters.map,
    glAccountMap: options.glAccounts.map,
  };
  const lookups = new OdooLookups(odoo, options.costCenters.analyticPlan);
  const companies = new Companies(odoo, options);
  /** Documents of the covered companies only. */
  const companyDomain = async (): Promise<unknown[]> => [['company_id', 'in', await companies.ids()]];
  const odooTime = (): Promise<Date> => odoo.serverTime();
  const snTime = (): Promise<Date> => sn.serverTime();
  const ctx: FlowContext = {
    odoo,
    sn,
    options,
    t,
    opts,
    lookups,
    companies,
    companyDomain,
    odooTime,
    snTime,
    batchSize,
  };
  // Dependency order: reference data (cost centers, suppliers, GL accounts) before documents.
  return [
    ...costCenterFlows(ctx),
    ...supplierFlows(ctx),
    ...glAccountFlows(ctx),
    ...purchaseOrderFlows(ctx),
    ...vendorBillFlows(ctx),
  ];
}
