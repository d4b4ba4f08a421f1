import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  verify,
  constants,
  type KeyObject,
} from 'node:crypto';
import { json, type SimRequest, type SimResponse } from '../common/server.js';
import { pct, signatureBaseString } from '../../systems/netsuite/auth.js';

/**
 * The simulated account's authentication (api notes §2, §8): the OAuth 2.0 client-credentials token
 * endpoint verifying the JWT assertion against the mapped certificates (PS256…ES512 only, RS256 refused),
 * opaque bearer tokens with a lifetime, and TBA requests re-signed with HMAC-SHA256 (query string
 * included, body excluded), nonces never reused, timestamps within 300 s, the realm exactly the
 * account id.
 */
export interface NetSuiteSimCredentials {
  account: string;
  clientId: string;
  /** Certificate id (JWT kid) -> PEM private key, for clients; the simulator keeps the public halves. */
  certificates: Record<string, { algorithm: string; privateKey: string }>;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

let cachedKeys:
  | { rsa: { privateKey: string; publicKey: string }; ec: { privateKey: string; publicKey: string } }
  | undefined;

/** One RSA-3072 and one P-256 key pair per process: generating RSA keys takes a while. */
export function simKeys(): NonNullable<typeof cachedKeys> {
  cachedKeys ??= {
    rsa: generateKeyPairSync('rsa', {
      modulusLength: 3072,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }),
    ec: generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }),
  };
  return cachedKeys;
}

