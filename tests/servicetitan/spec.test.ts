import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  findOperation,
  validateBody,
  validateQuery,
  validateResponse,
  type Operation,
} from '../../src/sim/servicetitan/spec.js';
import { ST_ENTITIES, type StEntityName } from '../../src/systems/servicetitan/index.js';
import { client, collect, control, raw, startSim, token, WINDOW_ALL, type Sim } from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

function op(module: string, method: string, path: string): Operation {
  const found = findOperation(module, method, path);
  if (!found || 'methodMismatch' in found) throw new Error(`no operation ${method} ${module} ${path}`);
  return found.op;
}

describe('ServiceTitan OpenAPI conformance', () => {
  it('every list and export answer the client reads validates against the vendor documents, checked here independently', async () => {
    const t = await token(sim, 0);
    for (const name of Object.keys(ST_ENTITIES) as StEntityName[]) {
      const e = ST_ENTITIES[name];
      for (const path of [e.list, ...(e.export ? [e.export] : [])]) {
        const query =
          path === 'customers/contacts'
            ? '?modifiedBefore=2030-01-01T00:00:00Z&includeTotal=true'
            : '?includeTotal=true&active=Any';
        const q = path.startsWith('export/') ? '' : query;
        const res = await raw(sim, 'GET', `/${e.module}/v2/tenant/1000001/${path}${q}`, { token: t });
        expect([path, res.status]).toEqual([path, 200]);
        const problems = validateResponse(op(e.module, 'GET', `/tenant/1000001/${path}`), 200, res.body);
        expect([path, problems]).toEqual([path, []]);
        const data = Array.isArray(res.body) ? res.body : (res.body as { data: unknown[] }).data;
        expect([path, data.length > 0]).toEqual([path, true]);
      }
    }
  });

  it('every query the client sends binds to the documented parameters and every body it writes validates', async () => {
    const st = client(sim, 0);
    for (const name of Object.keys(ST_ENTITIES) as StEntityName[])
      await collect(st.readChanged(name, { window: WINDOW_ALL }));
    await st.getByIds('vendors', [1, 2]);
    await st.getByIds('customers', [1, 2]);
    const invoices = (await control(sim, 'state?name=invoices:1000001', undefined, 'GET')) as Array<{
      id: number;
    }>;
    const types = (await control(sim, 'state?name=payment_types:1000001', undefined, 'GET')) as Array<{
      id: number;
    }>;
    await st.createPayment({
      typeId: types[0]?.id as number,
      exportId: 'spec-1',
      paidOn: '2026-11-20T00:00:00Z',
      splits: [{ invoiceId: invoices[0]?.id as number, amount: '1.00' }],
    });
    await st.markInvoicesExported([{ invoiceId: invoices[0]?.id as number, externalId: 'X' }]);
    // The simulator answers 400 to a query or body that does not bind, and 500 to an answer that does
    // not conform: the reads and writes above succeeded, so neither happened. The bodies are checked here again.
    expect(sim.sim.nonConforming).toEqual([]);
    for (const w of sim.sim.writes) {
      const o =
        w.operationId === 'Payments_Create'
          ? op('accounting', 'POST', '/tenant/1000001/payments')
          : op('accounting', 'POST', '/tenant/1000001/invoices/markasexported');
      expect(validateBody(o, w.body)).toBeUndefined();
    }
    await st.close();
  });

  it('refuses a query that does not bind and a body that does not match, with an ApiErrorResponse naming the field', async () => {
    const t = await token(sim, 0);
    const badDate = await raw(
      sim,
      'GET',
      '/crm/v2/tenant/1000001/customers?modifiedOnOrAfter=yesterday&page=x',
      { token: t },
    );
    expect(badDate.status).toBe(400);
    expect(badDate.body).toMatchObject({
      status: 400,
      title: 'One or more validation errors occurred.',
      errors: { modifiedOnOrAfter: [expect.any(String)], page: [expect.any(String)] },
    });
    expect(validateResponse(op('crm', 'GET', '/tenant/1000001/customers'), 400, badDate.body)).toEqual([]);
    const badActive = await raw(sim, 'GET', '/crm/v2/tenant/1000001/customers?active=Maybe', { token: t });
    expect(badActive.status).toBe(400);
    const badBody = await raw(sim, 'POST', '/accounting/v2/tenant/1000001/payments', {
      token: t,
      body: { amount: 'ten', splits: [{ invoiceId: 'x' }], extra: 1 },
    });
    expect(badBody.status).toBe(400);
    const errors = (badBody.body as { errors: Record<string, string[]> }).errors;
    expect(Object.keys(errors).sort()).toEqual(['$', 'amount', 'splits[0].invoiceId', 'typeId']);
    expect(errors.typeId).toEqual(['The typeId field is required.']);
    expect(errors.amount).toBeDefined();
    const notJson = await raw(sim, 'POST', '/accounting/v2/tenant/1000001/payments', {
      token: t,
      body: '{"typeId":',
    });
    expect(notJson.status).toBe(400);
  });

  it('the response check catches an answer that breaks the model, and the simulator will not send one', async () => {
    const customers = op('crm', 'GET', '/tenant/1000001/customers');
    const good = { page: 1, pageSize: 50, hasMore: false, totalCount: null, data: [] };
    expect(validateResponse(customers, 200, good)).toEqual([]);
    expect(validateResponse(customers, 200, { ...good, totalCount: undefined, hasMore: 'no' })).not.toEqual(
      [],
    );
    expect(validateResponse(customers, 200, { ...good, data: [{ id: 1, name: 'x' }] }).join(' ')).toMatch(
      /required/,
    );
    // Corrupt a stored row: the simulator answers 500 naming the model instead of a non-conforming page.
    const row = sim.sim.store.table('1000002', 'customers').values().next().value as Record<string, unknown>;
    const name = row.name;
    row.name = 42;
    const t = await token(sim, 1);
    const res = await raw(sim, 'GET', '/crm/v2/tenant/1000002/customers', { token: t });
    row.name = name;
    expect(res.status).toBe(500);
    expect(res.text).toMatch(/does not match the OpenAPI model of Customers_GetList/);
    expect(sim.sim.nonConforming.length).toBe(1);
    sim.sim.nonConforming.length = 0;
  });

  it('answers an unknown path 404 and a documented path with the wrong method 405', async () => {
    const t = await token(sim, 0);
    expect((await raw(sim, 'GET', '/crm/v2/tenant/1000001/no-such-thing', { token: t })).status).toBe(404);
    expect((await raw(sim, 'DELETE', '/crm/v2/tenant/1000001/customers', { token: t })).status).toBe(405);
    expect(
      validateQuery(
        op('crm', 'GET', '/tenant/1/customers'),
        new URLSearchParams('sort=%2BModifiedOn&active=Any'),
      ),
    ).toBeUndefined();
  });
});
