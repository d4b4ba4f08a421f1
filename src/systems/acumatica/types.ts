/** Connection, credentials and row shapes of the Acumatica client. */

/** How mlc signs in (api notes §1). */
export type AcumaticaAuth =
  | {
      /** OAuth 2.0 Resource Owner Password Credentials through a Connected Application (§1.1). */
      kind: 'oauth_password';
      /** `<GUID>@<Tenant>`: without the tenant suffix the identity server cannot resolve the tenant. */
      clientId: string;
      clientSecret: string;
      username: string;
      password: string;
      /** Default `api offline_access`. */
      scope?: string | undefined;
    }
  | {
      /** Cookie session login at `/entity/auth/login` (§1.2). */
      kind: 'cookie';
      username: string;
      password: string;
      tenant?: string | undefined;
      branch?: string | undefined;
    };

/** One configured Acumatica instance. */
export interface AcumaticaConnection {
  /** Instance URL including the virtual directory, e.g. `https://erp.example.com/AcumaticaERP`. */
  url: string;
  /** Contract-based endpoint name, default `Default`. */
  endpointName?: string;
  /** Pinned endpoint version, default `24.200.001` (§6 trap 1). */
  endpointVersion?: string;
  auth: AcumaticaAuth;
  timeoutMs?: number;
  /** `$top` of every list request, default 500 (§6 trap 4: never omit `$top`). */
  pageSize?: number;
  /** Licence "maximum concurrent API requests" share for mlc, default 2 (§5). */
  concurrency?: number;
  /** Licence "maximum API requests per minute" share for mlc (§5). */
  requestsPerMinute?: number;
  /**
   * Refresh tokens rotate: the client calls this with the NEW refresh token and awaits it BEFORE it
   * uses the new access token; the engine stores it (encrypted). `load` gives the stored one at start.
   */
  refreshTokenStore?: { load(): Promise<string | undefined>; save(token: string): Promise<void> };
}

/**
 * A query `mlc ping` sends with `$top=1`: what a flow really asks for, so that a field the entity
 * lacks (a misspelt reference field, a status filter on another entity) is found before a pass.
 */
export interface AcumaticaProbe {
  entity: string;
  /** The flow the query belongs to (names the check). */
  flow?: string | undefined;
  filter?: string | undefined;
  select?: string[] | undefined;
  expand?: string[] | undefined;
  /** Adds the LastModifiedDateTime window, as `readChanged` does. */
  windowed?: boolean | undefined;
}

/** An entity with its values unwrapped from `{value: …}`; `id` is the record's GUID. */
export type AcuRow = Record<string, unknown> & { id: string };
