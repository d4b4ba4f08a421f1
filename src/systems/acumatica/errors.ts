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
import { safeJson } from '../../http/json.js';
import { redact } from '../../http/redact.js';
import { parseRetryAfter } from '../../http/retry.js';
import { collectErrors, httpErrorSchema, type HttpErrorBody } from './schemas.js';

const LOCK = /Another process has updated/i;
/** §8: how the server answers a GET of a record that does not exist (by id or by keys). */
const NOT_FOUND = /NoEntitySatisfiesTheCondition|No entity satisfies the condition/i;
/**
 * An unknown field in `$filter`/`$select`: no answer has been recorded (api notes §8 "Still unknown"),
 * so the exception types and texts the server family uses for it are matched.
 */
const UNKNOWN_FIELD =
  /FieldNotFound|InvalidField|ODataException|is not found in the \S+ entity|Could not find a property named|Invalid field name|(?:field|property) .{0,80}(?:does not exist|not found)/i;
const LOGIN_LIMIT_HINT =
  'every API-user seat of the licence is in use; sessions that were not logged out hold a seat until they time out (License Monitoring Console SM604000)';

/** How a call wants its answer read by the error table. */
export interface ClassifyOptions {
  /** Statuses the caller handles itself instead of the error table. */
  accept?: number[] | undefined;
  /** The call signs in (token endpoint, cookie login): login-limit and bad-credential answers apply. */
  signIn?: boolean | undefined;
}

/**
 * The one map from Acumatica answers to mlc errors (api notes §1.3, §3.1, §5):
 *
 * | answer                                                         | error                                   |
 * |----------------------------------------------------------------|-----------------------------------------|
 * | "API Login Limit" HTML page, or 429 text/plain on a sign-in    | Transient `acumatica.login_limit`       |
 * | 2xx with an HTML page (hibernating instance, proxy)            | Transient `acumatica.html_answer`       |
 * | 400 on GET (bad `$filter`/`$select`)                           | Config `acumatica.bad_query`            |
 * | 400 on PUT/POST (body refused)                                 | Record `acumatica.invalid_data`         |
 * | 401 after one re-auth                                          | Auth `acumatica.unauthorized`           |
 * | 403                                                            | Auth `acumatica.forbidden`              |
 * | 404 (endpoint name/version or entity missing)                  | Config `acumatica.endpoint_not_found`   |
 * | 412 (If-Match / If-None-Match)                                 | Record `acumatica.precondition_failed`  |
 * | 422 entity with field errors                                   | Record `acumatica.validation`           |
 * | 429 (+ Retry-After)                                            | Transient `acumatica.rate_limited`      |
 * | 500 NoEntitySatisfiesTheConditionException (no such record)    | Record `acumatica.not_found`            |
 * | 500 on GET naming a field the entity lacks (`$filter`/`$select`)| Config `acumatica.bad_query`            |
 * | 500 "Another process has updated…" (lock violation)           | Transient `acumatica.lock_conflict`     |
 * | 500 PXSetupNotEnteredException                                 | Config `acumatica.setup_missing`        |
 * | 500 with an exception type on PUT/POST (business exception)    | Record `acumatica.business_error`       |
 * | 500 otherwise, 502/503/504, other HTML                         | Transient `acumatica.server_error`      |
 * | any other status                                               | Internal `acumatica.unexpected_status`  |
 */
