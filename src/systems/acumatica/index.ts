export {
  AcumaticaClient,
  classify,
  type AcumaticaAuth,
  type AcumaticaConnection,
  type AcumaticaProbe,
  type AcuRow,
} from './client.js';
export {
  ACUMATICA_ENTITIES,
  entityInfo,
  type AcumaticaEntity,
  type AcumaticaEntityName,
  type CostCenterSource,
} from './entities.js';
export {
  collectErrors,
  filterString,
  toDateTimeOffset,
  unwrapEntity,
  wrapEntity,
  type FieldError,
} from './schemas.js';
