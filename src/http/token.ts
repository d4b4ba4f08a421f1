import { registerSecret } from './redact.js';

/**
 * The one token cache of mlc, for every flavour of credential a client renews: OAuth client
 * credentials, password grants with (rotating) refresh tokens, and session cookies. It renews a token
 * `earlyMs` before it expires, shares one renewal among all concurrent callers (single-flight), and
 * owns the "401 → renew once → retry once" path (`withRenewal`).
 */
export interface Token {
  value: string;
  /** Epoch ms at which the server stops accepting it (`Infinity` for a session cookie). */
  expiresAt: number;
}

export class TokenCache {
  private token: Token | undefined;
  private pending: Promise<Token> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<Token>,
    private readonly earlyMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token that is valid for at least `earlyMs`, fetched (once for all callers) when there is none. */
  async get(): Promise<string> {
    if (this.token && this.token.expiresAt - this.earlyMs > this.now()) return this.token.value;
    return (await this.refresh()).value;
  }

  /** Forces a new token (after a 401), shared by every caller that asks meanwhile. */
  refresh(): Promise<Token> {
    if (!this.pending) {
      this.pending = this.fetchToken()
        .then((token) => {
          this.token = token;
          return token;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }

  /** Drops the token if it is still the one that was refused. */
  invalidate(refused?: string): void {
    if (refused === undefined || this.token?.value === refused) this.token = undefined;
  }

  /** The token held now, expired or not, without fetching one (e.g. to sign out with it). */
  current(): string | undefined {
    return this.token?.value;
  }

  /** Forgets the token (the session it belongs to was ended). */
  clear(): void {
    this.token = undefined;
  }

  /**
   * Sends with the current token; when the answer says the token was refused (`refused`, typically a
   * 401), drops that token — unless a concurrent caller has replaced it already — and sends once more
   * with a renewed one. A second refusal is returned to the caller's error table.
   */
  async withRenewal<T>(send: (token: string) => Promise<T>, refused: (answer: T) => boolean): Promise<T> {
    const token = await this.get();
    const answer = await send(token);
    if (!refused(answer)) return answer;
    this.invalidate(token);
    return send(await this.get());
  }
}

/** What a token endpoint granted. */
export interface Grant {
  accessToken: string;
  expiresInSeconds: number;
  /** Present when the server issued (or rotated) a refresh token. */
  refreshToken?: string | undefined;
}

/** The grants of one OAuth client, for `oauthTokenSource`. */
export interface OAuthGrants {
  /** The grant with the primary credentials (password, client credentials). */
  grant(): Promise<Grant>;
  /**
   * Exchanges a refresh token; `undefined` when the server refused it (e.g. `invalid_grant`), after
   * which the primary grant is used.
   */
  refresh?(refreshToken: string): Promise<Grant | undefined>;
  /** True for a refresh failure that the primary grant should get past (default: none). */
  fallBackOn?(err: unknown): boolean;
  /**
   * Where rotating refresh tokens live between runs: `load` once before the first grant; `save` gets
   * each new refresh token and is awaited BEFORE the new access token is used.
   */
  store?: { load(): Promise<string | undefined>; save(token: string): Promise<void> } | undefined;
  onFallback?(err: unknown): void;
}

/**
 * The `fetchToken` of a TokenCache for an OAuth client with refresh tokens: the refresh grant first
 * (the refresh token is forgotten before it is sent, so a rotated token is never sent twice), the
 * primary grant when there is no refresh token or it was refused. Every token is registered with the
 * redactor.
 */
export function oauthTokenSource(grants: OAuthGrants, now: () => number = Date.now): () => Promise<Token> {
  let refreshToken: string | undefined;
  let loaded = grants.store === undefined;
  const accept = async (g: Grant): Promise<Token> => {
    registerSecret(g.accessToken);
    if (g.refreshToken !== undefined) {
      registerSecret(g.refreshToken);
      await grants.store?.save(g.refreshToken);
      refreshToken = g.refreshToken;
    }
    return { value: g.accessToken, expiresAt: now() + g.expiresInSeconds * 1000 };
  };
  return async () => {
    if (!loaded) {
      loaded = true;
      const stored = await grants.store?.load();
      if (stored) {
        registerSecret(stored);
        refreshToken ??= stored;
      }
    }
    const spent = refreshToken;
    if (spent !== undefined && grants.refresh) {
      refreshToken = undefined;
      try {
        const granted = await grants.refresh(spent);
        if (granted) return await accept(granted);
      } catch (err) {
        if (!grants.fallBackOn?.(err)) throw err;
        grants.onFallback?.(err);
      }
    }
    return accept(await grants.grant());
  };
}
