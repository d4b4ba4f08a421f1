import {
  json,
  startSimServer,
  type FaultRule,
  type RunningSim,
  type SimRequest,
  type SimResponse,
  type SimServerOptions,
  type SimSystem,
} from '../common/server.js';
import { SimAuth, type SimTenant } from './auth.js';
import { LIST_ROUTES, apiError, exportRows, listRows } from './lists.js';
import { SimRateLimit } from './rate.js';
import { SIM_TENANTS, seedStore } from './seed.js';
import {
  findOperation,
  itemSchemaOf,
  serialize,
  shape,
  validateBody,
  validateQuery,
  validateResponse,
  warmUp,
  type Operation,
} from './spec.js';
import { SimStore, type Row, type SimEntity } from './store.js';
import { WebhookEmitter } from './webhooks.js';
import {
  createInvoice,
  createJob,
  createJobPrecheck,
  createPayment,
  createPurchaseOrder,
  fieldPayment,
  markInvoicesExported,
  type WriteAnswer,
} from './writes.js';

/**
 * Simulator of ServiceTitan's public API v2 (api notes §1–§9): the identity server
 * (`POST /connect/token`), the two-header check and the tenant check, the list and export
 * endpoints of the entities mlc reads, the writes it makes, a 60 requests/second bucket per
 * (app key, tenant), and the V2 webhook sender. Every request is matched to its operation in the
 * vendor's OpenAPI documents; query parameters and bodies that do not bind answer 400 with an
 * `ApiErrorResponse`, and every answer is checked against the documented response model (a
 * mismatch is a 500 naming it, so no test passes on a non-conforming answer).
 *
 * Control routes besides the frame's: `POST /_sim/expire_tokens`; `POST /_sim/touch {tenant,
 * entity, id, changes}` changes a record as a user would (new modifiedOn; `delete: true` deletes
 * it) and sends its webhook event; `POST /_sim/webhooks {url|urls, hmacKey, header, encoding,
 * timeScale}`; `POST /_sim/webhooks/emit {eventType, tenant, data}`; `POST /_sim/webhooks/replay`;
 * API writes that create a record send `payment.created`, `purchaseorder.created`, `job.created`.
 * `POST /_sim/payments {tenant, splits: [{invoiceId, amount}], typeId?, memo?, paidOn?}` records a
 * payment taken in the field (applied by a technician, invoice balances lowered, `payment.created`
 * sent). `POST /_sim/age {ms}`; `POST /_sim/rate {perSecond}`. `GET /_sim/stats` adds `rate`
 * (requests, throttled, highest count within any one second per tenant). State names: `webhooks`,
 * `payments:<tenant>` and any entity as `<entity>:<tenant>`.
 * Fault kinds: `rate_limit` (429 + Retry-After), `server_error` (500 ApiErrorResponse),
 * `commit_then_stall` (the write is made, the answer comes after `delayMs`: a lost answer to a
 * client with a shorter timeout), `commit_then_fail` (the write is made, then 502), `revoke`
 * (every token revoked, then the request answered 401).
 */
export interface ServiceTitanSimOptions {
  seed?: string;
  tokenTtlSeconds?: number;
  appKey?: string;
  tenants?: SimTenant[];
  requestsPerSecond?: number;
  /** Rows per export chunk (server-chosen in production). */
  exportPageSize?: number;
  /** Check every answer against the OpenAPI response models (default true). */
  validateResponses?: boolean;
}

export type ServiceTitanSim = SimSystem & {
  store: SimStore;
  auth: SimAuth;
  rate: SimRateLimit;
  webhooks: WebhookEmitter;
  /** Bodies of the writes accepted, newest last (for tests). */
  writes: Array<{ operationId: string; tenant: string; body: unknown }>;
  /** Answers that failed response validation (empty when every answer conformed). */
  nonConforming: Array<{ operationId: string; status: number; problems: string[] }>;
  stats(): Record<string, unknown>;
  resetStats(): void;
};

