import { Schema } from '../../src/sim/salesforce/schema.js';
import { seedStore } from '../../src/sim/salesforce/seed.js';
import { parseSoql, SoqlError, tokenize } from '../../src/sim/salesforce/soql.js';
import { QueryEngine } from '../../src/sim/salesforce/query.js';
import { Store } from '../../src/sim/salesforce/store.js';
import { Dml } from '../../src/sim/salesforce/writes.js';
import { parseSfDateTime, soqlDateTime, soqlString } from '../../src/systems/salesforce/soql.js';
import { sameId, toId18 } from '../../src/systems/salesforce/ids.js';

function org(seed = 'demo') {
  const schema = new Schema(!seed.endsWith('-no-invoice'));
  const store = new Store(schema);
  const dml = new Dml(schema, store);
  seedStore(store, dml, seed, toId18('005000000000001'));
  return { store, dml, q: new QueryEngine(schema, store) };
}

type Page = {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, any>>;
};
const run = (q: QueryEngine, soql: string, batchSize = 2000): Page =>
  q.run(soql, { all: false, batchSize, version: '62.0' }) as Page;

describe('SOQL parser', () => {
  it('parses fields, relationship paths, nested AND/OR/NOT, IN, LIKE, ORDER BY and LIMIT', () => {
    const q = parseSoql(
      "SELECT Id, Name, Account.Name FROM Contact WHERE (SystemModstamp >= 2024-01-15T09:55:00Z AND NOT Email = null) OR LastName IN ('a', 'b') OR Name LIKE 'Sm%' ORDER BY SystemModstamp ASC, Id DESC NULLS FIRST LIMIT 10",
    );
    expect(q.fields).toEqual(['Id', 'Name', 'Account.Name']);
    expect(q.from).toBe('Contact');
    expect(q.limit).toBe(10);
    expect(q.orderBy).toEqual([
      { field: 'SystemModstamp', desc: false, nullsLast: false },
      { field: 'Id', desc: true, nullsLast: false },
    ]);
    expect(q.where?.kind).toBe('or');
    const or = q.where as { kind: 'or'; parts: any[] };
    expect(or.parts.map((p) => p.kind)).toEqual(['and', 'in', 'like']);
    expect(or.parts[0].parts[0]).toEqual({
      kind: 'cmp',
      field: 'SystemModstamp',
      op: '>=',
      value: { type: 'datetime', value: Date.parse('2024-01-15T09:55:00Z'), text: '2024-01-15T09:55:00Z' },
    });
    expect(or.parts[0].parts[1]).toEqual({
      kind: 'not',
      cond: { kind: 'cmp', field: 'Email', op: '=', value: { type: 'null' } },
    });
  });

  it('reads datetime literals with offsets and milliseconds, and date literals', () => {
    const toks = tokenize('2024-01-15T10:55:00+01:00 2024-01-15T09:55:00.250Z 2024-01-15');
    expect(toks.slice(0, 3)).toEqual([
      { t: 'datetime', v: Date.parse('2024-01-15T09:55:00Z'), raw: '2024-01-15T10:55:00+01:00' },
      { t: 'datetime', v: Date.parse('2024-01-15T09:55:00.250Z'), raw: '2024-01-15T09:55:00.250Z' },
      { t: 'date', v: '2024-01-15' },
    ]);
  });

  it("refuses an offset whose '+' arrived as a space (unencoded in the URL) as MALFORMED_QUERY", () => {
    expect(() =>
      parseSoql('SELECT Id FROM Account WHERE SystemModstamp > 2024-01-15T09:55:00 01:00'),
    ).toThrow(SoqlError);
  });

  it('refuses AND and OR mixed without parentheses, and trailing garbage', () => {
    expect(() => parseSoql("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'")).toThrow(
      /parentheses/,
    );
    expect(() => parseSoql('SELECT Id FROM Account LIMIT 5 garbage')).toThrow(/unexpected token/);
    expect(() => parseSoql('SELECT FROM Account')).toThrow(/field name/);
    expect(() => parseSoql("SELECT Id FROM Account WHERE Name = 'open")).toThrow(/unterminated/);
  });

  it('unescapes string literals', () => {
    expect(parseSoql("SELECT Id FROM Account WHERE Name = 'O\\'Brien \\\\ Co'").where).toEqual({
      kind: 'cmp',
      field: 'Name',
      op: '=',
      value: { type: 'string', value: "O'Brien \\ Co" },
    });
  });
});

