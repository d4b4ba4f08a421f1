import type { Response } from 'got';
import { AuthError, InternalError, isMlcError } from '../../errors.js';
import { safeJson } from '../../http/json.js';
import { registerSecret } from '../../http/redact.js';
import { TokenCache, oauthTokenSource, type Grant, type Token } from '../../http/token.js';
import type { Logger } from '../types.js';
import { parseJson } from './errors.js';
import { oauthErrorSchema, tokenResponseSchema } from './schemas.js';
import type { CallOptions } from './transport.js';
import type { AcumaticaAuth, AcumaticaConnection } from './types.js';

/**
 * The session credential of a client (api notes §1): an OAuth bearer token (ROPC, rotating refresh
 * tokens) or the cookies of a cookie login, held in the shared TokenCache: renewed ahead of expiry
 * and once after a 401, single-flight. Each new credential takes one API-user seat (§1.3).
 */
type Call = (method: string, path: string, opts: CallOptions) => Promise<Response<string>>;
type OAuth = Extract<AcumaticaAuth, { kind: 'oauth_password' }>;
type Cookie = Extract<AcumaticaAuth, { kind: 'cookie' }>;

export function sessionTokens(conn: AcumaticaConnection, call: Call, log: Logger): TokenCache {
  const auth = conn.auth;
  registerSecret(auth.password);
  if (auth.kind === 'cookie') return new TokenCache(() => cookieLogin(auth, call), 60_000);
  registerSecret(auth.clientSecret);
  return new TokenCache(
    oauthTokenSource({
      grant: () => passwordGrant(auth, call),
      refresh: (token) => refreshGrant(auth, token, call),
      // A refresh that keeps failing transiently is not worth the pass: sign in with the password.
      fallBackOn: (err) =>
        isMlcError(err) && err.kind === 'transient' && err.code !== 'acumatica.login_limit',
      onFallback: (err) =>
        log.warn('acumatica: refresh failed, signing in with the password instead', {
          code: isMlcError(err) ? err.code : 'unknown',
        }),
      store: conn.refreshTokenStore,
    }),
    60_000,
  );
}

/** The headers that carry a session credential. */
export function credentialHeaders(auth: AcumaticaAuth, credential: string): Record<string, string> {
  return auth.kind === 'cookie' ? { cookie: credential } : { authorization: `Bearer ${credential}` };
}

/** `POST /entity/auth/login` → 204 + cookies (§1.2); the cookies are the session's credential. */
async function cookieLogin(auth: Cookie, call: Call): Promise<Token> {
  const body: Record<string, string> = { name: auth.username, password: auth.password };
  if (auth.tenant) body.tenant = auth.tenant;
  if (auth.branch) body.branch = auth.branch;
  const res = await call('POST', 'entity/auth/login', {
    op: 'acumatica.login',
    idempotent: true,
    json: body,
    anonymous: true,
    signIn: true,
  });
  const cookies: string[] = [];
  for (const c of res.headers['set-cookie'] ?? []) {
    const pair = c.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    registerSecret(pair.slice(eq + 1));
    cookies.push(pair);
  }
  if (cookies.length === 0) {
    throw new InternalError('Acumatica accepted the login but set no session cookie', {
      code: 'acumatica.no_cookie',
      status: res.statusCode,
    });
  }
  // A cookie session lasts until it is signed out or idles out; a 401 renews it.
  return { value: cookies.join('; '), expiresAt: Number.POSITIVE_INFINITY };
}

/** ROPC grant (§1.1). Each sign-in takes a seat; login-limit answers are retried as transient. */
async function passwordGrant(auth: OAuth, call: Call): Promise<Grant> {
  const token = await tokenRequest(
    {
      grant_type: 'password',
      client_id: auth.clientId,
      client_secret: auth.clientSecret,
      username: auth.username,
      password: auth.password,
      scope: auth.scope ?? 'api offline_access',
    },
    true,
    call,
  );
  if (!token) {
    throw new AuthError('Acumatica refused the user name or password (invalid_grant)', {
      code: 'acumatica.invalid_grant',
      status: 400,
      hint: 'check the API user, its password and that it may use the Connected Application',
    });
  }
  return token;
}

/**
 * Refresh grant (§1.1: refresh tokens rotate; a reused one fails with invalid_grant). Not repeated
 * on an ambiguous failure: the token may have been spent. Undefined when the server refused it.
 */
function refreshGrant(auth: OAuth, refreshToken: string, call: Call): Promise<Grant | undefined> {
  return tokenRequest(
    {
      grant_type: 'refresh_token',
      client_id: auth.clientId,
      client_secret: auth.clientSecret,
      refresh_token: refreshToken,
    },
    false,
    call,
  );
}

/** `POST /identity/connect/token`; undefined on `invalid_grant`. */
async function tokenRequest(
  form: Record<string, string>,
  idempotent: boolean,
  call: Call,
): Promise<Grant | undefined> {
  const res = await call('POST', 'identity/connect/token', {
    op: `acumatica.token.${form.grant_type ?? ''}`,
    idempotent,
    form,
    anonymous: true,
    signIn: true,
    accept: [400, 401],
  });
  if (res.statusCode === 400 || res.statusCode === 401) {
    const parsed = oauthErrorSchema.safeParse(safeJson(res.body));
    const error = parsed.success ? parsed.data.error : 'unknown';
    if (error === 'invalid_grant') return undefined;
    if (error === 'invalid_client' || error === 'unauthorized_client') {
      throw new AuthError(`Acumatica refused the OAuth client (${error})`, {
        code: 'acumatica.invalid_client',
        status: res.statusCode,
        hint: 'check the client id (it must end in @<Tenant>) and the shared secret of the Connected Application (SM303010)',
      });
    }
    throw new AuthError(`Acumatica refused the token request (${error})`, {
      code: 'acumatica.token_refused',
      status: res.statusCode,
      ...(error === 'invalid_scope'
        ? { hint: 'the scope must include api (and offline_access for refresh tokens)' }
        : {}),
    });
  }
  const token = parseJson(res, tokenResponseSchema, 'POST /identity/connect/token');
  return {
    accessToken: token.access_token,
    expiresInSeconds: token.expires_in,
    refreshToken: token.refresh_token,
  };
}