export function classify(
  res: Response<string>,
  method: string,
  path: string,
  opts: ClassifyOptions,
  where: { endpointName: string; endpointVersion: string },
): MlcError | undefined {
  const status = res.statusCode;
  const what = `${method} /${path}`;
  const html = isHtml(res);
  if (isLoginLimit(res, html, opts.signIn === true)) {
    return new TransientError('Acumatica refused the sign-in: API Login Limit', {
      code: 'acumatica.login_limit',
      status,
      hint: LOGIN_LIMIT_HINT,
      ...retryAfter(res),
    });
  }
  if (opts.signIn === true && status >= 400 && /Invalid credentials/i.test(res.body)) {
    return new AuthError('Acumatica refused the sign-in: invalid credentials', {
      code: 'acumatica.invalid_credentials',
      status,
      hint: 'check the API user name, password and tenant',
    });
  }
  if (opts.accept?.includes(status)) return undefined;
  if (status >= 200 && status < 300) {
    if (html)
      return new TransientError(`${what}: Acumatica answered with an HTML page (${htmlTitle(res.body)})`, {
        code: 'acumatica.html_answer',
        status,
      });
    return undefined;
  }
  const body = httpErrorSchema.safeParse(safeJson(res.body));
  const err: HttpErrorBody = body.success ? body.data : {};
  const detail = redact(
    err.exceptionMessage ?? err.message ?? (html ? htmlTitle(res.body) : res.body.slice(0, 300)),
  );
  const write = method !== 'GET';
  switch (status) {
    case 400:
      if (!write)
        return new ConfigError(`${what}: the query was refused: ${detail}`, {
          code: 'acumatica.bad_query',
          status,
        });
      return new RecordError(`${what}: the record was refused: ${detail}${modelState(err)}`, {
        code: 'acumatica.invalid_data',
        status,
        data: { modelState: err.modelState },
      });
    case 401:
      return new AuthError(`${what}: not logged in or the session ended, also after signing in again`, {
        code: 'acumatica.unauthorized',
        status,
      });
    case 403:
      return new AuthError(`${what}: access denied: ${detail}`, {
        code: 'acumatica.forbidden',
        status,
        hint: 'the API may not be licensed, or the API user lacks access rights to this screen',
      });
    case 404:
      return new ConfigError(
        `${what}: not found — the endpoint ${where.endpointName} ${where.endpointVersion} or the entity does not exist on this server`,
        {
          code: 'acumatica.endpoint_not_found',
          status,
          hint: 'run mlc ping: it lists the endpoint versions the server offers',
        },
      );
    case 412:
      return new RecordError(`${what}: precondition failed: ${detail}`, {
        code: 'acumatica.precondition_failed',
        status,
      });
    case 422: {
      const fields = collectErrors(safeJson(res.body));
      const text = fields.length ? fields.map((f) => `${f.field}: ${f.error}`).join('; ') : detail;
      return new RecordError(`${what}: Acumatica refused the record: ${redact(text)}`, {
        code: 'acumatica.validation',
        status,
        data: { fieldErrors: fields.map((f) => ({ field: f.field, error: redact(f.error) })) },
      });
    }
    case 429:
      return new TransientError(`${what}: Acumatica throttled the request (429)`, {
        code: 'acumatica.rate_limited',
        status,
        ...retryAfter(res),
      });
    case 500: {
      const type = err.exceptionType ?? '';
      if (NOT_FOUND.test(`${type} ${detail}`)) {
        return new RecordError(`${what}: no such record (${detail})`, {
          code: 'acumatica.not_found',
          status,
          hint: 'the record was deleted in Acumatica, or its id belongs to another entity',
          data: { exceptionType: type },
        });
      }
      if (!write && UNKNOWN_FIELD.test(`${type} ${detail}`)) {
        // Deterministic: retrying cannot help, and every later pass would fail the same way.
        return new ConfigError(`${what}: the query names a field the entity does not have: ${detail}`, {
          code: 'acumatica.bad_query',
          status,
          hint: `check the field names in mlc.yaml against the ${where.endpointName} ${where.endpointVersion} endpoint (mlc ping runs every flow's query)`,
          data: { exceptionType: type },
        });
      }
      if (LOCK.test(detail)) {
        return new TransientError(`${what}: ${detail}`, {
          code: 'acumatica.lock_conflict',
          status,
          data: { exceptionType: type },
        });
      }
      if (/PXSetupNotEnteredException/.test(type)) {
        return new ConfigError(`${what}: Acumatica setup is incomplete: ${detail}`, {
          code: 'acumatica.setup_missing',
          status,
        });
      }
      if (write && type !== '') {
        return new RecordError(`${what}: ${detail}`, {
          code: 'acumatica.business_error',
          status,
          data: { exceptionType: type },
        });
      }
      return new TransientError(`${what}: server error: ${detail}`, {
        code: 'acumatica.server_error',
        status,
        data: { exceptionType: type },
      });
    }
    default:
      if (status >= 500 || html) {
        return new TransientError(`${what}: server error ${status}: ${detail}`, {
          code: 'acumatica.server_error',
          status,
          ...retryAfter(res),
        });
      }
      return new InternalError(`${what}: unexpected status ${status}: ${detail}`, {
        code: 'acumatica.unexpected_status',
        status,
      });
  }
}

/** §1.3: an HTML page titled "API Login Limit", or (on sign-in) 429 text/plain with a meaningless body. */
function isLoginLimit(res: Response<string>, html: boolean, signIn: boolean): boolean {
  if (html && /API Login Limit/i.test(htmlTitle(res.body))) return true;
  if (/API Login Limit/i.test(res.body) && res.statusCode >= 400) return true;
  const type = String(res.headers['content-type'] ?? '');
  return signIn && res.statusCode === 429 && type.startsWith('text/plain');
}

function retryAfter(res: Response<string>): { retryAfterMs?: number } {
  const ms = parseRetryAfter(res.headers['retry-after']);
  return ms === undefined ? {} : { retryAfterMs: ms };
}

function htmlTitle(body: string): string {
  return /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim() ?? 'HTML page';
}

function modelState(err: HttpErrorBody): string {
  if (!err.modelState) return '';
  return ` (${Object.entries(err.modelState)
    .map(([k, v]) => `${k}: ${v.join(', ')}`)
    .join('; ')})`;
}

/** A body read with its zod schema; an answer that does not fit is an InternalError (the contract broke). */
export function parseJson<T>(
  res: Response<string>,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: unknown } },
  what: string,
): T {
  const parsed = schema.safeParse(safeJson(res.body));
  if (!parsed.success) {
    throw new InternalError(`${what}: Acumatica answered ${res.statusCode} with a body mlc cannot read`, {
      code: 'acumatica.bad_payload',
      status: res.statusCode,
      data: { body: redact(res.body.slice(0, 300)) },
    });
  }
  return parsed.data;
}
