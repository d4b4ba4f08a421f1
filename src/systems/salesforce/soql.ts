import { z } from 'zod';
import { ConfigError, TransientError } from '../../errors.js';
import type { ReadWindow } from '../types.js';
import type { SalesforceTransport } from './transport.js';

/**
 * SOQL reads (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm):
 * `GET /query?q=…`, then `nextRecordsUrl` until `done`. Changes are read in a fixed window on
 * `SystemModstamp` (set on user and system updates, indexed), ordered by `SystemModstamp, Id`, never
 * with OFFSET (capped at 2,000).
 */

/** A record as read: `attributes` removed (here and in nested relationship objects). */
export type SfRecord = Record<string, unknown> & { Id: string };

const queryBody = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});

/**
 * A datetime literal: unquoted ISO 8601 in UTC with `Z`, whole seconds
 * (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm).
 * `Z` rather than `+00:00`: an unencoded `+` would arrive as a space.
 */
export function soqlDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A string literal: single quotes, backslash escapes. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

/** Parses the API's datetimes (`2024-01-15T10:02:11.000+0000`: no colon in the offset). */
export function parseSfDateTime(text: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})$/.exec(text.trim());
  if (!m) throw new TypeError(`not a Salesforce datetime: ${JSON.stringify(text)}`);
  const zone = m[2] === 'Z' ? 'Z' : `${(m[2] as string).slice(0, 3)}:${(m[2] as string).slice(-2)}`;
  const d = new Date(`${m[1]}${zone}`);
  if (Number.isNaN(d.getTime())) throw new TypeError(`not a Salesforce datetime: ${JSON.stringify(text)}`);
  return d;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

function checkNames(names: string[]): void {
  for (const n of names)
    if (!NAME.test(n)) throw new TypeError(`not a SOQL field or object name: ${JSON.stringify(n)}`);
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'attributes') out[k] = strip(v);
    return out;
  }
  return value;
}

function toRecords(rows: Array<Record<string, unknown>>, what: string): SfRecord[] {
  return rows.map((row) => {
    const rec = strip(row) as Record<string, unknown>;
    if (typeof rec.Id !== 'string') {
      throw new ConfigError(`Salesforce ${what}: a record without Id`, {
        code: 'salesforce.no_id_selected',
        hint: 'select Id in every query mlc runs',
      });
    }
    return rec as SfRecord;
  });
}

/**
 * Pages of one SOQL statement, following `nextRecordsUrl` (relative to the instance, no query
 * string) until `done: true`. `pageSize` is a hint sent as `Sforce-Query-Options: batchSize=`.
 */
export async function* queryPages(
  t: SalesforceTransport,
  soql: string,
  opts: { pageSize?: number; all?: boolean; what?: string } = {},
): AsyncGenerator<SfRecord[]> {
  const what = opts.what ?? 'query';
  const headers = { 'sforce-query-options': `batchSize=${opts.pageSize ?? t.conn.queryBatchSize ?? 2000}` };
  let answer = await t.request(
    {
      method: 'GET',
      path: opts.all ? 'queryAll' : 'query',
      op: 'read',
      what: `GET ${what}`,
      searchParams: { q: soql },
      headers,
    },
    queryBody,
  );
  for (;;) {
    if (!answer) return;
    const page = toRecords(answer.body.records, what);
    if (page.length > 0) yield page;
    if (answer.body.done || !answer.body.nextRecordsUrl) return;
    answer = await t.request(
      {
        method: 'GET',
        path: answer.body.nextRecordsUrl,
        op: 'read',
        what: `GET ${what} (next records)`,
        headers,
      },
      queryBody,
    );
  }
}

export interface ReadChangedOptions {
  /** Fields to select; `Id` and `SystemModstamp` are always added. Relationship fields (`Account.Name`) allowed. */
  fields: string[];
  window: ReadWindow;
  /** An extra SOQL condition ANDed to the window, e.g. `Odoo_Company__c = 'acme'`. */
  where?: string;
  pageSize?: number;
  /** `queryAll`: deleted and archived records too (`IsDeleted = true`). */
  includeDeleted?: boolean;
}

/**
 * Records of `sobject` with `since <= SystemModstamp < until`, ordered by `(SystemModstamp, Id)`,
 * in pages. An expired query locator (INVALID_QUERY_LOCATOR) restarts the query after the last
 * record yielded (`SystemModstamp > t OR (SystemModstamp = t AND Id > id)`), so records sharing a
 * stamp with the page boundary are neither lost nor repeated.
 */
export async function* readChanged(
  t: SalesforceTransport,
  sobject: string,
  opts: ReadChangedOptions,
): AsyncGenerator<SfRecord[]> {
  const fields = [...new Set(['Id', 'SystemModstamp', ...opts.fields])];
  checkNames([sobject, ...fields]);
  const { since, until } = opts.window;
  const base = [
    since ? `SystemModstamp >= ${soqlDateTime(since)}` : '',
    `SystemModstamp < ${soqlDateTime(until)}`,
    opts.where ? `(${opts.where})` : '',
  ].filter(Boolean);
  let last: { stamp: string; id: string } | undefined;
  let restarts = 0;
  for (;;) {
    const keyset = last
      ? [
          `(SystemModstamp > ${soqlDateTime(parseSfDateTime(last.stamp))} OR (SystemModstamp = ${soqlDateTime(parseSfDateTime(last.stamp))} AND Id > ${soqlString(last.id)}))`,
        ]
      : [];
    const soql = `SELECT ${fields.join(', ')} FROM ${sobject} WHERE ${[...base, ...keyset].join(' AND ')} ORDER BY SystemModstamp ASC, Id ASC`;
    try {
      for await (const page of queryPages(t, soql, {
        ...(opts.pageSize === undefined ? {} : { pageSize: opts.pageSize }),
        ...(opts.includeDeleted ? { all: true } : {}),
        what: `query ${sobject}`,
      })) {
        const tail = page[page.length - 1] as SfRecord;
        last = { stamp: String(tail.SystemModstamp), id: tail.Id };
        yield page;
      }
      return;
    } catch (err) {
      if (
        !(err instanceof TransientError) ||
        err.code !== 'salesforce.query_locator_expired' ||
        restarts >= 5
      )
        throw err;
      restarts += 1;
      t.ctx.log?.warn(
        `Salesforce query locator for ${sobject} expired; reading on after the last record read`,
      );
    }
  }
}

/** Every record of a SOQL statement (look-ups: the standard price book, price book entries). */
export async function queryAll(
  t: SalesforceTransport,
  soql: string,
  opts: { pageSize?: number } = {},
): Promise<SfRecord[]> {
  const out: SfRecord[] = [];
  for await (const page of queryPages(t, soql, opts)) out.push(...page);
  return out;
}
