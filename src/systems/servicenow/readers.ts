import { ConfigError, TransientError } from '../../errors.js';
import { toNaiveUtc, type ReadWindow } from '../types.js';
import { tableListBody, tableOneBody } from './schemas.js';
import { SnTransport } from './transport.js';

export type SnRow = Record<string, string> & { sys_id: string };

/** Room kept in a URL for the keyset terms the loop appends (`^sys_id>{32 hex}^ORDERBYsys_id`). */
const KEYSET_ROOM = 60;

/**
 * Splits an encoded query into its filter and its ORDERBY terms: the keyset loop must order by
 * `sys_id` alone, so a caller's order is applied after reading. `^NQ` is refused, because the window
 * and keyset terms appended to it would bind to its last part only.
 */
export function splitQuery(
  query: string,
  table: string,
): { filter: string; order: Array<{ field: string; desc: boolean }> } {
  if (query.includes('^NQ')) {
    throw new ConfigError(
      `ServiceNow query on ${table} uses ^NQ, which mlc cannot combine with its read window: ${query}`,
      {
        code: 'servicenow.query_unsupported',
        hint: 'rewrite the query with ^OR terms or IN lists',
      },
    );
  }
  const order: Array<{ field: string; desc: boolean }> = [];
  const terms: string[] = [];
  for (const term of query.split('^')) {
    if (term.startsWith('ORDERBYDESC')) order.push({ field: term.slice('ORDERBYDESC'.length), desc: true });
    else if (term.startsWith('ORDERBY')) order.push({ field: term.slice('ORDERBY'.length), desc: false });
    else if (term !== '') terms.push(term);
  }
  return { filter: terms.join('^'), order };
}

/** `fieldINa,b,c` (optionally `^OR`-joined); not `fieldNOT INa,b`, which must not be split. */
const IN_TERM = /^(OR)?([A-Za-z0-9_.]+)IN(.*)$/;

/**
 * Splits a filter whose URL would be too long into filters whose union is the same set: the longest
 * `IN` list is halved until every part fits. Sound for any mix of `^` and `^OR`, because a union of
 * the parts of one IN list distributes over both.
 */
export function splitLongFilter(filter: string, fits: (filter: string) => boolean, table: string): string[] {
  if (fits(filter)) return [filter];
  const terms = filter.split('^');
  let best = -1;
  let most = 1;
  terms.forEach((t, i) => {
    const m = IN_TERM.exec(t);
    const n = m ? (m[3] ?? '').split(',').length : 0;
    if (n > most) {
      most = n;
      best = i;
    }
  });
  const m = best >= 0 ? IN_TERM.exec(terms[best] as string) : null;
  if (!m) {
    throw new ConfigError(
      `ServiceNow query on ${table} is too long for one request URL and has no IN list to split: ${filter.slice(0, 200)}…`,
      { code: 'servicenow.query_too_long', hint: 'shorten the query configured in mlc.yaml' },
    );
  }
  const values = (m[3] ?? '').split(',');
  const half = Math.ceil(values.length / 2);
  const part = (vs: string[]): string =>
    terms.map((t, i) => (i === best ? `${m[1] ?? ''}${m[2]}IN${vs.join(',')}` : t)).join('^');
  return [
    ...splitLongFilter(part(values.slice(0, half)), fits, table),
    ...splitLongFilter(part(values.slice(half)), fits, table),
  ];
}

function compareBy(a: SnRow, b: SnRow, order: Array<{ field: string; desc: boolean }>): number {
  for (const o of order) {
    const x = a[o.field] ?? '';
    const y = b[o.field] ?? '';
    const numeric = x !== '' && y !== '' && Number.isFinite(Number(x)) && Number.isFinite(Number(y));
    const c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
    if (c !== 0) return o.desc ? -c : c;
  }
  return 0;
}

/**
 * Table API reads (§2): a window on `sys_updated_on` and a `sys_id` keyset; every request URL kept
 * under `maxUrlLength` by splitting long IN lists.
 */
export class SnReader extends SnTransport {
  private readonly pageSize = this.conn.pageSize ?? 500;
  private readonly pageSizes = new Map<string, number>();

  /** Rows per page for a table: halved after each 60 s transaction cancel (§5), never below 10. */
  pageSizeOf(table: string): number {
    return this.pageSizes.get(table) ?? this.pageSize;
  }

  private pageParams(query: string, fields: string[], limit: number, offset: number): Record<string, string> {
    return {
      sysparm_query: query,
      sysparm_fields: [...new Set(['sys_id', ...fields])].join(','),
      sysparm_limit: String(limit),
      ...(offset > 0 ? { sysparm_offset: String(offset) } : {}),
      sysparm_exclude_reference_link: 'true',
      sysparm_suppress_pagination_header: 'true',
    };
  }

  /** Length of the URL a page read of `filter` sends, with room for the keyset terms and an offset. */
  protected urlLength(table: string, filter: string, fields: string[]): number {
    const params = new URLSearchParams(this.pageParams(filter, fields, 10_000, 10_000));
    return (
      `${this.conn.url.replace(/\/$/, '')}/api/now/table/${table}?${params.toString()}`.length + KEYSET_ROOM
    );
  }

  protected get maxUrlLength(): number {
    return this.conn.maxUrlLength ?? 2_000;
  }

