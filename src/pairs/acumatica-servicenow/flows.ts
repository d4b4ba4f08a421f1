import type { AcumaticaClient } from '../../systems/acumatica/client.js';
import type { ServiceNowClient } from '../../systems/servicenow/client.js';
import type { Flow } from '../../sync/types.js';
import { AcumaticaLookups } from './context.js';
import { documentFlows } from './document-flows.js';
import type { MapOptions } from './mappers.js';
import type { AcumaticaServiceNowOptions } from './options.js';
import { acumaticaQueries } from './queries.js';
import { referenceFlows } from './reference-flows.js';
import { requestFlows } from './request-flow.js';

export { REQUEST_FIELDS, REQUEST_ITEM_FIELDS, REQUISITION_FIELDS } from './request-flow.js';

export interface AcumaticaServiceNowClients {
  acu: AcumaticaClient;
  sn: ServiceNowClient;
}

/**
 * The flows of acumatica-servicenow in dependency order: reference data (GL accounts, cost centers,
 * vendors), the return path (requests -> Acumatica POs, so that a PO created in this pass reaches
 * ServiceNow in the same pass), then documents (POs, bills, payments).
 */
export function buildFlows(
  clients: AcumaticaServiceNowClients,
  options: AcumaticaServiceNowOptions,
  batchSize: number,
): Flow[] {
  const { acu, sn } = clients;
  const opts: MapOptions = {
    erpSource: options.erpSource,
    legalEntity: options.legalEntity,
    costCenterSource: options.costCenters.source,
    costCenterMap: options.costCenters.map,
    glAccountMap: options.glAccounts.map,
    glAccountTypes: options.glAccounts.types,
  };
  const q = acumaticaQueries(options);
  const ctx = {
    acu,
    sn,
    options,
    t: options.tables,
    opts,
    q,
    lookups: new AcumaticaLookups(acu, q),
    acuTime: (): Promise<Date> => acu.serverTime(),
    snTime: (): Promise<Date> => sn.serverTime(),
    batchSize,
    createdPos: new Set<string>(),
  };
  return [...referenceFlows(ctx), ...requestFlows(ctx), ...documentFlows(ctx)];
}
