import { Ajv, type ValidateFunction } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * ServiceTitan's OpenAPI 3.0.1 documents of the v2 modules (vendor/servicetitan, or the folder named
 * by `MLC_SERVICETITAN_OPENAPI`). The simulator finds each request's operation in them, validates its
 * query parameters and body, validates every answer it sends, and shapes stored rows into the
 * documented response models.
 */
export type SpecModule = 'crm' | 'inventory' | 'jpm' | 'settings' | 'accounting';
export const SPEC_MODULES: readonly SpecModule[] = ['crm', 'inventory', 'jpm', 'settings', 'accounting'];

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface RawOperation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface Doc {
  paths: Record<string, Record<string, RawOperation>>;
  components: { schemas: Record<string, Schema> };
}

export interface Operation {
  module: SpecModule;
  method: string;
  /** `/tenant/{tenant}/customers` */
  template: string;
  operationId: string;
  parameters: Parameter[];
  body?: Schema;
  responses: Record<string, Schema | undefined>;
}

interface Loaded {
  docs: Map<SpecModule, Doc>;
  ajv: Ajv;
  routes: Array<{ module: SpecModule; re: RegExp; names: string[]; method: string; op: Operation }>;
  validators: Map<string, ValidateFunction>;
}

let cache: Loaded | undefined;

function folder(): string {
  const fromEnv = process.env.MLC_SERVICETITAN_OPENAPI;
  if (fromEnv) return fromEnv;
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = resolve(here, '../../../vendor/servicetitan');
  if (!existsSync(dir))
    throw new Error(
      `ServiceTitan OpenAPI documents not found (set MLC_SERVICETITAN_OPENAPI); looked in ${dir}`,
    );
  return dir;
}

/** OpenAPI 3.0 `nullable: true` as JSON Schema: `anyOf: [schema, {type: null}]`, everywhere. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'nullable') continue;
    out[k] = k === 'properties' ? mapValues(v as Record<string, unknown>, toJsonSchema) : toJsonSchema(v);
  }
  if ((node as Schema).nullable === true) return { anyOf: [out, { type: 'null' }] };
  return out;
}

function mapValues(o: Record<string, unknown>, f: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$/;

function load(): Loaded {
  if (cache) return cache;
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    logger: false,
    validateSchema: false,
    formats: {
      'date-time': DATE_TIME,
      int32: true,
      int64: true,
      decimal: true,
      double: true,
      float: true,
      guid: true,
      uuid: true,
      multiline: true,
      html: true,
      email: true,
      phone: true,
      uri: true,
      url: true,
      binary: true,
      byte: true,
      date: true,
      time: true,
      'date-span': true,
      timespan: true,
    },
  });
  const docs = new Map<SpecModule, Doc>();
  const routes: Loaded['routes'] = [];
  for (const module of SPEC_MODULES) {
    const doc = JSON.parse(
      readFileSync(resolve(folder(), `${module}-v2.json`), 'utf8').replace(/^\uFEFF/, ''),
    ) as Doc;
    docs.set(module, doc);
    ajv.addSchema({ $id: `st-${module}`, components: toJsonSchema(doc.components) }, `st-${module}`);
    for (const [template, ops] of Object.entries(doc.paths)) {
      const names: string[] = [];
      const re = new RegExp(
        `^${template.replace(/\{([^}]+)\}/g, (_m, n: string) => {
          names.push(n);
          return '([^/]+)';
        })}$`,
      );
      for (const [method, raw] of Object.entries(ops)) {
        if (method === 'parameters') continue;
        const body = raw.requestBody?.content?.['application/json']?.schema;
        const op: Operation = {
          module,
          method: method.toUpperCase(),
          template,
          operationId: raw.operationId ?? `${method} ${template}`,
          parameters: raw.parameters ?? [],
          ...(body ? { body } : {}),
          responses: mapValues(
            raw.responses ?? {},
            (r) =>
              (r as { content?: Record<string, { schema?: Schema }> }).content?.['application/json']?.schema,
          ) as Record<string, Schema | undefined>,
        };
        routes.push({ module, re, names, method: op.method, op });
      }
    }
  }
  // Literal segments win over parameters (`/customers/contacts` before `/customers/{id}`).
  routes.sort((a, b) => literalWeight(b.op.template) - literalWeight(a.op.template));
  cache = { docs, ajv, routes, validators: new Map() };
  return cache;
}

function literalWeight(template: string): number {
  return template.split('/').filter((s) => s !== '' && !s.startsWith('{')).length;
}

/** Loads and compiles the documents now (a few hundred ms) rather than inside the first request. */
export function warmUp(): void {
  load();
}

