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
import {
  SimAuth,
  httpError,
  loginLimitHtml,
  loginLimitText,
  unauthorized,
  type SimCredentials,
} from './auth.js';
import { LicenceGate } from './licence.js';
import { seedStore } from './seed.js';
import { execControl } from './control.js';
import { entityRoutes } from './routes.js';
import { hasEntity, schemaInfo } from './spec.js';
import { Store, serialize } from './store.js';

/**
 * Simulator of Acumatica's contract-based REST API (api notes §1–§7): identity server with rotating
 * refresh tokens, cookie sessions, API-user seats, `GET /entity`, pinned endpoint versions, value-object
 * entities, `$filter/$select/$expand/$top/$skip` (no `$orderby`), PUT upserts validated against the
 * Default 24.200.001 OpenAPI document, 422/429/500 answers.
 *
 * Control routes besides the frame's: `POST /_sim/exec {entity, record}` edits a record as a user
 * would (plain values; `Details` lines with or without `id`; `delete: true` removes the record),
 * stamping LastModifiedDateTime; `POST /_sim/expire_tokens`. Fault kinds: `rate_limit` (429 +
 * Retry-After), `login_limit` (the API Login Limit answer; `params.style` `html` | `text`),
 * `server_error` (500 HttpError; `params.message`, `params.type`), `lock_conflict`.
 */
export interface AcumaticaSimOptions {
  seed?: string;
  /** Endpoint versions of `Default` offered (all share one store and the 24.200.001 contract). */
  versions?: string[];
  /** API-user seats of the licence (§1.3), default 2. */
  seatLimit?: number;
  accessTokenTtlSeconds?: number;
  credentials?: Partial<SimCredentials>;
  /**
   * Licence request limits: concurrent requests queue, the per-minute limit delays; 429 only past 20
   * queued requests or a 10-minute wait (api notes §8).
   */
  concurrentRequests?: number;
  requestsPerMinute?: number;
  queueLimit?: number;
  queueTimeoutMs?: number;
  /**
   * Virtual directory the instance is served under, e.g. `/AcumaticaERP` (instance URL =
   * `<server>/AcumaticaERP`); `_links` include it (api notes §8). Default: none.
   */
  virtualDirectory?: string;
  build?: string;
}

export type AcumaticaSim = SimSystem & {
  store: Store;
  auth: SimAuth;
  licence: LicenceGate;
  versions: string[];
};

const DEFAULT_VERSIONS = ['20.200.001', '22.200.001', '23.200.001', '24.200.001'];

export function createAcumaticaSim(opts: AcumaticaSimOptions = {}): AcumaticaSim {
  const store = new Store();
  const auth = new SimAuth({
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    seatLimit: opts.seatLimit ?? 2,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3600,
  });
  const versions = opts.versions ?? DEFAULT_VERSIONS;
  const vdir = (opts.virtualDirectory ?? '').replace(/\/+$/, '');
  const build = opts.build ?? '24.205.0012';
  const puts: Array<{ entity: string; body: unknown }> = [];
  const licence = new LicenceGate({
    concurrentRequests: opts.concurrentRequests,
    requestsPerMinute: opts.requestsPerMinute,
    queueLimit: opts.queueLimit,
    queueTimeoutMs: opts.queueTimeoutMs,
  });
  seedStore(store, opts.seed ?? 'empty');

  const { entityRoute, notFoundHtml } = entityRoutes({ store, auth, versions, vdir, puts });

  function route(req: SimRequest, key: string): SimResponse | Promise<SimResponse> {
    if (key === 'POST /identity/connect/token') return auth.token(req);
    if (key === 'POST /identity/connect/revocation') return auth.revoke(req);
    if (key === 'POST /entity/auth/login') return auth.login(req);
    if (key === 'GET /entity' || key === 'GET /entity/') {
      if (!auth.sessionOf(req)) return unauthorized();
      return json(200, {
        version: { acumaticaBuildVersion: build, databaseVersion: build },
        endpoints: versions.map((v) => ({
          name: 'Default',
          version: v,
          href: `${vdir}/entity/Default/${v}/`,
        })),
      });
    }
    if (req.path.startsWith('/entity/')) return entityRoute(req);
    return notFoundHtml();
  }

  const system: AcumaticaSim = {
    name: 'acumatica',
    store,
    auth,
    licence,
    versions,
    handle(received) {
      if (vdir !== '' && !received.path.startsWith(`${vdir}/`)) return notFoundHtml();
      const req = vdir === '' ? received : { ...received, path: received.path.slice(vdir.length) };
      const key = `${req.method} ${req.path}`;
      // Sign-out skips the licence's request queue (api notes §8).
      if (key === 'POST /entity/auth/logout') return auth.logout(req);
      return licence.admit(() => route(req, key));
    },
    seed(spec) {
      seedStore(store, String(spec.seed ?? 'empty'));
      puts.length = 0;
    },
    reset() {
      store.reset();
      auth.reset();
      puts.length = 0;
    },
    state(name) {
      if (name === 'puts') return puts;
      if (name && hasEntity(name)) {
        const info = schemaInfo(name);
        const all = new Set(
          [...(info?.properties ?? new Map())].filter(([, p]) => p.kind === 'collection').map(([k]) => k),
        );
        return store
          .ordered(name)
          .map((r, i) => serialize(r, { expand: all, version: '24.200.001', rowNumber: i + 1 }));
      }
      return { ...auth.state(), licence: licence.state(), counts: store.counts(), versions };
    },
    renderFault(rule: FaultRule, req: SimRequest) {
      const p = rule.params ?? {};
      switch (rule.kind) {
        case 'rate_limit':
          return json(
            429,
            { message: 'API request limit has been exceeded.' },
            { 'retry-after': String(rule.retryAfter ?? 1) },
          );
        case 'login_limit':
          if (p.style === 'html') return loginLimitHtml();
          if (p.style === 'text') return loginLimitText();
          return req.path.startsWith('/identity/') ? loginLimitText() : loginLimitHtml();
        case 'server_error':
          return httpError(
            500,
            'An error has occurred.',
            String(p.message ?? 'Object reference not set to an instance of an object.'),
            String(p.type ?? 'System.NullReferenceException'),
          );
        case 'lock_conflict':
          return httpError(
            500,
            'An error has occurred.',
            `Another process has updated the '${String(p.table ?? 'POOrder')}' record. Your changes will be lost.`,
            'PX.Data.PXLockViolationException',
          );
        default:
          return undefined;
      }
    },
    control(route, body, req) {
      if (route === 'expire_tokens') {
        auth.expireTokens();
        return json(200, { ok: true });
      }
      if (route === 'exec') return execControl(store, body, req);
      return undefined;
    },
  };
  return system;
}

/** Starts the simulator on 127.0.0.1 (ephemeral port unless given). */
export async function startAcumaticaSim(
  opts: AcumaticaSimOptions & SimServerOptions = {},
): Promise<RunningSim & { credentials: SimCredentials; sim: AcumaticaSim }> {
  const sim = createAcumaticaSim(opts);
  const running = await startSimServer(sim, {
    ...(opts.port === undefined ? {} : { port: opts.port }),
    ...(opts.latencyMs === undefined ? {} : { latencyMs: opts.latencyMs }),
  });
  return Object.assign(running, { credentials: sim.auth.credentials, sim });
}

export { SimAuth, Store, seedStore };
export type { SimCredentials };
