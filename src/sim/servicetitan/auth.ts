import { createHmac, randomBytes } from 'node:crypto';
import { json, type SimRequest, type SimResponse } from '../common/server.js';

/**
 * The identity server and the two-header check (api notes §2, §9): `POST /connect/token` with a
 * tenant's client id and secret (form, `grant_type=client_credentials`, optional `tenant` field)
 * answers an IdentityServer-style JWT (`typ: at+jwt`; claims nbf, exp = nbf + ttl, iss, client_id,
 * tenant, jti, iat, scope) that lives `ttl` seconds (900 by default). Every API call needs
 * `Authorization: Bearer <token>` and a known `ST-App-Key`, and the tenant in the path must be the
 * token's tenant.
 */
export interface SimTenant {
  tenantId: string;
  name: string;
  clientId: string;
  clientSecret: string;
}

export interface SimAuthOptions {
  appKey: string;
  tenants: SimTenant[];
  tokenTtlSeconds: number;
}

interface Issued {
  tenant: string;
  expiresAt: number;
  revoked: boolean;
}

const SCOPES = [
  'tn.crm.customers:r',
  'tn.crm.locations:r',
  'tn.inv.vendors:r',
  'tn.inv.purchaseorders:r',
  'tn.inv.purchaseorders:w',
  'tn.acc.inventorybills:r',
  'tn.acc.invoices:r',
  'tn.acc.invoices:w',
  'tn.acc.payments:r',
  'tn.acc.payments:w',
  'tn.jpm.jobs:r',
  'tn.settings.businessunits:r',
];

export class SimAuth {
  private readonly issued = new Map<string, Issued>();
  private readonly signingKey = randomBytes(32);
  tokensIssued = 0;

  constructor(readonly opts: SimAuthOptions) {}

  tenant(id: string): SimTenant | undefined {
    return this.opts.tenants.find((t) => t.tenantId === id);
  }

  /** `POST /connect/token`. */
  token(req: SimRequest): SimResponse {
    const type = String(req.headers['content-type'] ?? '');
    if (!type.startsWith('application/x-www-form-urlencoded'))
      return json(400, { error: 'invalid_request', error_description: 'form body expected' });
    const form = new URLSearchParams(req.body.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials')
      return json(400, { error: 'unsupported_grant_type' });
    const tenant = this.opts.tenants.find((t) => t.clientId === form.get('client_id'));
    if (!tenant || tenant.clientSecret !== form.get('client_secret'))
      return json(400, { error: 'invalid_client' });
    const sent = form.get('tenant');
    if (sent !== null && sent !== tenant.tenantId) return json(400, { error: 'invalid_request' });
    const now = Math.floor(req.receivedAt / 1000);
    const ttl = this.opts.tokenTtlSeconds;
    const jti = randomBytes(16).toString('hex');
    const claims = {
      nbf: now,
      exp: now + ttl,
      iss: 'https://auth.servicetitan.io',
      client_id: tenant.clientId,
      tenant: tenant.tenantId,
      jti,
      iat: now,
      scope: SCOPES,
    };
    const head = b64url(JSON.stringify({ alg: 'RS256', kid: 'sim', typ: 'at+jwt' }));
    const body = b64url(JSON.stringify(claims));
    const sig = createHmac('sha256', this.signingKey).update(`${head}.${body}`).digest('base64url');
    const token = `${head}.${body}.${sig}`;
    this.issued.set(token, {
      tenant: tenant.tenantId,
      expiresAt: req.receivedAt + ttl * 1000,
      revoked: false,
    });
    this.tokensIssued += 1;
    return json(200, { access_token: token, expires_in: ttl, token_type: 'Bearer', scope: SCOPES.join(' ') });
  }

  /**
   * Checks both headers and the tenant. Answers the refusal, or undefined when the call may go on.
   * Missing, unknown, expired or revoked token: 401 with an empty body and `WWW-Authenticate`;
   * missing or unknown app key: 401; a token of another tenant: 403.
   */
  check(req: SimRequest, tenantInPath: string): { refused: SimResponse } | { appKey: string } {
    const header = String(req.headers.authorization ?? '');
    const m = /^Bearer (\S+)$/.exec(header);
    const issued = m ? this.issued.get(m[1] ?? '') : undefined;
    if (!issued || issued.revoked || issued.expiresAt <= Date.now()) {
      return {
        refused: {
          status: 401,
          headers: {
            'www-authenticate': `Bearer error="invalid_token"${issued ? ', error_description="The token expired"' : ''}`,
          },
          body: '',
        },
      };
    }
    // The documents also allow the key as the `servicetitanapplicationkey` query parameter.
    const appKey = String(req.headers['st-app-key'] ?? req.query.get('servicetitanapplicationkey') ?? '');
    if (appKey !== this.opts.appKey) {
      return {
        refused: json(401, {
          type: 'https://tools.ietf.org/html/rfc7235#section-3.1',
          title: 'Unauthorized',
          status: 401,
          traceId: traceId(),
          errors: {},
          data: {
            reason: appKey === '' ? 'ST-App-Key header is missing' : 'The application key is not valid',
          },
        }),
      };
    }
    if (issued.tenant !== tenantInPath) {
      return {
        refused: json(403, {
          type: 'https://tools.ietf.org/html/rfc7231#section-6.5.3',
          title: 'Forbidden',
          status: 403,
          traceId: traceId(),
          errors: {},
          data: { reason: 'The token was not issued for this tenant' },
        }),
      };
    }
    return { appKey };
  }

  /** Every token stops working now (a revocation, or time passing). */
  expireAll(): void {
    for (const t of this.issued.values()) t.revoked = true;
  }

  reset(): void {
    this.issued.clear();
    this.tokensIssued = 0;
  }
}

export function traceId(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
