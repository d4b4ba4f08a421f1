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
import { parseRetryAfter } from '../../http/retry.js';

/**
 * The one error table of the Salesforce client. REST errors are a JSON array of
 * `{message, errorCode, fields?}` (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm);
 * per-record results inside sObject Collections carry `statusCode` instead of `errorCode`.
 */

/**
 * The org's daily API allowance (or this connection's share of it) is spent. A TransientError so the
 * pass stops with its cursor where it was and exits 4, but never retried within the pass: the
 * allowance is a rolling 24 h window and does not come back in minutes. `data.cleanStop` is true.
 */
export const SF_ALLOWANCE_EXHAUSTED = 'salesforce.api_allowance_exhausted';

export function isCleanStop(err: unknown): boolean {
  return err instanceof TransientError && err.code === SF_ALLOWANCE_EXHAUSTED;
}

export function allowanceExhausted(
  message: string,
  data: { source: 'org' | 'share'; used?: number; max?: number; ceiling?: number },
): TransientError {
  return new TransientError(message, {
    code: SF_ALLOWANCE_EXHAUSTED,
    status: 403,
    hint:
      data.source === 'org'
        ? "the org's rolling 24-hour API allowance is used up; the next pass resumes where this one stopped once it recovers (Setup > Company Information shows the usage)"
        : 'this pass spent the share of the remaining daily API allowance that dailyApiShare grants it; the next pass resumes where this one stopped (raise dailyApiShare to allow more per pass)',
    data: { ...data, retryHere: false, cleanStop: true },
  });
}

export const sfErrorArray = z.array(
  z.object({
    message: z.string(),
    errorCode: z.string(),
    fields: z.array(z.string()).optional(),
  }),
);
export type SfError = z.infer<typeof sfErrorArray>[number];

/** One error of a Collections or Composite result (`statusCode`) or of a REST answer (`errorCode`). */
export interface RecordFault {
  code: string;
  message: string;
  fields: string[];
}

export type Op = 'read' | 'write' | 'auth' | 'meta';

export interface CallInfo {
  op: Op;
  /** Human name of the call, e.g. `GET query (Account)`. */
  what: string;
}

export function parseErrors(body: string): SfError[] {
  try {
    const parsed = sfErrorArray.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** Codes that say the same call may succeed a moment later. */
const TRANSIENT_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'REQUEST_RUNNING_TOO_LONG']);

