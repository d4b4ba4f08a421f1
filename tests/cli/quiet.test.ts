import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cli, tempDir } from './helpers.js';

/** The start of an ANSI colour sequence. */
const ESC = new RegExp(String.fromCharCode(27) + '\\[');

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('quiet when fine, one paragraph when not', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  const env = (): NodeJS.ProcessEnv => ({ HOME: tmp.dir, K: 'k' });
  beforeEach(async () => {
    tmp = tempDir();
    file = join(tmp.dir, 'mlc.yaml');
    const port = await closedPort();
    writeFileSync(
      file,
      stringify({
        state: 'state.sqlite',
        giveUpAfterSeconds: 2,
        connections: {
          odoo: { system: 'odoo', url: `http://127.0.0.1:${port}`, db: 'acme', login: 'bot', apiKey: '${K}' },
          sn: {
            system: 'servicenow',
            url: `http://127.0.0.1:${port}`,
            auth: { kind: 'basic', username: 'u', password: '${K}' },
          },
        },
        pairs: { 'acme-us': { type: 'odoo-servicenow', source: 'odoo', target: 'sn' } },
      }),
    );
  });
  afterEach(() => tmp.cleanup());

  it('an unreachable system: gives up within giveUpAfterSeconds, says so once on stderr, no retry lines', async () => {
    const started = Date.now();
    const r = await cli(['--config', file, 'sync', 'acme-us'], env());
    const took = Date.now() - started;
    expect(r.code).toBe(4);
    expect(took).toBeLessThan(6000);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/gave up after \d+ s: /);
    expect(r.stderr).toMatch(/next pass resumes/);
    expect(r.stderr).not.toMatch(/retry/i);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(4);
    // No colour codes when stdout is not a terminal.
    expect(r.stderr).not.toMatch(ESC);
  }, 20_000);

  it('retries show with -v', async () => {
    const r = await cli(['--config', file, 'sync', 'acme-us', '-v'], env());
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/retry/i);
  }, 20_000);

  it('colour only on a terminal, never with NO_COLOR or --no-color', async () => {
    const tty = await cli(['--config', file, 'sync', 'nope'], env(), { isTty: true });
    expect(tty.stderr).toMatch(ESC);
    const noColor = await cli(
      ['--config', file, 'sync', 'nope'],
      { ...env(), NO_COLOR: '1' },
      { isTty: true },
    );
    expect(noColor.stderr).not.toMatch(ESC);
    const flag = await cli(['--config', file, 'sync', 'nope', '--no-color'], env(), { isTty: true });
    expect(flag.stderr).not.toMatch(ESC);
    expect(flag.code).toBe(2);
  });
});
