import { join } from 'node:path';
import { startSimulators, writeSimConfig } from '../../src/commands/sim.js';
import { netSuiteServiceNowDemo } from '../../src/pairs/netsuite-servicenow/demo.js';
import { openRuntime } from '../../src/runtime.js';
import { silentLogger } from '../../src/systems/types.js';
import { TEST_MASTER_KEY, tempDir } from '../helpers/tmp.js';

/**
 * The netsuite-servicenow demo story, run the way `mlc demo` runs a pair's script: the simulators
 * with their demo seeds, a throw-away config and state, and the story checking itself.
 */
describe('netsuite-servicenow demo', () => {
  it('tells the two-subsidiary story: a bill fails on GL account 1410, is replayed once, and a rename crosses once', async () => {
    const tmp = tempDir('mlc-ns-demo-');
    const env = { MLC_MASTER_KEY: TEST_MASTER_KEY, MLC_HOME: join(tmp.dir, '.mlc') };
    const sims = await startSimulators({
      systems: netSuiteServiceNowDemo.systems,
      seed: 'demo',
      latencyMs: 0,
      odooVersion: 19,
    });
    try {
      const file = join(tmp.dir, 'mlc.yaml');
      writeSimConfig(file, sims, env, { 'netsuite-servicenow': netSuiteServiceNowDemo.extra });
      const rt = openRuntime(file, silentLogger, env);
      const story: string[] = [];
      try {
        const ok = await netSuiteServiceNowDemo.play(rt, (line) => story.push(line));
        const text = story.join('\n');
        expect(text).toMatch(
          /failed vendor_bills S2-VB1002: GL account 1410 "Vorausbezahlte Software" does not exist/,
        );
        expect(text).toMatch(/purchase orders in ServiceNow: S1-PO1001, S2-PO1001/);
        expect(text).toMatch(/NetSuite department 3 is now "Vertrieb DACH"/);
        expect(ok).toBe(true);
      } finally {
        rt.close();
      }
    } finally {
      await Promise.allSettled(sims.map((s) => s.running.close()));
      tmp.cleanup();
    }
  });
});
