import { startSimulators } from '../../src/commands/sim.js';

/** `mlc sim --without-staging`: a ServiceNow simulator as a fresh instance, before `mlc setup servicenow`. */
describe('mlc sim --without-staging', () => {
  it('starts ServiceNow with no S2P staging table or transform map, and with them when not asked', async () => {
    for (const withoutStaging of [true, false]) {
      const [sn] = await startSimulators({
        systems: ['servicenow'],
        seed: 'demo',
        latencyMs: 0,
        odooVersion: 19,
        withoutStaging,
      });
      try {
        const url = sn!.running.url;
        const maps = (await (await fetch(`${url}/_sim/state?name=sys_transform_map`)).json()) as unknown[];
        const tables = (await (await fetch(`${url}/_sim/state?name=sys_db_object`)).json()) as Array<{
          name: string;
        }>;
        const staging = tables.some((t) => t.name === 'sn_fcms_intg_imp_order');
        expect({ maps: maps.length > 0, staging }).toEqual(
          withoutStaging ? { maps: false, staging: false } : { maps: true, staging: true },
        );
      } finally {
        await sn!.running.close();
      }
    }
  });
});
