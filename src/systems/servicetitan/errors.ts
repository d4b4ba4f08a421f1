import type { Response } from 'got';
import { z } from 'zod';
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

/**
 * `ApiErrorResponse` of every ServiceTitan v2 module (ASP.NET problem details): `errors` maps a field
 * to its messages, `data` carries machine-readable extras.
 */
export const apiErrorSchema = z
  .object({
    type: z.string().optional(),
    title: z.string().optional(),
    status: z.number().optional(),
    traceId: z.string().optional(),
    errors: z.record(z.string(), z.array(z.string())).nullable().optional(),
    data: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .passthrough();
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

/**
 * The one map from ServiceTitan answers to mlc errors (api notes §5):
 *
 * | answer                                  | error                                        |
 * |-----------------------------------------|----------------------------------------------|
 * | 2xx with an HTML page                   | Transient `servicetitan.html_answer`         |
 * | 400 on a read (bad filter, page size)   | Config `servicetitan.bad_query`              |
 * | 400 on a write (validation)             | Record `servicetitan.validation`             |
 * | 401 after one token renewal             | Auth `servicetitan.unauthorized`             |
 * | 403 (app key, scope, app not connected) | Config `servicetitan.forbidden`              |
 * | 404 on a write or a get by id           | Record `servicetitan.not_found`              |
 * | 404 on a list                           | Config `servicetitan.endpoint_not_found`     |
 * | 409                                     | Record `servicetitan.conflict`               |
 * | 422 (business rule)                     | Record `servicetitan.business_rule`          |
 * | 429 (+ Retry-After)                     | Transient `servicetitan.rate_limited`        |
 * | 5xx, HTML error pages                   | Transient `servicetitan.server_error`        |
 * | any other status                        | Internal `servicetitan.unexpected_status`    |
 */
export function classify(
  res: Response<string>,
  method: string,
  path: string,
  kind: 'list' | 'get' | 'write',
): MlcError | undefined {
  const status = res.statusCode;
  const what = `${method} ${path}`;
  const html = isHtml(res);
  if (status >= 200 && status < 300) {
    return html
      ? new TransientError(`${what}: ServiceTitan answered with an HTML page`, {
          code: 'servicetitan.html_answer',
          status,
        })
      : undefined;
  }
  const body = parseError(res.body);
  const detail = describe(body, html ? 'HTML page' : res.body);
  const fieldErrors = body?.errors ?? undefined;
  switch (status) {
    case 400:
      if (kind !== 'write')
        return new ConfigError(`${what}: ServiceTitan refused the query: ${detail}`, {
          code: 'servicetitan.bad_query',
          status,
          data: fieldErrors ? { errors: redactErrors(fieldErrors) } : {},
        });
      return new RecordError(`${what}: ServiceTitan refused the record: ${detail}`, {
        code: 'servicetitan.validation',
        status,
        hint: 'correct the fields named in the message at the source, then replay',
        data: fieldErrors ? { errors: redactErrors(fieldErrors) } : {},
      });
    case 401:
      return new AuthError(`${what}: ServiceTitan refused the access token, also after renewing it`, {
        code: 'servicetitan.unauthorized',
        status,
        hint: 'check the app key and that the tenant still has the app connected',
      });
    case 403:
      return new ConfigError(`${what}: ServiceTitan denied access: ${detail}`, {
        code: 'servicetitan.forbidden',
        status,
        hint: 'the app key may be wrong, the app may lack the scope for this resource, or the tenant has not connected the app',
      });
    case 404:
      if (kind === 'list')
        return new ConfigError(`${what}: no such endpoint on this ServiceTitan host`, {
          code: 'servicetitan.endpoint_not_found',
          status,
          hint: 'check the tenant id and the environment (production or integration)',
        });
      return new RecordError(`${what}: not found: ${detail}`, { code: 'servicetitan.not_found', status });
    case 409:
      return new RecordError(`${what}: conflicting state: ${detail}`, {
        code: 'servicetitan.conflict',
        status,
      });
    case 422:
      return new RecordError(`${what}: ServiceTitan refused the record: ${detail}`, {
        code: 'servicetitan.business_rule',
        status,
        data: fieldErrors ? { errors: redactErrors(fieldErrors) } : {},
      });
    case 429: {
      const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
      return new TransientError(`${what}: ServiceTitan throttled the request (429)`, {
        code: 'servicetitan.rate_limited',
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    default:
      if (status >= 500 || html) {
        const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
        return new TransientError(`${what}: ServiceTitan server error ${status}`, {
          code: 'servicetitan.server_error',
          status,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      return new InternalError(`${what}: unexpected status ${status}: ${detail}`, {
        code: 'servicetitan.unexpected_status',
        status,
      });
  }
}

function parseError(text: string): ApiErrorBody | undefined {
  try {
    const parsed = apiErrorSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function describe(body: ApiErrorBody | undefined, raw: string): string {
  if (!body) return redact(raw.slice(0, 200)) || 'no details';
  const fields = Object.entries(body.errors ?? {})
    .map(([k, v]) => `${k}: ${v.join(' ')}`)
    .join('; ');
  return redact([body.title, fields].filter((s) => s !== undefined && s !== '').join(' — ') || 'no details');
}

function redactErrors(errors: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.map(redact)]));
}
