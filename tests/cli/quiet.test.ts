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
          odoo: {
            system: 'odoo',
            url: `http://127.0.0.1:${port}`,
            db: 'acme',
            login: 'bot',
            apiKey: '${K}',
            // Without the give-up bound these retries alone would take about ten seconds.
            retry: { attempts: 20, baseDelayMs: 500, maxDelayMs: 1000 },
          },
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
    expect(took).toBeLessThan(5500);
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

describe('the give-up budget', () => {
  it('starts at the first failure, resets on a good answer, and leaves later calls the rest', async () => {
    const { giveUpBudget } = await import('../../src/runtime.js');
    let t = 1000;
    const b = giveUpBudget(10_000, { attempts: 3, maxTotalMs: 60_000 }, () => t);
    expect(b.policy.maxTotalMs).toBe(10_000);
    expect(b.policy.attempts).toBe(3);
    b.observe('network');
    t += 4000;
    expect(b.policy.maxTotalMs).toBe(6000);
    b.observe(503);
    t += 7000;
    expect(b.policy.maxTotalMs).toBe(0);
    b.observe(200);
    expect(b.policy.maxTotalMs).toBe(10_000);
    b.observe(429);
    t += 1000;
    expect(b.policy.maxTotalMs).toBe(9000);
    // A connection's own smaller bound wins.
    expect(giveUpBudget(10_000, { maxTotalMs: 3000 }).policy.maxTotalMs).toBe(3000);
    // The retry wrapper reads the policy's entries: the bound must be one of them.
    expect(Object.entries(b.policy)).toContainEqual(['maxTotalMs', 9000]);
  });
});
