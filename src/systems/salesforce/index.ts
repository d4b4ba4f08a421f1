export { SalesforceClient } from './client.js';
export { SalesforceTransport, type SalesforceConnection } from './transport.js';
export { SalesforceAuth, type SalesforceAuthConfig } from './auth.js';
export { SF_ALLOWANCE_EXHAUSTED, classifySalesforce, isCleanStop, recordError } from './errors.js';
export { ApiBudget, parseLimitInfo, type ApiUsage } from './limits.js';
export {
  parseSfDateTime,
  queryAll,
  queryPages,
  readChanged,
  soqlDateTime,
  soqlString,
  type ReadChangedOptions,
  type SfRecord,
} from './soql.js';
export {
  createRecords,
  deleteRecords,
  updateRecords,
  upsertRecords,
  upsertWithChildren,
  type ParentWithChildren,
  type SfValues,
  type UpsertSpec,
  type WriteOutcome,
} from './collections.js';
export { describeGlobal, describeSobject, invoiceSupport, ping, type SalesforceRequirement } from './ping.js';
export { salesforceAdapter } from './adapter.js';
export { sameId, toId18 } from './ids.js';
export {
  SF_ENTITIES,
  requirementsFor,
  type SalesforceEntity,
  type SalesforceEntityName,
} from './entities.js';
