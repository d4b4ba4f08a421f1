import type { SystemFaults } from './types.js';

/**
 * What each simulator offers the fault matrix: its read and write routes, and each fault a scenario
 * asks for, in that system's own wire format (the simulators' `renderFault` kinds, or the frame's
 * generic `drop`, `slow`, `status`, `html`). A new system adds one entry here.
 */
const odoo: SystemFaults = {
  // JSON-2 (Odoo 19, the transport `auto` picks): POST /json/2/<model>/<method>.
  reads: '^POST /json/2/[^/]+/(search_read|search_count|search|read|fields_get)$',
  writes: '^POST /json/2/[^/]+/(create|write)$',
  // API keys do not expire mid-pass; an administrator can revoke one (and the simulator restore it).
  credential: { revokeRoute: 'expire_key', restoreRoute: 'restore_key' },
  rateLimit: (retryAfter) => ({ kind: 'rate_limit', retryAfter }),
  serverError: () => ({
    kind: 'status',
    status: 503,
    body: '<html><body>503 Service Unavailable</body></html>',
  }),
  malformed: () => [
    {
      kind: 'status',
      status: 200,
      body: '[{"id": 1, "name": "P0',
      match: '^POST /json/2/[^/]+/search_read$',
    },
  ],
  lostAnswer: (delayMs) => ({
    rule: { kind: 'lost_response', delayMs, match: '^POST /json/2/[^/]+/create$' },
    exact: true,
  }),
  echo: (secret) => [
    {
      kind: 'validation_error',
      params: { message: `Invalid API key ${secret} for this operation` },
      match: '^POST /json/2/[^/]+/search_read$',
    },
    {
      kind: 'status',
      status: 500,
      body: `<html>Internal Server Error: api_key=${secret}</html>`,
      match: '^POST /json/2/',
    },
  ],
};

const servicenow: SystemFaults = {
  reads: '^GET /api/now/table/',
  writes: '^POST /api/now/import/',
  rateLimit: (retryAfter) => ({ kind: 'rate_limit', retryAfter }),
  serverError: () => ({ kind: 'server_error', status: 503 }),
  malformed: () => [
    { kind: 'status', status: 200, body: '{"result": [{"sys_id": "', match: '^GET /api/now/table/' },
    { kind: 'status', status: 201, body: '{"import_set_id": ', match: '^POST /api/now/import/' },
  ],
  tokens: { expireRoute: 'expire_tokens', revoke: { kind: 'revoke_token' } },
  rowError: {
    kind: 'row_error',
    params: { message: 'Row rejected by a transform script' },
    match: '^POST /api/now/import/',
  },
  batchFailure: { kind: 'transaction_cancel', match: '^POST /api/now/import/' },
  // No kind commits and then loses the answer: `slow` past the client's timeout has the write applied
  // after the client gave up, which is the same situation seen from the client.
  lostAnswer: (delayMs) => ({
    rule: { kind: 'slow', delayMs, match: '^POST /api/now/import/' },
    exact: false,
  }),
  echo: (secret) => [
    { kind: 'server_error', status: 500, params: { detail: `Invalid client_secret ${secret}` } },
    {
      kind: 'status',
      status: 400,
      body: {
        error: { message: `Invalid password ${secret}`, detail: `password=${secret}` },
        status: 'failure',
      },
      match: '^POST /api/now/import/',
    },
  ],
};

const acumatica: SystemFaults = {
  reads: '^GET /entity/Default/',
  writes: '^PUT /entity/Default/',
  rateLimit: (retryAfter) => ({ kind: 'rate_limit', retryAfter }),
  serverError: () => ({ kind: 'status', status: 503, body: { message: 'Service Unavailable' } }),
  malformed: () => [{ kind: 'status', status: 200, body: '[{"id": "5f3c', match: '^GET /entity/Default/' }],
  tokens: { expireRoute: 'expire_tokens' },
  lostAnswer: (delayMs) => ({
    rule: { kind: 'slow', delayMs, match: '^PUT /entity/Default/' },
    exact: false,
  }),
  echo: (secret) => [
    {
      kind: 'server_error',
      params: { message: `Login failed for password ${secret}` },
      match: '^GET /entity/',
    },
    { kind: 'status', status: 500, body: { message: `client_secret=${secret} rejected` } },
  ],
};

