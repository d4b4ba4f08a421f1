import { z } from 'zod';
import { ConfigError, InternalError } from '../../errors.js';
import type { ReadWindow } from '../types.js';
import { PATHS } from './hosts.js';
import { fromZoned, toZoned } from './timezone.js';
import type { NetSuiteTransport } from './transport.js';

/**
 * SuiteQL over REST (api notes §3): `POST …/query/v1/suiteql?limit=&offset=` with `Prefer: transient`
 * and `{"q": …}`. Rows come back as strings-or-numbers under keys whose casing may change between
 * releases (lower-cased here); NULL columns may be absent (defaulted to null here).
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157909186990.html
 */
export type SuiteQlValue = string | number | boolean | null;
export type SuiteQlRow = Record<string, SuiteQlValue>;

/** A query returns at most 100,000 rows through REST (§3); paging past it fails. */
export const ROW_CEILING = 100_000;
export const MAX_LIMIT = 1000;

const pageSchema = z.object({
  links: z.array(z.object({ rel: z.string(), href: z.string() }).passthrough()).optional(),
  count: z.number().int().min(0),
  hasMore: z.boolean(),
  offset: z.number().int().min(0).optional(),
  totalResults: z.number().int().min(0).optional(),
  items: z.array(z.record(z.string(), z.unknown())),
});

export interface SuiteQlPage {
  rows: SuiteQlRow[];
  hasMore: boolean;
  totalResults: number | undefined;
}

/** A SuiteQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `TO_TIMESTAMP('…','YYYY-MM-DD HH24:MI:SS')` of an instant in the account's zone: SuiteQL has no date literals. */
export function sqlTimestamp(date: Date, timeZone: string): string {
  return `TO_TIMESTAMP(${sqlString(toZoned(date, timeZone))},'YYYY-MM-DD HH24:MI:SS')`;
}

/** The column expression a cursor column is read through: a bare datetime comes back as a date only (trap 2). */
export function sqlStamp(column: string): string {
  return `TO_CHAR(${column},'YYYY-MM-DD HH24:MI:SS')`;
}

function row(item: Record<string, unknown>): SuiteQlRow {
  const out: SuiteQlRow = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'links') continue;
    out[k.toLowerCase()] =
      v === undefined ||
      v === null ||
      typeof v === 'string' ||
      typeof v === 'number' ||
      typeof v === 'boolean'
        ? (v ?? null)
        : JSON.stringify(v);
  }
  return out;
}

export interface WindowedQuery {
  /** Selected columns, e.g. `t.id, t.tranid, t.entity`. */
  select: string;
  /** `FROM` clause body, e.g. `transaction t`. */
  from: string;
  /** Extra conditions, ANDed. */
  where?: string[];
  /** Unique numeric key the keyset follows, default `<first alias>.id`. */
  id?: string;
  /** The change stamp the window is on, default `<first alias>.lastmodifieddate`. */
  stamp?: string;
}

/** The stamp column each windowed row carries (the instant in ISO UTC after conversion). */
export const STAMP_KEY = 'mlc_lmd';

export class SuiteQl {
  constructor(
    private readonly transport: NetSuiteTransport,
    readonly timeZone: string,
    readonly pageSize: number = MAX_LIMIT,
  ) {}

  /** One page. */
  async page(q: string, opts: { limit?: number; offset?: number } = {}): Promise<SuiteQlPage> {
    const limit = Math.min(MAX_LIMIT, Math.max(1, opts.limit ?? this.pageSize));
    const offset = opts.offset ?? 0;
    if (offset + limit > ROW_CEILING)
      throw new InternalError(`SuiteQL: offset ${offset} would pass the 100,000-row ceiling of a query`, {
        code: 'netsuite.row_ceiling',
        hint: 'narrow the query (windows on lastmodifieddate and an id keyset)',
      });
    const answer = await this.transport.call({
      method: 'POST',
      path: PATHS.suiteql,
      searchParams: { limit: String(limit), offset: String(offset) },
      headers: { prefer: 'transient' },
      json: { q },
      what: 'SuiteQL',
      idempotent: true,
      query: true,
    });
    const parsed = pageSchema.safeParse(answer.body);
    if (!parsed.success)
      throw new InternalError(
        `SuiteQL answer does not fit the collection envelope: ${parsed.error.message}`,
        {
          code: 'netsuite.suiteql_envelope',
        },
      );
    return {
      rows: parsed.data.items.map(row),
      hasMore: parsed.data.hasMore,
      totalResults: parsed.data.totalResults,
    };
  }

  /**
   * Every row of a small query (reference data), by offset while `hasMore`. It must be ordered by a
   * unique key (unordered pages repeat and skip rows); a result past the row ceiling is refused.
   */
  async all(q: string): Promise<SuiteQlRow[]> {
    if (!/\border\s+by\b/i.test(q))
      throw new InternalError('SuiteQL paged by offset needs an ORDER BY on a unique key', {
        code: 'netsuite.unordered',
      });
    const out: SuiteQlRow[] = [];
    for (let offset = 0; ;) {
      const page = await this.page(q, { offset });
      out.push(...page.rows);
      if (!page.hasMore || page.rows.length === 0) return out;
      offset += page.rows.length;
      if (offset >= ROW_CEILING)
        throw new ConfigError('SuiteQL: the query returns more than 100,000 rows', {
          code: 'netsuite.row_ceiling',
        });
    }
  }

  /**
   * Rows changed inside a window: `stamp >= since AND stamp < until` (in the account's zone) and,
   * inside it, an id keyset (`id > last ORDER BY id`, one page per query, never an offset). Rows that
   * share one stamp across page boundaries are each read once, and no query comes near the row
   * ceiling. Each row carries its stamp as ISO UTC under `mlc_lmd`.
   */
  async *changed(spec: WindowedQuery, window: ReadWindow): AsyncGenerator<SuiteQlRow[]> {
    const alias = spec.from.trim().split(/\s+/)[1] ?? spec.from.trim();
    const id = spec.id ?? `${alias}.id`;
    const stamp = spec.stamp ?? `${alias}.lastmodifieddate`;
    const fixed = [
      ...(spec.where ?? []),
      ...(window.since ? [`${stamp} >= ${sqlTimestamp(window.since, this.timeZone)}`] : []),
      `${stamp} < ${sqlTimestamp(window.until, this.timeZone)}`,
    ];
    let last: number | undefined;
    for (;;) {
      const where = [...fixed, ...(last === undefined ? [] : [`${id} > ${last}`])];
      const q = `SELECT ${spec.select}, ${sqlStamp(stamp)} AS ${STAMP_KEY} FROM ${spec.from} WHERE ${where.join(' AND ')} ORDER BY ${id}`;
      const page = await this.page(q, { offset: 0 });
      if (page.rows.length === 0) return;
      const idKey = id.split('.').pop()!.toLowerCase();
      for (const r of page.rows) {
        const text = r[STAMP_KEY];
        r[STAMP_KEY] =
          typeof text === 'string' && text !== '' ? fromZoned(text, this.timeZone).toISOString() : null;
      }
      yield page.rows;
      if (!page.hasMore) return;
      const next = Number(page.rows[page.rows.length - 1]?.[idKey]);
      if (!Number.isFinite(next) || (last !== undefined && next <= last))
        throw new InternalError(`SuiteQL keyset on ${id} did not advance`, { code: 'netsuite.keyset' });
      last = next;
    }
  }
}
