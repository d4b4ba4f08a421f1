import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { finished, ROOT } from '../helpers/pair.js';
import { tempDir } from '../helpers/tmp.js';

/** `mlc demo odoo-salesforce` as a newcomer runs it: the built CLI, no config, no state. */
test('mlc demo odoo-salesforce: the order lands whole and activated, and the second pass moves nothing', async () => {
  const tmp = tempDir('mlc-demo-');
  try {
    const run = await finished(
      spawn(process.execPath, [join(ROOT, 'bin/mlc.js'), 'demo', 'odoo-salesforce'], {
        cwd: tmp.dir,
        env: { PATH: process.env.PATH, HOME: tmp.dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/orders\s+read\s+1\s+written\s+1/);
    expect(run.stdout).toMatch(/Order sale\.order:1: Activated, 1 order product\(s\), total 900/);
  } finally {
    tmp.cleanup();
  }
});
