import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { finished, ROOT } from '../helpers/pair.js';
import { tempDir } from '../helpers/tmp.js';

/** `mlc demo servicetitan-odoo` as a newcomer runs it: the built CLI, a fresh folder, no config. */
describe('mlc demo servicetitan-odoo', () => {
  it('tells its story on the simulators and checks it: nothing moves twice, the new order arrives once, confirmed', async () => {
    const tmp = tempDir('mlc-demo-');
    try {
      const child = spawn(
        process.execPath,
        [join(ROOT, 'bin/mlc.js'), 'demo', 'servicetitan-odoo', '--json'],
        {
          cwd: tmp.dir,
          env: { PATH: process.env.PATH, HOME: tmp.dir },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const run = await finished(child);
      expect(run.code).toBe(0);
      const data = (JSON.parse(run.stdout) as { data: { ok: boolean; story: string[] } }).data;
      expect(data.ok).toBe(true);
      const story = data.story.join('\n');
      expect(story).toMatch(/purchase_orders +read +1 +written +1/);
      expect(story).toMatch(/Odoo P\d{5}: purchase, 79\.96/);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
