import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from './helpers.js';

const ROOT = resolve(import.meta.dirname ?? '.', '../..');

/**
 * Installed like a tool: `npm install -g .` from the clone puts `mlc` on the PATH, and it runs from
 * any folder (no npx, so no package of the same name on the public registry can stand in for it).
 */
describe('global install', () => {
  it('npm install -g . gives an mlc that runs outside the clone', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      bin: Record<string, string>;
    };
    // The name is not the public registry's unrelated `mlc`; the command is.
    expect(pkg.name).toBe('ml-connector');
    expect(pkg.bin).toEqual({ mlc: 'bin/mlc.js' });
    if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('run npm run build first');
    const tmp = tempDir('mlc-install-');
    try {
      const prefix = join(tmp.dir, 'prefix');
      execFileSync(
        'npm',
        [
          'install',
          '-g',
          '.',
          '--prefix',
          prefix,
          '--offline',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
        ],
        {
          cwd: ROOT,
          stdio: 'pipe',
        },
      );
      const mlc = join(prefix, 'bin', 'mlc');
      const out = execFileSync(mlc, ['--version'], { cwd: tmp.dir, encoding: 'utf8' });
      expect(out.trim()).toBe(pkg.version);
      let code = 0;
      let stderr = '';
      try {
        execFileSync(mlc, ['status'], {
          cwd: tmp.dir,
          encoding: 'utf8',
          stdio: 'pipe',
          env: { PATH: process.env.PATH },
        });
      } catch (err) {
        code = (err as { status: number }).status;
        stderr = String((err as { stderr: string }).stderr);
      }
      expect(code).toBe(2);
      expect(stderr).toContain(`${join(tmp.dir, 'mlc.yaml')} does not exist`);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
