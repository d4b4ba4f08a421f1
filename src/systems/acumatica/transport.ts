import type { Got, Response } from 'got';
import { ConfigError } from '../../errors.js';
import { createHttp, sendCounted } from '../../http/client.js';
import { Limiter } from '../../http/limiter.js';
import { redact } from '../../http/redact.js';
import { withRetry } from '../../http/retry.js';
import type { TokenCache } from '../../http/token.js';
import { silentLogger, type ClientContext, type Logger } from '../types.js';
import { credentialHeaders, sessionTokens } from './auth.js';
import { classify, type ClassifyOptions } from './errors.js';
import { checkWriteGuard } from '../../http/write-guard.js';
import type { AcumaticaConnection } from './types.js';

/** One call as the transport sends it. */
export interface CallOptions extends ClassifyOptions {
  op: string;
  /** Safe to repeat (withRetry repeats a call that is not only when it provably was not sent). */
  idempotent: boolean;
  searchParams?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Send without session credentials (token endpoint, cookie login). */
  anonymous?: boolean;
  /** Send with this credential as it is, never renewed (sign-out). */
  credential?: string;
}

/**
 * The wire of one Acumatica connection: the got instance, the licence limiter (concurrent requests and
 * requests per minute, api notes §5), the session (one API-user seat, §1.3) and `call`, which every
 * request goes through: retries (withRetry), the credential renewed once after a 401, the error table.
 */
export class AcumaticaTransport {
  readonly endpointName: string;
  readonly endpointVersion: string;
  readonly log: Logger;
  private readonly basePath: string;
  private readonly http: Got;
  private readonly limiter: Limiter;
  /** The session credential; holding one = holding an API-user seat. */
  private readonly tokens: TokenCache;
  private sessionDepth = 0;

  constructor(
    readonly conn: AcumaticaConnection,
    readonly ctx: ClientContext,
  ) {
    this.endpointName = conn.endpointName ?? 'Default';
    this.endpointVersion = conn.endpointVersion ?? '24.200.001';
    this.basePath = `entity/${encodeURIComponent(this.endpointName)}/${encodeURIComponent(this.endpointVersion)}`;
    const concurrency = Math.max(1, conn.concurrency ?? 2);
    this.http = createHttp({
      baseUrl: conn.url,
      timeoutMs: conn.timeoutMs ?? 120_000,
      maxSockets: concurrency,
      headers: { accept: 'application/json' },
    });
    this.limiter = new Limiter(concurrency, conn.requestsPerMinute);
    this.log = ctx.log ?? silentLogger;
    this.tokens = sessionTokens(conn, (method, path, opts) => this.call(method, path, opts), this.log);
  }

  /** `entity/<endpoint>/<version>/<Entity>`; an entity name that is not an identifier is a ConfigError. */
  entityPath(entity: string): string {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(entity)) {
      throw new ConfigError(`not an Acumatica entity name: ${JSON.stringify(entity)}`, {
        code: 'acumatica.bad_entity',
      });
    }
    return `${this.basePath}/${entity}`;
  }

  /** One session per pass: sign in, run fn, ALWAYS sign out (also when fn throws) — a leaked session holds a licensed API seat (§1.3). */
  async withSession<T>(fn: () => Promise<T>): Promise<T> {
    if (this.sessionDepth > 0) return fn();
    this.sessionDepth += 1;
    try {
      await this.signIn();
      return await fn();
    } finally {
      this.sessionDepth -= 1;
      try {
        await this.signOut();
      } catch (err) {
        this.log.warn('acumatica: sign-out failed; the session holds an API seat until it times out', {
          connection: this.ctx.connection,
          error: redact(err instanceof Error ? err.message : String(err)),
        });
      }
    }
  }

  /** Opens the session (takes one API-user seat). Login-limit answers are retried as transient. */
  async signIn(): Promise<void> {
    await this.tokens.get();
  }

  /**
   * Ends the session and frees its seat: `POST /entity/auth/logout` (§1.2) with the session's own
   * credential, also for bearer sessions (§8: signing out with the access token frees the seat). An
   * expired token is not renewed just to sign out: its session has ended already.
   */
  async signOut(): Promise<void> {
    const credential = this.tokens.current();
    if (credential === undefined) return;
    try {
      await this.call('POST', 'entity/auth/logout', {
        op: 'acumatica.logout',
        idempotent: true,
        accept: [401],
        credential,
      });
    } finally {
      this.tokens.clear();
    }
  }

  /**
   * Sends one call with retries (withRetry), the licence limiter, the session credential renewed once
   * after a 401 (TokenCache.withRenewal), and the error table.
   */
  call(method: string, path: string, opts: CallOptions): Promise<Response<string>> {
    const auth = this.conn.auth;
    return withRetry(
      opts.op,
      async () => {
        // Every attempt of a write, retries included: a pass that lost its lock sends none.
        if (method === 'PUT' || method === 'POST' || method === 'DELETE') checkWriteGuard();
        const response =
          opts.anonymous === true
            ? await this.send(method, path, opts, {})
            : opts.credential !== undefined
              ? await this.send(method, path, opts, credentialHeaders(auth, opts.credential))
              : await this.tokens.withRenewal(
                  (credential) => this.send(method, path, opts, credentialHeaders(auth, credential)),
                  (res) => res.statusCode === 401 && !opts.accept?.includes(401),
                );
        const error = classify(response, method, path, opts, this);
        if (error) throw error;
        return response;
      },
      {
        idempotent: opts.idempotent,
        ...(this.ctx.retry ? { policy: this.ctx.retry } : {}),
        onRetry: ({ op, attempt, delayMs, error }) =>
          this.log.debug('acumatica: retrying', { op, attempt, delayMs, code: error.code }),
      },
    );
  }

  private async send(
    method: string,
    path: string,
    opts: CallOptions,
    credentials: Record<string, string>,
  ): Promise<Response<string>> {
    return this.limiter.run(async () => {
      return sendCounted(this.ctx.onRequest, { method, path: `/${path}`, what: `${method} /${path}` }, () =>
        this.http(path, {
          method: method as 'GET',
          headers: { ...credentials, ...opts.headers },
          ...(opts.searchParams && Object.keys(opts.searchParams).length > 0
            ? { searchParams: opts.searchParams }
            : {}),
          ...(opts.json !== undefined ? { json: opts.json } : {}),
          ...(opts.form !== undefined ? { form: opts.form } : {}),
        }),
      );
    });
  }
}
