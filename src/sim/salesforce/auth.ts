import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  verify,
  type KeyObject,
} from 'node:crypto';
import { json, type SimRequest, type SimResponse } from '../common/server.js';

/** The simulated connected app, its Run As / pre-authorized user, and the certificate key pair. */
export interface SfCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  /** PEM private key of the certificate uploaded to the app (the JWT bearer flow signs with it). */
  privateKey: string;
  orgId: string;
  userId: string;
}

interface Session {
  userId: string;
  lastUsed: number;
}

let keyPair: { privateKey: string; publicKey: KeyObject } | undefined;

/** One RSA key pair per process: generating one takes a noticeable moment. */
function seededKeyPair(): { privateKey: string; publicKey: KeyObject } {
  if (!keyPair) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyPair = {
      privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey: pair.publicKey,
    };
  }
  return keyPair;
}

export function randomCredentials(orgId: string, userId: string): SfCredentials {
  return {
    clientId: `3MVG9${randomBytes(30).toString('base64url')}`,
    clientSecret: randomBytes(32).toString('hex').toUpperCase(),
    username: 'integration@acme.example',
    privateKey: seededKeyPair().privateKey,
    orgId,
    userId,
  };
}

const oauthError = (error: string, description: string, status = 400): SimResponse =>
  json(status, { error, error_description: description });

/** The REST API's answer to a missing, expired or revoked session. */
export function invalidSession(): SimResponse {
  return json(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
}

const AUDIENCES = new Set(['https://login.salesforce.com', 'https://test.salesforce.com']);

/**
 * `POST /services/oauth2/token` (client credentials, on My Domain only; JWT bearer, RS256 verified
 * against the app's certificate) and bearer sessions that end after `sessionTtlMs` of inactivity
 * (the org's session timeout), since the token answer gives no expiry.
 */
export class SfAuth {
  private readonly sessions = new Map<string, Session>();
  private readonly publicKey: KeyObject;
  readonly counts = { issued: 0, refused: 0, grants: {} as Record<string, number> };

  constructor(
    readonly credentials: SfCredentials,
    public sessionTtlMs: number,
  ) {
    this.publicKey = createPublicKey(credentials.privateKey);
  }

  tokenEndpoint(req: SimRequest, instanceUrl: string): SimResponse {
    if (req.method !== 'POST') return oauthError('invalid_request', 'must use HTTP POST', 405);
    if (!String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      return oauthError('invalid_request', 'unsupported content type');
    }
    const form = new URLSearchParams(req.body.toString('utf8'));
    const grant = form.get('grant_type') ?? '';
    this.counts.grants[grant] = (this.counts.grants[grant] ?? 0) + 1;
    const host = String(req.headers.host ?? '');
    if (grant === 'client_credentials') {
      if (/^(login|test)\./i.test(host))
        return oauthError('invalid_grant', 'request not supported on this domain');
      let id = form.get('client_id');
      let secret = form.get('client_secret');
      const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
      if (basic) {
        const [u, ...p] = Buffer.from(basic[1] as string, 'base64')
          .toString('utf8')
          .split(':');
        id = u ?? null;
        secret = p.join(':');
      }
      if (id !== this.credentials.clientId || secret !== this.credentials.clientSecret) {
        this.counts.refused += 1;
        return oauthError('invalid_client', 'invalid client credentials');
      }
      return this.issue(instanceUrl, true);
    }
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return this.jwt(form.get('assertion') ?? '', instanceUrl);
    return oauthError('unsupported_grant_type', 'grant type not supported');
  }

  private jwt(assertion: string, instanceUrl: string): SimResponse {
    const refuse = (error: string, description: string): SimResponse => {
      this.counts.refused += 1;
      return oauthError(error, description);
    };
    const parts = assertion.split('.');
    if (parts.length !== 3) return refuse('invalid_grant', 'invalid assertion');
    const [h, c, s] = parts as [string, string, string];
    let header: { alg?: unknown };
    let claims: { iss?: unknown; sub?: unknown; aud?: unknown; exp?: unknown };
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return refuse('invalid_grant', 'invalid assertion');
    }
    if (header.alg !== 'RS256') return refuse('invalid_grant', 'invalid assertion');
    if (!verify('RSA-SHA256', Buffer.from(`${h}.${c}`), this.publicKey, Buffer.from(s, 'base64url'))) {
      return refuse('invalid_grant', 'invalid assertion');
    }
    if (claims.iss !== this.credentials.clientId)
      return refuse('invalid_client_id', 'client identifier invalid');
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => typeof a === 'string' && AUDIENCES.has(a.replace(/\/+$/, ''))))
      return refuse('invalid_grant', 'audience is invalid');
    const now = Math.floor(Date.now() / 1000);
    // exp in seconds, at most about three minutes ahead; milliseconds (a common mistake) fail here.
    if (typeof claims.exp !== 'number' || claims.exp < now || claims.exp > now + 180) {
      return refuse('invalid_grant', 'expired authorization code');
    }
    if (claims.sub !== this.credentials.username)
      return refuse('invalid_grant', "user hasn't approved this consumer");
    return this.issue(instanceUrl, false);
  }

  private issue(instanceUrl: string, signed: boolean): SimResponse {
    const token = `${this.credentials.orgId.slice(0, 15)}!${randomBytes(48).toString('base64url')}`;
    this.sessions.set(token, { userId: this.credentials.userId, lastUsed: Date.now() });
    this.counts.issued += 1;
    const id = `https://login.salesforce.com/id/${this.credentials.orgId}/${this.credentials.userId}`;
    const issuedAt = String(Date.now());
    return json(200, {
      access_token: token,
      ...(signed
        ? {
            signature: createHmac('sha256', this.credentials.clientSecret)
              .update(id + issuedAt)
              .digest('base64'),
          }
        : {}),
      scope: 'api',
      instance_url: instanceUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
      ...(signed ? { token_format: 'opaque' } : {}),
    });
  }

  /** The user id of a valid bearer session, or undefined (expired sessions are forgotten). */
  authenticate(req: SimRequest): string | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const session = m ? this.sessions.get(m[1] as string) : undefined;
    if (!session) {
      this.counts.refused += 1;
      return undefined;
    }
    if (Date.now() - session.lastUsed > this.sessionTtlMs) {
      this.sessions.delete(m?.[1] as string);
      this.counts.refused += 1;
      return undefined;
    }
    session.lastUsed = Date.now();
    return session.userId;
  }

  expireAll(): void {
    this.sessions.clear();
  }
}
