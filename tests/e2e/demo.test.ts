import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { finished, ROOT } from '../helpers/pair.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * `mlc demo` as a newcomer runs it: the built CLI in a fresh process, no config, no master key, no
 * state. The demo checks its own story (the failure, the replay, no duplicate) and exits 1 when any
 * step did not happen as told.
 */
async function demo(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string; story: string[] }> {
  const tmp = tempDir('mlc-demo-');
  try {
    const child = spawn(process.execPath, [join(ROOT, 'bin/mlc.js'), 'demo', ...args], {
      cwd: tmp.dir,
      env: { PATH: process.env.PATH, HOME: tmp.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = await finished(child);
    const story =
      args.includes('--json') && run.code === 0
        ? (JSON.parse(run.stdout) as { data: { ok: boolean; story: string[] } }).data.story
        : run.stdout.split('\n');
    return { code: run.code, stdout: run.stdout, stderr: run.stderr, story };
  } finally {
    tmp.cleanup();
  }
}

describe('mlc demo', () => {
  it('odoo-servicenow: a bill fails on a missing GL account, is replayed once, and the story checks out', async () => {
    const r = await demo('--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).data.ok).toBe(true);
    const text = r.story.join('\n');
    expect(text).toMatch(
      /failed vendor_bills BILL\/2026\/0004: GL account 630000 "Freight In" does not exist/,
    );
    expect(text).toMatch(/written BILL\/2026\/0004/);
    expect(text).toMatch(/replayed once more: unchanged/);
    expect(text).toMatch(/ServiceNow now holds 1 invoice BILL\/2026\/0004/);
  });

  it('acumatica-servicenow: the bill replays and each approved request becomes one Acumatica PO', async () => {
    const r = await demo('acumatica-servicenow', '--json');
    expect(r.code).toBe(0);
    const text = r.story.join('\n');
    expect(text).toMatch(/failed bills Bill \d+: GL account 17100 "Warehouse Equipment" does not exist/);
    expect(text).toMatch(/REQ0010001: 1 Acumatica purchase order\(s\)/);
    expect(text).toMatch(/REQ0010002: 1 Acumatica purchase order\(s\)/);
  });

  it('names the pairs it knows when asked for another', async () => {
    const r = await demo('no-such-pair');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/odoo-servicenow/);
    expect(r.stderr).toMatch(/acumatica-servicenow/);
  });
});

describe('mlc sim --write-config', () => {
  it('writes a config that ping and sync --all use as they are, for every pair', async () => {
    const tmp = tempDir('mlc-sim-');
    const env = { PATH: process.env.PATH, HOME: tmp.dir };
    const mlc = (...args: string[]) =>
      spawn(process.execPath, [join(ROOT, 'bin/mlc.js'), ...args], {
        cwd: tmp.dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const sim = mlc('sim', '--systems', 'odoo,servicenow,acumatica', '--write-config', 'mlc.yaml', '--json');
    try {
      const line = await new Promise<string>((resolveLine, reject) => {
        let buf = '';
        sim.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) resolveLine(buf.slice(0, buf.indexOf('\n')));
        });
        sim.on('exit', (code) => reject(new Error(`mlc sim exited with ${code}`)));
      });
      expect(JSON.parse(line).data.simulators).toHaveLength(3);
      const ping = await finished(mlc('ping'));
      expect(ping.stdout + ping.stderr).not.toMatch(/^fail/m);
      expect(ping.code).toBe(0);
      const sync = await finished(mlc('sync', '--all', '--json'));
      // odoo-servicenow's demo data holds one bill on a GL account ServiceNow lacks (exit 3).
      expect(sync.code).toBe(3);
      const outcomes = JSON.parse(sync.stdout).data.outcomes as Array<{ pair: string; status: string }>;
      expect(outcomes.map((o) => o.pair).sort()).toEqual(['acumatica-servicenow', 'odoo-servicenow']);
      const again = await finished(mlc('sync', '--all'));
      expect(again.code).toBe(0);
    } finally {
      sim.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 100));
      tmp.cleanup();
    }
  });
});
