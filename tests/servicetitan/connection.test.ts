import { describe, expect, it } from '@jest/globals';
import { loadSystems, systemAdapter } from '../../src/systems/registry.js';
import {
  fromSourceId,
  serviceTitanConnectionSchema,
  serviceTitanHosts,
  toSourceRecord,
} from '../../src/systems/servicetitan/index.js';

const base = {
  system: 'servicetitan',
  tenantId: 1000001,
  clientId: 'cid.abc',
  clientSecret: 'secret:st.client_secret',
  appKey: 'secret:st.app_key',
};

describe('ServiceTitan connection', () => {
  it('is a registered system whose secrets are the client secret and the app key', async () => {
    await loadSystems(['servicetitan']);
    expect(systemAdapter('servicetitan').secretFields).toEqual(['clientSecret', 'appKey']);
  });

  it('reads the tenant id as a numeric string and picks the environment hosts', () => {
    const parsed = serviceTitanConnectionSchema.parse(base);
    expect(parsed.tenantId).toBe('1000001');
    expect(parsed.environment).toBe('production');
    expect(serviceTitanHosts(parsed)).toEqual({
      api: 'https://api.servicetitan.io',
      auth: 'https://auth.servicetitan.io',
    });
    expect(serviceTitanHosts({ environment: 'integration' })).toEqual({
      api: 'https://api-integration.servicetitan.io',
      auth: 'https://auth-integration.servicetitan.io',
    });
    expect(serviceTitanHosts({ url: 'http://127.0.0.1:9/' })).toEqual({
      api: 'http://127.0.0.1:9',
      auth: 'http://127.0.0.1:9',
    });
  });

  it('refuses a non-numeric tenant, a page size over 5000, a budget over 60 and unknown keys with clear messages', () => {
    const bad = serviceTitanConnectionSchema.safeParse({
      ...base,
      tenantId: 'acme',
      pageSize: 6000,
      requestsPerSecond: 100,
      tennant: 1,
    });
    expect(bad.success).toBe(false);
    const text = JSON.stringify(bad.error?.issues);
    expect(text).toMatch(/numeric tenant id/);
    expect(text).toMatch(/pageSize/);
    expect(text).toMatch(/requestsPerSecond/);
    expect(text).toMatch(/tennant/);
  });

  it('keeps tenants apart in source ids', () => {
    const rec = toSourceRecord('1000001', 'customers', {
      id: 42,
      name: 'Jane',
      modifiedOn: '2026-11-30T10:00:00.123Z',
    });
    expect(rec).toMatchObject({ id: '1000001/42', modified: '2026-11-30T10:00:00.123Z', label: 'Jane' });
    expect(fromSourceId('1000001', rec.id)).toBe(42);
    expect(() => fromSourceId('1000002', rec.id)).toThrow(/not a record id of ServiceTitan tenant 1000002/);
  });
});
