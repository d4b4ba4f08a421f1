import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { startAcumaticaSim } from '../../src/sim/acumatica/index.js';
import { RecordError } from '../../src/errors.js';
import { client, control, type Sim } from './helpers.js';

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
});

type Wire = Record<string, unknown>;

async function exec(entity: string, record: Record<string, unknown>): Promise<Wire> {
  return (await control(sim, 'exec', { entity, record })) as Wire;
}

async function bearer(): Promise<string> {
  const c = sim.credentials;
  const res = await fetch(`${sim.url}/identity/connect/token`, {
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
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function logout(token: string): Promise<void> {
  await fetch(`${sim.url}/entity/auth/logout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
}

function poLines(po: Wire): Wire[] {
  return (po.Details as Wire[]) ?? [];
}

describe('Acumatica records', () => {
  it('unwraps {value} objects on read and omits Details unless expanded', async () => {
    const acu = client(sim);
    await acu.withSession(async () => {
      const plain = await acu.list('PurchaseOrder', {});
      expect(plain.length).toBeGreaterThanOrEqual(3);
      expect(plain[0]?.Details).toBeUndefined();
      expect(plain[0]?.VendorID).toBe('V000001');
      expect(plain[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(plain[0]?.LastModifiedDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?\+00:00$/);

      const expanded = await acu.list('PurchaseOrder', { expand: ['Details'] });
      const lines = expanded[0]?.Details as Array<Record<string, unknown>>;
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines[0]).toMatchObject({
        InventoryID: expect.any(String),
        OrderQty: expect.any(Number),
        Account: expect.any(String),
        Subaccount: expect.any(String),
      });

      const bills = await acu.list('Bill', { expand: ['Details'] });
      const repair = bills.find((b) =>
        (b.Details as Array<Record<string, unknown>>).some((l) => l.Account === '64000'),
      );
      expect(repair).toBeDefined();
      const check = await acu.list('Check', {});
      expect(check.every((c) => typeof c.Vendor === 'string')).toBe(true);
      const ar = await acu.list('Payment', {});
      expect(ar[0]?.CustomerID).toBe('C000001');

      // Empty fields come as {} on the wire and null after unwrapping.
      expect(plain[0]?.Project).toBeNull();
    });
  });

  it('reads every record of a LastModifiedDateTime window across $top/$skip pages, also rows that share one timestamp', async () => {
    await control(sim, 'seed', { seed: 'volume:40' });
    const acu = client(sim, { pageSize: 7 });
    const state = sim.sim.state('PurchaseOrder') as Wire[];
    const stamps = state.map((r) => (r.LastModifiedDateTime as { value: string }).value);
    expect(new Set(stamps).size).toBeLessThan(stamps.length);
    const until = new Date(Date.now() + 1000);
    const since = new Date(Date.parse(stamps.sort()[5] as string));
    const expected = state
      .filter((r) => Date.parse((r.LastModifiedDateTime as { value: string }).value) >= since.getTime())
      .map((r) => r.id);
    const seen: string[] = [];
    let pages = 0;
    await acu.withSession(async () => {
      for await (const page of acu.readChanged('PurchaseOrder', {
        window: { since, until },
        expand: ['Details'],
      })) {
        pages += 1;
        for (const row of page) {
          seen.push(row.id);
          expect((row.Details as unknown[]).length).toBe(5);
        }
      }
    });
    expect(pages).toBeGreaterThan(3);
    expect(seen.sort()).toEqual([...expected].sort());
    // $skip and $top went over the wire.
    const filtered = sim.stats.byRoute['GET /entity/Default/24.200.001/PurchaseOrder'];
    expect(filtered).toBeGreaterThan(3);
  });

  it('excludes records modified at or after the window end, and reads them in the next window', async () => {
    const acu = client(sim);
    const until = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await exec('Vendor', { VendorID: 'V000004', VendorName: 'Delta Paint' });
    const ids = async (since: Date | null, end: Date): Promise<string[]> => {
      const out: string[] = [];
      for await (const page of acu.readChanged('Vendor', { window: { since, until: end } }))
        out.push(...page.map((r) => String(r.VendorID)));
      return out;
    };
    await acu.withSession(async () => {
      expect(await ids(null, until)).toEqual(['V000001', 'V000002', 'V000003']);
      expect(await ids(until, new Date(Date.now() + 1000))).toEqual(['V000004']);
    });
  });

  it('reads the whole window again when a row is edited between pages, so no unchanged row is skipped', async () => {
    await control(sim, 'seed', { seed: 'volume:20' });
    const acu = client(sim, { pageSize: 4 });
    const all = (sim.sim.state('PurchaseOrder') as Wire[]).map((r) => r.id as string);
    const until = new Date(Date.now() - 1);
    const seen: string[] = [];
    let edited = false;
    await acu.withSession(async () => {
      for await (const page of acu.readChanged('PurchaseOrder', { window: { since: null, until } })) {
        seen.push(...page.map((r) => r.id));
        if (!edited) {
          edited = true;
          // A user edits the first PO: it leaves the window and every later offset shifts by one.
          await exec('PurchaseOrder', { id: page[0]?.id, Description: 'edited during the read' });
        }
      }
    });
    const editedId = all[0] as string;
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([...all].sort());
    expect(seen).toContain(editedId);
  });

  it('rejects $orderby as the contract-based API does', async () => {
    const token = await bearer();
    const res = await fetch(`${sim.url}/entity/Default/24.200.001/Vendor?$orderby=VendorID&$top=10`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { exceptionMessage: string }).exceptionMessage).toContain('$orderby');
    const acu = client(sim);
    const err = await acu
      .withSession(() => acu.list('Vendor', { filter: 'NoSuchField eq 1' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    await logout(token);
  });

  it('upsertByRef twice makes one purchase order with no duplicated detail lines', async () => {
    const acu = client(sim);
    const po = {
      Type: 'Normal',
      VendorID: 'V000002',
      VendorRef: 'REQ0010042',
      Description: 'ServiceNow REQ0010042',
      Branch: 'HQ',
      Hold: false,
      Date: new Date('2025-03-02T00:00:00Z'),
      Details: [
        {
          InventoryID: 'CONSULTING',
          LineDescription: 'Laptop setup',
          OrderQty: 2,
          UnitCost: 150,
          Account: '61000',
          Subaccount: '200-000',
        },
        {
          InventoryID: 'LAPTOP',
          LineDescription: 'Laptop',
          OrderQty: 1,
          UnitCost: 1150,
          Account: '61000',
          Subaccount: '200-000',
        },
      ],
    };
    await acu.withSession(async () => {
      const first = await acu.upsertByRef('PurchaseOrder', 'VendorRef', 'REQ0010042', po, {
        detailKey: 'LineDescription',
      });
      const second = await acu.upsertByRef(
        'PurchaseOrder',
        'VendorRef',
        'REQ0010042',
        { ...po, Details: [{ ...po.Details[0], OrderQty: 3 }, po.Details[1]] },
        { detailKey: 'LineDescription' },
      );
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.row.id).toBe(first.row.id);
      expect(second.row.OrderNbr).toBe(first.row.OrderNbr);
      expect(first.row.OrderNbr).toMatch(/^PO\d{6}$/);
      const lines = second.row.Details as Array<Record<string, unknown>>;
      expect(lines).toHaveLength(2);
      expect(lines.find((l) => l.LineDescription === 'Laptop setup')?.OrderQty).toBe(3);
      expect(second.row.OrderTotal).toBe(3 * 150 + 1150);
    });
    const stored = (sim.sim.state('PurchaseOrder') as Wire[]).filter(
      (r) => (r.VendorRef as { value?: string }).value === 'REQ0010042',
    );
    expect(stored).toHaveLength(1);
    expect(poLines(stored[0] as Wire)).toHaveLength(2);
  });

  it('duplicates id-less detail lines when the same document is PUT twice, as the real server does', async () => {
    const acu = client(sim);
    await acu.withSession(async () => {
      const created = await acu.put(
        'PurchaseOrder',
        {
          Type: 'Normal',
          VendorID: 'V000001',
          VendorRef: 'DUP-1',
          Details: [
            {
              InventoryID: 'LUMBER2X4',
              OrderQty: 10,
              UnitCost: 4.25,
              Account: '50000',
              Subaccount: '300-000',
            },
          ],
        },
        { expand: ['Details'] },
      );
      const again = await acu.put(
        'PurchaseOrder',
        {
          Type: 'Normal',
          OrderNbr: created.OrderNbr,
          VendorID: 'V000001',
          VendorRef: 'DUP-1',
          Details: [
            {
              InventoryID: 'LUMBER2X4',
              OrderQty: 10,
              UnitCost: 4.25,
              Account: '50000',
              Subaccount: '300-000',
            },
          ],
        },
        { expand: ['Details'] },
      );
      expect(again.id).toBe(created.id);
      expect(again.Details as unknown[]).toHaveLength(2);
      // A PUT without keys inserts a second document (auto-numbered).
      const third = await acu.put('PurchaseOrder', {
        Type: 'Normal',
        VendorID: 'V000001',
        VendorRef: 'DUP-1',
      });
      expect(third.id).not.toBe(created.id);
    });
  });

  it('removes a detail line sent with delete: true', async () => {
    const acu = client(sim);
    await acu.withSession(async () => {
      const [po] = await acu.list('PurchaseOrder', { expand: ['Details'], filter: "OrderNbr eq 'PO000002'" });
      const lines = po?.Details as Array<Record<string, unknown>>;
      expect(lines).toHaveLength(3);
      const after = await acu.put(
        'PurchaseOrder',
        { id: po?.id, Details: [{ id: lines[0]?.id, delete: true }] },
        { expand: ['Details'] },
      );
      expect(after.Details as unknown[]).toHaveLength(2);
    });
  });

  it('turns a 422 with field-level errors into a RecordError that names the fields', async () => {
    const acu = client(sim);
    await acu.withSession(async () => {
      const missing = await acu
        .put('PurchaseOrder', { Type: 'Normal', Details: [{ InventoryID: 'X', OrderQty: 1, UnitCost: 1 }] })
        .catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(RecordError);
      expect((missing as RecordError).code).toBe('acumatica.validation');
      expect((missing as Error).message).toContain("VendorID: 'Vendor' cannot be empty.");

      const badAccount = await acu
        .put('Bill', {
          Type: 'Bill',
          Vendor: 'V000001',
          VendorRef: 'INV-9',
          Details: [{ Account: '99999', Subaccount: '000-000', Qty: 1, UnitCost: 10 }],
        })
        .catch((e: unknown) => e);
      expect(badAccount).toBeInstanceOf(RecordError);
      expect((badAccount as Error).message).toContain(
        "Details[1].Account: Account '99999' cannot be found in the system.",
      );
      expect((badAccount as RecordError).data?.fieldErrors).toEqual(
        expect.arrayContaining([
          { field: 'Details[1].Account', error: "Account '99999' cannot be found in the system." },
        ]),
      );
    });
    // Nothing was saved.
    expect(
      (sim.sim.state('Bill') as Wire[]).some((b) => (b.VendorRef as { value?: string }).value === 'INV-9'),
    ).toBe(false);
  });

  it('refuses an unwrapped body with 400 as the OpenAPI schema requires', async () => {
    const token = { access_token: await bearer() };
    const res = await fetch(`${sim.url}/entity/Default/24.200.001/PurchaseOrder`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token}` },
      body: JSON.stringify({ VendorID: 'V000001', Details: [{ OrderQty: { value: 'two' } }] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { modelState: Record<string, string[]> };
    expect(Object.keys(body.modelState)).toEqual(
      expect.arrayContaining(['entity.VendorID', 'entity.Details[0].OrderQty.value']),
    );
    await logout(token.access_token);
  });

  it('honours Retry-After on 429 and retries lock conflicts as transient', async () => {
    await control(sim, 'faults', {
      rules: [
        { kind: 'rate_limit', match: '^GET /entity/Default/24.200.001/Vendor$', retryAfter: 1, times: 1 },
        { kind: 'lock_conflict', match: '^PUT /entity/Default/24.200.001/Vendor$', times: 1 },
      ],
    });
    const retries: Array<{ code: string; delayMs: number }> = [];
    const logging = client(
      sim,
      {},
      {
        log: {
          debug: (m, d) => {
            if (m.includes('retrying')) retries.push({ code: String(d?.code), delayMs: Number(d?.delayMs) });
          },
          info() {},
          warn() {},
        },
      },
    );
    await logging.withSession(async () => {
      const rows = await logging.list('Vendor', {});
      expect(rows).toHaveLength(3);
      const saved = await logging.put('Vendor', { VendorID: 'V000001', VendorName: 'Alpha Lumber Co.' });
      expect(saved.VendorName).toBe('Alpha Lumber Co.');
    });
    expect(retries[0]?.code).toBe('acumatica.rate_limited');
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(1000);
    expect(retries[1]?.code).toBe('acumatica.lock_conflict');
  });

  it('sends PUT bodies that validate against the Default 24.200.001 OpenAPI schema', async () => {
    const acu = client(sim);
    await acu.withSession(async () => {
      await acu.upsertByRef('PurchaseOrder', 'VendorRef', 'REQ-77', {
        Type: 'Normal',
        VendorID: 'V000003',
        VendorRef: 'REQ-77',
        Hold: false,
        Date: new Date('2025-03-05T00:00:00Z'),
        note: 'from ServiceNow',
        Details: [
          {
            InventoryID: 'DRILL-18V',
            LineDescription: 'Drill',
            OrderQty: 1,
            UnitCost: 129,
            Account: '64000',
            Subaccount: '100-000',
          },
        ],
      });
      await acu.upsertByRef('PurchaseOrder', 'VendorRef', 'REQ-77', {
        Type: 'Normal',
        VendorID: 'V000003',
        VendorRef: 'REQ-77',
        Hold: false,
        Details: [
          {
            InventoryID: 'DRILL-18V',
            LineDescription: 'Drill',
            OrderQty: 2,
            UnitCost: 129,
            Account: '64000',
            Subaccount: '100-000',
          },
        ],
      });
      await acu.put('Bill', {
        Type: 'Bill',
        Vendor: 'V000001',
        VendorRef: 'INV-1',
        Details: [
          { Account: '60000', Subaccount: '000-000', Qty: 1, UnitCost: 5, TransactionDescription: 'x' },
        ],
      });
    });
    const text = readFileSync('/work/shared/specs/acumatica/Default_24.200.001.openapi.json', 'utf8').replace(
      /^\uFEFF/,
      '',
    );
    const spec = JSON.parse(text) as { components: unknown };
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateSchema: false,
      formats: {
        uuid: true,
        'date-time': true,
        int32: true,
        int64: true,
        double: true,
        uri: true,
        byte: true,
        float: true,
      },
    });
    ajv.addSchema({ $id: 'spec', components: spec.components });
    const puts = sim.sim.state('puts') as Array<{ entity: string; body: unknown }>;
    expect(puts.length).toBe(3);
    for (const put of puts) {
      const validate = ajv.compile({ $ref: `spec#/components/schemas/${put.entity}` });
      expect({ entity: put.entity, valid: validate(put.body), errors: validate.errors ?? null }).toEqual({
        entity: put.entity,
        valid: true,
        errors: null,
      });
      // Every field is a value object.
      const body = put.body as Record<string, unknown>;
      for (const [k, v] of Object.entries(body)) {
        if (k === 'id' || k === 'Details') continue;
        expect(Object.keys(v as object)).toEqual(['value']);
      }
    }
    const second = puts[1]?.body as { id?: string; Details: Array<{ id?: string }> };
    expect(typeof second.id).toBe('string');
    expect(typeof second.Details[0]?.id).toBe('string');
  });
});
