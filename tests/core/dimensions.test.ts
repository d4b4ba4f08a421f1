import { LazyDimensions } from '../../src/sync/dimensions.js';
import { serviceNowKey } from '../../src/systems/servicenow/keys.js';

describe('dimension sets compare keys the way their target system does', () => {
  const loaders = { cost_center: async () => new Map([['CC-100', 'sys-1']]) };

  it('exactly by default (Odoo, Salesforce: a code in another case is another record)', async () => {
    const dims = new LazyDimensions(loaders);
    expect(await dims.has('cost_center', 'CC-100')).toBe(true);
    expect(await dims.has('cost_center', ' CC-100 ')).toBe(true);
    expect(await dims.has('cost_center', 'cc-100')).toBe(false);
  });

  it('without regard to case for ServiceNow, whose coalesce and reference look-ups ignore it', async () => {
    const dims = new LazyDimensions(loaders, serviceNowKey);
    expect(await dims.get('cost_center', 'cc-100')).toBe('sys-1');
    dims.add('cost_center', 'CC-200', 'sys-2');
    expect(await dims.get('cost_center', 'Cc-200')).toBe('sys-2');
  });

  it('counts a dimension added before its set was loaded', async () => {
    const dims = new LazyDimensions(loaders);
    dims.add('cost_center', 'CC-300', 'sys-3');
    expect(await dims.get('cost_center', 'CC-300')).toBe('sys-3');
    expect(await dims.get('cost_center', 'CC-100')).toBe('sys-1');
  });
});