describe('SOQL evaluator', () => {
  const { q, store } = org();

  it('filters with AND/OR/NOT, IN and LIKE (case-insensitive), and renders relationship fields as nested objects', () => {
    const page = run(
      q,
      "SELECT Id, LastName, Account.Name, Account.Odoo_Company__c FROM Contact WHERE (Odoo_Company__c = 'ACME-EU' OR LastName LIKE 'fr%') AND NOT LastName IN ('Morel') ORDER BY LastName",
    );
    expect(page.records.map((r) => r.LastName)).toEqual(['Freeman', 'Keller']);
    expect(page.records[0]?.Account).toEqual({
      attributes: {
        type: 'Account',
        url: expect.stringMatching(/^\/services\/data\/v62\.0\/sobjects\/Account\/001/),
      },
      Name: 'Azure Interior',
      Odoo_Company__c: 'acme-us',
    });
    expect(page.records[0]?.attributes).toEqual({
      type: 'Contact',
      url: expect.stringContaining('/sobjects/Contact/003'),
    });
  });

  it('compares datetimes as instants and renders them as +0000 with milliseconds', () => {
    const stamp = [...store.table('Account').values()][0]?.SystemModstamp as number;
    const iso = new Date(stamp).toISOString().slice(0, 19);
    const before = run(q, `SELECT Id, SystemModstamp FROM Account WHERE SystemModstamp < ${iso}Z`);
    const at = run(
      q,
      `SELECT Id, SystemModstamp FROM Account WHERE SystemModstamp >= ${iso}Z AND SystemModstamp <= ${iso}Z`,
    );
    expect(before.totalSize).toBe(0);
    expect(at.totalSize).toBeGreaterThan(0);
    expect(at.records[0]?.SystemModstamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/);
    // The same instant written with an offset.
    const shifted = new Date(stamp + 3600_000).toISOString().slice(0, 19);
    expect(run(q, `SELECT Id FROM Account WHERE SystemModstamp = ${shifted}+01:00`).totalSize).toBe(
      at.totalSize,
    );
  });

  it('refuses a quoted datetime, an unknown field and an unknown object with the org’s error codes', () => {
    const err = (soql: string): SoqlError => {
      try {
        run(q, soql);
      } catch (e) {
        return e as SoqlError;
      }
      throw new Error('no error');
    };
    expect(err("SELECT Id FROM Account WHERE SystemModstamp > '2024-01-15T09:55:00Z'")).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringContaining('must be of type dateTime and should not be enclosed in quotes'),
    });
    expect(err('SELECT Id, Foo__c FROM Account')).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringContaining("No such column 'Foo__c'"),
    });
    expect(err('SELECT Id FROM Account WHERE Name = 5')).toMatchObject({ errorCode: 'INVALID_FIELD' });
    expect(err('SELECT Id, Owner.Name FROM Account')).toMatchObject({ errorCode: 'INVALID_FIELD' });
    expect(err('SELECT Id FROM Widget__c')).toMatchObject({ errorCode: 'INVALID_TYPE' });
  });

  it('orders by several keys with nulls first ascending, and applies LIMIT after ordering', () => {
    const page = run(q, 'SELECT Id, Email, LastName FROM Contact ORDER BY Email ASC, LastName DESC LIMIT 3');
    expect(page.records.map((r) => [r.Email, r.LastName])).toEqual([
      [null, 'Twin (copy)'],
      [null, 'Twin'],
      ['brandon@azure.example', 'Freeman'],
    ]);
  });

  it('pages behind a query locator that ends with done and no nextRecordsUrl', () => {
    const big = org('volume:150');
    const first = run(big.q, 'SELECT Id FROM Contact ORDER BY Id', 200);
    expect(first).toMatchObject({
      totalSize: 300,
      done: false,
      nextRecordsUrl: expect.stringMatching(/^\/services\/data\/v62\.0\/query\/01g\w+-200$/),
    });
    const locator = (first.nextRecordsUrl as string).split('/').pop() as string;
    const second = big.q.more(locator, { batchSize: 200, version: '62.0' }) as Page;
    expect(second.done).toBe(true);
    expect('nextRecordsUrl' in second).toBe(false);
    const ids = [...first.records, ...second.records].map((r) => r.Id);
    expect(new Set(ids).size).toBe(300);
    expect([...ids].sort()).toEqual(ids);
    // A finished locator is gone.
    expect(() => big.q.more(locator, { batchSize: 200, version: '62.0' })).toThrow(/invalid query locator/);
  });

  it('compares ids case-sensitively and in the same order as ORDER BY Id (a keyset on Id is exact)', () => {
    const all = run(q, 'SELECT Id FROM Contact ORDER BY Id').records.map((r) => r.Id as string);
    const after = run(q, `SELECT Id FROM Contact WHERE Id > '${all[2]}' ORDER BY Id`).records.map(
      (r) => r.Id,
    );
    expect(after).toEqual(all.slice(3));
  });
});

describe('client SOQL literals and ids', () => {
  it('writes datetimes unquoted in UTC with Z and whole seconds', () => {
    expect(soqlDateTime(new Date('2024-01-15T09:55:00.789Z'))).toBe('2024-01-15T09:55:00Z');
  });
  it('parses the API’s +0000 datetimes', () => {
    expect(parseSfDateTime('2024-01-15T10:02:11.000+0000').toISOString()).toBe('2024-01-15T10:02:11.000Z');
    expect(parseSfDateTime('2024-01-15T11:02:11.000+01:00').toISOString()).toBe('2024-01-15T10:02:11.000Z');
    expect(() => parseSfDateTime('2024-01-15 10:02:11')).toThrow(TypeError);
  });
  it('quotes strings so the simulator’s parser reads them back', () => {
    const value = "it's a \\ path\n";
    expect(parseSoql(`SELECT Id FROM Account WHERE Name = ${soqlString(value)}`).where).toMatchObject({
      value: { value },
    });
  });
  it('turns 15-character ids into 18-character ones', () => {
    expect(toId18('001D000000IRFma')).toBe('001D000000IRFmaIAH');
    expect(sameId('001D000000IRFma', '001D000000IRFmaIAH')).toBe(true);
    expect(sameId('001D000000IRFma', '001d000000IRFmaIAH')).toBe(false);
  });
});
