import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The frame every simulator shares: a real HTTP server on 127.0.0.1 (ephemeral port by default),
 * injected latency, request statistics, fault injection, and the `/_sim/` control API:
 *
 *   GET    /_sim/health            -> {"ok":true,"system":"odoo"}
 *   GET    /_sim/state[?name=X]    -> the system's state dump (what `state()` returns)
 *   POST   /_sim/seed   {"seed":"demo"|"volume:N"|"empty", ...}  -> re-seeds the store
 *   POST   /_sim/reset             -> empty store, no faults, stats zeroed
 *   GET    /_sim/faults            -> the active fault rules
 *   POST   /_sim/faults {rule}|{"rules":[...]} -> adds rules, answers them with their ids
 *   DELETE /_sim/faults            -> removes every rule
 *   GET    /_sim/stats             -> {"requests":N,"byRoute":{"POST /json/2/x/y":N},"faults":N}
 *   DELETE /_sim/stats             -> zeroes the counters
 *   POST   /_sim/latency {"ms":N}  -> changes the injected latency
 *   POST   /_sim/<anything else>   -> passed to the system's own `control` handler
 *
 * Generic fault kinds handled here: `drop` (socket destroyed without an answer), `slow` (delay then
 * the normal answer), `status` (a given status and body), `html` (200 with an HTML page). Any other
 * kind is passed to the system's `renderFault`, which answers in that system's own wire format.
 */
export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  remoteAddress: string;
  /** Wall-clock time the request arrived (ms); a simulator stamps writes with it. */
  receivedAt: number;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

export interface FaultRule {
  id?: number;
  /** Fault kind: drop | slow | status | html | a system-specific kind. */
  kind: string;
  /** Regular expression tested against `METHOD /path` (e.g. `^POST /api/now/import/`). */
  match?: string;
  /** Matching requests to let through before the fault starts. */
  skip?: number;
  /** How many matching requests get the fault; -1 = until removed. Default 1. */
  times?: number;
  status?: number;
  body?: unknown;
  retryAfter?: number;
  delayMs?: number;
  /** Free-form parameters for system-specific kinds. */
  params?: Record<string, unknown>;
}

export interface SimSystem {
  name: string;
  handle(req: SimRequest): Promise<SimResponse> | SimResponse;
  seed(spec: Record<string, unknown>): void | Promise<void>;
  reset(): void;
  state(name?: string): unknown;
  /** Answers a fault of a kind the frame does not know, or undefined to ignore it. */
  renderFault?(rule: FaultRule, req: SimRequest): SimResponse | undefined | Promise<SimResponse | undefined>;
  /** Counters of the system's own, shown under `system` by `GET /_sim/stats` and zeroed with the frame's. */
  stats?(): Record<string, unknown>;
  resetStats?(): void;
  /** Handles system-specific control routes (`POST /_sim/<route>`). */
  control?(
    route: string,
    body: unknown,
    req: SimRequest,
  ): SimResponse | undefined | Promise<SimResponse | undefined>;
}

export interface SimServerOptions {
  port?: number;
  latencyMs?: number;
}

export interface RunningSim {
  url: string;
  port: number;
  system: SimSystem;
  faults: FaultStore;
  stats: SimStats;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export interface SimStats {
  requests: number;
  faults: number;
  byRoute: Record<string, number>;
}

export class FaultStore {
  private rules: Array<Required<Pick<FaultRule, 'id'>> & FaultRule & { seen: number; fired: number }> = [];
  private nextId = 1;

  add(rule: FaultRule): number {
    const id = this.nextId++;
    this.rules.push({ ...rule, id, seen: 0, fired: 0 });
    return id;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map(({ seen: _s, fired: _f, ...rule }) => rule);
  }

  /** Returns the first rule that fires for this request, consuming one of its `times`. */
  take(routeKey: string): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.match !== undefined && !new RegExp(rule.match).test(routeKey)) continue;
      rule.seen += 1;
      if (rule.seen <= (rule.skip ?? 0)) continue;
      const times = rule.times ?? 1;
      if (times !== -1 && rule.fired >= times) continue;
      rule.fired += 1;
      return rule;
    }
    return undefined;
  }
}

