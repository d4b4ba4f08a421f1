import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyOdooError } from '../../src/systems/odoo/client.js';

/**
 * Every failure recorded from a real Odoo 19.0 server (tests/fixtures/odoo-19.0) maps to the mlc
 * error class and code its meaning calls for: credentials → AuthError, a bad configuration or a
 * missing module → ConfigError, a record the server refused → RecordError, a client or server bug
 * → InternalError.
 */
interface Transcript {
  id: string;
  transport: 'xmlrpc' | 'json2' | 'http';
  request: Record<string, any>;
  response: Record<string, any>;
}

const transcripts = readFileSync(
  join(import.meta.dirname ?? '.', '../fixtures/odoo-19.0/transcripts.jsonl'),
  'utf8',
)
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Transcript);

const EXPECTED: Record<string, [kind: string, code: string]> = {
  'xmlrpc-authenticate-bad-db': ['config', 'odoo.unknown_database'],
  'xmlrpc-execute-kw-bad-key': ['auth', 'odoo.auth_failed'],
  'xmlrpc-execute-kw-bad-uid': ['auth', 'odoo.auth_failed'],
  'xmlrpc-execute-kw-bad-db': ['config', 'odoo.unknown_database'],
  'xmlrpc-allowed-company-ids-not-allowed': ['config', 'odoo.company_not_allowed'],
  'xmlrpc-write-date-tz-suffix-z': ['internal', 'odoo.bad_datetime'],
  'xmlrpc-write-date-tz-offset': ['internal', 'odoo.bad_datetime'],
  'xmlrpc-create-vals-list-keyword': ['internal', 'odoo.server_error'],
  'xmlrpc-create-vals-list-keyword-single-dict': ['internal', 'odoo.server_error'],
  'xmlrpc-write-missing-id': ['record', 'odoo.missing_record'],
  'xmlrpc-unlink-missing-id': ['record', 'odoo.missing_record'],
  'xmlrpc-unknown-model': ['config', 'odoo.unknown_model'],
  'xmlrpc-unknown-method': ['config', 'odoo.unknown_method'],
  'xmlrpc-private-method': ['config', 'odoo.private_method'],
  'xmlrpc-unknown-field-in-fields': ['config', 'odoo.bad_field'],
  'xmlrpc-unknown-field-in-domain': ['config', 'odoo.bad_field'],
  'xmlrpc-unknown-field-in-order': ['config', 'odoo.bad_field'],
  'xmlrpc-unknown-kwarg': ['internal', 'odoo.server_error'],
  'xmlrpc-bad-domain-operator': ['internal', 'odoo.server_error'],
  'xmlrpc-create-missing-required-field': ['record', 'odoo.validation'],
  'xmlrpc-access-error-user-without-purchase-rights': ['auth', 'odoo.access_error'],
  'xmlrpc-unlink-draft-po-user-error': ['record', 'odoo.validation'],
  'xmlrpc-button-cancel-returns-none': ['internal', 'odoo.returned_none'],
  'json2-allowed-company-ids-not-allowed': ['config', 'odoo.company_not_allowed'],
  'json2-write-missing-id': ['record', 'odoo.missing_record'],
  'json2-write-positional-style-body': ['internal', 'odoo.bad_arguments'],
  'json2-unlink-draft-po-user-error': ['record', 'odoo.validation'],
  'json2-create-missing-required-field': ['record', 'odoo.validation'],
  'json2-unknown-model': ['config', 'odoo.unknown_model'],
  'json2-unknown-method': ['config', 'odoo.unknown_method'],
  'json2-private-method': ['config', 'odoo.private_method'],
  'json2-unknown-field-in-fields': ['config', 'odoo.bad_field'],
  'json2-unknown-field-in-domain': ['config', 'odoo.bad_field'],
  'json2-unknown-field-in-order': ['config', 'odoo.bad_field'],
  'json2-unknown-kwarg': ['internal', 'odoo.server_error'],
  'json2-missing-required-argument': ['internal', 'odoo.bad_arguments'],
  'json2-ids-on-model-method': ['internal', 'odoo.bad_arguments'],
  'json2-tz-suffixed-datetime': ['internal', 'odoo.bad_datetime'],
  'json2-access-error-user-without-purchase-rights': ['auth', 'odoo.access_error'],
  'json2-missing-authorization': ['auth', 'odoo.auth_failed'],
  'json2-bad-key': ['auth', 'odoo.auth_failed'],
  'json2-password-instead-of-key': ['auth', 'odoo.auth_failed'],
  'json2-basic-auth-scheme': ['auth', 'odoo.auth_failed'],
  'json2-unknown-database-header': ['config', 'odoo.not_found'],
  'json2-get-instead-of-post': ['internal', 'odoo.bad_route'],
  'json2-wrong-content-type': ['internal', 'odoo.bad_content_type'],
  'json2-body-not-json': ['internal', 'odoo.bad_request'],
  'json2-body-json-array': ['internal', 'odoo.bad_arguments'],
  'json2-empty-body': ['internal', 'odoo.bad_arguments'],
  'json2-path-without-model': ['internal', 'odoo.bad_route'],
  'json2-path-model-only': ['internal', 'odoo.bad_route'],
};

const failures = transcripts.filter(
  (t) =>
    (t.transport === 'xmlrpc' && t.response.fault !== undefined) ||
    (t.transport === 'json2' && t.response.status !== 200),
);

describe('recorded Odoo 19.0 failures map to mlc error classes', () => {
  test('every recorded failure has an expectation', () => {
    expect(failures.map((t) => t.id).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(failures.map((t) => [t.id, t] as const))('%s', (id, t) => {
    const r = t.response;
    const err =
      t.transport === 'xmlrpc'
        ? classifyOdooError({
            transport: 'xmlrpc',
            op: 'recorded',
            faultCode: r.fault.faultCode,
            message: r.fault.faultString,
          })
        : classifyOdooError({
            transport: 'json2',
            op: 'recorded',
            status: r.status,
            html: String(r.headers['content-type']).startsWith('text/html'),
            message: typeof r.body === 'object' ? String(r.body.message ?? '') : '',
            ...(typeof r.body === 'object' && r.body.name ? { name: r.body.name } : {}),
            ...(typeof r.body === 'object' && r.body.debug ? { debug: r.body.debug } : {}),
          });
    expect([err.kind, err.code]).toEqual(EXPECTED[id]);
  });

  test('an invalid field names the field and the model, in either wording', () => {
    for (const id of [
      'xmlrpc-unknown-field-in-fields',
      'xmlrpc-unknown-field-in-domain',
      'xmlrpc-unknown-field-in-order',
    ]) {
      const t = transcripts.find((x) => x.id === id)!;
      const err = classifyOdooError({
        transport: 'xmlrpc',
        op: 'recorded',
        faultCode: t.response.fault.faultCode,
        message: t.response.fault.faultString,
      });
      expect(err.data).toEqual({ field: 'no_such_field', model: 'res.partner' });
    }
  });
});
