import { randomBytes } from 'node:crypto';
import { json, type SimRequest, type SimResponse } from '../common/server.js';

/** Credentials of the simulated instance: one OAuth application and its integration user. */
export interface SnCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

interface AccessToken {
  user: string;
  expiresAt: number;
  revoked: boolean;
}

const token = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** The error envelope of every REST API (§5). */
export function envelope(
  status: number,
  message: string,
  detail: string | null,
  headers: Record<string, string> = {},
): SimResponse {
  return json(status, { error: { message, detail }, status: 'failure' }, headers);
}

/** 401 for a missing, expired or revoked credential (§1.3). */
export function unauthenticated(): SimResponse {
  return envelope(401, 'User Not Authenticated', 'Required to provide Auth information');
}

/** `/oauth_token.do` refusal: HTTP 401 with this body, not the RFC `invalid_client` (§1.1). */
const ACCESS_DENIED = (): SimResponse =>
  json(401, { error_description: 'access_denied', error: 'server_error' });

/**
 * OAuth 2.0 token endpoint and request authentication (§1): client credentials, password and
 * refresh-token grants, revocable bearer tokens living `expires_in + 1` seconds, Basic auth.
 */
export class SnAuth {
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, { user: string; clientId: string }>();
  /** Counters for tests: tokens issued (and per grant type), requests refused with 401. */
  readonly counts = { issued: 0, refused: 0, grants: {} as Record<string, number> };

  constructor(
    readonly credentials: SnCredentials,
    private readonly ttlSeconds: number,
  ) {}

  /** `POST /oauth_token.do`, form body only. */
  tokenEndpoint(req: SimRequest): SimResponse {
    const type = String(req.headers['content-type'] ?? '');
    if (req.method !== 'POST') return envelope(405, 'Method not Supported', 'Only POST is supported');
    if (!type.includes('application/x-www-form-urlencoded')) return ACCESS_DENIED();
    const form = new URLSearchParams(req.body.toString('utf8'));
    const c = this.credentials;
    const grant = form.get('grant_type') ?? '';
    this.counts.grants[grant] = (this.counts.grants[grant] ?? 0) + 1;
    if (form.get('client_id') !== c.clientId || form.get('client_secret') !== c.clientSecret)
      return ACCESS_DENIED();
    switch (form.get('grant_type')) {
      case 'client_credentials':
        // The registry's OAuth Application User is the integration user.
        return this.issue(c.username, false);
      case 'password':
        if (form.get('username') !== c.username || form.get('password') !== c.password)
          return ACCESS_DENIED();
        return this.issue(c.username, true);
      case 'refresh_token': {
        const rt = this.refresh.get(form.get('refresh_token') ?? '');
        if (!rt || rt.clientId !== c.clientId) return ACCESS_DENIED();
        return this.issue(rt.user, false, form.get('refresh_token') ?? undefined);
      }
      default:
        return ACCESS_DENIED();
    }
  }

  private issue(user: string, withRefresh: boolean, keepRefresh?: string): SimResponse {
    const value = token(48);
    this.access.set(value, { user, expiresAt: Date.now() + (this.ttlSeconds + 1) * 1000, revoked: false });
    this.counts.issued += 1;
    let refresh = keepRefresh;
    if (withRefresh) {
      refresh = token(48);
      this.refresh.set(refresh, { user, clientId: this.credentials.clientId });
    }
    return json(200, {
      access_token: value,
      ...(refresh ? { refresh_token: refresh } : {}),
      scope: 'useraccount',
      token_type: 'Bearer',
      expires_in: this.ttlSeconds,
    });
  }

  /** The user a request acts as, or undefined (then answer `unauthenticated()`). */
  authenticate(req: SimRequest): string | undefined {
    const header = String(req.headers.authorization ?? '');
    let user: string | undefined;
    if (header.startsWith('Bearer ')) {
      const t = this.access.get(header.slice(7).trim());
      if (t && !t.revoked && t.expiresAt > Date.now()) user = t.user;
    } else if (header.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8').split(':');
      if (name === this.credentials.username && rest.join(':') === this.credentials.password) user = name;
    }
    if (!user) this.counts.refused += 1;
    return user;
  }

  /** Revokes every issued access token (refresh tokens stay valid). */
  revokeAll(): void {
    for (const t of this.access.values()) t.revoked = true;
  }

  /** Expires every issued access token now. */
  expireAll(): void {
    for (const t of this.access.values()) t.expiresAt = 0;
  }

  reset(): void {
    this.access.clear();
    this.refresh.clear();
    this.counts.issued = 0;
    this.counts.refused = 0;
    this.counts.grants = {};
  }
}

export function randomCredentials(): SnCredentials {
  return {
    clientId: randomBytes(16).toString('hex'),
    clientSecret: token(18),
    username: 'mlc.integration',
    password: token(15),
  };
}