/** Classifies one non-2xx answer of the REST API. */
export function classifySalesforce(
  response: { statusCode: number; headers: Record<string, string | string[] | undefined>; body: string },
  call: CallInfo,
): MlcError {
  const status = response.statusCode;
  const errors = parseErrors(response.body);
  const first = errors[0];
  const code = first?.errorCode ?? '';
  const message = first
    ? errors.map((e) => `${e.errorCode}: ${e.message}`).join('; ')
    : redact(response.body.slice(0, 200).replace(/\s+/g, ' '));
  const where = `Salesforce ${call.what}`;
  const fields = errors.flatMap((e) => e.fields ?? []);
  const data = { errorCode: code || undefined, ...(fields.length > 0 ? { fields } : {}) };

  if (status === 403 && code === 'REQUEST_LIMIT_EXCEEDED') {
    // Two limits share this code; only the concurrent long-request one clears within minutes.
    if (/concurrent/i.test(first?.message ?? '')) {
      return new TransientError(`${where}: too many long-running requests in the org (${message})`, {
        code: 'salesforce.concurrent_limit',
        status,
        data: { ...data, notSent: true },
      });
    }
    return allowanceExhausted(`${where}: the org's daily API request limit is exceeded (${message})`, {
      source: 'org',
    });
  }
  if (TRANSIENT_CODES.has(code) || status === 429 || status === 420 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    return new TransientError(
      `${where}: ${status === 429 ? 'rate limited' : 'unavailable'} (${status} ${message})`,
      {
        code: code === 'UNABLE_TO_LOCK_ROW' ? 'salesforce.row_locked' : 'salesforce.unavailable',
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        data,
      },
    );
  }
  if (code === 'INVALID_QUERY_LOCATOR') {
    return new TransientError(`${where}: the query locator expired (${message})`, {
      code: 'salesforce.query_locator_expired',
      status,
      hint: 'the reader restarts the query after the last record it read',
      data: { ...data, retryHere: false },
    });
  }
  if (status === 401) {
    return new AuthError(`${where}: session refused (${message || 'Session expired or invalid'})`, {
      code: code === 'INVALID_SESSION_ID' ? 'salesforce.invalid_session' : 'salesforce.unauthenticated',
      status,
      hint: /not valid for use with the REST API|scope/i.test(message)
        ? "add the 'api' scope to the connected app's OAuth scopes"
        : 'check the connected app, its Run As user (client credentials) or the pre-authorized user (JWT), and the credentials of this connection',
      data,
    });
  }
  if (status === 410) {
    return new ConfigError(`${where}: API version retired (${message})`, {
      code: 'salesforce.version_retired',
      status,
      hint: 'set apiVersion in mlc.yaml to a supported version (41.0 or later)',
    });
  }
  if (status === 300) {
    return new RecordError(`${where}: the external id matches more than one record`, {
      code: 'salesforce.duplicate_external_id',
      status,
      hint: 'several Salesforce records carry the same external id value; merge or clear the duplicates, then replay',
      data: { matches: safeArray(response.body) },
    });
  }
  if (call.op === 'write' && status >= 400 && status < 500 && status !== 401) {
    return recordError(
      { code: code || `HTTP_${status}`, message: first?.message ?? message, fields },
      where,
      status,
    );
  }
  if (status === 403) {
    return new AuthError(`${where}: insufficient access (${message})`, {
      code: 'salesforce.forbidden',
      status,
      hint: 'grant the integration user read access to the object and fields (profile or permission set)',
      data,
    });
  }
  if (status === 400 || status === 404) {
    return new ConfigError(`${where}: ${message}`, {
      code:
        code === 'INVALID_TYPE'
          ? 'salesforce.unknown_object'
          : code === 'INVALID_FIELD'
            ? 'salesforce.unknown_field'
            : code === 'MALFORMED_QUERY'
              ? 'salesforce.malformed_query'
              : 'salesforce.not_found',
      status,
      hint: 'check object and field names in mlc.yaml against the org (mlc ping verifies them)',
      data,
    });
  }
  return new InternalError(`${where}: unexpected status ${status}: ${message}`, {
    code: 'salesforce.unexpected_status',
    status,
    data,
  });
}

/** A record refused inside a write (400 array or a Collections/Composite result). */
export function recordError(fault: RecordFault, where: string, status?: number): MlcError {
  const data = { errorCode: fault.code, ...(fault.fields.length > 0 ? { fields: fault.fields } : {}) };
  if (TRANSIENT_CODES.has(fault.code)) {
    return new TransientError(`${where}: ${fault.code}: ${fault.message}`, {
      code: 'salesforce.row_locked',
      ...(status === undefined ? {} : { status }),
      data,
    });
  }
  return new RecordError(`${where} refused the record: ${fault.code}: ${fault.message}`, {
    code: `salesforce.${fault.code.toLowerCase()}`,
    ...(status === undefined ? {} : { status }),
    hint: HINTS[fault.code] ?? 'fix the record in the source (or the org configuration), then replay',
    data,
  });
}

const HINTS: Record<string, string> = {
  REQUIRED_FIELD_MISSING: 'fill the required fields named in the message, then replay',
  DUPLICATE_EXTERNAL_ID:
    'several Salesforce records carry this external id; merge or clear the duplicates, then replay',
  INVALID_CROSS_REFERENCE_KEY: 'a referenced record does not exist in Salesforce; sync it first, then replay',
  STANDARD_PRICE_NOT_DEFINED: 'give the product an entry in the standard price book first',
  FIELD_INTEGRITY_EXCEPTION:
    'the record breaks a Salesforce rule (for orders: only Draft orders take new lines)',
  INVALID_FIELD_FOR_INSERT_UPDATE:
    'a field cannot be written in this state (an activated order is read-only)',
  ALL_OR_NONE_OPERATION_ROLLED_BACK: 'another record of the same all-or-none call failed; see its error',
  PROCESSING_HALTED: 'an earlier step of the same composite request failed; see its error',
};

function safeArray(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body.slice(0, 200);
  }
}
