import { constants, createHmac, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { registerSecret } from '../../http/redact.js';
import { TokenCache, type Token } from '../../http/token.js';
import type { AssertionAlgorithm, NetSuiteAuth } from './connection.js';
import { realmOf } from './hosts.js';

/**
 * The two ways mlc signs NetSuite requests (api notes §2): OAuth 2.0 client credentials with a signed
 * JWT assertion (a bearer token per hour, renewed ahead of expiry), or TBA (OAuth 1.0a, every request
 * signed with HMAC-SHA256, the account id as realm).
 */
export interface RequestSigner {
  /** The Authorization header for one request (method, absolute URL with its query string). */
  authorization(method: string, url: string): Promise<string>;
  /** After a 401: drops the token that was refused; true when retrying with a new one makes sense. */
  refused(header: string): boolean;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** Digest and signature options of each accepted JWS algorithm (RFC 7518 §3.4–3.5). */
function signatureOf(alg: AssertionAlgorithm, key: KeyObject, data: Buffer): Buffer {
  const bits = alg.slice(2);
  const digest = `sha${bits}`;
  if (alg.startsWith('PS')) {
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss')
      throw new ConfigError(`${alg} needs an RSA private key, got ${key.asymmetricKeyType ?? 'unknown'}`, {
        code: 'netsuite.key_type',
      });
    return sign(digest, data, {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: Number(bits) / 8,
    });
  }
  if (key.asymmetricKeyType !== 'ec')
    throw new ConfigError(`${alg} needs an EC private key, got ${key.asymmetricKeyType ?? 'unknown'}`, {
      code: 'netsuite.key_type',
    });
  return sign(digest, data, { key, dsaEncoding: 'ieee-p1363' });
}

/**
 * The client assertion (§2.1): header `{typ, alg, kid: certificate id}`, claims `{iss: client id,
 * scope, aud: the token URL, iat, exp}` with `exp - iat` under 3600.
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162790605110.html
 */
export function clientAssertion(
  opts: { clientId: string; certificateId: string; algorithm: AssertionAlgorithm; scope: string },
  key: KeyObject,
  audience: string,
  nowSeconds: number,
): string {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: opts.algorithm, kid: opts.certificateId }));
  const claims = b64url(
    JSON.stringify({
      iss: opts.clientId,
      scope: opts.scope,
      aud: audience,
      iat: nowSeconds,
      exp: nowSeconds + 3000,
    }),
  );
  const input = `${header}.${claims}`;
  return `${input}.${b64url(signatureOf(opts.algorithm, key, Buffer.from(input)))}`;
}

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  // A string in Oracle's own example (§9), a number elsewhere.
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
});

/** Renewal margin: two minutes before expiry (§2.3), less for very short tokens. */
export function renewalMargin(lifetimeMs: number): number {
  return Math.min(120_000, Math.floor(lifetimeMs / 4));
}

export class M2mSigner implements RequestSigner {
  private readonly cache: TokenCache;
  private readonly key: KeyObject;

  constructor(
    private readonly auth: Extract<NetSuiteAuth, { kind: 'oauth_m2m' }>,
    /** Posts the form to the token endpoint and answers its parsed body (errors already classified). */
    requestToken: (form: Record<string, string>, audience: string) => Promise<unknown>,
    private readonly audience: string,
    now: () => number = Date.now,
  ) {
    registerSecret(auth.privateKey);
    try {
      this.key = createPrivateKey(auth.privateKey);
    } catch (err) {
      throw new ConfigError('auth.privateKey is not a PEM private key', {
        code: 'netsuite.private_key',
        hint: 'store the PEM private key of the certificate mapped under OAuth 2.0 Client Credentials (M2M) Setup',
        cause: err,
      });
    }
    this.cache = new TokenCache(
      async (): Promise<Token> => {
        const started = now();
        const assertion = clientAssertion(
          {
            clientId: auth.clientId,
            certificateId: auth.certificateId,
            algorithm: auth.algorithm,
            scope: auth.scope,
          },
          this.key,
          this.audience,
          Math.floor(started / 1000),
        );
        const body = tokenResponseSchema.parse(
          await requestToken(
            {
              grant_type: 'client_credentials',
              client_assertion_type: ASSERTION_TYPE,
              client_assertion: assertion,
            },
            this.audience,
          ),
        );
        registerSecret(body.access_token);
        const lifetime = (body.expires_in ?? 3600) * 1000;
        return { value: body.access_token, expiresAt: started + lifetime - renewalMargin(lifetime) };
      },
      0,
      now,
    );
  }

  async authorization(): Promise<string> {
    return `Bearer ${await this.cache.get()}`;
  }

  refused(header: string): boolean {
    this.cache.invalidate(header.replace(/^Bearer /, ''));
    return true;
  }
}

/** RFC 3986 percent-encoding as OAuth 1.0a requires (RFC 5849 §3.6). */
export function pct(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The signature base string (§2.2): method, base URL without query or default port (scheme and host in
 * lower case), and every oauth and query parameter, encoded and sorted. The body is not signed.
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1534939551.html
 */
export function signatureBaseString(method: string, url: string, oauth: Record<string, string>): string {
  const u = new URL(url);
  const defaultPort =
    (u.protocol === 'https:' && u.port === '443') || (u.protocol === 'http:' && u.port === '80');
  const base = `${u.protocol.toLowerCase()}//${u.hostname.toLowerCase()}${u.port && !defaultPort ? `:${u.port}` : ''}${u.pathname}`;
  const params: Array<[string, string]> = [];
  for (const [k, v] of u.searchParams) params.push([pct(k), pct(v)]);
  for (const [k, v] of Object.entries(oauth)) params.push([pct(k), pct(v)]);
  params.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return [method.toUpperCase(), pct(base), pct(params.map(([k, v]) => `${k}=${v}`).join('&'))].join('&');
}

export function tbaSignature(baseString: string, consumerSecret: string, tokenSecret: string): string {
  return createHmac('sha256', `${pct(consumerSecret)}&${pct(tokenSecret)}`)
    .update(baseString)
    .digest('base64');
}

export class TbaSigner implements RequestSigner {
  constructor(
    private readonly auth: Extract<NetSuiteAuth, { kind: 'tba' }>,
    private readonly account: string,
    private readonly now: () => number = Date.now,
  ) {
    registerSecret(auth.consumerSecret);
    registerSecret(auth.tokenSecret);
  }

  authorization(method: string, url: string): Promise<string> {
    const oauth: Record<string, string> = {
      oauth_consumer_key: this.auth.consumerKey,
      oauth_token: this.auth.tokenId,
      oauth_signature_method: 'HMAC-SHA256',
      oauth_timestamp: String(Math.floor(this.now() / 1000)),
      oauth_nonce: randomBytes(16).toString('hex'),
      oauth_version: '1.0',
    };
    const signature = tbaSignature(
      signatureBaseString(method, url, oauth),
      this.auth.consumerSecret,
      this.auth.tokenSecret,
    );
    const fields = { ...oauth, oauth_signature: signature };
    return Promise.resolve(
      `OAuth realm="${realmOf(this.account)}",${Object.entries(fields)
        .map(([k, v]) => `${k}="${pct(v)}"`)
        .join(',')}`,
    );
  }

  /** Every TBA request is signed afresh: nothing to renew (a 401 after a burst may still be retried once). */
  refused(): boolean {
    return false;
  }
}
