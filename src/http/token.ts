/**
 * A cached bearer token with single-flight refresh: many concurrent callers share one refresh,
 * tokens are renewed `earlyMs` before they expire, and `invalidate` drops a token the server refused.
 */
export interface Token {
  value: string;
  /** Epoch ms at which the server stops accepting it. */
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
}
