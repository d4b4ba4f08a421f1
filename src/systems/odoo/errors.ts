/**
 * THE Odoo error table: how a failed call (XML-RPC fault, JSON-2 status and body, HTML answer) maps
 * to mlc's error set (api notes §1.2, §1.4, §5, §8, §9).
 */
import {
  AuthError,
  ConfigError,
  InternalError,
  RecordError,
  TransientError,
  type MlcError,
} from '../../errors.js';
import { redact } from '../../http/redact.js';
import type { OdooFailure } from './types.js';

const COOLDOWN = /too many login failures/i;
const SERIALIZATION =
  /could not serialize access|SerializationFailure|deadlock detected|LockNotAvailable|could not obtain lock/i;

/** A traceback's last line (it carries the exception); other messages whole, on one line. */
function summary(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (/^Traceback/.test(text.trim())) return lines[lines.length - 1] ?? text;
  return lines.join(' ');
}

function text(f: OdooFailure): string {
  return `${f.message}\n${f.debug ?? ''}`;
}

/**
 * THE error table (api notes §1.2 fault codes, §1.4 statuses, §5, §8): XML-RPC faults 1–4, JSON-2
 * statuses, HTML answers, `authenticate` → False (handled where it is returned). First match wins.
 */
const ERROR_TABLE: Array<{
  when: (f: OdooFailure) => boolean;
  make: (f: OdooFailure, msg: string) => MlcError;
}> = [
  {
    when: (f) => f.status === 429,
    make: (f, msg) =>
      new TransientError(msg, {
        code: 'odoo.rate_limited',
        status: 429,
        ...(f.retryAfterMs === undefined ? {} : { retryAfterMs: f.retryAfterMs }),
      }),
  },
  {
    when: (f) => f.status === 502 || f.status === 503 || f.status === 504,
    make: (f, msg) =>
      new TransientError(msg, {
        code: 'odoo.unavailable',
        status: f.status as number,
        hint: 'The Odoo front or a worker did not answer (limit_time_real, restart); retried later.',
        ...(f.retryAfterMs === undefined ? {} : { retryAfterMs: f.retryAfterMs }),
      }),
  },
  {
    // §5: serialization failures that outlived the server's own 5 retries: fault 1 / 500.
    when: (f) => (f.faultCode === 1 || f.status === 500) && SERIALIZATION.test(text(f)),
    make: (f, msg) => new TransientError(msg, { code: 'odoo.serialization_failure', ...statusOf(f) }),
  },
  {
    when: (f) => (f.faultCode === 3 || f.status === 401 || f.status === 403) && COOLDOWN.test(f.message),
    make: (f, msg) =>
      new AuthError(msg, {
        code: 'odoo.login_cooldown',
        ...statusOf(f),
        hint: 'Odoo blocks logins from this address for about a minute after repeated failures. Wait before trying again, and fix the API key first: retrying a wrong key restarts the cooldown.',
      }),
  },
  {
    when: (f) => f.faultCode === 3 || f.status === 401,
    make: (f, msg) =>
      new AuthError(msg, {
        code: 'odoo.auth_failed',
        ...statusOf(f),
        hint: 'Check db, login and the API key (Preferences → Account Security). Keys expire (at most ~3 months on Odoo 19) and only keys with global scope work for RPC.',
      }),
  },
  {
    // §9: XML-RPC fault 1 for a method returning None; it ran and committed before the answer failed.
    when: (f) => f.faultCode === 1 && /cannot marshal None/.test(text(f)),
    make: (f, msg) => new InternalError(msg, { code: 'odoo.returned_none', ...statusOf(f) }),
  },
  {
    when: (f) => (f.faultCode === 4 || f.status === 403) && /^Private methods/.test(f.message),
    make: (f, msg) => new ConfigError(msg, { code: 'odoo.private_method', ...statusOf(f) }),
  },
  {
    // §9: a context naming a company the user may not use.
    when: (f) =>
      (f.faultCode === 4 || f.status === 403) && /unauthorized or invalid companies/.test(f.message),
    make: (f, msg) =>
      new ConfigError(msg, {
        code: 'odoo.company_not_allowed',
        ...statusOf(f),
        hint: "A configured company is not among the bot user's allowed companies (res.users company_ids); add it to the user or remove it from the pair's companies.",
      }),
  },
  {
    // §9: a uid that no longer exists answers MissingError on res.users (fault 2), not fault 3.
    when: (f) => f.faultCode === 2 && /\(Record: res\.users\(/.test(f.message),
    make: (f, msg) =>
      new AuthError(msg, {
        code: 'odoo.auth_failed',
        ...statusOf(f),
        hint: 'The user of this API key no longer exists; check the login and the key.',
      }),
  },
  {
    when: (f) => f.faultCode === 4 || f.status === 403,
    make: (f, msg) =>
      new AuthError(msg, {
        code: 'odoo.access_error',
        ...statusOf(f),
        hint: "The Odoo user lacks access rights for this model or record; grant the bot user's groups.",
      }),
  },
  {
    when: (f) => f.status === 404 && f.html === true,
    make: (f, msg) =>
      new ConfigError(msg, {
        code: 'odoo.not_found',
        status: 404,
        hint:
          f.transport === 'json2'
            ? 'Unknown database (X-Odoo-Database) or no JSON-2 route (JSON-2 needs Odoo 19+; use transport xmlrpc).'
            : 'No XML-RPC endpoint at this URL.',
      }),
  },
  {
    when: (f) => /database "[^"]*" does not exist/.test(text(f)),
    make: (f, msg) =>
      new ConfigError(msg, {
        code: 'odoo.unknown_database',
        ...statusOf(f),
        hint: 'Check the db name of the connection.',
      }),
  },
  {
    // §8: bad field in fields/domain/order/vals → fault 1 / 500 ValueError.
    when: (f) => (f.faultCode === 1 || f.status === 500) && /Invalid field/.test(text(f)),
    make: (f, msg) => {
      // "Invalid field 'x' on model 'm'" (fields, order, vals) or "Invalid field m.x in leaf ('x', …)" (domain).
      // §9: the field-list variant says "on 'm'", the order variant "on model 'm'".
      const m =
        /Invalid field '([\w.]+)' on (?:model )?'([\w.]+)'|Invalid field ([\w.]+) in (?:leaf|condition) \('([\w.]+)'/.exec(
          text(f),
        );
      const field = m?.[1] ?? m?.[4] ?? null;
      const model = m?.[2] ?? (m?.[3] && m[4] ? m[3].slice(0, m[3].length - m[4].length - 1) : null);
      return new ConfigError(msg, {
        code: 'odoo.bad_field',
        ...statusOf(f),
        hint: `Field ${field ?? '?'} does not exist on this Odoo version; check the mapping (fields differ between 17, 18 and 19).`,
        data: { field, model },
      });
    },
  },
  {
    when: (f) => /expecting only datetimes with no timezone/.test(text(f)),
    make: (f, msg) => new InternalError(msg, { code: 'odoo.bad_datetime', ...statusOf(f) }),
  },
  {
    when: (f) =>
      (f.faultCode === 2 && /^Object .* doesn't exist/.test(f.message)) ||
      (f.status === 404 && /the model '.*' does not exist/.test(f.message)),
    make: (f, msg) =>
      new ConfigError(msg, {
        code: 'odoo.unknown_model',
        ...statusOf(f),
        hint: 'The model does not exist on this server (module not installed?).',
      }),
  },
  {
    // JSON-2 answers a wrong route or verb with a JSON 404 suggesting the right one (§9).
    when: (f) => f.status === 404 && /Did you mean POST/.test(f.message),
    make: (f, msg) => new InternalError(msg, { code: 'odoo.bad_route', status: 404 }),
  },
  {
    when: (f) =>
      (f.status === 404 && f.name === 'werkzeug.exceptions.NotFound') ||
      (f.faultCode === 1 && /AttributeError: .*does not exist/.test(text(f))),
    make: (f, msg) => new ConfigError(msg, { code: 'odoo.unknown_method', ...statusOf(f) }),
  },
  {
    when: (f) =>
      f.status === 404 ||
      ((f.faultCode === 2 || f.status === 422) &&
        /Record does not exist or has been deleted/.test(f.message)),
    make: (f, msg) => new RecordError(msg, { code: 'odoo.missing_record', ...statusOf(f) }),
  },
  {
    when: (f) => f.status === 409,
    make: (f, msg) => new TransientError(msg, { code: 'odoo.locked', status: 409 }),
  },
  {
    when: (f) => f.status === 422 && f.name === 'werkzeug.exceptions.UnprocessableEntity',
    make: (f, msg) => new InternalError(msg, { code: 'odoo.bad_arguments', status: 422 }),
  },
  {
    when: (f) => f.faultCode === 2 || f.status === 422,
    make: (f, msg) => new RecordError(msg, { code: 'odoo.validation', ...statusOf(f) }),
  },
  {
    when: (f) => (f.faultCode === 1 || f.status === 500) && /Wrong value for/.test(text(f)),
    make: (f, msg) => new RecordError(msg, { code: 'odoo.bad_value', ...statusOf(f) }),
  },
  {
    when: (f) => f.status === 415,
    make: (f, msg) => new InternalError(msg, { code: 'odoo.bad_content_type', status: 415 }),
  },
  {
    when: (f) => f.status === 400,
    make: (f, msg) => new InternalError(msg, { code: 'odoo.bad_request', status: 400 }),
  },
  {
    // An HTML 500 is no Odoo exception (those answer JSON or an XML-RPC fault) but a crashed worker
    // or a proxy in front of it: a passing failure, retried, and the next pass resumes.
    when: (f) => f.status === 500 && f.html === true,
    make: (f, msg) => new TransientError(msg, { code: 'odoo.unavailable', status: 500 }),
  },
  {
    when: (f) => f.faultCode === 1 || f.status === 500,
    make: (f, msg) => new InternalError(msg, { code: 'odoo.server_error', ...statusOf(f) }),
  },
  {
    when: (f) => f.status !== undefined && f.status >= 500,
    make: (f, msg) => new TransientError(msg, { code: 'odoo.unavailable', status: f.status as number }),
  },
];

function statusOf(f: OdooFailure): { status?: number } {
  const status = f.status ?? f.faultCode;
  return status === undefined ? {} : { status };
}

/** Maps one failed Odoo call to mlc's error set (see ERROR_TABLE). */
export function classifyOdooError(f: OdooFailure): MlcError {
  const where = f.faultCode !== undefined ? `fault ${f.faultCode}` : `HTTP ${f.status ?? '?'}`;
  const detail = f.html ? 'HTML answer' : summary(f.message || f.debug || '');
  const msg = redact(`Odoo ${f.op} failed (${f.transport}, ${where}): ${detail}`);
  for (const rule of ERROR_TABLE) if (rule.when(f)) return rule.make(f, msg);
  return new InternalError(msg, { code: 'odoo.unexpected', ...statusOf(f) });
}
