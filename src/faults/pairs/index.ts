import type { PairDescriptor } from '../types.js';
import { acumaticaServiceNow } from './acumatica-servicenow.js';
import { netSuiteServiceNow } from './netsuite-servicenow.js';
import { odooSalesforce } from './odoo-salesforce.js';
import { odooServiceNow } from './odoo-servicenow.js';
import { serviceTitanOdoo } from './servicetitan-odoo.js';

/** The pairs the fault matrix runs: one entry per pair. */
export const FAULT_PAIRS: PairDescriptor[] = [
  odooServiceNow,
  acumaticaServiceNow,
  serviceTitanOdoo,
  netSuiteServiceNow,
  odooSalesforce,
];
