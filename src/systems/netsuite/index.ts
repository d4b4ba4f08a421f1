export { netSuiteAdapter, type NetSuiteRequirement } from './adapter.js';
export { NetSuiteClient } from './client.js';
export {
  ASSERTION_ALGORITHMS,
  netSuiteConnectionSchema,
  type AssertionAlgorithm,
  type NetSuiteAuth,
  type NetSuiteConnectionConfig,
} from './connection.js';
export { classify, errorInfo } from './errors.js';
export { accountHost, accountUrl, realmOf, tokenUrl } from './hosts.js';
export { IDEMPOTENCY_HEADER, Records, type NsRecord } from './records.js';
export { STAMP_KEY, SuiteQl, sqlString, sqlTimestamp, type SuiteQlRow } from './suiteql.js';
export { fromZoned, toZoned } from './timezone.js';
export { accountLimiter, NetSuiteTransport } from './transport.js';
