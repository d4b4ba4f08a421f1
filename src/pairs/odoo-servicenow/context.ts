import type { OdooClient } from '../../systems/odoo/client.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';
import type { Companies } from './companies.js';
import type { OdooLookups } from './lookups.js';
import type { MapOptions } from './mappers.js';
import type { OdooServiceNowOptions } from './options.js';

/** What every flow builder of the pair shares for one pass. */
export interface FlowContext {
  odoo: OdooClient;
  sn: ServiceNowClient;
  options: OdooServiceNowOptions;
  t: OdooServiceNowOptions['tables'];
  opts: MapOptions;
  lookups: OdooLookups;
  companies: Companies;
  /** Documents of the covered companies only. */
  companyDomain: () => Promise<unknown[]>;
  odooTime: () => Promise<Date>;
  snTime: () => Promise<Date>;
  batchSize: number;
}
