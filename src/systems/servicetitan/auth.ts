import { createHash } from 'node:crypto';
import type { Got } from 'got';
import { z } from 'zod';
import { AuthError, InternalError, TransientError } from '../../errors.js';
import { networkError } from '../../http/client.js';
import { redact, registerSecret } from '../../http/redact.js';
import { parseRetryAfter, withRetry, type RetryOverrides } from '../../http/retry.js';
import { TokenCache, type Token } from '../../http/token.js';

/**
 * OAuth 2.0 client credentials, the only grant ServiceTitan offers
 * (https://developer.servicetitan.io/docs/oauth20): `POST {auth}/connect/token` with the tenant's
 * client id and secret answers a 900 s bearer token and no refresh token
 * (https://developer.servicetitan.io/docs/get-going-first-api-call). Tokens are cached per
 * (identity host, client id): every client of the same tenant in this process shares one, renews it
 * before it expires, and renews it once when the API answers 401.
 */
const tokenSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});
const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

export interface ServiceTitanCredentials {
  authUrl: string;
  clientId: string;
  clientSecret: string;
}

const caches = new Map<string, TokenCache>();

/** The shared token cache of a tenant's credentials. `renewEarlyMs` applies when the cache is made. */
export function tokenCacheFor(
  http: Got,
  creds: ServiceTitanCredentials,
  opts: { renewEarlyMs?: number; retry?: RetryOverrides | undefined } = {},
): TokenCache {
  const key = [
    creds.authUrl,
    creds.clientId,
    createHash('sha256').update(creds.clientSecret).digest('hex').slice(0, 16),
    opts.renewEarlyMs ?? 60_000,
  ].join('|');
  let cache = caches.get(key);
  if (!cache) {
    registerSecret(creds.clientSecret);
    const early = opts.renewEarlyMs ?? 60_000;
    cache = new TokenCache(() => requestToken(http, creds, opts.retry, early), early);
    caches.set(key, cache);
  }
  return cache;
}

/** For tests: forget every cached token. */
export function clearTokenCachesForTests(): void {
  caches.clear();
}

async function requestToken(
  http: Got,
  creds: ServiceTitanCredentials,
  retry: RetryOverrides | undefined,
  earlyMs: number,
): Promise<Token> {
  const url = `${creds.authUrl}/connect/token`;
  return withRetry(
    'servicetitan.token',
    async () => {
      const sentAt = Date.now();
      let res;
      try {
        res = await http.post(url, {
          prefixUrl: '',
          form: {
            grant_type: 'client_credentials',
            client_id: creds.clientId,
            client_secret: creds.clientSecret,
          },
        });
      } catch (err) {
        throw networkError(err, 'POST /connect/token');
      }
      if (res.statusCode === 200) {
        let body: unknown;
        try {
          body = JSON.parse(res.body);
        } catch {
          body = undefined;
        }
        const parsed = tokenSchema.safeParse(body);
        if (!parsed.success)
          throw new InternalError('ServiceTitan answered the token request with a body mlc cannot read', {
            code: 'servicetitan.bad_token_response',
            status: 200,
          });
        registerSecret(parsed.data.access_token);
        // The cache renews `earlyMs` before `expiresAt`. A token shorter-lived than the margin (an
        // identity server configured so, a simulator) is renewed at three quarters of its life
        // instead of before every call.
        const ttl = parsed.data.expires_in * 1000;
        const margin = Math.min(earlyMs, ttl / 4);
        return { value: parsed.data.access_token, expiresAt: sentAt + ttl - margin + earlyMs };
      }
      if (res.statusCode === 429 || res.statusCode >= 500) {
        const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
        throw new TransientError(`POST /connect/token: identity server answered ${res.statusCode}`, {
          code: 'servicetitan.token_unavailable',
          status: res.statusCode,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      let error = 'unknown';
      try {
        const parsed = oauthErrorSchema.safeParse(JSON.parse(res.body));
        if (parsed.success) error = parsed.data.error;
      } catch {
        // not JSON: keep "unknown"
      }
      throw new AuthError(`ServiceTitan refused the client credentials (${redact(error)})`, {
        code: error === 'invalid_client' ? 'servicetitan.invalid_client' : 'servicetitan.token_refused',
        status: res.statusCode,
        hint: 'check the tenant id, client id and client secret under Settings > Integrations > API Application Access; an app disconnected by the tenant gets new credentials when it is connected again',
      });
    },
    { idempotent: true, ...(retry ? { policy: retry } : {}) },
  );
}
