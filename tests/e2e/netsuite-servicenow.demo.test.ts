import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { finished, ROOT } from '../helpers/pair.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * `mlc demo netsuite-servicenow` as a newcomer runs it: the built CLI in a fresh process with the
 * simulators' demo seeds, a throw-away config and state, and the story checking itself.
 */
describe('netsuite-servicenow demo', () => {
  it('tells the two-subsidiary story: a bill fails on GL account 1410, is replayed once, and a rename crosses once', async () => {
    const tmp = tempDir('mlc-ns-demo-');
    try {
      const child = spawn(
        process.execPath,
        [join(ROOT, 'bin/mlc.js'), 'demo', 'netsuite-servicenow', '--json'],
        {
          cwd: tmp.dir,
          env: { PATH: process.env.PATH, HOME: tmp.dir },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const run = await finished(child);
      expect(run.code).toBe(0);
      const text = (JSON.parse(run.stdout) as { data: { story: string[] } }).data.story.join('\n');
      expect(text).toMatch(
        /failed vendor_bills S2-VB1002: GL account 1410 "Vorausbezahlte Software" does not exist/,
      );
      expect(text).toMatch(/purchase orders in ServiceNow: S1-PO1001, S2-PO1001/);
      expect(text).toMatch(/NetSuite department 3 is now "Vertrieb DACH"/);
      expect(text).toMatch(/The demo ran as described/);
    } finally {
      tmp.cleanup();
    }
  });
});
