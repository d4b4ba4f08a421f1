import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import {
  startReceiver,
  signBody,
  type AuditEntry,
  type ReceivedEvent,
  type RunningReceiver,
} from '../../src/serve/index.js';
import { startServiceTitanSim } from '../../src/sim/servicetitan/index.js';

type Sim = Awaited<ReturnType<typeof startServiceTitanSim>>;
const KEY = 'k'.repeat(20) + '-hmac-key-for-tests-0123';
const PATH = '/webhooks/servicetitan/customers';

let sim: Sim;
let receiver: RunningReceiver;
let stored: ReceivedEvent[];
let audits: AuditEntry[];
let failStores: number;

async function control(
  route: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}/_sim/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function simState(): Promise<{
  attempts: Array<{ eventId: string; attempt: number; at: number; status: number | string }>;
  delivered: string[];
  failed: string[];
}> {
  const res = await fetch(`${sim.url}/_sim/state?name=webhooks`);
  return (await res.json()) as never;
}

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function post(path: string, body: string, headers: Record<string, string> = {}, method = 'POST') {
  const res = await fetch(`${receiver.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(method === 'GET' ? {} : { body }),
  });
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  sim = await startServiceTitanSim({ seed: 'demo' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  stored = [];
  audits = [];
  failStores = 0;
  receiver = await startReceiver({
    routes: [{ path: PATH, name: 'servicetitan.customers' }],
    hmacKey: KEY,
    store: async (e) => {
      if (failStores > 0) {
        failStores -= 1;
        throw new Error('state file busy');
      }
      stored.push(e);
    },
    audit: (a) => audits.push(a),
    bodyTimeoutMs: 500,
    maxBodyBytes: 4096,
  });
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
  await control('seed', { seed: 'demo' });
});
afterEach(async () => {
  sim.sim.webhooks.stop();
  await receiver.close();
});

describe('webhook receiver', () => {
  it('binds 127.0.0.1 unless told otherwise', () => {
    expect(receiver.host).toBe('127.0.0.1');
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('stores a hex-signed event from the simulator with its raw body and acknowledges it', async () => {
    await control('webhooks', { url: `${receiver.url}${PATH}`, hmacKey: KEY, encoding: 'hex' });
    const customers = (await (await fetch(`${sim.url}/_sim/state?name=customers:1000001`)).json()) as Array<{
      id: number;
      name: string;
    }>;
    const jane = customers.find((c) => c.name === 'Jane Doe');
    expect(jane).toBeDefined();
    const touched = await control('touch', {
      tenant: '1000001',
      entity: 'customers',
      id: jane?.id,
      changes: { name: 'Jane Q. Doe' },
    });
    expect(touched.status).toBe(200);
    await until(() => stored.length === 1);
    const e = stored[0] as ReceivedEvent;
    expect(e.route).toBe('servicetitan.customers');
    expect(e.signed).toBe(true);
    expect(e.body).toMatchObject({
      eventType: 'customer.updated',
      tenantId: 1000001,
      data: { id: jane?.id },
    });
    expect(JSON.parse(e.raw.toString('utf8'))).toEqual(e.body);
    await until(async () => (await simState()).delivered.length === 1);
    expect(audits.map((a) => a.outcome)).toEqual(['accepted']);
  });

  it('takes a base64 signature in a configured header', async () => {
    await receiver.close();
    receiver = await startReceiver({
      routes: [{ path: PATH, name: 'st' }],
      hmacKey: KEY,
      signatureHeader: 'ST-Signature',
      signatureEncodings: ['base64'],
      store: async (e) => {
        stored.push(e);
      },
    });
    await control('webhooks', {
      url: `${receiver.url}${PATH}`,
      hmacKey: KEY,
      encoding: 'base64',
      header: 'ST-Signature',
    });
    await control('webhooks/emit', { eventType: 'customer.updated', tenant: '1000002', data: { id: 7 } });
    await until(() => stored.length === 1);
    // The same signature in hex is refused when only base64 is configured.
    const body = JSON.stringify({ eventId: 'x', data: { id: 1 } });
    const hex = await post(PATH, body, { 'st-signature': signBody(KEY, body, 'hex') });
    expect(hex.status).toBe(401);
  });

  it('refuses a badly signed or unsigned post with 401, an empty body and an audit entry, and stores nothing', async () => {
    const body = JSON.stringify({ eventId: 'e1', data: { id: 1, note: '<script>ECHO-ME</script>' } });
    const wrongKey = await post(PATH, body, {
      'x-servicetitan-signature': signBody('x'.repeat(40), body, 'hex'),
    });
    const tampered = await post(PATH, body.replace('"id":1', '"id":2'), {
      'x-servicetitan-signature': signBody(KEY, body, 'hex'),
    });
    const unsigned = await post(PATH, body);
    const garbage = await post(PATH, body, { 'x-servicetitan-signature': 'ECHO-ME' });
    for (const r of [wrongKey, tampered, unsigned, garbage]) {
      expect(r.status).toBe(401);
      expect(r.text).toBe('');
    }
    expect(stored).toEqual([]);
    expect(audits.map((a) => a.reason)).toEqual([
      'signature.invalid',
      'signature.invalid',
      'signature.missing',
      'signature.invalid',
    ]);
    expect(
      audits.every(
        (a) => a.outcome === 'rejected' && a.status === 401 && a.route === 'servicetitan.customers',
      ),
    ).toBe(true);
    // The correctly signed body with a "sha256=" prefix goes through.
    const good = await post(PATH, body, {
      'x-servicetitan-signature': `sha256=${signBody(KEY, body, 'hex')}`,
    });
    expect(good.status).toBe(200);
    expect(stored).toHaveLength(1);
  });

  it('answers an unknown path 404 and another method 405, bare, without echoing the request', async () => {
    const marker = 'ECHO-ME-PLEASE';
    const unknown = await post(`/webhooks/${marker}`, JSON.stringify({ marker }));
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('');
    const get = await post(PATH, '', {}, 'GET');
    expect(get.status).toBe(405);
    expect(get.text).toBe('');
    const notJson = await post(PATH, `${marker} not json`, {
      'x-servicetitan-signature': signBody(KEY, `${marker} not json`, 'hex'),
    });
    expect(notJson.status).toBe(400);
    expect(notJson.text).toBe('');
  });

  it('acknowledges only after the event is stored: a failed store answers 500 and the sender retries on its schedule', async () => {
    failStores = 1;
    await control('webhooks', { url: `${receiver.url}${PATH}`, hmacKey: KEY, timeScale: 0.01 });
    await control('webhooks/emit', { eventType: 'customer.updated', tenant: '1000001', data: { id: 1004 } });
    await until(() => stored.length === 1, 3000);
    const s = await simState();
    expect(s.attempts.map((a) => a.status)).toEqual([500, 200]);
    const [first, second] = s.attempts;
    // First retry after 10 s, scaled by 0.01 → about 100 ms.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(90);
    expect(audits.map((a) => a.outcome)).toEqual(['store_failed', 'accepted']);
  });

  it('the sender gives up after 10/30/60/300 s and keeps the event for a manual replay', async () => {
    failStores = 5;
    await control('webhooks', { url: `${receiver.url}${PATH}`, hmacKey: KEY, timeScale: 0.001 });
    await control('webhooks/emit', { eventType: 'customer.updated', tenant: '1000001', data: { id: 1004 } });
    await until(async () => (await simState()).failed.length === 1, 3000);
    const s = await simState();
    expect(s.attempts.map((a) => a.status)).toEqual([500, 500, 500, 500, 500]);
    const gaps = s.attempts.slice(1).map((a, i) => a.at - (s.attempts[i]?.at ?? 0));
    expect(gaps[3]).toBeGreaterThan(gaps[0] ?? 0);
    expect(stored).toEqual([]);
    expect((await control('webhooks/replay', {})).body).toEqual({ replayed: 1 });
    await until(() => stored.length === 1);
  });

  it('refuses an oversized body with 413 and closes a connection that sends its body too slowly', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(10_000) });
    const r = await post(PATH, big, { 'x-servicetitan-signature': signBody(KEY, big, 'hex') });
    expect(r.status).toBe(413);
    const closed = await new Promise<{ ms: number; data: string }>((resolve) => {
      const started = Date.now();
      const socket = connect(receiver.port, '127.0.0.1', () => {
        socket.write(
          `POST ${PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\nx-servicetitan-signature: ${'a'.repeat(64)}\r\n\r\n{"a":`,
        );
      });
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve({ ms: Date.now() - started, data }));
    });
    expect(closed.ms).toBeLessThan(3000);
    const headers = await new Promise<number>((resolve) => {
      const started = Date.now();
      const socket = connect(receiver.port, '127.0.0.1', () =>
        socket.write(`POST ${PATH} HTTP/1.1\r\nhost: x\r\n`),
      );
      const drip = setInterval(() => socket.writable && socket.write('x-drip: 1\r\n'), 100);
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(Date.now() - started);
      });
    });
    // Headers that never end: closed after the timeout, not after Node's default 30 s check.
    expect(headers).toBeLessThan(3000);
    expect(closed.data).not.toMatch(/HTTP\/1\.1 200/);
    expect(audits.some((a) => a.reason === 'body.timeout')).toBe(true);
  });

  it('keeps answering good posts promptly during a flood of bad ones', async () => {
    const good = async (i: number): Promise<{ status: number; ms: number }> => {
      const body = JSON.stringify({ eventId: `good-${i}`, data: { id: i } });
      const started = performance.now();
      const r = await post(PATH, body, { 'x-servicetitan-signature': signBody(KEY, body, 'hex') });
      return { status: r.status, ms: performance.now() - started };
    };
    const baseline: number[] = [];
    for (let i = 0; i < 10; i += 1) baseline.push((await good(i)).ms);
    const bad = JSON.stringify({ eventId: 'bad', pad: 'y'.repeat(2000) });
    let stop = false;
    let badSent = 0;
    const flooders = Array.from({ length: 16 }, async () => {
      const deadline = Date.now() + 5000;
      while (!stop && Date.now() < deadline) {
        const r = await post(PATH, bad, { 'x-servicetitan-signature': 'f'.repeat(64) });
        expect(r.status).toBe(401);
        badSent += 1;
      }
    });
    await new Promise((r) => setTimeout(r, 200));
    const during: Array<{ status: number; ms: number }> = [];
    for (let i = 100; i < 120; i += 1) during.push(await good(i));
    stop = true;
    await Promise.all(flooders);
    expect(badSent).toBeGreaterThan(100);
    expect(during.every((d) => d.status === 200)).toBe(true);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    // Loose: a good post waits behind at most the flood's queue, never for timeouts.
    expect(median(during.map((d) => d.ms))).toBeLessThan(Math.max(250, median(baseline) * 50));
    expect(stored.filter((e) => String(e.body.eventId).startsWith('good-'))).toHaveLength(30);
  });

  it('refuses to start without an HMAC key unless unsigned posts are allowed', async () => {
    await expect(startReceiver({ routes: [], store: async () => {} })).rejects.toThrow(/HMAC key/);
    await expect(startReceiver({ routes: [], hmacKey: 'short', store: async () => {} })).rejects.toThrow(
      /32 to 64/,
    );
  });
});

describe('events of API writes', () => {
  it('a payment created through the API reaches the receiver as payment.created', async () => {
    await control('webhooks', { url: `${receiver.url}${PATH}`, hmacKey: KEY });
    const tok = await (
      await fetch(`${sim.url}/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&client_id=${sim.sim.auth.opts.tenants[0]?.clientId}&client_secret=${sim.sim.auth.opts.tenants[0]?.clientSecret}`,
      })
    ).json();
    const types = (await (await fetch(`${sim.url}/_sim/state?name=payment_types:1000001`)).json()) as Array<{
      id: number;
    }>;
    const res = await fetch(`${sim.url}/accounting/v2/tenant/1000001/payments`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${(tok as { access_token: string }).access_token}`,
        'st-app-key': sim.sim.auth.opts.appKey,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ typeId: types[0]?.id, customerId: 1, memo: 'walk-in', amount: 5 }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: number };
    await until(() => stored.length === 1);
    expect(stored[0]?.body).toMatchObject({ eventType: 'payment.created', tenantId: 1000001, data: { id } });
  });
});

describe('receiver configuration and events', () => {
  it('validates the serve block and reads the simulator event as a trigger', async () => {
    const { receiverConfigSchema } = await import('../../src/serve/index.js');
    const { parseWebhookEvent } = await import('../../src/systems/servicetitan/index.js');
    const ok = receiverConfigSchema.parse({
      hmacKey: 'secret:st.hmac',
      routes: [{ path: '/webhooks/st', name: 'st' }],
    });
    expect(ok).toMatchObject({ host: '127.0.0.1', port: 8787, allowUnsigned: false });
    const bad = receiverConfigSchema.safeParse({ routes: [{ path: 'no-slash', name: 'x' }] });
    expect(JSON.stringify(bad.error?.issues)).toMatch(/hmacKey is required/);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/expected a path/);
    expect(
      parseWebhookEvent({
        eventId: 'e1',
        eventType: 'customer.updated',
        tenantId: 1000001,
        data: { id: 42 },
      }),
    ).toEqual({
      eventId: 'e1',
      eventType: 'customer.updated',
      tenantId: '1000001',
      recordId: 42,
    });
    expect(() => parseWebhookEvent({ hello: 'world' })).toThrow(/names no event type or record id/);
  });
});
