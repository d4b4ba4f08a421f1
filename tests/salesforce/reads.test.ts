import { ConfigError } from '../../src/errors.js';
import { parseSfDateTime, type SfRecord } from '../../src/systems/salesforce/soql.js';
import type { ReadWindow } from '../../src/systems/types.js';
import { control, rest, sfClient, startSim, stats, type Sim } from './helpers.js';

const ALL: ReadWindow = { since: null, until: new Date(Date.now() + 3600_000) };

async function pages(
  sf: ReturnType<typeof sfClient>,
  sobject: string,
  window: ReadWindow,
  pageSize?: number,
  where?: string,
): Promise<SfRecord[][]> {
  const out: SfRecord[][] = [];
  for await (const p of sf.readChanged(sobject, {
    fields: ['LastName', 'Odoo_Company__c'],
    window,
    ...(pageSize ? { pageSize } : {}),
    ...(where ? { where } : {}),
  }))
    out.push(p);
  return out;
}

const key = (r: SfRecord): string => `${String(r.SystemModstamp)}|${r.Id}`;

describe('Salesforce SOQL reads against the simulator', () => {
  let sim: Sim;
  let sf: ReturnType<typeof sfClient>;
  beforeAll(async () => {
    // 600 contacts whose SystemModstamp is shared seven at a time.
    sim = await startSim({ seed: 'volume:300' });
    sf = sfClient(sim);
  });
  afterAll(async () => {
    await sf.close();
    await sim.close();
  });
  afterEach(async () => {
    await control(sim, 'DELETE', 'faults');
  });

  it('follows nextRecordsUrl page after page; records sharing a SystemModstamp across page boundaries are read once each, in (SystemModstamp, Id) order', async () => {
    await control(sim, 'DELETE', 'stats');
    const read = await pages(sf, 'Contact', ALL, 200);
    expect(read.map((p) => p.length)).toEqual([200, 200, 200]);
    const all = read.flat();
    expect(new Set(all.map((r) => r.Id)).size).toBe(600);
    const keys = all.map(key);
    expect([...keys].sort()).toEqual(keys);
    // Page boundaries fall inside a second that several records share.
    expect(all[199]?.SystemModstamp).toBe(all[200]?.SystemModstamp);
    const s = await stats(sim);
    expect(s.byRoute['GET /services/data/v62.0/query']).toBe(1);
    expect(
      Object.entries(s.byRoute)
        .filter(([k]) => k.startsWith('GET /services/data/v62.0/query/01g'))
        .reduce((n, [, v]) => n + v, 0),
    ).toBe(2);
  });

  it('reads exactly since <= SystemModstamp < until, both bounds on tied seconds', async () => {
    const all = (await pages(sf, 'Contact', ALL)).flat();
    const stamps = [...new Set(all.map((r) => String(r.SystemModstamp)))];
    const since = parseSfDateTime(stamps[10] as string);
    const until = parseSfDateTime(stamps[40] as string);
    const got = (await pages(sf, 'Contact', { since, until }, 200)).flat();
    const expected = all.filter((r) => {
      const t = parseSfDateTime(String(r.SystemModstamp)).getTime();
      return t >= since.getTime() && t < until.getTime();
    });
    expect(got.map((r) => r.Id)).toEqual(expected.map((r) => r.Id));
    expect(got.length).toBe(30 * 7);
  });

  it('restarts after the last record read when the query locator expires mid-read, losing and repeating nothing', async () => {
    const expected = (await pages(sf, 'Contact', ALL, 200)).flat().map((r) => r.Id);
    await control(sim, 'POST', 'faults', {
      kind: 'expire_locators',
      match: '^GET /services/data/v62\\.0/query/01g',
      skip: 1,
      times: 1,
    });
    await control(sim, 'DELETE', 'stats');
    const got = (await pages(sf, 'Contact', ALL, 200)).flat().map((r) => r.Id);
    expect(got).toEqual(expected);
    // The first query, one page by locator, the refused locator, the restarted query.
    expect((await stats(sim)).byRoute['GET /services/data/v62.0/query']).toBe(2);
  });

  it('ANDs a caller condition to the window (one company of two)', async () => {
    const eu = (await pages(sf, 'Contact', ALL, 200, "Odoo_Company__c = 'acme-eu'")).flat();
    expect(eu).toHaveLength(300);
    expect(new Set(eu.map((r) => r.Odoo_Company__c))).toEqual(new Set(['acme-eu']));
  });

  it('strips attributes, also from relationship objects', async () => {
    const [page] = await (async () => {
      const out: SfRecord[][] = [];
      for await (const p of sf.readChanged('Contact', { fields: ['Account.Name'], window: ALL })) out.push(p);
      return out;
    })();
    const first = page?.[0] as SfRecord;
    expect(first).not.toHaveProperty('attributes');
    expect(first.Account).toEqual({ Name: expect.stringMatching(/^Customer /) });
  });

  it('reads deleted records too through queryAll when asked', async () => {
    const [victim] = (await pages(sf, 'Contact', ALL)).flat();
    const id = victim?.Id as string;
    expect((await rest(sim, 'DELETE', `/services/data/v62.0/sobjects/Contact/${id}`)).status).toBe(204);
    const read = async (includeDeleted: boolean): Promise<SfRecord[]> => {
      const seen: SfRecord[] = [];
      for await (const p of sf.readChanged('Contact', {
        fields: ['IsDeleted'],
        window: ALL,
        where: `Id = '${id}'`,
        includeDeleted,
      }))
        seen.push(...p);
      return seen;
    };
    expect(await read(false)).toEqual([]);
    expect(await read(true)).toEqual([expect.objectContaining({ Id: id, IsDeleted: true })]);
  });

  it('reports an unknown field as a ConfigError naming it', async () => {
    const err = await (async () => {
      for await (const _ of sf.readChanged('Contact', { fields: ['Shoe_Size__c'], window: ALL })) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('salesforce.unknown_field');
    expect((err as Error).message).toContain("No such column 'Shoe_Size__c' on entity 'Contact'");
  });
});

describe('an org without Invoice', () => {
  it('answers a query on Invoice with INVALID_TYPE, a ConfigError', async () => {
    const sim = await startSim({ seed: 'demo-no-invoice' });
    const sf = sfClient(sim);
    const err = await sf.query('SELECT Id FROM Invoice').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('salesforce.unknown_object');
    await sf.close();
    await sim.close();
  });
});
