/**
 * The exceptions the simulated Odoo raises, and how each transport renders them (api notes §1.2,
 * §1.3, §1.4 and the measured §8): XML-RPC fault codes 1–4 with HTTP 200, JSON-RPC `error` with HTTP
 * 200, JSON-2 real statuses with `{name, message, arguments, context, debug}`.
 */
export type OdooExceptionKind =
  | 'access_denied'
  | 'unauthorized'
  | 'access_error'
  | 'user_error'
  | 'validation'
  | 'missing'
  | 'lock'
  | 'unknown_model'
  | 'unknown_method'
  | 'value_error'
  | 'type_error'
  | 'index_error'
  | 'not_found'
  | 'bad_request'
  | 'bind_error'
  | 'serialization'
  | 'database';

interface Rendering {
  pyName: string;
  faultCode: number;
  status: number;
}

const RENDERING: Record<OdooExceptionKind, Rendering> = {
  access_denied: { pyName: 'odoo.exceptions.AccessDenied', faultCode: 3, status: 403 },
  unauthorized: { pyName: 'werkzeug.exceptions.Unauthorized', faultCode: 3, status: 401 },
  access_error: { pyName: 'odoo.exceptions.AccessError', faultCode: 4, status: 403 },
  user_error: { pyName: 'odoo.exceptions.UserError', faultCode: 2, status: 422 },
  validation: { pyName: 'odoo.exceptions.ValidationError', faultCode: 2, status: 422 },
  missing: { pyName: 'odoo.exceptions.MissingError', faultCode: 2, status: 404 },
  lock: { pyName: 'odoo.exceptions.LockError', faultCode: 2, status: 409 },
  // §8: XML-RPC answers fault 2 "Object x doesn't exist"; JSON-2 answers 404.
  unknown_model: { pyName: 'werkzeug.exceptions.NotFound', faultCode: 2, status: 404 },
  unknown_method: { pyName: 'werkzeug.exceptions.NotFound', faultCode: 1, status: 404 },
  value_error: { pyName: 'builtins.ValueError', faultCode: 1, status: 500 },
  type_error: { pyName: 'builtins.TypeError', faultCode: 1, status: 500 },
  index_error: { pyName: 'builtins.IndexError', faultCode: 1, status: 500 },
  not_found: { pyName: 'werkzeug.exceptions.NotFound', faultCode: 1, status: 404 },
  bad_request: { pyName: 'werkzeug.exceptions.BadRequest', faultCode: 1, status: 400 },
  // JSON-2 signature binding failure (missing argument, ids on an @api.model method): 422.
  bind_error: { pyName: 'werkzeug.exceptions.UnprocessableEntity', faultCode: 1, status: 422 },
  serialization: { pyName: 'psycopg2.errors.SerializationFailure', faultCode: 1, status: 500 },
  database: { pyName: 'psycopg2.OperationalError', faultCode: 1, status: 500 },
};

export class OdooException extends Error {
  constructor(
    readonly kind: OdooExceptionKind,
    message: string,
    /** XML-RPC text when it differs from the JSON-2 message (unknown model, unknown method). */
    readonly xmlrpcMessage?: string,
  ) {
    super(message);
  }

  get rendering(): Rendering {
    return RENDERING[this.kind];
  }

  /** Python-style traceback whose last line carries the exception, as fault 1 and `debug` carry it. */
  traceback(): string {
    const py =
      this.kind === 'unknown_method' ? 'AttributeError' : this.rendering.pyName.replace(/^builtins\./, '');
    return [
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 156, in retrying',
      '    result = func()',
      '  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 65, in execute_cr',
      '    result = method(recs, *args, **kwargs)',
      `${py}: ${this.xmlrpcMessage ?? this.message}`,
      '',
    ].join('\n');
  }

  faultCode(): number {
    return this.rendering.faultCode;
  }

  faultString(): string {
    return this.faultCode() === 1 ? this.traceback() : (this.xmlrpcMessage ?? this.message);
  }

  json2Body(): Record<string, unknown> {
    const args: unknown[] = this.rendering.pyName.startsWith('werkzeug')
      ? [this.message, this.rendering.status]
      : [this.message];
    return {
      name: this.rendering.pyName,
      message: this.message,
      arguments: args,
      context: {},
      debug: this.traceback(),
    };
  }
}

export const SERIALIZATION_MESSAGE = 'could not serialize access due to concurrent update';
export const COOLDOWN_MESSAGE = 'Too many login failures, please wait a bit before trying again.';
export const MISSING_MESSAGE = 'Record does not exist or has been deleted.';