export async function startSimServer(system: SimSystem, options: SimServerOptions = {}): Promise<RunningSim> {
  let latencyMs = options.latencyMs ?? 0;
  const faults = new FaultStore();
  const stats: SimStats = { requests: 0, faults: 0, byRoute: {} };
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    void serve(req, res);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks),
      remoteAddress: req.socket.remoteAddress ?? '127.0.0.1',
      receivedAt,
    };
    try {
      if (simReq.path.startsWith('/_sim/')) {
        send(res, await controlRoute(simReq));
        return;
      }
      const routeKey = `${simReq.method} ${simReq.path}`;
      stats.requests += 1;
      stats.byRoute[routeKey] = (stats.byRoute[routeKey] ?? 0) + 1;
      if (latencyMs > 0) await delay(latencyMs);
      const rule = faults.take(routeKey);
      if (rule) {
        stats.faults += 1;
        const faulted = await applyFault(rule, simReq, req);
        if (faulted === 'dropped') return;
        if (faulted) {
          send(res, faulted);
          return;
        }
      }
      send(res, await system.handle(simReq));
    } catch (err) {
      send(res, {
        status: 500,
        headers: { 'content-type': 'text/plain' },
        body: `simulator ${system.name} failed: ${err instanceof Error ? err.stack : String(err)}`,
      });
    }
  }

  async function applyFault(
    rule: FaultRule,
    simReq: SimRequest,
    req: IncomingMessage,
  ): Promise<SimResponse | 'dropped' | undefined> {
    switch (rule.kind) {
      case 'drop':
        req.socket.destroy();
        return 'dropped';
      case 'slow':
        await delay(rule.delayMs ?? 1000);
        return undefined;
      case 'html':
        return {
          status: rule.status ?? 200,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: '<!DOCTYPE html><html><head><title>Instance Hibernating</title></head><body>Your instance is hibernating.</body></html>',
        };
      case 'status':
        return {
          status: rule.status ?? 500,
          headers: {
            'content-type': 'application/json',
            ...(rule.retryAfter === undefined ? {} : { 'retry-after': String(rule.retryAfter) }),
          },
          body: typeof rule.body === 'string' ? rule.body : JSON.stringify(rule.body ?? {}),
        };
      default:
        return system.renderFault?.(rule, simReq);
    }
  }

  async function controlRoute(req: SimRequest): Promise<SimResponse> {
    const route = req.path.slice('/_sim/'.length);
    const body = req.body.length > 0 ? (JSON.parse(req.body.toString('utf8')) as unknown) : {};
    const key = `${req.method} ${route}`;
    switch (key) {
      case 'GET health':
        return json(200, { ok: true, system: system.name });
      case 'GET state':
        return json(200, system.state(req.query.get('name') ?? undefined));
      case 'POST seed':
        await system.seed(body as Record<string, unknown>);
        return json(200, { ok: true });
      case 'POST reset':
        system.reset();
        faults.clear();
        resetStats();
        return json(200, { ok: true });
      case 'GET faults':
        return json(200, { rules: faults.list() });
      case 'POST faults': {
        const input = body as { rules?: FaultRule[] } & FaultRule;
        const rules = Array.isArray(input.rules) ? input.rules : [input];
        return json(200, { ids: rules.map((r) => faults.add(r)) });
      }
      case 'DELETE faults':
        faults.clear();
        return json(200, { ok: true });
      case 'GET stats':
        return json(200, system.stats ? { ...stats, system: system.stats() } : stats);
      case 'DELETE stats':
        resetStats();
        return json(200, { ok: true });
      case 'POST latency':
        latencyMs = Number((body as { ms?: number }).ms ?? 0);
        return json(200, { ok: true, ms: latencyMs });
      default: {
        const answer = req.method === 'POST' ? await system.control?.(route, body, req) : undefined;
        return answer ?? json(404, { error: `unknown control route ${key}` });
      }
    }
  }

  function resetStats(): void {
    system.resetStats?.();
    stats.requests = 0;
    stats.faults = 0;
    stats.byRoute = {};
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    system,
    faults,
    stats,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

function send(res: ServerResponse, answer: SimResponse): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, answer.headers ?? {});
  res.end(answer.body ?? '');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
