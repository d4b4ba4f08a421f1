export {
  OdooClient,
  classifyOdooError,
  type FieldInfo,
  type OdooConnection,
  type OdooFailure,
  type OdooRow,
  type UpsertResult,
} from './client.js';
export { CONFIRMED_PO_STATES, FIELD_ALIASES, ODOO_ENTITIES, type OdooEntity } from './entities.js';
export {
  analyticDistribution,
  domainDatetime,
  m2oId,
  m2oName,
  majorVersion,
  odooDate,
  odooDay,
  odooNumber,
  odooText,
  x2mIds,
} from './schemas.js';
export { odooAdapter, type OdooRequirement } from './adapter.js';
