import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { loadedPair, loadPairs, PAIR_NAMES } from '../../src/pairs/registry.js';
import { systemAdapter, SYSTEM_NAMES } from '../../src/systems/registry.js';
import { tempDir } from '../helpers/cli.js';

/**
 * A run loads only the systems and pairs its config names: a cron pass of one pair does not pay
 * for the modules of the others.
 */
describe('the registries', () => {
  it('a config load loads the systems and pairs it names, and no others', async () => {
    const tmp = tempDir();
    const file = join(tmp.dir, 'mlc.yaml');
    writeFileSync(
      file,
      stringify({
        version: 1,
        connections: {
          erp: {
            system: 'odoo',
            url: 'http://127.0.0.1:9',
            db: 'acme',
            login: 'bot',
            apiKey: 'secret:odoo.key',
          },
          snow: {
            system: 'servicenow',
            url: 'http://127.0.0.1:9',
            auth: { kind: 'oauth_client_credentials', clientId: 'id', clientSecret: 'secret:sn.secret' },
          },
        },
        pairs: { books: { type: 'odoo-servicenow', source: 'erp', target: 'snow' } },
      }),
    );
    const config = await loadConfig(file, {}).finally(() => tmp.cleanup());
    expect(Object.keys(config.pairs)).toEqual(['books']);
    expect(systemAdapter('odoo').system).toBe('odoo');
    expect(systemAdapter('servicenow').system).toBe('servicenow');
    expect(loadedPair('odoo-servicenow')?.name).toBe('odoo-servicenow');
    for (const other of SYSTEM_NAMES.filter((s) => s !== 'odoo' && s !== 'servicenow'))
      expect(() => systemAdapter(other)).toThrow(`system ${other} used before it was loaded`);
    for (const other of PAIR_NAMES.filter((p) => p !== 'odoo-servicenow'))
      expect(() => loadedPair(other)).toThrow(`pair ${other} used before it was loaded`);
  });

  it('every listed pair loads, under its own name, with systems that exist', async () => {
    const all = await loadPairs();
    expect(all.map((p) => p.name)).toEqual(PAIR_NAMES);
    for (const p of all) {
      expect(SYSTEM_NAMES).toContain(p.systems.source);
      expect(SYSTEM_NAMES).toContain(p.systems.target);
    }
    expect(loadedPair('no-such-pair')).toBeUndefined();
  });
});
