import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigError, RecordError } from '../../src/errors.js';
import { acumaticaServiceNowOptions } from '../../src/pairs/acumatica-servicenow/options.js';
import { acumaticaProbes } from '../../src/pairs/acumatica-servicenow/queries.js';
import { startAcumaticaSim } from '../../src/sim/acumatica/index.js';
import { LicenceGate } from '../../src/sim/acumatica/licence.js';
import { client, control, type Sim } from './helpers.js';

/** The wire facts checked against recorded traffic and vendor docs (api notes §8). */
let sim: Sim;

beforeAll(async () => {
  sim = await startAcumaticaSim({ seed: 'demo' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  await control(sim, 'faults', {}, 'DELETE');
  await control(sim, 'seed', { seed: 'demo' });
  await control(sim, 'stats', {}, 'DELETE');
});

type Wire = Record<string, unknown>;

async function exec(entity: string, record: Record<string, unknown>): Promise<Wire> {
  return (await control(sim, 'exec', { entity, record })) as Wire;
}

async function bearerGet(path: string): Promise<{ status: number; body: unknown }> {
  const c = sim.credentials;
  const token = (await (
    await fetch(`${sim.url}/identity/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: c.clientId,
        client_secret: c.clientSecret,
        username: c.username,
        password: c.password,
        scope: 'api',
      }).toString(),
    })
  ).json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token.access_token}` };
  const res = await fetch(`${sim.url}${path}`, { headers });
  const body = (await res.json()) as unknown;
  await fetch(`${sim.url}/entity/auth/logout`, { method: 'POST', headers });
  return { status: res.status, body };
}

const requests = (route: string): number => sim.stats.byRoute[route] ?? 0;

describe('Acumatica wire facts', () => {
  it('answers a missing record with 500 NoEntitySatisfiesTheConditionException, and get() returns null without retrying', async () => {
    const missing = '0b0b0b0b-0000-4000-8000-000000000000';
    const raw = await bearerGet(`/entity/Default/24.200.001/Vendor/${missing}`);
    expect(raw.status).toBe(500);
    expect(raw.body).toMatchObject({
      message: 'An error has occurred.',
      exceptionMessage: 'No entity satisfies the condition.',
      exceptionType: 'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException',
      stackTrace: expect.any(String),
    });

    const acu = client(sim);
    const bills = await acu.withSession(() => acu.list('Bill', {}));
    await control(sim, 'stats', {}, 'DELETE');
    await acu.withSession(async () => {
      expect(await acu.get('Vendor', missing)).toBeNull();
      expect(await acu.get('Vendor', ['NOPE'])).toBeNull();
      // A Bill's GUID addressed as a Check is "no entity" too.
      expect(await acu.get('Check', bills[0]!.id)).toBeNull();
      expect((await acu.get('Vendor', ['V000001']))?.VendorName).toBe('Alpha Lumber');
    });
    expect(requests(`GET /entity/Default/24.200.001/Vendor/${missing}`)).toBe(1);
    expect(requests('GET /entity/Default/24.200.001/Vendor/NOPE')).toBe(1);
  });

  it('turns NoEntitySatisfiesTheCondition on a write into a RecordError, not a transient retried forever', async () => {
    const acu = client(sim);
    await control(sim, 'faults', {
      kind: 'server_error',
      match: '^PUT /entity/Default/24.200.001/Vendor$',
      params: {
        message: 'No entity satisfies the condition.',
        type: 'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException',
      },
      times: -1,
    });
    const err = await acu
      .withSession(() => acu.put('Vendor', { VendorID: 'V000001', VendorName: 'Alpha' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordError);
    expect((err as RecordError).code).toBe('acumatica.not_found');
    expect(requests('PUT /entity/Default/24.200.001/Vendor')).toBe(1);
  });

  it('makes a $filter naming a field the entity lacks a ConfigError, sent once and not retried', async () => {
    const acu = client(sim);
    const err = await acu
      .withSession(() => acu.list('PurchaseOrder', { filter: "VendorReference eq 'REQ0010042'" }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('acumatica.bad_query');
    expect((err as Error).message).toContain('VendorReference');
    expect(requests('GET /entity/Default/24.200.001/PurchaseOrder')).toBe(1);
  });

  it("ping sends each flow's real query with $top=1 and names the flow whose field the entity lacks", async () => {
    const good = acumaticaProbes(acumaticaServiceNowOptions.parse({}));
    expect(good.find((p) => p.flow === 'requests_to_acumatica')?.filter).toBe("VendorRef eq ''");
    const ok = await client(sim).ping(good);
    expect(ok.checks.filter((c) => !c.ok)).toEqual([]);
    expect(ok.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['purchase_orders: PurchaseOrder', 'bills: Bill', 'vendors: Vendor']),
    );

    const misspelt = acumaticaProbes(
      acumaticaServiceNowOptions.parse({ requests: { refField: 'VendorReference' } }),
    );
    const result = await client(sim).ping(misspelt);
    expect(result.ok).toBe(false);
    const failed = result.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.name)).toEqual(['requests_to_acumatica: PurchaseOrder']);
    expect(failed[0]?.detail).toContain('VendorReference');
    expect(sim.sim.auth.open).toBe(0);
  });

  it('accepts every form of note: {"value"} at the top, null / "" / {"value"} on lines, a plain string on 2020 endpoints', async () => {
    const raw = await bearerGet('/entity/Default/24.200.001/PurchaseOrder?$expand=Details&$top=2');
    const rows = raw.body as Wire[];
    expect(rows[0]?.note).toEqual({ value: '' });
    const lineNotes = rows.flatMap((r) => (r.Details as Wire[]).map((l) => l.note));
    expect(lineNotes).toEqual(expect.arrayContaining([null, '', { value: '' }]));
    const old = await bearerGet('/entity/Default/20.200.001/Vendor?$top=1');
    expect(typeof (old.body as Wire[])[0]?.note).toBe('string');

    const acu = client(sim);
    const pos = await acu.withSession(() => acu.list('PurchaseOrder', { expand: ['Details'] }));
    for (const po of pos) {
      expect(po.note).toBe('');
      for (const line of po.Details as Wire[]) expect(line.note).toBe('');
    }
    const legacy = client(sim, { endpointVersion: '20.200.001' });
    const vendors = await legacy.withSession(() => legacy.list('Vendor', {}));
    expect(vendors.every((v) => v.note === '')).toBe(true);
  });

  it('prints date-time fractions with trailing zeros trimmed, and the client windows on them exactly', async () => {
    const rows = (await bearerGet('/entity/Default/24.200.001/Vendor')).body as Wire[];
    for (const r of rows) {
      const stamp = (r.LastModifiedDateTime as { value: string }).value;
      expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,2}[1-9])?\+00:00$/);
    }
    const acu = client(sim);
    const target = rows[1]!;
    const at = new Date(Date.parse((target.LastModifiedDateTime as { value: string }).value));
    const seen: string[] = [];
    await acu.withSession(async () => {
      for await (const page of acu.readChanged('Vendor', {
        window: { since: at, until: new Date(at.getTime() + 1) },
      }))
        seen.push(...page.map((r) => r.id));
    });
    expect(seen).toContain(target.id);
  });

  it('keeps LastModifiedDateTime on a PUT that changes nothing, and moves it on a real change', async () => {
    const acu = client(sim);
    const before = (await acu.withSession(() => acu.get('Vendor', ['V000002'])))!;
    await new Promise((r) => setTimeout(r, 20));
    const same = await acu.withSession(() =>
      acu.put('Vendor', { VendorID: 'V000002', VendorName: before.VendorName }),
    );
    expect(same.LastModifiedDateTime).toBe(before.LastModifiedDateTime);
    const changed = await acu.withSession(() =>
      acu.put('Vendor', { VendorID: 'V000002', VendorName: 'Beacon Fasteners Ltd' }),
    );
    expect(Date.parse(String(changed.LastModifiedDateTime))).toBeGreaterThan(
      Date.parse(String(before.LastModifiedDateTime)),
    );
  });

  it('works under a virtual directory, whose path every _links member includes', async () => {
    const vdir = await startAcumaticaSim({ seed: 'demo', virtualDirectory: '/AcumaticaERP' });
    try {
      const acu = client(vdir as Sim, { url: `${vdir.url}/AcumaticaERP` });
      const vendors = await acu.withSession(() => acu.list('Vendor', {}));
      expect(vendors).toHaveLength(3);
      const links = vendors[0]?._links as Record<string, string>;
      expect(links.self).toBe(`/AcumaticaERP/entity/Default/24.200.001/Vendor/${vendors[0]?.id}`);
      expect(links['files:put']).toMatch(/^\/AcumaticaERP\/entity\/Default\/24\.200\.001\/files\//);
      // Outside the virtual directory there is no instance.
      expect((await fetch(`${vdir.url}/entity`)).status).toBe(404);
      expect(vdir.sim.auth.open).toBe(0);
    } finally {
      await vdir.close();
    }
  });

  it('fills NoteID with the record id where the contract has it', async () => {
    const rows = (await bearerGet('/entity/Default/24.200.001/Payment?$top=1')).body as Wire[];
    expect(rows[0]?.NoteID).toEqual({ value: rows[0]?.id });
    await exec('Vendor', { VendorID: 'V000001', MainContact: { Email: 'ap@alpha.example' } });
    const v = (await bearerGet('/entity/Default/24.200.001/Vendor/V000001?$expand=MainContact')).body as Wire;
    const contact = v.MainContact as Wire;
    expect(contact.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(contact.NoteID).toEqual({ value: contact.id });
    expect(contact.Email).toEqual({ value: 'ap@alpha.example' });
  });
});

describe('Acumatica licence request limits', () => {
  const hold = (ms: number) => () =>
    new Promise<{ status: number }>((r) => setTimeout(() => r({ status: 200 }), ms));

  it('queues requests above the concurrent limit and declines only past 20 waiting', async () => {
    const gate = new LicenceGate({ concurrentRequests: 1 });
    const answers = await Promise.all(Array.from({ length: 23 }, () => gate.admit(hold(5))));
    const statuses = answers.map((a) => a.status);
    // One runs, 20 wait their turn, the 22nd and 23rd find the queue full.
    expect(statuses.filter((s) => s === 200)).toHaveLength(21);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(gate.state().declined).toBe(2);
  });

  it('declines a queued request once it has waited past the queue timeout', async () => {
    const gate = new LicenceGate({ concurrentRequests: 1, queueTimeoutMs: 50 });
    const [first, second] = await Promise.all([gate.admit(hold(200)), gate.admit(hold(1))]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
  });

  it('delays requests once half of the per-minute limit is used, instead of rejecting them', async () => {
    const gate = new LicenceGate({ requestsPerMinute: 400 });
    const quick = await Promise.all(Array.from({ length: 200 }, () => gate.admit(hold(0))));
    expect(quick.every((a) => a.status === 200)).toBe(true);
    const started = Date.now();
    const next = await gate.admit(hold(0));
    // (time left in the minute ≈ 60 s) / (200 requests left) ≈ 300 ms.
    expect(next.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(gate.state().delayed).toBeGreaterThan(0);
  });

  it('lets sign-out through while the licence queue is full', async () => {
    const limited = await startAcumaticaSim({ seed: 'demo', concurrentRequests: 1, queueLimit: 0 });
    try {
      const acu = client(limited as Sim);
      await acu.signIn();
      expect(limited.sim.auth.open).toBe(1);
      // Another integration holds the only request slot.
      const busy = limited.sim.licence.admit(hold(300));
      const refused = await fetch(`${limited.url}/entity`);
      expect(refused.status).toBe(429);
      await acu.signOut();
      expect(limited.sim.auth.open).toBe(0);
      await busy;
    } finally {
      await limited.close();
    }
  });
});
