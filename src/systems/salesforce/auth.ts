import { createHmac, createPrivateKey, sign, timingSafeEqual } from 'node:crypto';
import type { Got } from 'got';
import { z } from 'zod';
import { AuthError, ConfigError, InternalError, TransientError } from '../../errors.js';
import { networkError } from '../../http/client.js';
import { redact, registerSecret } from '../../http/redact.js';
import { withRetry, type RetryOverrides } from '../../http/retry.js';
import { TokenCache, type Token } from '../../http/token.js';

export type SalesforceAuthConfig =
  | { kind: 'client_credentials'; clientId: string; clientSecret: string }
  | { kind: 'jwt_bearer'; clientId: string; username: string; privateKey: string; audience: string };

/**
 * Token answer of both flows. No `expires_in` and no refresh token: a session lasts the org's
 * session timeout and its end shows as 401 INVALID_SESSION_ID. Unknown fields are ignored.
 */
const tokenBody = z
  .object({
    access_token: z.string().min(1),
    instance_url: z.url(),
    id: z.string().optional(),
    token_type: z.string().optional(),
    issued_at: z.string().optional(),
    signature: z.string().optional(),
    scope: z.string().optional(),
  })
  .loose();

const oauthError = z.object({ error: z.string(), error_description: z.string().optional() }).loose();

/** JWT `exp` is in seconds and at most about three minutes ahead. */
const JWT_LIFETIME_S = 170;

/**
 * OAuth 2.0 on the org's My Domain: client credentials
 * (https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_client_credentials_flow.htm)
 * or the JWT bearer flow signed with the connected app's certificate key
 * (https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_jwt_flow.htm).
 * Holds the session token (single-flight renewal through TokenCache; it never expires on its own
 * since the org does not say when) and the `instance_url` of the latest token answer, which is the
 * base of every REST call.
 */
export class SalesforceAuth {
  private readonly tokens: TokenCache;
  private instance: string | undefined;
  private user: string | undefined;
  /** Sessions obtained so far (for ping and tests). */
  sessions = 0;

  constructor(
    private readonly http: Got,
    private readonly loginUrl: string,
    private readonly config: SalesforceAuthConfig,
    private readonly retry: RetryOverrides | undefined,
    private readonly now: () => number = Date.now,
  ) {
    if (config.kind === 'client_credentials') registerSecret(config.clientSecret);
    else registerSecret(config.privateKey);
    this.tokens = new TokenCache(() => this.fetchToken(), 0, now);
  }

  /** The REST base of the current session (`instance_url`), once a token was obtained. */
  get instanceUrl(): string | undefined {
    return this.instance;
  }

  /**
   * The Salesforce user id the session runs as (the last segment of the token answer's `id` URL):
   * records whose `LastModifiedById` is this user were last written by mlc itself.
   */
  get userId(): string | undefined {
    return this.user;
  }

  /** The session token, obtaining one if there is none. */
  token(): Promise<string> {
    return this.tokens.get();
  }

  /** Drops a token the org refused (if no other call replaced it meanwhile). */
  invalidate(refused: string): void {
    this.tokens.invalidate(refused);
  }

  private form(): Record<string, string> {
    const c = this.config;
    if (c.kind === 'client_credentials') {
      return { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret };
    }
    return { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: this.assertion() };
  }

  /** RS256 JWT: iss = consumer key, sub = username, aud = login host, exp in seconds. */
  assertion(): string {
    const c = this.config;
    if (c.kind !== 'jwt_bearer')
      throw new InternalError('no assertion for client credentials', { code: 'internal.no_jwt' });
    let key;
    try {
      key = createPrivateKey(c.privateKey);
    } catch {
      throw new ConfigError('Salesforce JWT bearer: the private key is not a PEM private key', {
        code: 'salesforce.bad_private_key',
        hint: 'store the PEM private key of the certificate uploaded to the connected app: mlc secret set <connection>.private_key < key.pem',
      });
    }
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const claims = {
      iss: c.clientId,
      sub: c.username,
      aud: c.audience.replace(/\/+$/, ''),
      exp: Math.floor(this.now() / 1000) + JWT_LIFETIME_S,
    };
    const input = `${b64({ alg: 'RS256' })}.${b64(claims)}`;
    const assertion = `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
    // A signed assertion is a credential for its few minutes of life.
    registerSecret(assertion);
    return assertion;
  }

  /** `POST {My Domain}/services/oauth2/token`, form body; refused credentials are never retried. */
  private async fetchToken(): Promise<Token> {
    const url = `${this.loginUrl.replace(/\/+$/, '')}/services/oauth2/token`;
    const response = await withRetry(
      'salesforce.token',
      async () => {
        const form = this.form();
        let answer;
        try {
          answer = await this.http(url, { method: 'POST', form, responseType: 'text' });
        } catch (err) {
          throw networkError(err, 'Salesforce POST /services/oauth2/token');
        }
        if (answer.statusCode >= 500 || answer.statusCode === 429) {
          throw new TransientError(
            `Salesforce POST /services/oauth2/token: server error ${answer.statusCode}`,
            {
              code: 'salesforce.unavailable',
              status: answer.statusCode,
            },
          );
        }
        return answer;
      },
      { idempotent: true, policy: this.retry },
    );
    const json = safeJson(response.body);
    if (response.statusCode !== 200) throw this.refused(response.statusCode, json, response.body);
    const parsed = tokenBody.safeParse(json);
    if (!parsed.success) {
      throw new InternalError('Salesforce token answer without access_token or instance_url', {
        code: 'salesforce.bad_token_answer',
      });
    }
    const t = parsed.data;
    if (this.config.kind === 'client_credentials' && t.signature !== undefined && t.id && t.issued_at) {
      // signature = base64(HMAC-SHA256(id + issued_at, client secret)): proves the answer came from the org.
      const expected = createHmac('sha256', this.config.clientSecret)
        .update(t.id + t.issued_at)
        .digest();
      const got = Buffer.from(t.signature, 'base64');
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
        throw new AuthError('Salesforce token answer failed its signature check', {
          code: 'salesforce.bad_token_signature',
          hint: 'the answer did not come from the org that holds this client secret; check the connection URL',
        });
      }
    }
    registerSecret(t.access_token);
    this.instance = t.instance_url.replace(/\/+$/, '');
    this.user = t.id?.split('/').pop() || this.user;
    this.sessions += 1;
    return { value: t.access_token, expiresAt: Number.POSITIVE_INFINITY };
  }

  private refused(status: number, json: unknown, body: string): Error {
    const e = oauthError.safeParse(json);
    const description = e.success
      ? `${e.data.error}: ${e.data.error_description ?? ''}`.trim()
      : redact(body.slice(0, 160));
    if (/not supported on this domain/i.test(description)) {
      return new ConfigError(`Salesforce token request refused: ${description}`, {
        code: 'salesforce.not_my_domain',
        status,
        hint: "set url to the org's My Domain (https://<mydomain>.my.salesforce.com)",
      });
    }
    return new AuthError(`Salesforce token request refused (${status} ${description})`, {
      code: 'salesforce.oauth_denied',
      status,
      hint:
        this.config.kind === 'client_credentials'
          ? 'check the consumer key and secret, that the app enables the client credentials flow and names a Run As user'
          : 'check the consumer key, the username, that the user is pre-authorized on the app and that the key matches the uploaded certificate',
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
