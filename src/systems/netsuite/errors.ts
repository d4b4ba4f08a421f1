import { z } from 'zod';
import {
  AuthError,
  ConfigError,
  InternalError,
  RecordError,
  TransientError,
  type MlcError,
} from '../../errors.js';
import { redact } from '../../http/redact.js';

/**
 * NetSuite's error body (api notes §5, §9): `{type, title, status, o:errorDetails[{detail,
 * o:errorCode, o:errorPath?, o:errorQueryParam?…}]}`, sometimes with a top-level `o:errorCode`. The
 * `type` URI changes between releases and is never matched on; the code is.
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html
 */
export const errorBodySchema = z
  .object({
    title: z.string().optional(),
    status: z.number().optional(),
    'o:errorCode': z.string().optional(),
    'o:errorDetails': z
      .array(
        z
          .object({
            detail: z.string().optional(),
            'o:errorCode': z.string().optional(),
            'o:errorPath': z.string().optional(),
            'o:errorQueryParam': z.string().optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

/** The OAuth form the token endpoint answers with (§2.1). */
export const oauthErrorSchema = z
  .object({ error: z.string(), error_description: z.string().optional() })
  .passthrough();

export interface NetSuiteErrorInfo {
  code: string;
  detail: string;
  path?: string;
}

/** Code and text of the first error detail, else the top-level code and title. */
export function errorInfo(body: unknown): NetSuiteErrorInfo | undefined {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const first = parsed.data['o:errorDetails']?.[0];
  const code = first?.['o:errorCode'] ?? parsed.data['o:errorCode'];
  if (code === undefined && first === undefined) return undefined;
  const path = first?.['o:errorPath'] ?? first?.['o:errorQueryParam'];
  return {
    code: code ?? 'UNKNOWN',
    detail: first?.detail ?? parsed.data.title ?? '',
    ...(path === undefined ? {} : { path }),
  };
}

const LOGIN_HINT =
  'NetSuite gives no reason: see Setup > Users/Roles > User Management > View Login Audit Trail (expired or revoked token, wrong certificate mapping, role without "Log in using OAuth 2.0 Access Tokens"/"User Access Tokens", or a sandbox refresh that cleared the M2M mapping)';
const PERMISSION_HINT =
  "give the integration role the record's permission (Setup > Users/Roles > Manage Roles) and the REST Web Services permission";
const CONCURRENCY_HINT =
  "every integration of the account shares its concurrency limit; lower this connection's concurrency or see Setup > Integration > Integration Management > Integration Governance";

type Kind = 'config' | 'auth' | 'transient' | 'record' | 'internal';

/**
 * The one table from NetSuite answers to mlc's error set, keyed on `o:errorCode` first (the
 * concurrency error comes as 429 or 400, §9) and the HTTP status second.
 */
const BY_CODE: Record<string, { kind: Kind; hint?: string }> = {
  CONCURRENCY_LIMIT_EXCEEDED: { kind: 'transient', hint: CONCURRENCY_HINT },
  SSS_REQUEST_LIMIT_EXCEEDED: { kind: 'transient', hint: CONCURRENCY_HINT },
  WS_REQUEST_BLOCKED: { kind: 'transient', hint: CONCURRENCY_HINT },
  UNEXPECTED_ERROR: { kind: 'transient' },
  INVALID_LOGIN: { kind: 'auth', hint: LOGIN_HINT },
  INSUFFICIENT_PERMISSION: { kind: 'auth', hint: PERMISSION_HINT },
  NONEXISTENT_ID: { kind: 'record' },
  INVALID_PARAMETER: { kind: 'record' },
  NONEXISTENT_FIELD: { kind: 'record' },
  USER_ERROR: { kind: 'record' },
  INVALID_CONTENT: { kind: 'record' },
  INVALID_FIELD_VALUE: { kind: 'record' },
  DUP_ENTITY: { kind: 'record' },
  METHOD_NOT_ALLOWED: { kind: 'internal' },
  // The token endpoint's OAuth answers (§2.1); the real cause is only in the Login Audit Trail.
  invalid_grant: { kind: 'auth', hint: LOGIN_HINT },
  invalid_client: { kind: 'auth', hint: LOGIN_HINT },
  unauthorized_client: { kind: 'auth', hint: LOGIN_HINT },
  invalid_request: {
    kind: 'auth',
    hint: 'the client assertion was refused: it must be signed with PS256/ES256 (not RS256) by the mapped certificate, with aud = the token URL',
  },
};

function byStatus(status: number): Kind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429 || status === 408 || status >= 500) return 'transient';
  if (status === 404 || status === 400 || status === 409 || status === 422) return 'record';
  return 'internal';
}

const CLASSES: Record<Kind, new (m: string, d: ConstructorParameters<typeof RecordError>[1]) => MlcError> = {
  config: ConfigError,
  auth: AuthError,
  transient: TransientError,
  record: RecordError,
  internal: InternalError,
};

/**
 * Turns a non-2xx NetSuite answer into an mlc error. `what` names the call (`SuiteQL`, `PUT
 * department/eid:CC-410`); `query` says the request was a SuiteQL statement mlc wrote, whose 400 is a
 * configuration problem (a field the account lacks), not a record's.
 */
export function classify(
  status: number,
  body: unknown,
  what: string,
  opts: { query?: boolean } = {},
): MlcError {
  const info = errorInfo(body);
  const oauth = oauthErrorSchema.safeParse(body);
  const code = info?.code ?? (oauth.success ? oauth.data.error : undefined);
  const entry = code === undefined ? undefined : BY_CODE[code];
  let kind: Kind = entry?.kind ?? byStatus(status);
  if (kind === 'record' && opts.query) kind = 'config';
  const detail = info?.detail ?? (oauth.success ? (oauth.data.error_description ?? oauth.data.error) : '');
  const stableCode = `netsuite.${(code ?? `http_${status}`).toLowerCase()}`;
  const message = redact(
    `${what}: NetSuite answered ${status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}${info?.path ? ` (at ${info.path})` : ''}`,
  );
  const hint =
    entry?.hint ??
    (kind === 'config' && opts.query
      ? 'the SuiteQL statement names a table or field this account or role does not have; check the features enabled and the role'
      : undefined);
  return new CLASSES[kind](message, {
    code: stableCode,
    status,
    ...(hint === undefined ? {} : { hint }),
    data: { status, ...(code === undefined ? {} : { errorCode: code }) },
  });
}
