import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Acumatica's own OpenAPI 3.0.1 document of the Default 24.200.001 endpoint: the simulator validates
 * PUT bodies against the entity's schema and takes field lists and types from it. The file may start
 * with a UTF-8 BOM. Located through `MLC_ACUMATICA_OPENAPI`, else the copy vendored in
 * `vendor/acumatica/`.
 */
const FILE = 'Default_24.200.001.openapi.json';

export type ValueType =
  | 'StringValue'
  | 'DecimalValue'
  | 'DateTimeValue'
  | 'BooleanValue'
  | 'IntValue'
  | 'GuidValue'
  | 'LongValue'
  | 'ShortValue'
  | 'DoubleValue'
  | 'ByteValue';

export type PropertyInfo =
  | { kind: 'value'; type: ValueType }
  | { kind: 'collection'; schema: string }
  | { kind: 'link'; schema: string }
  | { kind: 'other' };

export interface EntitySchemaInfo {
  name: string;
  properties: Map<string, PropertyInfo>;
}

interface OpenApi {
  paths: Record<string, unknown>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

let cache:
  | {
      spec: OpenApi;
      ajv: Ajv;
      validators: Map<string, ValidateFunction>;
      infos: Map<string, EntitySchemaInfo | null>;
    }
  | undefined;

function specPath(): string {
  const fromEnv = process.env.MLC_ACUMATICA_OPENAPI;
  if (fromEnv) return fromEnv;
  const here = dirname(fileURLToPath(import.meta.url));
  // The vendored copy ships with mlc (vendor/acumatica, from src/ or dist/ alike).
  const candidates = [resolve(here, '../../../vendor/acumatica', FILE)];
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      `Acumatica OpenAPI document not found (set MLC_ACUMATICA_OPENAPI); looked in ${candidates.join(', ')}`,
    );
  return found;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function load(): NonNullable<typeof cache> {
  if (cache) return cache;
  const text = readFileSync(specPath(), 'utf8').replace(/^\uFEFF/, '');
  const spec = JSON.parse(text) as OpenApi;
  // Formats of the document; date-time without an offset is what the server accepts for dates (api notes §3.1).
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    logger: false,
    validateSchema: false,
    formats: {
      uuid: UUID,
      'date-time': DATE_TIME,
      int32: true,
      int64: true,
      double: true,
      float: true,
      byte: true,
      uri: true,
      binary: true,
    },
  });
  ajv.addSchema(
    { $id: 'acumatica-default-24.200.001', components: spec.components },
    'acumatica-default-24.200.001',
  );
  cache = { spec, ajv, validators: new Map(), infos: new Map() };
  return cache;
}

/** The parsed OpenAPI document. */
export function openApi(): OpenApi {
  return load().spec;
}

/** True when the endpoint has a path for the entity (`/<Entity>`). */
export function hasEntity(entity: string): boolean {
  return (
    Object.prototype.hasOwnProperty.call(load().spec.paths, `/${entity}`) && schemaInfo(entity) !== undefined
  );
}

/** ajv validator of a PUT body of the entity (refs resolved; additional properties as the document allows). */
export function bodyValidator(entity: string): ValidateFunction {
  const c = load();
  let v = c.validators.get(entity);
  if (!v) {
    v = c.ajv.compile({ $ref: `acumatica-default-24.200.001#/components/schemas/${entity}` });
    c.validators.set(entity, v);
  }
  return v;
}

/** ajv errors as ASP.NET `modelState` (`entity.Details[0].OrderQty.value` → messages). */
export function modelState(errors: ErrorObject[] | null | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors ?? []) {
    if (e.keyword === 'allOf') continue;
    const key = `entity${e.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.')}`;
    (out[key] ??= []).push(`Error converting value: ${e.message ?? 'invalid'}`);
  }
  return out;
}

/** Fields of an entity (or detail) schema with their kinds. */
export function schemaInfo(name: string): EntitySchemaInfo | undefined {
  const c = load();
  if (c.infos.has(name)) return c.infos.get(name) ?? undefined;
  const schema = c.spec.components.schemas[name];
  let info: EntitySchemaInfo | null = null;
  if (schema) {
    const parts = (schema.allOf as Array<Record<string, unknown>> | undefined) ?? [schema];
    const isEntity = parts.some((p) => p.$ref === '#/components/schemas/Entity');
    if (isEntity) {
      const properties = new Map<string, PropertyInfo>();
      for (const part of parts) {
        const props = part.properties as Record<string, Record<string, unknown>> | undefined;
        for (const [field, def] of Object.entries(props ?? {})) properties.set(field, propertyInfo(def));
      }
      info = { name, properties };
    }
  }
  c.infos.set(name, info);
  return info ?? undefined;
}

function refName(ref: unknown): string | undefined {
  return typeof ref === 'string' ? ref.split('/').pop() : undefined;
}

function propertyInfo(def: Record<string, unknown>): PropertyInfo {
  const ref = refName(def.$ref);
  if (ref !== undefined)
    return /Value$/.test(ref) ? { kind: 'value', type: ref as ValueType } : { kind: 'link', schema: ref };
  if (def.type === 'array') {
    const item = refName((def.items as Record<string, unknown> | undefined)?.$ref);
    if (item !== undefined) return { kind: 'collection', schema: item };
  }
  return { kind: 'other' };
}