export function defaultCredentials(account: string): NetSuiteSimCredentials {
  const keys = simKeys();
  return {
    account,
    clientId: 'a3f9e1c2b4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7',
    certificates: {
      'cert-rsa-3072': { algorithm: 'PS256', privateKey: keys.rsa.privateKey },
      'cert-ec-p256': { algorithm: 'ES256', privateKey: keys.ec.privateKey },
    },
    consumerKey: '4a03f7d3c0e1b2a3948576afbecd1023344556677889900aabbccddeeff0011',
    consumerSecret: 'cs-6b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1',
    tokenId: '2e4469e1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2',
    tokenSecret: 'ts-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8',
  };
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function unauthorized(): SimResponse {
  return json(401, {
    type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2',
    title: 'Unauthorized',
    status: 401,
    'o:errorDetails': [
      {
        detail:
          'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
        'o:errorCode': 'INVALID_LOGIN',
      },
    ],
  });
}

function oauthError(status: number, error: string): SimResponse {
  return json(status, { error });
}

export class SimAuth {
  private readonly publicKeys = new Map<string, KeyObject>();
  private readonly tokens = new Map<string, number>();
  private readonly nonces = new Map<string, number>();
  /** Why the last request was refused (the Login Audit Trail), for tests. */
  readonly audit: string[] = [];
  tokenTtlSeconds: number;

  constructor(
    readonly credentials: NetSuiteSimCredentials,
    tokenTtlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokenTtlSeconds = tokenTtlSeconds;
    for (const [kid, c] of Object.entries(credentials.certificates))
      this.publicKeys.set(kid, createPublicKey(c.privateKey));
  }

  private refuse(why: string): SimResponse {
    this.audit.push(why);
    return unauthorized();
  }

  /** `POST /services/rest/auth/oauth2/v1/token` (§2.1). */
  token(req: SimRequest, tokenUrl: string): SimResponse {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return oauthError(400, 'invalid_request');
    const form = new URLSearchParams(req.body.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) return oauthError(400, 'invalid_request');
    const jwt = form.get('client_assertion') ?? '';
    const parts = jwt.split('.');
    if (parts.length !== 3) return oauthError(400, 'invalid_request');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return oauthError(400, 'invalid_request');
    }
    const alg = String(header.alg);
    // RSA PKCS#1 v1.5 (RS*) is refused since 1 March 2025 (§2.1).
    if (!/^(PS|ES)(256|384|512)$/.test(alg)) {
      this.audit.push(`alg ${alg} refused`);
      return oauthError(400, 'invalid_request');
    }
    const key = this.publicKeys.get(String(header.kid));
    if (header.typ !== 'JWT' || !key) {
      this.audit.push(`unknown kid ${String(header.kid)}`);
      return oauthError(401, 'invalid_client');
    }
    const bits = alg.slice(2);
    const data = Buffer.from(`${parts[0]}.${parts[1]}`);
    const sig = Buffer.from(parts[2]!, 'base64url');
    let ok = false;
    try {
      if (alg.startsWith('PS')) {
        if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 3072)
          ok = false;
        else
          ok = verify(
            `sha${bits}`,
            data,
            { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 },
            sig,
          );
      } else
        ok =
          key.asymmetricKeyType === 'ec' &&
          verify(`sha${bits}`, data, { key, dsaEncoding: 'ieee-p1363' }, sig);
    } catch {
      ok = false;
    }
    if (!ok) {
      this.audit.push('assertion signature invalid');
      return oauthError(401, 'invalid_client');
    }
    const nowS = Math.floor(this.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (claims.iss !== this.credentials.clientId) return this.grantError(`iss ${String(claims.iss)} unknown`);
    if (claims.aud !== tokenUrl) return this.grantError(`aud ${String(claims.aud)} is not ${tokenUrl}`);
    if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp > iat + 3600 || exp <= nowS || iat > nowS + 300)
      return this.grantError('iat/exp out of range');
    const scopes = String(claims.scope ?? '').split(',');
    if (!scopes.includes('rest_webservices')) return this.grantError('scope lacks rest_webservices');
    const token = `eyJraWQiOiJzLlNZU1RFTS4yMDIwXzEifQ.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, this.now() + this.tokenTtlSeconds * 1000);
    return json(200, { access_token: token, expires_in: String(this.tokenTtlSeconds), token_type: 'Bearer' });
  }

  private grantError(why: string): SimResponse {
    this.audit.push(why);
    return oauthError(400, 'invalid_grant');
  }

  expireTokens(): void {
    this.tokens.clear();
  }

  /** Checks a REST request's Authorization header; undefined when it is accepted. */
  check(req: SimRequest, baseUrl: string): SimResponse | undefined {
    const header = String(req.headers.authorization ?? '');
    if (header.startsWith('Bearer ')) {
      const expires = this.tokens.get(header.slice(7));
      if (expires === undefined) return this.refuse('token unknown or revoked');
      if (expires <= this.now()) return this.refuse('AccessTokenExpired');
      return undefined;
    }
    if (header.startsWith('OAuth ')) return this.checkTba(req, header, baseUrl);
    return this.refuse('no credentials');
  }

  private checkTba(req: SimRequest, header: string, baseUrl: string): SimResponse | undefined {
    const params: Record<string, string> = {};
    for (const m of header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g))
      params[m[1]!] = decodeURIComponent(m[2]!);
    const c = this.credentials;
    if (params.realm !== c.account) return this.refuse(`realm ${params.realm ?? ''} is not ${c.account}`);
    if (params.oauth_consumer_key !== c.consumerKey || params.oauth_token !== c.tokenId)
      return this.refuse('consumer key or token refused');
    if (params.oauth_signature_method !== 'HMAC-SHA256') return this.refuse('signature method refused');
    if (params.oauth_version !== undefined && params.oauth_version !== '1.0') return this.refuse('version');
    const ts = Number(params.oauth_timestamp);
    if (!Number.isFinite(ts) || Math.abs(ts - this.now() / 1000) > 300)
      return this.refuse('timestamp out of range');
    const nonce = params.oauth_nonce ?? '';
    if (nonce.length < 6) return this.refuse('nonce too short');
    for (const [n, at] of this.nonces) if (at < this.now() - 600_000) this.nonces.delete(n);
    if (this.nonces.has(nonce)) return this.refuse('nonce reused');
    const oauth: Record<string, string> = {};
    for (const [k, v] of Object.entries(params))
      if (k.startsWith('oauth_') && k !== 'oauth_signature') oauth[k] = v;
    const qs = req.query.toString();
    const base = signatureBaseString(req.method, `${baseUrl}${req.path}${qs ? `?${qs}` : ''}`, oauth);
    const expected = createHmac('sha256', `${pct(c.consumerSecret)}&${pct(c.tokenSecret)}`)
      .update(base)
      .digest('base64');
    if (expected !== params.oauth_signature) return this.refuse('InvalidSignature');
    this.nonces.set(nonce, this.now());
    return undefined;
  }
}