/** The operation of `METHOD /{module}/v2{rest}`, with its path parameters; `methodMismatch` when only the method is wrong. */
export function findOperation(
  module: string,
  method: string,
  rest: string,
): { op: Operation; params: Record<string, string> } | { methodMismatch: true } | undefined {
  const c = load();
  let pathMatched = false;
  for (const r of c.routes) {
    if (r.module !== module) continue;
    const m = r.re.exec(rest);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== method) continue;
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
    return { op: r.op, params };
  }
  return pathMatched ? { methodMismatch: true } : undefined;
}

function validator(module: SpecModule, key: string, schema: Schema): ValidateFunction {
  const c = load();
  const id = `${module}|${key}`;
  let v = c.validators.get(id);
  if (!v) {
    v = c.ajv.compile(rebase(toJsonSchema(schema), module) as Schema);
    c.validators.set(id, v);
  }
  return v;
}

/** Local `#/components/...` refs of an operation's schema point into the module's registered document. */
function rebase(node: unknown, module: SpecModule): unknown {
  if (Array.isArray(node)) return node.map((n) => rebase(n, module));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node))
    out[k] =
      k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `st-${module}${v}` : rebase(v, module);
  return out;
}

/** ASP.NET-style `errors` map of a query that does not bind, or undefined when it binds. */
export function validateQuery(op: Operation, query: URLSearchParams): Record<string, string[]> | undefined {
  const errors: Record<string, string[]> = {};
  for (const p of op.parameters) {
    if (p.in !== 'query') continue;
    const values = query.getAll(p.name);
    if (values.length === 0) continue;
    const schema = resolveSchema(op.module, p.schema ?? {});
    const itemSchema =
      schema.type === 'array' ? resolveSchema(op.module, (schema.items as Schema) ?? {}) : schema;
    const list = schema.type === 'array' ? values.flatMap((v) => v.split(',')) : values.slice(-1);
    for (const v of list) {
      if (!bindsTo(op.module, itemSchema, v)) (errors[p.name] ??= []).push(`The value '${v}' is not valid.`);
    }
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}

function bindsTo(module: SpecModule, schema: Schema, v: string): boolean {
  const s = schema.oneOf ? resolveSchema(module, ((schema.oneOf as Schema[])[0] ?? {}) as Schema) : schema;
  if (Array.isArray(s.enum))
    return (s.enum as unknown[]).some((e) => String(e).toLowerCase() === v.toLowerCase());
  switch (s.type) {
    case 'integer':
      return /^-?\d+$/.test(v.trim()) && Number.isSafeInteger(Number(v));
    case 'number':
      return v.trim() !== '' && Number.isFinite(Number(v));
    case 'boolean':
      return /^(true|false)$/i.test(v.trim());
    case 'string':
      return s.format === 'date-time' ? !Number.isNaN(Date.parse(v)) : true;
    default:
      return true;
  }
}

function resolveSchema(module: SpecModule, schema: Schema): Schema {
  const c = load();
  let s = schema;
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i += 1) {
    const name = s.$ref.split('/').pop() ?? '';
    s = c.docs.get(module)?.components.schemas[name] ?? {};
  }
  return s;
}

/** The `errors` map of a request body that does not match the operation's schema (ajv paths as field names). */
export function validateBody(op: Operation, body: unknown): Record<string, string[]> | undefined {
  if (!op.body) return undefined;
  const v = validator(op.module, `${op.method} ${op.template} body`, op.body);
  if (v(body)) return undefined;
  const errors: Record<string, string[]> = {};
  for (const e of v.errors ?? []) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    // The `null` branch of a nullable property failing is noise next to the real branch's error.
    if (e.keyword === 'type' && e.params.type === 'null') continue;
    const field = fieldName(
      e.instancePath,
      e.keyword === 'required' ? String(e.params.missingProperty) : undefined,
    );
    const message =
      e.keyword === 'required'
        ? `The ${field.split('.').pop() ?? field} field is required.`
        : e.keyword === 'additionalProperties'
          ? `Could not find member '${String(e.params.additionalProperty)}'.`
          : `The JSON value could not be converted (${e.message ?? 'invalid'}).`;
    const list = (errors[field || '$'] ??= []);
    if (!list.includes(message)) list.push(message);
  }
  return errors;
}

