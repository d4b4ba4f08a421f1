import { randomBytes, randomUUID } from 'node:crypto';
import { json, type SimRequest, type SimResponse } from '../common/server.js';

/**
 * Identity server and sessions (api notes §1): ROPC and refresh grants with rotating refresh tokens,
 * cookie login/logout, and the licence's API-user seats shared by OAuth and cookie sessions (§1.3).
 */
export interface SimCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  tenant: string;
}

interface Session {
  id: string;
  kind: 'oauth' | 'cookie';
  lastSeen: number;
}

const IDLE_MS = 20 * 60_000;

/** "API Login Limit" as IIS serves it: an HTML page with that title (§1.3). */
export function loginLimitHtml(): SimResponse {
  return {
    status: 500,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: '<!DOCTYPE html><html><head><title>API Login Limit</title></head><body><h1>API Login Limit</h1><p>The maximum number of concurrent API logins has been reached.</p></body></html>',
  };
}

/** "API Login Limit" as 429 text/plain with the meaningless IIS text (§1.3). */
export function loginLimitText(): SimResponse {
  return {
    status: 429,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: 'The custom error module does not recognize this error.',
  };
}

export function httpError(
  status: number,
  message: string,
  exceptionMessage?: string,
  exceptionType?: string,
): SimResponse {
  return json(status, {
    message,
    ...(exceptionMessage === undefined
      ? {}
      : {
          exceptionMessage,
          exceptionType: exceptionType ?? 'PX.Data.PXException',
          stackTrace: '   at PX.Api.ContractBased…',
        }),
  });
}

export function unauthorized(): SimResponse {
  return httpError(401, 'You are not logged in.');
}

export class SimAuth {
  readonly credentials: SimCredentials;
  seatLimit: number;
  accessTtlMs: number;
  private sessions = new Map<string, Session>();
  private access = new Map<string, { sid: string; expiresAt: number }>();
  private refresh = new Map<string, { sid: string; used: boolean; scope: string }>();
  private cookies = new Map<string, string>();
  highWater = 0;
  counters = { signIns: 0, signOuts: 0, refreshGrants: 0, refreshReuse: 0, loginLimitRefusals: 0 };

  constructor(opts: {
    credentials?: Partial<SimCredentials>;
    seatLimit: number;
    accessTokenTtlSeconds: number;
  }) {
    const tenant = opts.credentials?.tenant ?? 'Company';
    this.credentials = {
      clientId: opts.credentials?.clientId ?? `${randomUUID().toUpperCase()}@${tenant}`,
      clientSecret: opts.credentials?.clientSecret ?? randomBytes(12).toString('base64url'),
      username: opts.credentials?.username ?? 'mlc_api',
      password: opts.credentials?.password ?? randomBytes(9).toString('base64url'),
      tenant,
    };
    this.seatLimit = opts.seatLimit;
    this.accessTtlMs = opts.accessTokenTtlSeconds * 1000;
  }

  reset(): void {
    this.sessions.clear();
    this.access.clear();
    this.refresh.clear();
    this.cookies.clear();
    this.highWater = 0;
    for (const k of Object.keys(this.counters) as Array<keyof typeof this.counters>) this.counters[k] = 0;
  }

  get open(): number {
    this.sweep(Date.now());
    return this.sessions.size;
  }

  private sweep(now: number): void {
    for (const [id, s] of this.sessions) if (now - s.lastSeen > IDLE_MS) this.sessions.delete(id);
  }

  /** Takes a seat, or answers the login-limit refusal. */
  private openSession(kind: Session['kind'], now: number): Session | undefined {
    this.sweep(now);
    if (this.sessions.size >= this.seatLimit) {
      this.counters.loginLimitRefusals += 1;
      return undefined;
    }
    const s: Session = { id: randomUUID(), kind, lastSeen: now };
    this.sessions.set(s.id, s);
    this.counters.signIns += 1;
    this.highWater = Math.max(this.highWater, this.sessions.size);
    return s;
  }

  private closeSession(sid: string): void {
    if (this.sessions.delete(sid)) this.counters.signOuts += 1;
  }

