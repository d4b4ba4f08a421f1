import { parseTime } from '../../src/commands/usage.js';
import { localTime } from '../../src/output.js';
import { finished, startPairEnv, type PairEnv } from '../helpers/pair.js';

/** --since/--until: durations, ISO times with a zone, and local times (this machine's zone). */
describe('times on the command line and in the audit log', () => {
  let e: PairEnv;
  beforeAll(async () => {
    e = await startPairEnv({ systems: ['odoo', 'servicenow'] });
    await e.cli('sync', 'odoo-servicenow');
  });
  afterAll(async () => {
    await e.close();
  });

  it('reads each form', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseTime('2h', '--since', now)).toBe('2026-03-01T10:00:00.000Z');
    expect(parseTime('3d', '--since', now)).toBe('2026-02-26T12:00:00.000Z');
    expect(parseTime('2026-03-01T10:00:00Z', '--since')).toBe('2026-03-01T10:00:00.000Z');
    expect(parseTime('2026-03-01T10:00+01:00', '--since')).toBe('2026-03-01T09:00:00.000Z');
    // Without a zone: this machine's local time (a child process below runs in New York's zone).
    expect(parseTime('2026-03-01 10:00', '--since')).toBe(new Date(2026, 2, 1, 10, 0).toISOString());
    expect(parseTime('2026-03-01', '--since')).toBe(new Date(2026, 2, 1).toISOString());
    expect(() => parseTime('2026-02-30', '--since')).toThrow(/not a time/);
    expect(() => parseTime('2026-03-01 24:00', '--since')).toThrow(/not a time/);
  });

  it('audit filters by local and zoned times alike, and shows times with their zone', async () => {
    const count = async (...args: string[]): Promise<number> =>
      JSON.parse((await e.cli('audit', '--limit', '1000', '--json', ...args)).stdout).data.entries.length;
    const all = await count();
    expect(all).toBeGreaterThan(0);
    const inAnHour = new Date(Date.now() + 3_600_000);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    const local = (d: Date): string => localTime(d.toISOString()).slice(0, 16);
    expect(await count('--since', local(anHourAgo))).toBe(all);
    expect(await count('--since', local(inAnHour))).toBe(0);
    expect(await count('--until', local(anHourAgo))).toBe(0);
    expect(await count('--since', inAnHour.toISOString())).toBe(0);
    expect(await count('--since', '1h')).toBe(all);
  });

  it('in another zone (built CLI, TZ=America/New_York): local --since and times shown with -05:00/-04:00', async () => {
    e.env.TZ = 'America/New_York';
    try {
      const shown = await finished(e.spawnCli(['audit', '--limit', '1']));
      expect(shown.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d-0[45]:00/);
      const nyNow = shown.stdout.match(/(\d{4}-\d\d-\d\d \d\d:\d\d):\d\d-0[45]:00/)![1]!;
      // The entry's own local minute, read as New York time, includes it.
      const since = await finished(e.spawnCli(['audit', '--since', nyNow, '--limit', '1000', '--json']));
      expect(JSON.parse(since.stdout).data.entries.length).toBeGreaterThan(0);
      // Two minutes later, read as New York time, excludes everything (read as UTC it would be hours
      // earlier and include everything).
      const later = new Date(Date.parse(`${nyNow.replace(' ', 'T')}:00Z`) + 120_000)
        .toISOString()
        .slice(0, 16)
        .replace('T', ' ');
      const none = await finished(e.spawnCli(['audit', '--since', later, '--limit', '1000', '--json']));
      expect(JSON.parse(none.stdout).data.entries).toHaveLength(0);
    } finally {
      delete e.env.TZ;
    }
  });
});