const servicetitan: SystemFaults = {
  // API v2: GET lists and exports per module; the identity server's token request is not a read.
  reads: '^GET /(crm|inventory|jpm|settings|accounting)/v2/tenant/',
  // The writes a pass makes: invoices marked exported, payments and purchase orders created.
  writes: '^(POST|PATCH) /(crm|inventory|jpm|settings|accounting)/v2/tenant/',
  rateLimit: (retryAfter) => ({ kind: 'rate_limit', retryAfter }),
  serverError: () => ({ kind: 'server_error', status: 503, params: { title: 'Service Unavailable' } }),
  malformed: () => [
    {
      kind: 'status',
      status: 200,
      body: '{"page": 1, "pageSize": 50, "hasMore": true, "data": [{"id": 1',
      match: '^GET /(crm|inventory|jpm|settings|accounting)/v2/tenant/',
    },
    {
      kind: 'status',
      status: 200,
      body: '[{"invoiceId": ',
      match: '^POST /accounting/v2/tenant/[^/]+/invoices/markasexported$',
    },
  ],
  // Access tokens live 15 minutes; every one can be expired, or revoked by a fault before answering.
  tokens: { expireRoute: 'expire_tokens', revoke: { kind: 'revoke' } },
  lostAnswer: (delayMs) => ({
    rule: {
      kind: 'commit_then_stall',
      delayMs,
      match: '^(POST|PATCH) /(crm|inventory|jpm|settings|accounting)/v2/tenant/',
    },
    exact: true,
  }),
  // A 500 echoing the secret on a read; a 401 echoing it (as a refused application key) makes the client
  // renew its token, and that second token request is refused with the secret in the OAuth error.
  echo: (secret) => [
    {
      kind: 'server_error',
      status: 500,
      params: { title: `client_secret=${secret} is not valid for this tenant` },
      match: '^GET /(crm|inventory|jpm|settings|accounting)/v2/tenant/[^/]+/(business-units|vendors)',
    },
    {
      kind: 'status',
      status: 401,
      body: {
        type: 'https://tools.ietf.org/html/rfc7235#section-3.1',
        title: 'Unauthorized',
        status: 401,
        traceId: '00-0-0-00',
        errors: {},
        data: { reason: `The application key ${secret} is not valid` },
      },
      match: '^GET /',
    },
    {
      kind: 'status',
      status: 400,
      body: { error: 'invalid_client', error_description: `Client secret ${secret} was rejected` },
      match: '^POST /connect/token$',
      skip: 1,
    },
  ],
};

const netsuite: SystemFaults = {
  // SuiteQL reads (POST /services/rest/query/v1/suiteql) and record writes (departments).
  reads: '^POST /services/rest/query/v1/suiteql',
  writes: '^(POST|PATCH|PUT) /services/rest/record/v1/',
  // NetSuite answers its concurrency governance with 429 CONCURRENCY_LIMIT_EXCEEDED and no
  // Retry-After (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1500275531.html).
  rateLimit: () => ({ kind: 'concurrency', status: 429 }),
  serverError: () => ({ kind: 'unexpected' }),
  malformed: () => [
    {
      kind: 'status',
      status: 200,
      body: '{"links": [], "count": 2, "hasMore": false, "items": [{"id": "1',
      match: '^POST /services/rest/query/v1/suiteql',
    },
  ],
  // M2M access tokens expire (60 minutes); the certificate itself cannot be revoked by the simulator.
  tokens: { expireRoute: 'expire_tokens' },
  lostAnswer: (delayMs) => ({
    rule: { kind: 'slow', delayMs, match: '^(POST|PATCH|PUT) /services/rest/record/v1/' },
    exact: false,
  }),
  echo: (secret) => [
    {
      kind: 'status',
      status: 400,
      body: {
        type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1',
        title: 'Bad Request',
        status: 400,
        'o:errorDetails': [
          { detail: `Invalid search query: secret ${secret}`, 'o:errorCode': 'INVALID_PARAMETER' },
        ],
      },
      match: '^POST /services/rest/query/v1/suiteql',
    },
    {
      kind: 'status',
      status: 400,
      body: { error: 'invalid_grant', error_description: `assertion signed by ${secret} refused` },
      match: '^POST /services/rest/auth/oauth2/v1/token',
    },
  ],
};

const salesforce: SystemFaults = {
  // REST API: SOQL queries (and their next-page locators) read; sObject Collections and composite write.
  reads: '^GET /services/data/v[0-9.]+/(query|queryAll)',
  writes: '^(POST|PATCH) /services/data/v[0-9.]+/(composite|sobjects)',
  // Salesforce sends no 429: its short-lived limit is the concurrent long-request one (403).
  rateLimit: () => ({ kind: 'concurrent_limit' }),
  serverError: () => ({ kind: 'server_unavailable' }),
  malformed: () => [
    {
      kind: 'status',
      status: 200,
      body: '{"totalSize": 3, "done": true, "records": [{"Id": "',
      match: '^GET /services/data/v[0-9.]+/query',
    },
    {
      kind: 'status',
      status: 200,
      body: '[{"id": "a01',
      match: '^(POST|PATCH) /services/data/v[0-9.]+/composite/sobjects',
    },
  ],
  tokens: { expireRoute: 'expire_sessions', revoke: { kind: 'revoke_session' } },
  // No kind commits and then loses the answer: `slow` past the client's timeout applies the write after
  // the client gave up.
  lostAnswer: (delayMs) => ({
    rule: { kind: 'slow', delayMs, match: '^(POST|PATCH) /services/data/v[0-9.]+/composite' },
    exact: false,
  }),
  echo: (secret) => [
    {
      kind: 'status',
      status: 500,
      body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: `client_secret=${secret} rejected` }],
      match: '^GET /services/data/',
    },
    {
      kind: 'status',
      status: 400,
      body: [{ errorCode: 'INVALID_FIELD', message: `Invalid password ${secret}` }],
      match: '^(POST|PATCH) /services/data/',
    },
  ],
};

export const SYSTEM_FAULTS: Record<string, SystemFaults> = {
  odoo,
  servicenow,
  acumatica,
  servicetitan,
  netsuite,
  salesforce,
};

export function faultsOf(system: string): SystemFaults {
  const f = SYSTEM_FAULTS[system];
  if (!f) throw new Error(`no fault vocabulary for system ${system}`);
  return f;
}