  private issue(sid: string, scope: string, now: number): Record<string, unknown> {
    const accessToken = `eyJ${randomBytes(24).toString('base64url')}`;
    this.access.set(accessToken, { sid, expiresAt: now + this.accessTtlMs });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: Math.round(this.accessTtlMs / 1000),
      token_type: 'Bearer',
      scope,
    };
    if (scope.split(/\s+/).includes('offline_access')) {
      const refreshToken = randomBytes(32).toString('hex').toUpperCase();
      this.refresh.set(refreshToken, { sid, used: false, scope });
      body.refresh_token = refreshToken;
    }
    return body;
  }

  /** `POST /identity/connect/token` (§1.1). */
  token(req: SimRequest): SimResponse {
    const form = new URLSearchParams(req.body.toString('utf8'));
    const oauthError = (error: string): SimResponse => json(400, { error });
    if (!String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded'))
      return oauthError('invalid_request');
    const clientId = form.get('client_id') ?? '';
    if (clientId !== this.credentials.clientId || form.get('client_secret') !== this.credentials.clientSecret)
      return oauthError('invalid_client');
    const now = req.receivedAt;
    switch (form.get('grant_type')) {
      case 'password': {
        const scope = form.get('scope') ?? '';
        if (!scope.split(/\s+/).includes('api')) return oauthError('invalid_scope');
        if (
          form.get('username') !== this.credentials.username ||
          form.get('password') !== this.credentials.password
        )
          return oauthError('invalid_grant');
        const session = this.openSession('oauth', now);
        if (!session) return loginLimitText();
        return json(200, this.issue(session.id, scope, now), { 'cache-control': 'no-store' });
      }
      case 'refresh_token': {
        const token = form.get('refresh_token') ?? '';
        const grant = this.refresh.get(token);
        if (!grant) return oauthError('invalid_grant');
        if (grant.used) {
          this.counters.refreshReuse += 1;
          return oauthError('invalid_grant');
        }
        let sid = grant.sid;
        if (!this.sessions.has(sid)) {
          const session = this.openSession('oauth', now);
          if (!session) return loginLimitText();
          sid = session.id;
        }
        grant.used = true;
        this.counters.refreshGrants += 1;
        const s = this.sessions.get(sid);
        if (s) s.lastSeen = now;
        return json(200, this.issue(sid, grant.scope, now), { 'cache-control': 'no-store' });
      }
      default:
        return oauthError('unsupported_grant_type');
    }
  }

  /** `POST /identity/connect/revocation` (IdentityServer): revoking a refresh token ends its session. */
  revoke(req: SimRequest): SimResponse {
    const form = new URLSearchParams(req.body.toString('utf8'));
    const token = form.get('token') ?? '';
    const grant = this.refresh.get(token);
    if (grant) {
      grant.used = true;
      this.closeSession(grant.sid);
    }
    const access = this.access.get(token);
    if (access) {
      this.access.delete(token);
      this.closeSession(access.sid);
    }
    return { status: 200 };
  }

  /** `POST /entity/auth/login` → 204 + cookies (§1.2). */
  login(req: SimRequest): SimResponse {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return httpError(400, 'The request is invalid.');
    }
    const tenant = (body.tenant ?? body.company) as string | undefined;
    if (body.tenant !== undefined && body.company !== undefined)
      return httpError(400, 'The request is invalid.', 'Specify either tenant or company.');
    if (
      body.name !== this.credentials.username ||
      body.password !== this.credentials.password ||
      (tenant !== undefined && tenant !== this.credentials.tenant)
    ) {
      return httpError(
        500,
        'An error has occurred.',
        'Invalid credentials. Please try again.',
        'PX.Data.PXException',
      );
    }
    const session = this.openSession('cookie', req.receivedAt);
    if (!session) return loginLimitHtml();
    const auth = randomBytes(32).toString('hex').toUpperCase();
    this.cookies.set(auth, session.id);
    const branch = typeof body.branch === 'string' ? body.branch : 'HQ';
    return {
      status: 204,
      headers: {
        'set-cookie': [
          `.ASPXAUTH=${auth}; path=/; HttpOnly`,
          `ASP.NET_SessionId=${randomBytes(12).toString('hex')}; path=/; HttpOnly`,
          `UserBranch=${branch}; path=/`,
          'Locale=Culture=en-US&TimeZone=GMTM0000A; path=/',
        ],
      },
    };
  }

  /** `POST /entity/auth/logout` → 204; ends the cookie or bearer session and frees its seat. */
  logout(req: SimRequest): SimResponse {
    const sid = this.sessionOf(req, false);
    if (sid) this.closeSession(sid);
    return {
      status: 204,
      headers: { 'set-cookie': ['.ASPXAUTH=; expires=Thu, 01-Jan-1970 00:00:00 GMT; path=/'] },
    };
  }

  /** The session a request runs in, or undefined when it is not signed in (401). */
  sessionOf(req: SimRequest, touch = true): string | undefined {
    const now = req.receivedAt;
    this.sweep(now);
    const authz = String(req.headers.authorization ?? '');
    let sid: string | undefined;
    if (/^Bearer\s+/i.test(authz)) {
      const t = this.access.get(authz.replace(/^Bearer\s+/i, '').trim());
      if (t && t.expiresAt > now) sid = t.sid;
    } else {
      const cookie = String(req.headers.cookie ?? '');
      const m = /(?:^|;\s*)\.ASPXAUTH=([^;]+)/.exec(cookie);
      if (m?.[1]) sid = this.cookies.get(m[1]);
    }
    if (sid === undefined) return undefined;
    const s = this.sessions.get(sid);
    if (!s) return undefined;
    if (touch) s.lastSeen = now;
    return sid;
  }

  /** Expires every access token and ends every cookie session (the next call answers 401). */
  expireTokens(): void {
    for (const t of this.access.values()) t.expiresAt = 0;
    for (const [auth, sid] of this.cookies) {
      this.cookies.delete(auth);
      this.closeSession(sid);
    }
  }

  state(): Record<string, unknown> {
    return {
      sessionsOpen: this.open,
      maxConcurrentSessions: this.highWater,
      seatLimit: this.seatLimit,
      ...this.counters,
    };
  }
}
