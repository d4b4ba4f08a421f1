export {
  ServiceNowClient,
  classifyServiceNow,
  type ImportOutcome,
  type ServiceNowAuth,
  type ServiceNowConnection,
  type SnRow,
} from './client.js';
export { SN_STAGING, SN_TABLES } from './entities.js';
export { preflight, type ServiceNowRequirement } from './ping.js';
