export { serviceTitanAdapter } from './adapter.js';
export { ServiceTitanClient } from './client.js';
export {
  SERVICETITAN_HOSTS,
  serviceTitanConnectionSchema,
  serviceTitanHosts,
  type ServiceTitanConnectionConfig,
} from './connection.js';
export { ST_ENTITIES, stEntity, type StEntity, type StEntityName, type StModule } from './entities.js';
export { classify } from './errors.js';
export {
  fromUnits,
  moneyToJsonNumber,
  multiplyMoney,
  parseMoney,
  parseMoneyOrNull,
  sumMoney,
  toCents,
  toUnits,
  type Money,
} from './money.js';
export type { ServiceTitanRequirement } from './ping.js';
export {
  exportFeed,
  followMergedCustomers,
  fromSourceId,
  getByIds,
  normalizeMoney,
  readChanged,
  toSourceRecord,
} from './readers.js';
export type { StRow } from './schemas.js';
export { StTransport, type ServiceTitanConnection } from './transport.js';
export {
  createPayment,
  createPurchaseOrder,
  findPayment,
  findPurchaseOrder,
  markInvoicesExported,
  refMarker,
  type PaymentInput,
  type PurchaseOrderInput,
  type WriteOutcome,
} from './writers.js';
export { parseWebhookEvent, type StWebhookEvent } from './webhooks.js';