const API_PATH = /^\/(crm|inventory|jpm|settings|accounting)\/v2(\/.*)$/;
const WEBHOOK_EVENTS: Partial<Record<SimEntity, string>> = {
  customers: 'customer.updated',
  vendors: 'vendor.updated',
  purchase_orders: 'purchaseorder.updated',
  inventory_bills: 'inventorybill.updated',
  invoices: 'invoice.updated',
  payments: 'payment.updated',
  jobs: 'job.updated',
  business_units: 'businessunit.updated',
};
/** Events sent when an API write creates a record. */
const CREATED_EVENTS: Record<string, string> = {
  Payments_Create: 'payment.created',
  PurchaseOrders_Create: 'purchaseorder.created',
  Jobs_Create: 'job.created',
};
/** Request keys holding money in write bodies: kept as their raw decimal text. */
const MONEY_IN = ['amount', 'tax', 'shipping', 'cost', 'quantity', 'price', 'subtotal'];

export function createServiceTitanSim(opts: ServiceTitanSimOptions = {}): ServiceTitanSim {
  const store = new SimStore();
  const auth = new SimAuth({
    appKey: opts.appKey ?? 'ak1.simulator-app-key-0001',
    tenants: opts.tenants ?? SIM_TENANTS,
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 900,
  });
  const rate = new SimRateLimit(opts.requestsPerSecond ?? 60);
  const webhooks = new WebhookEmitter();
  const writes: ServiceTitanSim['writes'] = [];
  const nonConforming: ServiceTitanSim['nonConforming'] = [];
  const validateOut = opts.validateResponses ?? true;
  seedStore(store, opts.seed ?? 'empty');

  function answer(op: Operation, status: number, value: unknown, shaped: unknown): SimResponse {
    const text = serialize(shaped ?? value);
    if (validateOut) {
      const problems = validateResponse(op, status, JSON.parse(text) as unknown);
      if (problems.length > 0) {
        nonConforming.push({ operationId: op.operationId, status, problems });
        return {
          status: 500,
          headers: { 'content-type': 'text/plain' },
          body: `simulator answer does not match the OpenAPI model of ${op.operationId}: ${problems.join('; ')}`,
        };
      }
    }
    return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: text };
  }

  function list(op: Operation, tenant: string, req: SimRequest): SimResponse {
    const route = LIST_ROUTES[`${op.module} ${op.template}`];
    if (!route)
      return {
        status: 501,
        headers: { 'content-type': 'text/plain' },
        body: `${op.operationId} is not simulated`,
      };
    const declared = new Set(op.parameters.map((p) => p.name));
    const result =
      route.kind === 'export'
        ? exportRows(store, tenant, route, req.query, opts.exportPageSize ?? 500)
        : listRows(store, tenant, route, req.query, declared);
    if (!result.ok) return result.res;
    const item = itemSchemaOf(op) ?? {};
    const rows = result.rows.map((r) => shape(op.module, item, r));
    const body = Array.isArray(result.body) ? rows : { ...result.body, data: rows };
    return answer(op, 200, body, body);
  }

  function write(op: Operation, tenant: string, req: SimRequest): SimResponse {
    const text = req.body.toString('utf8');
    let body: unknown;
    let exact: unknown;
    try {
      body = JSON.parse(text) as unknown;
      exact = JSON.parse(quoteNumbers(text, MONEY_IN)) as unknown;
    } catch {
      return apiError(400, 'One or more validation errors occurred.', {
        $: ['The request body is not valid JSON.'],
      });
    }
    if (op.operationId === 'Jobs_Create') {
      const refused = createJobPrecheck(body);
      if (refused) return refused;
    }
    const errors = validateBody(op, body);
    if (errors) return apiError(400, 'One or more validation errors occurred.', errors);
    writes.push({ operationId: op.operationId, tenant, body });
    if (writes.length > 500) writes.shift();
    const b = exact as Record<string, unknown>;
    let result: WriteAnswer;
    switch (op.operationId) {
      case 'Payments_Create':
        result = createPayment(store, tenant, b, req.receivedAt);
        break;
      case 'PurchaseOrders_Create':
        result = createPurchaseOrder(store, tenant, b, req.receivedAt);
        break;
      case 'Invoices_MarkAsExported':
        result = markInvoicesExported(store, tenant, b, req.receivedAt);
        break;
      case 'Invoices_CreateAdjustmentInvoice':
      case 'Invoices_Create':
        result = createInvoice(store, tenant, b, req.receivedAt);
        break;
      case 'Jobs_Create':
        result = createJob(store, tenant, b, req.receivedAt);
        break;
      default:
        return {
          status: 501,
          headers: { 'content-type': 'text/plain' },
          body: `${op.operationId} is not simulated`,
        };
    }
    if (!('value' in result)) return result;
    const created = CREATED_EVENTS[op.operationId];
    const id = (result.value as { id?: unknown } | null)?.id ?? result.value;
    if (created && typeof id === 'number') webhooks.emit(created, tenant, { id });
    const schema = op.responses['200'];
    return answer(op, 200, result.value, schema ? shape(op.module, schema, result.value) : result.value);
  }

  function touch(body: Record<string, unknown>, at: number): SimResponse {
    const tenant = String(body.tenant ?? SIM_TENANTS[0]?.tenantId);
    const entity = String(body.entity) as SimEntity;
    const id = Number(body.id);
    const changes = { ...((body.changes as Record<string, unknown> | undefined) ?? {}) };
    if (body.delete === true) changes._deleted = true;
    const row = store.update(tenant, entity, id, changes, at);
    if (!row) return json(404, { error: `no ${entity} ${id} in tenant ${tenant}` });
    const eventType = WEBHOOK_EVENTS[entity];
    const event = eventType
      ? webhooks.emit(eventType, tenant, { id: row.id, modifiedOn: row.modifiedOn })
      : undefined;
    return json(200, { row: publicRow(row), eventId: event?.eventId ?? null });
  }

  const system: ServiceTitanSim = {
    name: 'servicetitan',
    store,
    auth,
    rate,
    webhooks,
    writes,
    nonConforming,
    handle(req) {
      if (req.path === '/connect/token') {
        if (req.method !== 'POST') return { status: 405, body: '' };
        return auth.token(req);
      }
      const m = API_PATH.exec(req.path);
      if (!m) return { status: 404, body: '' };
      const [, module = '', rest = ''] = m;
      const found = findOperation(module, req.method, rest);
      if (!found) return { status: 404, body: '' };
      if ('methodMismatch' in found) return { status: 405, body: '' };
      const { op, params } = found;
      const tenant = params.tenant ?? '';
      const checked = auth.check(req, tenant);
      if ('refused' in checked) return checked.refused;
      if (!rate.take(`${checked.appKey}|${tenant}`, req.receivedAt)) {
        const res = apiError(429, 'Too Many Requests');
        return { ...res, headers: { ...res.headers, 'retry-after': '1' } };
      }
      const queryErrors = validateQuery(op, req.query);
      if (queryErrors) return apiError(400, 'One or more validation errors occurred.', queryErrors);
      if (req.method === 'GET') return list(op, tenant, req);
      return write(op, tenant, req);
    },
    seed(spec) {
      seedStore(store, String(spec.seed ?? 'empty'));
      writes.length = 0;
    },
    reset() {
      store.reset();
      auth.reset();
      rate.reset();
      webhooks.reset();
      writes.length = 0;
      nonConforming.length = 0;
    },
    stats: () => rate.stats(),
    resetStats: () => rate.reset(),
    state(name) {
      if (name === 'webhooks')
        return {
          attempts: webhooks.attempts,
          delivered: webhooks.delivered,
          failed: webhooks.failed.map((e) => e.eventId),
        };
      if (name === 'writes') return writes;
      if (name === 'nonConforming') return nonConforming;
      const m = /^([a-z_]+):(\d+)$/.exec(name ?? '');
      if (m) return [...store.table(m[2] ?? '', m[1] as SimEntity).values()].map(publicRow);
      return { counts: store.counts(), tokensIssued: auth.tokensIssued, rate: rate.stats() };
    },
    renderFault(rule: FaultRule, req: SimRequest) {
      const p = rule.params ?? {};
      switch (rule.kind) {
        case 'rate_limit': {
          const res = apiError(429, 'Too Many Requests');
          return { ...res, headers: { ...res.headers, 'retry-after': String(rule.retryAfter ?? 1) } };
        }
        case 'server_error':
          return apiError(
            rule.status ?? 500,
            String(p.title ?? 'An error occurred while processing your request.'),
          );
        case 'revoke':
          auth.expireAll();
          return system.handle(req);
        case 'commit_then_stall':
          return (async () => {
            const res = await system.handle(req);
            await new Promise((r) => setTimeout(r, rule.delayMs ?? 5000));
            return res;
          })();
        case 'commit_then_fail':
          return (async () => {
            await system.handle(req);
            return apiError(502, 'Bad Gateway');
          })();
        default:
          return undefined;
      }
    },
    control(route, body, req) {
      const b = (body ?? {}) as Record<string, unknown>;
      switch (route) {
        case 'expire_tokens':
          auth.expireAll();
          return json(200, { ok: true });
        case 'touch':
          return touch(b, req.receivedAt);
        case 'webhooks':
          try {
            const c = webhooks.configure(b as Parameters<WebhookEmitter['configure']>[0]);
            return json(200, { ok: true, header: c.header, encoding: c.encoding });
          } catch (err) {
            return json(400, { error: err instanceof Error ? err.message : String(err) });
          }
        case 'webhooks/emit': {
          const event = webhooks.emit(
            String(b.eventType ?? 'customer.updated'),
            String(b.tenant ?? SIM_TENANTS[0]?.tenantId),
            (b.data as Record<string, unknown> | undefined) ?? {},
          );
          return json(event ? 200 : 400, event ?? { error: 'no webhook URL takes this event type' });
        }
        case 'webhooks/replay':
          return json(200, { replayed: webhooks.replayFailed() });
        case 'payments': {
          // A payment taken in the field (a technician's card or check), applied to invoices.
          const tenant = String(b.tenant ?? SIM_TENANTS[0]?.tenantId);
          const made = fieldPayment(store, tenant, b, req.receivedAt);
          if (!('value' in made)) return made;
          const row = made.value as Row;
          webhooks.emit('payment.created', tenant, { id: row.id });
          return json(200, { row: publicRow(row) });
        }
        case 'age':
          store.age(Number(b.ms ?? 600_000));
          return json(200, { ok: true });
        case 'rate':
          rate.perSecond = Number(b.perSecond ?? 60);
          return json(200, { ok: true });
        default:
          return undefined;
      }
    },
  };
  return system;
}