  /** One Table API page: rows and X-Total-Count (counted before ACLs remove rows). */
  protected async page(
    table: string,
    query: string,
    fields: string[],
    limit: number,
    offset: number,
  ): Promise<{ rows: SnRow[]; total: number | undefined }> {
    const answer = await this.request(
      {
        method: 'GET',
        path: `api/now/table/${table}`,
        op: 'read',
        what: `GET ${table}`,
        page: true,
        searchParams: this.pageParams(query, fields, limit, offset),
      },
      tableListBody,
    );
    return { rows: (answer?.body.result ?? []) as SnRow[], total: answer?.total };
  }

  /** The first row of a query (one `sysparm_limit=1` read), or undefined. */
  async first(table: string, query: string, fields: string[]): Promise<SnRow | undefined> {
    return (await this.page(table, query, fields, 1, 0)).rows[0];
  }

  /**
   * The keyset loop (§2.1, trap 1): `…^sys_id>{last}^ORDERBYsys_id`. `sysparm_limit` is applied before
   * ACLs, so a short page is not the end: the loop stops on an empty keyset page, or on a page that
   * X-Total-Count says held every match, and when an empty page's X-Total-Count (counted before ACLs) says rows remain, it steps `sysparm_offset`
   * forward within the same keyset until rows appear or the count is exhausted. A 60 s transaction
   * cancel halves the page size of the table (for this and later reads) and repeats the page.
   */
  protected async *keyset(
    table: string,
    base: string,
    fields: string[],
    pageSize?: number,
  ): AsyncGenerator<SnRow[]> {
    let last = '';
    let offset = 0;
    let cancels = 0;
    let limit = pageSize ?? this.pageSizeOf(table);
    for (;;) {
      const query = [base, last ? `sys_id>${last}` : '', 'ORDERBYsys_id'].filter(Boolean).join('^');
      let answer: { rows: SnRow[]; total: number | undefined };
      try {
        answer = await this.page(table, query, fields, limit, offset);
      } catch (err) {
        if (
          !(err instanceof TransientError) ||
          err.code !== 'servicenow.transaction_cancelled' ||
          limit <= 10 ||
          cancels >= 4
        )
          throw err;
        cancels += 1;
        limit = Math.max(10, Math.floor(limit / 2));
        this.pageSizes.set(table, Math.min(limit, this.pageSizeOf(table)));
        this.ctx.log?.warn(
          `ServiceNow cancelled a read of ${table} after 60 s; reading it in pages of ${limit} rows`,
        );
        continue;
      }
      const { rows, total } = answer;
      if (rows.length > 0) {
        yield rows;
        // X-Total-Count counts this keyset query's matches before ACLs: when they all fit in this page,
        // the rows not returned are hidden, not still to come, and the empty closing page is not needed.
        if (total !== undefined && offset + limit >= total) return;
        last = (rows[rows.length - 1] as SnRow).sys_id;
        offset = 0;
        continue;
      }
      if (total !== undefined && total > offset + limit) {
        offset += limit;
        continue;
      }
      return;
    }
  }

  /** Window on `sys_updated_on` (UTC literals, §2.1) plus the keyset loop; yields pages. */
  async *readChanged(
    table: string,
    opts: { fields: string[]; window: ReadWindow; query?: string; pageSize?: number },
  ): AsyncGenerator<SnRow[]> {
    const { since, until } = opts.window;
    const { filter } = splitQuery(opts.query ?? '', table);
    const base = [
      filter,
      since ? `sys_updated_on>=${toNaiveUtc(since)}` : '',
      `sys_updated_on<${toNaiveUtc(until)}`,
    ]
      .filter(Boolean)
      .join('^');
    yield* this.keyset(table, base, opts.fields, opts.pageSize);
  }

  /**
   * Every row matching an encoded query, by the same keyset loop. A query whose URL would exceed
   * `maxUrlLength` (a long `fieldINa,b,…` list) is read in several parts and the rows merged.
   */
  async queryAll(
    table: string,
    opts: { query?: string; fields: string[]; pageSize?: number },
  ): Promise<SnRow[]> {
    const { filter, order } = splitQuery(opts.query ?? '', table);
    const fields = [...opts.fields, ...order.map((o) => o.field)];
    const parts = splitLongFilter(
      filter,
      (f) => this.urlLength(table, f, fields) <= this.maxUrlLength,
      table,
    );
    const out: SnRow[] = [];
    const seen = new Set<string>();
    for (const part of parts) {
      for await (const page of this.keyset(table, part, fields, opts.pageSize)) {
        for (const row of page) {
          if (parts.length > 1 && seen.has(row.sys_id)) continue;
          seen.add(row.sys_id);
          out.push(row);
        }
      }
    }
    if (order.length > 0) return out.sort((a, b) => compareBy(a, b, order));
    return parts.length > 1
      ? out.sort((a, b) => (a.sys_id < b.sys_id ? -1 : a.sys_id > b.sys_id ? 1 : 0))
      : out;
  }

  async get(table: string, sysId: string, fields?: string[]): Promise<SnRow | null> {
    const answer = await this.request(
      {
        method: 'GET',
        path: `api/now/table/${table}/${sysId}`,
        op: 'read',
        what: `GET ${table}/${sysId}`,
        allow404: true,
        searchParams: {
          sysparm_exclude_reference_link: 'true',
          ...(fields ? { sysparm_fields: fields.join(',') } : {}),
        },
      },
      tableOneBody,
    );
    return (answer?.body.result as SnRow | undefined) ?? null;
  }
}