function fieldName(instancePath: string, missing?: string): string {
  const parts = instancePath
    .split('/')
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : p));
  if (missing) parts.push(missing);
  return parts.join('.').replace(/\.\[/g, '[');
}

/** Problems of an answer against the documented response of its status (empty when it conforms). */
export function validateResponse(op: Operation, status: number, body: unknown): string[] {
  const schema = op.responses[String(status)];
  if (!schema) return status >= 400 ? [] : [`status ${status} is not documented for ${op.operationId}`];
  const v = validator(op.module, `${op.method} ${op.template} ${status}`, schema);
  if (v(body)) return [];
  return (v.errors ?? [])
    .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf')
    .slice(0, 10)
    .map(
      (e) =>
        `${e.instancePath || '/'} ${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
    );
}

/**
 * A stored row shaped into a documented model: only the model's properties, recursively, with every
 * required property the row lacks filled with an empty value of its type. Money the row keeps as a
 * decimal string stays a string here; the serializer writes it as a number where the model wants one.
 */
export function shape(module: SpecModule, schema: Schema, value: unknown): unknown {
  const s = unwrap(module, schema);
  if (value === undefined || value === null) return value;
  if (s.type === 'number' && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))
    return `${RAW}${value}`;
  if (s.type === 'array' || (Array.isArray(value) && s.items)) {
    if (!Array.isArray(value)) return [];
    return value.map((v) => shape(module, (s.items as Schema) ?? {}, v));
  }
  if (s.properties && typeof value === 'object' && !Array.isArray(value)) {
    const props = s.properties as Record<string, Schema>;
    const required = new Set((s.required as string[] | undefined) ?? []);
    const out: Record<string, unknown> = {};
    for (const [k, ps] of Object.entries(props)) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined) {
        if (required.has(k)) out[k] = empty(module, unwrap(module, ps));
        continue;
      }
      out[k] =
        v === null
          ? required.has(k) && !isNullable(ps)
            ? empty(module, unwrap(module, ps))
            : null
          : shape(module, ps, v);
    }
    return out;
  }
  return value;
}

const RAW = '\u0000num:';
const RAW_IN_JSON = /"\\u0000num:(-?\d+(?:\.\d+)?)"/g;

/** JSON text of a shaped value: decimal strings marked by `shape` are written as JSON numbers, digit for digit. */
export function serialize(value: unknown): string {
  return JSON.stringify(value).replace(RAW_IN_JSON, '$1');
}

function isNullable(s: Schema): boolean {
  return s.nullable === true;
}

function unwrap(module: SpecModule, schema: Schema): Schema {
  let s = resolveSchema(module, schema);
  for (let i = 0; i < 5; i += 1) {
    const alt = (s.oneOf ?? s.allOf ?? s.anyOf) as Schema[] | undefined;
    if (!alt || alt.length !== 1 || s.properties) break;
    s = {
      ...resolveSchema(module, alt[0] ?? {}),
      ...(s.type && !resolveSchema(module, alt[0] ?? {}).type ? { type: s.type } : {}),
    };
  }
  return s;
}

function empty(module: SpecModule, s: Schema): unknown {
  if (Array.isArray(s.enum)) return s.enum[0];
  switch (s.type) {
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'string':
      return s.format === 'date-time' ? '2020-01-01T00:00:00Z' : '';
    default:
      if (s.properties) return shape(module, s, {});
      return {};
  }
}

/** A component schema of a module by name (`Crm.V2.Customers.CustomerResponse`). */
export function componentSchema(module: SpecModule, name: string): Schema {
  const found = load().docs.get(module)?.components.schemas[name];
  if (!found) throw new Error(`no schema ${name} in the ${module} document`);
  return found;
}

/** The item schema of a list or export answer (`data` items) of an operation. */
export function itemSchemaOf(op: Operation): Schema | undefined {
  const top = op.responses['200'];
  if (!top) return undefined;
  const s = unwrap(op.module, top);
  if (s.type === 'array') return s.items as Schema;
  const data = (s.properties as Record<string, Schema> | undefined)?.data;
  return data ? (unwrap(op.module, data).items as Schema | undefined) : undefined;
}
