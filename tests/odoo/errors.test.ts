import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { AuthError } from '../../src/errors.js';
import { OdooClient, classifyOdooError } from '../../src/systems/odoo/client.js';
import {
  FAST_RETRY,
  clientFor,
  control,
  dump,
  expectRejects,
  fault,
  rawJson2,
  startSim,
  type RunningOdoo,
} from './helpers.js';

describe('Odoo error table against the simulator', () => {
  let v19: RunningOdoo;
  let v17: RunningOdoo;

  beforeAll(async () => {
    v19 = await startSim({ version: 19, seed: 'demo' });
    v17 = await startSim({ version: 17, seed: 'demo' });
  });
  afterEach(async () => {
    for (const sim of [v19, v17]) {
      sim.faults.clear();
      await control(sim, 'restore_key');
      await control(sim, 'clear_cooldown');
    }
  });
  afterAll(async () => {
    await v19.close();
    await v17.close();
  });

  test('a bad key is an AuthError on JSON-2 (401 + WWW-Authenticate)', async () => {
    const client = clientFor(v19, 'json2', { apiKey: 'f'.repeat(40) });
    const err = await expectRejects(client.authenticate());
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('odoo.auth_failed');
    expect(err.message).not.toContain('f'.repeat(40));
    const raw = await rawJson2(v19, '/json/2/res.partner/search_read', '{}', {
      authorization: 'Bearer nope',
    });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toMatch(/bearer/i);
    expect(JSON.parse(raw.text)).toMatchObject({
      name: 'werkzeug.exceptions.Unauthorized',
      message: 'Invalid apikey',
    });
  });

  test('authenticate answering False is an AuthError on XML-RPC', async () => {
    const client = clientFor(v17, 'xmlrpc', { apiKey: 'e'.repeat(40) });
    const err = await expectRejects(client.authenticate());
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('odoo.auth_failed');
  });

  test('an expired key makes later calls fail with AuthError on both transports (fault 3 / 401)', async () => {
    for (const [sim, transport] of [
      [v17, 'xmlrpc'],
      [v19, 'json2'],
      [v19, 'xmlrpc'],
    ] as const) {
      const client = clientFor(sim, transport);
      await client.authenticate();
      await control(sim, 'expire_key');
      const err = await expectRejects(client.searchRead('res.partner', [], { fields: ['name'], limit: 1 }));
      expect(err.kind).toBe('auth');
      expect(err.code).toBe('odoo.auth_failed');
      await control(sim, 'restore_key');
      await control(sim, 'clear_cooldown');
    }
  });

  test('access rights errors are AuthError odoo.access_error (fault 4 / 403)', async () => {
    fault(v19, { kind: 'access_error', match: '^POST /json/2/purchase.order/search_read' });
    const json2 = clientFor(v19, 'json2');
    await json2.fieldsGet('purchase.order');
    expect((await expectRejects(json2.searchRead('purchase.order', [], { fields: ['name'] }))).code).toBe(
      'odoo.access_error',
    );
    const xml = clientFor(v17, 'xmlrpc');
    await xml.fieldsGet('purchase.order');
    fault(v17, { kind: 'access_error', match: '^POST /xmlrpc/2/object' });
    const err = await expectRejects(xml.searchRead('purchase.order', [], { fields: ['name'] }));
    expect(err.code).toBe('odoo.access_error');
    expect(err.status).toBe(4);
  });

  test('a serialization failure is retried and then succeeds (fault 1 traceback / 500)', async () => {
    for (const [sim, transport, match] of [
      [v19, 'json2', '^POST /json/2/res.partner/search_read'],
      [v17, 'xmlrpc', '^POST /xmlrpc/2/object'],
    ] as const) {
      const client = clientFor(sim, transport);
      await client.fieldsGet('res.partner');
      const before = sim.stats.faults;
      fault(sim, { kind: 'serialization_failure', match, times: 2 });
      const rows = await client.searchRead('res.partner', [['ref', '=', 'V-0001']], { fields: ['name'] });
      expect(rows.map((r) => r.name)).toEqual(['Wood Corner']);
      expect(sim.stats.faults - before).toBe(2);
    }
  });

  test('a serialization failure on a plain create is not retried (it is not idempotent)', async () => {
    const client = clientFor(v19, 'json2');
    fault(v19, { kind: 'serialization_failure', match: '^POST /json/2/res.partner/create' });
    const err = await expectRejects(client.create('res.partner', [{ name: 'Once' }]));
    expect(err.kind).toBe('transient');
    expect(err.code).toBe('odoo.serialization_failure');
    expect(v19.stats.byRoute['POST /json/2/res.partner/create']).toBe(1);
  });

  test('validation and missing-record faults are RecordErrors', async () => {
    const client = clientFor(v19, 'json2');
    fault(v19, { kind: 'validation_error', match: '/write$', params: { message: 'Bad VAT' } });
    const v = await expectRejects(client.callMethod('res.partner', 'write', [1], { vals: { vat: 'x' } }));
    expect(v.kind).toBe('record');
    expect(v.message).toContain('Bad VAT');
    fault(v19, { kind: 'missing_error', match: '/write$' });
    expect(
      (await expectRejects(client.callMethod('res.partner', 'write', [1], { vals: { vat: 'x' } }))).code,
    ).toBe('odoo.missing_record');
  });

  test('a row whose value does not fit its field type is refused, naming model, field and what was expected', async () => {
    const client = clientFor(v19, 'json2');
    await client.fieldsGet('purchase.order');
    const answer = (rows: unknown): void =>
      fault(v19, {
        kind: 'status',
        status: 200,
        body: rows,
        match: '^POST /json/2/purchase.order/search_read',
      });
    const read = (): Promise<unknown> =>
      client.searchRead('purchase.order', [], {
        fields: ['name', 'partner_id', 'date_order', 'amount_total'],
      });

    answer([
      { id: 1, name: 'P1', partner_id: [7, 'Acme'], date_order: '2026-01-05T10:00:00Z', amount_total: 5 },
    ]);
    const date = await expectRejects(read());
    expect(date.code).toBe('odoo.bad_payload');
    expect(date.message).toContain('purchase.order.date_order');
    expect(date.message).toContain('"YYYY-MM-DD HH:MM:SS" or false');

    answer([{ id: 1, name: 'P1', partner_id: ['7', 'Acme'], date_order: false, amount_total: 5 }]);
    expect((await expectRejects(read())).message).toContain('purchase.order.partner_id');

    answer([{ name: 'P1', partner_id: false, date_order: false, amount_total: 5 }]);
    expect((await expectRejects(read())).message).toContain('row without an integer id');

    // What fits is read, with Odoo's `false` for empty turned into null.
    answer([{ id: 1, name: 'P1', partner_id: false, date_order: '2026-01-05 10:00:00', amount_total: 5 }]);
    expect(await read()).toEqual([
      { id: 1, name: 'P1', partner_id: null, date_order: '2026-01-05 10:00:00', amount_total: 5 },
    ]);
  });

  test('the login cooldown is an AuthError that says to wait, and is not retried', async () => {
    const sim = await startSim({ version: 17, seed: 'empty' });
    try {
      const good = clientFor(sim, 'xmlrpc');
      await good.authenticate();
      for (let i = 0; i < 5; i += 1) {
        await expectRejects(clientFor(sim, 'xmlrpc', { apiKey: `${i}`.repeat(40) }).authenticate());
      }
      const objectCalls = sim.stats.byRoute['POST /xmlrpc/2/object'] ?? 0;
      const err = await expectRejects(good.searchRead('res.partner', [], { fields: ['name'] }));
      expect(err.code).toBe('odoo.login_cooldown');
      expect(err.hint).toMatch(/wait/i);
      expect(sim.stats.byRoute['POST /xmlrpc/2/object']).toBe(objectCalls + 1);
      // Even the right key is refused by authenticate during the cooldown (answers False).
      expect((await expectRejects(clientFor(sim, 'xmlrpc').authenticate())).code).toBe('odoo.auth_failed');
    } finally {
      await sim.close();
    }
  });

  test('an unknown database is a ConfigError on both transports (404 HTML / fault 1)', async () => {
    const json2 = clientFor(v19, 'json2', { db: 'nope' });
    const a = await expectRejects(json2.authenticate());
    expect(a.kind).toBe('config');
    expect(a.code).toBe('odoo.not_found');
    const raw = await rawJson2(v19, '/json/2/res.partner/search_read', '{}', { 'x-odoo-database': 'nope' });
    expect(raw.status).toBe(404);
    expect(raw.text).toMatch(/<title>404 Not Found<\/title>[\s\S]*No database is selected/);
    const xml = clientFor(v17, 'xmlrpc', { db: 'nope' });
    expect((await expectRejects(xml.authenticate())).code).toBe('odoo.unknown_database');
  });

  test('a wrong content type gets 415 with an HTML body, mapped to InternalError', async () => {
    const raw = await rawJson2(v19, '/json/2/res.partner/search_read', '{}', {
      'content-type': 'text/plain',
    });
    expect(raw.status).toBe(415);
    expect(raw.text).toMatch(/<title>415 Unsupported Media Type<\/title>/);
    expect(
      classifyOdooError({ transport: 'json2', op: 'x', status: 415, message: '', html: true }).kind,
    ).toBe('internal');
  });

  test('an HTML 500 (a crashed worker or a proxy, not an Odoo exception) is transient; an Odoo exception is not', () => {
    const html = classifyOdooError({ transport: 'json2', op: 'x', status: 500, message: '', html: true });
    expect(html).toMatchObject({ kind: 'transient', code: 'odoo.unavailable' });
    expect(classifyOdooError({ transport: 'json2', op: 'x', status: 500, message: 'KeyError: x' }).kind).toBe(
      'internal',
    );
  });

  test('JSON-2 routes are absent below 19 (404 HTML), and invalid JSON is a 400', async () => {
    const raw = await rawJson2(v17, '/json/2/res.partner/search_read', '{}');
    expect(raw.status).toBe(404);
    expect(raw.text).toMatch(/<html/i);
    expect((await expectRejects(clientFor(v17, 'json2').authenticate())).kind).toBe('config');
    expect((await rawJson2(v19, '/json/2/res.partner/search_read', '{oops')).status).toBe(400);
  });

  test('a tz-suffixed datetime is a 500 on the server; the client sends naive UTC literals', async () => {
    const raw = await rawJson2(
      v19,
      '/json/2/res.partner/search_read',
      JSON.stringify({ domain: [['write_date', '>=', '2026-01-01T00:00:00Z']], fields: ['name'] }),
    );
    expect(raw.status).toBe(500);
    expect(JSON.parse(raw.text).message).toMatch(/no timezone/);
    expect(
      classifyOdooError({ transport: 'json2', op: 'x', status: 500, message: JSON.parse(raw.text).message })
        .code,
    ).toBe('odoo.bad_datetime');
    const client = clientFor(v19, 'json2');
    const pages: unknown[] = [];
    for await (const page of client.readChanged('res.partner', {
      fields: ['name'],
      window: { since: new Date('2000-01-01T00:00:00.123Z'), until: new Date(Date.now() + 1000) },
    }))
      pages.push(...page);
    expect(pages.length).toBeGreaterThan(0);
  });

  test('429 with Retry-After is honoured, then the read succeeds', async () => {
    for (const [sim, transport, match] of [
      [v19, 'json2', '^POST /json/2/res.partner/search_read'],
      [v17, 'xmlrpc', '^POST /xmlrpc/2/object'],
    ] as const) {
      const delays: number[] = [];
      const client = new OdooClient(
        { url: sim.url, ...sim.credentials, transport },
        {
          connection: 't',
          retry: FAST_RETRY,
          log: { debug() {}, info() {}, warn: (m) => delays.push(Number(/in (\d+) ms/.exec(m)?.[1])) },
        },
      );
      await client.fieldsGet('res.partner');
      fault(sim, { kind: 'rate_limit', match, retryAfter: 1 });
      const rows = await client.searchRead('res.partner', [['ref', '=', 'V-0002']], { fields: ['name'] });
      expect(rows.map((r) => r.name)).toEqual(['Azure Interior']);
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThanOrEqual(1000);
    }
  });

  test('a dropped connection on a read is retried', async () => {
    for (const [sim, transport, match] of [
      [v19, 'json2', '^POST /json/2/res.partner/search_read'],
      [v17, 'xmlrpc', '^POST /xmlrpc/2/object'],
    ] as const) {
      const client = clientFor(sim, transport);
      await client.fieldsGet('res.partner');
      fault(sim, { kind: 'drop', match });
      const rows = await client.searchRead('res.partner', [['ref', '=', 'V-0003']], { fields: ['name'] });
      expect(rows.map((r) => r.name)).toEqual(['Gemini Furniture']);
    }
  });

  test('a dropped connection during create does not create twice through upsertByRef', async () => {
    const client = clientFor(v19, 'json2');
    fault(v19, { kind: 'drop', match: '^POST /json/2/res.partner/create' });
    // Whether the server ran the create before the connection dropped cannot be told: the pass stops
    // (transient), and the next one reads back before it creates.
    const err = await expectRejects(
      client.upsertByRef('res.partner', 'ref', [{ ref: 'DROP-1', vals: { name: 'Dropped Co' } }]),
    );
    expect(err).toMatchObject({ kind: 'transient', code: 'odoo.create_unconfirmed' });
    const [res] = await client.upsertByRef('res.partner', 'ref', [
      { ref: 'DROP-1', vals: { name: 'Dropped Co' } },
    ]);
    expect(res).toMatchObject({ ref: 'DROP-1', created: true, id: expect.any(Number) });
    expect((await dump(v19, 'res.partner')).filter((r) => r.ref === 'DROP-1')).toHaveLength(1);
  });

  test('a create whose answer is lost after commit is read back by ref, not repeated', async () => {
    for (const [sim, transport, rule] of [
      [v19, 'json2', { match: '^POST /json/2/res.partner/create' }],
      // XML-RPC: fields_get and search_read come first on a fresh client, then the create.
      [v17, 'xmlrpc', { match: '^POST /xmlrpc/2/object', skip: 2 }],
    ] as const) {
      const client = clientFor(sim, transport, { timeoutMs: 400 });
      fault(sim, { kind: 'lost_response', delayMs: 1200, ...rule });
      const ref = `LOST-${transport}`;
      const [res] = await client.upsertByRef('res.partner', 'ref', [
        { ref, vals: { name: 'Lost Answer Co' } },
      ]);
      const rows = (await dump(sim, 'res.partner')).filter((r) => r.ref === ref);
      expect(rows).toHaveLength(1);
      expect(res).toMatchObject({ ref, created: true, id: rows[0]!.id });
    }
  });

  test('a create still running on the server when the answer times out is not repeated: the next pass reads it back', async () => {
    const client = clientFor(v19, 'json2', { timeoutMs: 400 });
    // The server takes longer than the client waits, and commits after the client gave up.
    fault(v19, { kind: 'slow', delayMs: 1200, match: '^POST /json/2/res.partner/create' });
    const err = await expectRejects(
      client.upsertByRef('res.partner', 'ref', [{ ref: 'SLOW-1', vals: { name: 'Slow Co' } }]),
    );
    expect(err).toMatchObject({ kind: 'transient', code: 'odoo.create_unconfirmed' });
    await new Promise((r) => setTimeout(r, 1200));
    const [again] = await client.upsertByRef('res.partner', 'ref', [
      { ref: 'SLOW-1', vals: { name: 'Slow Co' } },
    ]);
    expect(again).toMatchObject({ ref: 'SLOW-1', created: false });
    expect((await dump(v19, 'res.partner')).filter((r) => r.ref === 'SLOW-1')).toHaveLength(1);
  });

  test('a plain create whose answer is lost fails as transient and is not repeated', async () => {
    const client = clientFor(v19, 'json2', { timeoutMs: 400 });
    fault(v19, { kind: 'lost_response', delayMs: 1200, match: '^POST /json/2/res.partner/create' });
    const err = await expectRejects(
      client.create('res.partner', [{ name: 'Lost Plain', ref: 'LOST-PLAIN' }]),
    );
    expect(err.kind).toBe('transient');
    await new Promise((r) => setTimeout(r, 900));
    expect((await dump(v19, 'res.partner')).filter((r) => r.ref === 'LOST-PLAIN')).toHaveLength(1);
  });
});