/** A stored row as the state dump shows it (internal `_` fields included, for tests). */
function publicRow(row: Row): Record<string, unknown> {
  return { ...row };
}

function quoteNumbers(text: string, keys: readonly string[]): string {
  const names = keys.join('|');
  return text.replace(
    new RegExp(`([{,]\\s*"(?:${names})"\\s*:\\s*)(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`, 'g'),
    (_a, head: string, num: string) => `${head}"${num}"`,
  );
}

/** Starts the simulator on 127.0.0.1 (ephemeral port unless given). */
export async function startServiceTitanSim(
  opts: ServiceTitanSimOptions & SimServerOptions = {},
): Promise<RunningSim & { sim: ServiceTitanSim; appKey: string; tenants: SimTenant[] }> {
  const sim = createServiceTitanSim(opts);
  warmUp();
  const running = await startSimServer(sim, {
    ...(opts.port === undefined ? {} : { port: opts.port }),
    ...(opts.latencyMs === undefined ? {} : { latencyMs: opts.latencyMs }),
  });
  const close = running.close;
  return Object.assign(running, {
    sim,
    appKey: sim.auth.opts.appKey,
    tenants: sim.auth.opts.tenants,
    close: async () => {
      sim.webhooks.stop();
      await close();
    },
  });
}

export { SimStore, seedStore, SIM_TENANTS };
export type { SimTenant };
