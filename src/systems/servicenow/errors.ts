import type { Response } from 'got';
import {
  AuthError,
  ConfigError,
  InternalError,
  RecordError,
  TransientError,
  type MlcError,
} from '../../errors.js';
import { isHtml } from '../../http/client.js';
import { redact } from '../../http/redact.js';
import { parseRetryAfter } from '../../http/retry.js';
import { safeJson } from '../../http/json.js';
import { errorBody } from './schemas.js';

export type Op = 'read' | 'write' | 'auth';

/** The 403 body of a query naming a field the user may not read, or that does not exist (api notes §8). */
const QUERY_FIELD_DENIED = /Field\(s\) present in the query do not have permission to be read/i;

/** The hibernation answer of a developer instance: 200 with an HTML page (api notes §5, trap 12). */
function hibernating(where: string, status: number): TransientError {
  // Transient for the cursor (nothing is lost, the next pass resumes once the instance is awake), but
  // not retried within the pass: only a person logging in wakes a hibernating instance.
  return new TransientError(
    `${where}: answered an HTML page instead of JSON (the instance is probably hibernating)`,
    {
      code: 'servicenow.hibernating',
      status,
      hint: 'wake the instance (log in to it in a browser as an admin); the next pass resumes where this one stopped',
      data: { retryHere: false },
    },
  );
}

/**
 * The one error table of the ServiceNow client (api notes §5, §6, §8). Statuses, envelopes and
 * "200 with something that is not JSON" become mlc errors here and nowhere else. Every text taken
 * from the answer is redacted: an instance (or a proxy in front of it) may echo the request's
 * credentials in an error body.
 */
export function classifyServiceNow(
  response: Pick<Response<string>, 'statusCode' | 'headers' | 'body'>,
  call: { op: Op; what: string; page?: boolean },
): MlcError {
  const status = response.statusCode;
  const body = response.body ?? '';
  const envelope = errorBody.safeParse(safeJson(body));
  const message = redact(
    envelope.success
      ? [envelope.data.error.message, envelope.data.error.detail].filter(Boolean).join(': ')
      : body.slice(0, 200).replace(/\s+/g, ' '),
  );
  const where = `ServiceNow ${call.what}`;
  const html = isHtml(response as Response<string>);
  if (/Transaction cancelled: maximum execution time exceeded/i.test(body)) {
    return new TransientError(
      `${where}: transaction cancelled after 60 s (maximum execution time exceeded)`,
      {
        code: 'servicenow.transaction_cancelled',
        status,
        hint: 'the read is repeated with a smaller page',
        // Repeating the same page would hit the same limit: the keyset loop retries it smaller.
        ...(call.page ? { data: { retryHere: false } } : {}),
      },
    );
  }
  if (status >= 200 && status < 300) {
    if (html) return hibernating(where, status);
    // A 2xx whose JSON is cut short or garbled: a proxy or a dropped connection, not the API's
    // contract; the call is repeated (reads are idempotent, Import Set posts coalesce).
    return new TransientError(
      `${where}: answered ${status} with a body that is not valid JSON: ${redact(body.slice(0, 120))}`,
      { code: 'servicenow.malformed_json', status },
    );
  }
  if (/^Invalid table /.test(message)) {
    return new ConfigError(`${where}: ${message}`, {
      code: 'servicenow.invalid_table',
      status,
      hint: 'check the table names in mlc.yaml (mlc ping verifies them) and that the plugin providing the table is installed',
    });
  }
  switch (status) {
    case 400:
      return call.op === 'write'
        ? new RecordError(`${where} refused the record: ${message}`, {
            code: 'servicenow.bad_request',
            status,
          })
        : new ConfigError(`${where}: ${message}`, {
            code: 'servicenow.bad_request',
            status,
            hint: 'check the table and field names in mlc.yaml (mlc ping verifies them)',
          });
    case 401:
      return new AuthError(`${where}: not authenticated (${message || 'User Not Authenticated'})`, {
        code: 'servicenow.unauthenticated',
        status,
        hint: 'check the credentials of this connection (mlc secret set …) and that the OAuth application / integration user is active',
      });
    case 403:
      if (QUERY_FIELD_DENIED.test(message))
        return new ConfigError(
          `${where}: the query names a field the integration user cannot read or that does not exist (${message})`,
          {
            code: 'servicenow.query_field_denied',
            status,
            hint: 'check the field names of this table in mlc.yaml (mlc ping runs every query a flow makes), or grant the integration user read access to the field',
          },
        );
      return call.op === 'write'
        ? new RecordError(`${where} was denied: ${message}`, {
            code: 'servicenow.forbidden',
            status,
            hint: 'a business rule, data policy or ACL refused the write; grant the integration user the role, or fix the record',
          })
        : new AuthError(`${where}: insufficient rights (${message})`, {
            code: 'servicenow.forbidden',
            status,
            hint: 'give the integration user read access to this table',
          });
    case 404:
      return call.op === 'write'
        ? new RecordError(`${where}: the record does not exist or an ACL hides it (${message})`, {
            code: 'servicenow.not_found',
            status,
          })
        : new ConfigError(`${where}: not found (${message})`, {
            code: 'servicenow.not_found',
            status,
            hint: 'check the instance URL (https://<instance>.service-now.com) and the table name',
          });
    case 413:
      return call.op === 'write'
        ? new RecordError(`${where}: the request is too large (${message || '413'})`, {
            code: 'servicenow.too_large',
            status,
          })
        : new ConfigError(`${where}: the request is too large (${message || '413'})`, {
            code: 'servicenow.too_large',
            status,
          });
    case 405:
    case 406:
    case 414:
    case 415:
      return new ConfigError(`${where}: the instance refused the request (${status}: ${message})`, {
        code: 'servicenow.request_refused',
        status,
        hint: 'check that the connection URL is the instance root (https://<instance>.service-now.com) and that no proxy rewrites the request',
      });
    case 429: {
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      return new TransientError(`${where}: rate limited (${message || 'Rate limit exceeded'})`, {
        code: 'servicenow.rate_limited',
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        // A denied request was not executed, so even a non-idempotent call may be repeated.
        data: {
          notSent: true,
          limit: response.headers['x-ratelimit-limit'],
          reset: response.headers['x-ratelimit-reset'],
          rule: response.headers['x-ratelimit-rule'],
        },
      });
    }
    default:
      if (status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
        return new TransientError(`${where}: server error ${status}${message ? ` (${message})` : ''}`, {
          code: 'servicenow.server_error',
          status,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      return new InternalError(`${where}: unexpected status ${status}: ${message}`, {
        code: 'servicenow.unexpected_status',
        status,
      });
  }
}

/** A required answer that came back empty (a 204 where a body was promised). */
export function required<T>(answer: { body: T } | null, what: string): T {
  if (!answer)
    throw new InternalError(`ServiceNow ${what}: answered without a body`, {
      code: 'servicenow.empty_answer',
    });
  return answer.body;
}
