import { acumaticaServiceNow } from './acumatica-servicenow/index.js';
import { netSuiteServiceNow } from './netsuite-servicenow/index.js';
import { odooSalesforce } from './odoo-salesforce/index.js';
import { odooServiceNow } from './odoo-servicenow/index.js';
import { serviceTitanOdoo } from './servicetitan-odoo/index.js';
import type { PairDefinition } from './types.js';

/** Every pair mlc knows. Adding a pair adds one folder and one line here. */
export const PAIRS: readonly PairDefinition[] = [
  odooServiceNow as unknown as PairDefinition,
  acumaticaServiceNow as unknown as PairDefinition,
  netSuiteServiceNow as unknown as PairDefinition,
  serviceTitanOdoo as unknown as PairDefinition,
  odooSalesforce as unknown as PairDefinition,
];
