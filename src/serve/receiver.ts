import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_SIGNATURE_HEADER, verifySignature, type SignatureEncoding } from './signature.js';

/**
 * The webhook receiver: a small HTTP server that accepts signed event posts on the configured paths
 * and acknowledges each one only once `store` has durably recorded it. ServiceTitan counts only a
 * 2xx as delivered and retries after 10, 30, 60 and 300 s (https://developer.servicetitan.io/docs/faqs-v2-webhooks),
 * so an event whose storing fails is answered 500 and arrives again.
 *
 * What it refuses, always with an empty body (nothing of the request is echoed):
 * unknown path 404, another method than POST 405, a body over `maxBodyBytes` 413, a body that is
 * not sent within `bodyTimeoutMs` (the connection is closed), a missing or wrong signature 401
 * (and `audit` is told), a signed body that is not a JSON object 400.
 */
export interface ReceiverRoute {
  /** Exact path, e.g. `/webhooks/servicetitan/customers`. */
  path: string;
  /** Name given to `store` and `audit` (e.g. `servicetitan.customers`). */
  name: string;
}

export interface ReceivedEvent {
  route: string;
  path: string;
  /** The raw body exactly as received (what the signature covers). */
  raw: Buffer;
  /** The parsed body (a JSON object). */
  body: Record<string, unknown>;
  receivedAt: Date;
  remoteAddress: string;
  /** Whether a signature was checked (false only with `allowUnsigned`). */
  signed: boolean;
}

export interface AuditEntry {
  outcome: 'accepted' | 'rejected' | 'store_failed';
  /** Stable reason code: `signature.missing`, `signature.invalid`, `body.too_large`, `body.timeout`, `body.not_json`, `store.failed`. */
  reason?: string;
  route?: string;
  status: number;
  remoteAddress: string;
  at: Date;
}

export interface ReceiverOptions {
  routes: ReceiverRoute[];
  /** HMAC key (32–64 characters as ServiceTitan requires). Required unless `allowUnsigned`. */
  hmacKey?: string;
  /** Header carrying the signature, default `X-ServiceTitan-Signature`. */
  signatureHeader?: string;
  /** Encodings accepted, default hex and base64. */
  signatureEncodings?: SignatureEncoding[];
  /** Accept posts without a signature (no HMAC key configured at the sender). Off by default. */
  allowUnsigned?: boolean;
  /** Records the event durably; the post is answered 200 only after it resolves. */
  store(event: ReceivedEvent): Promise<void>;
  /** Told about every post that reached a route: accepted, rejected, or whose storing failed. */
  audit?(entry: AuditEntry): void;
  /** Default 127.0.0.1: exposing the receiver is a deliberate choice (behind a TLS proxy). */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 256 KiB. */
  maxBodyBytes?: number;
  /** Time allowed for the headers and the whole body, default 10 s. */
  bodyTimeoutMs?: number;
  /** Connections held at once, default 256. */
  maxConnections?: number;
}

export interface RunningReceiver {
  url: string;
  port: number;
  host: string;
  stats(): { accepted: number; rejected: number; storeFailed: number; notFound: number };
  close(): Promise<void>;
}

export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const hmacKey = options.hmacKey ?? '';
  if (hmacKey === '' && options.allowUnsigned !== true)
    throw new TypeError('startReceiver: an HMAC key is required (or allowUnsigned: true)');
  if (hmacKey !== '' && (hmacKey.length < 32 || hmacKey.length > 64))
    throw new TypeError('startReceiver: the HMAC key must have 32 to 64 characters');
  const header = (options.signatureHeader ?? DEFAULT_SIGNATURE_HEADER).toLowerCase();
  const encodings = options.signatureEncodings ?? ['hex', 'base64'];
  const maxBody = options.maxBodyBytes ?? 256 * 1024;
  const timeoutMs = options.bodyTimeoutMs ?? 10_000;
  const routes = new Map(options.routes.map((r) => [r.path, r.name]));
  const counters = { accepted: 0, rejected: 0, storeFailed: 0, notFound: 0 };
  const sockets = new Set<Socket>();

  const server: Server = createServer(
    {
      requestTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      // Node checks those two timeouts every 30 s by default: a trickle of header bytes would hold a
      // connection that long.
      connectionsCheckingInterval: Math.min(1000, timeoutMs),
    },
    (req, res) => {
      void handle(req, res);
    },
  );
  server.maxConnections = options.maxConnections ?? 256;
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  function audit(entry: Omit<AuditEntry, 'at' | 'remoteAddress'>, req: IncomingMessage): void {
    try {
      options.audit?.({ ...entry, at: new Date(), remoteAddress: req.socket.remoteAddress ?? '' });
    } catch {
      // An audit sink that throws must not take the receiver down.
    }
  }

  function reply(
    res: ServerResponse,
    status: number,
    extra: Record<string, string> = {},
    close = false,
  ): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-length': '0', ...(close ? { connection: 'close' } : {}), ...extra });
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes.get(path);
    if (route === undefined) {
      counters.notFound += 1;
      req.resume();
      return reply(res, 404, {}, true);
    }
    if (req.method !== 'POST') {
      req.resume();
      return reply(res, 405, { allow: 'POST' }, true);
    }
    const rejected = (status: number, reason: string, close = false): void => {
      counters.rejected += 1;
      audit({ outcome: 'rejected', reason, route, status }, req);
      reply(res, status, {}, close);
    };
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > maxBody) {
      rejected(413, 'body.too_large', true);
      req.socket.destroySoon();
      return;
    }
    const signature = header in req.headers ? String(req.headers[header]) : undefined;
    if (signature === undefined && options.allowUnsigned !== true) {
      // Refused before the body is read: an unsigned flood costs no buffering.
      rejected(401, 'signature.missing', true);
      req.resume();
      return;
    }
    const raw = await readBody(req, maxBody, timeoutMs);
    if (raw === 'too_large') {
      rejected(413, 'body.too_large', true);
      req.socket.destroySoon();
      return;
    }
    if (raw === 'timeout' || raw === 'aborted') {
      counters.rejected += 1;
      audit({ outcome: 'rejected', reason: `body.${raw}`, route, status: 408 }, req);
      req.socket.destroy();
      return;
    }
    const signed = signature !== undefined && hmacKey !== '';
    if (signed && !verifySignature(hmacKey, raw, signature, encodings))
      return rejected(401, 'signature.invalid');
    if (!signed && options.allowUnsigned !== true) return rejected(401, 'signature.missing');
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return rejected(400, 'body.not_json');
    try {
      await options.store({
        route,
        path,
        raw,
        body: body as Record<string, unknown>,
        receivedAt: new Date(),
        remoteAddress: req.socket.remoteAddress ?? '',
        signed,
      });
    } catch {
      counters.storeFailed += 1;
      audit({ outcome: 'store_failed', reason: 'store.failed', route, status: 500 }, req);
      return reply(res, 500);
    }
    counters.accepted += 1;
    audit({ outcome: 'accepted', route, status: 200 }, req);
    reply(res, 200);
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    host,
    stats: () => ({ ...counters }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The whole body, or why not: over the limit, not sent in time, or the client went away. */
function readBody(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs: number,
): Promise<Buffer | 'too_large' | 'timeout' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | 'too_large' | 'timeout' | 'aborted'): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.removeAllListeners('data');
      resolve(v);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return finish('too_large');
      chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('aborted', () => finish('aborted'));
    req.on('error', () => finish('aborted'));
    // After 'end' this changes nothing; before it, the client went away mid-body.
    req.on('close', () => finish('aborted'));
  });
}
