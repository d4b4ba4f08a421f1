import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { finished, ROOT } from '../helpers/pair.js';
import { tempDir } from '../helpers/tmp.js';

/** `mlc demo servicetitan-odoo` as a newcomer runs it: the built CLI, a fresh folder, no config. */
describe('mlc demo servicetitan-odoo', () => {
  it('tells its story on the simulators and checks it: nothing moves twice, a forged post is refused, the new order arrives once by webhook, confirmed, and the next pass writes nothing', async () => {
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
      const step = (n: number): string =>
        story.slice(story.indexOf(`\n${n}. `), story.indexOf(`\n${n + 1}. `));
      expect(step(3)).toMatch(/a post signed with another key is refused: 401/);
      // The order reaches Odoo through the receiver, before any pass runs after it was created.
      const webhook = step(4);
      expect(webhook).toMatch(/purchase_orders +read +1 +written +1/);
      expect(webhook).toMatch(/arrived by webhook, no pass run: Odoo P\d{5}: purchase, 79\.96/);
      expect(webhook).toMatch(/Odoo holds 1 purchase order\(s\) for ServiceTitan \d+/);
      // The next pass reads it again and writes nothing; Odoo still holds exactly one.
      const pass = story.slice(story.indexOf('\n5. '));
      expect(pass).toMatch(/purchase_orders +read +1 +written +0/);
      expect(pass).toMatch(/Odoo still holds 1 purchase order\(s\) for ServiceTitan \d+/);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
