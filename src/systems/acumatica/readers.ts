import { InternalError, TransientError, isMlcError } from '../../errors.js';
import type { ReadWindow } from '../types.js';
import { entityInfo } from './entities.js';
import { parseJson } from './errors.js';
import { endpointsSchema, rawEntityListSchema, rawEntitySchema, toDateTimeOffset, toRow } from './schemas.js';
import type { AcumaticaTransport } from './transport.js';
import type { AcuRow } from './types.js';

/**
 * Reading (api notes §1.4, §2): the endpoint list and the server clock, windowed reads of changed
 * records with `$top/$skip` (no `$orderby` in the contract-based API), whole lists, and single
 * records by id or keys. Values come back unwrapped (`AcuRow`).
 */
export class AcumaticaReader {
  constructor(
    private readonly t: AcumaticaTransport,
    private readonly pageSize: number,
  ) {}

  /** `GET /entity`: the build and the endpoints (name + version) the server offers (§1.4). */
  async endpoints(): Promise<{ build: string; endpoints: Array<{ name: string; version: string }> }> {
    const res = await this.t.call('GET', 'entity', { op: 'acumatica.endpoints', idempotent: true });
    const parsed = parseJson(res, endpointsSchema, 'GET /entity');
    return {
      build: parsed.version?.acumaticaBuildVersion ?? 'unknown',
      endpoints: parsed.endpoints.map((e) => ({ name: e.name, version: e.version })),
    };
  }

  /** The server clock, from the `Date` header of `GET /entity`. */
  async serverTime(): Promise<Date> {
    const res = await this.t.call('GET', 'entity', { op: 'acumatica.server_time', idempotent: true });
    const date = res.headers.date === undefined ? NaN : Date.parse(res.headers.date);
    if (Number.isNaN(date))
      throw new InternalError('Acumatica answered without a Date header', { code: 'acumatica.no_date' });
    return new Date(date);
  }

  /**
   * Records whose LastModifiedDateTime lies in the window: `$filter=LastModifiedDateTime ge
   * datetimeoffset'…' and lt datetimeoffset'…'` plus an optional extra filter, `$top/$skip` paging.
   * There is no `$orderby` (§2, §6 trap 3): the caller commits its cursor only after the whole window
   * is read. Pages overlap by one row; when a page does not start with the previous page's last row,
   * rows shifted under the offsets (a record was edited or deleted during the read) and the window is
   * read again, yielding only rows not yet yielded. Entities without LastModifiedDateTime (Subaccount)
   * are full-scanned (§2).
   */
  async *readChanged(
    entity: string,
    opts: { window: ReadWindow; select?: string[]; expand?: string[]; filter?: string; pageSize?: number },
  ): AsyncGenerator<AcuRow[]> {
    yield* this.pages(entity, {
      filter: this.changedFilter(entity, opts.window, opts.filter),
      ...(opts.select ? { select: opts.select } : {}),
      ...(opts.expand ? { expand: opts.expand } : {}),
      pageSize: opts.pageSize ?? this.pageSize,
    });
  }

  /** The `$filter` of a windowed read: the LastModifiedDateTime window (when the entity has one) and the extra filter. */
  changedFilter(entity: string, window: ReadWindow, extra: string | undefined): string {
    const parts: string[] = [];
    if (entityInfo(entity)?.cursor === null) {
      this.t.log.debug('acumatica: entity has no LastModifiedDateTime, full scan', { entity });
    } else {
      if (window.since)
        parts.push(`LastModifiedDateTime ge datetimeoffset'${toDateTimeOffset(window.since)}'`);
      parts.push(`LastModifiedDateTime lt datetimeoffset'${toDateTimeOffset(window.until)}'`);
    }
    if (extra) parts.push(`(${extra})`);
    return parts.join(' and ');
  }

  /** Every record matching the filter, read in `$top` pages. */
  async list(
    entity: string,
    opts: { filter?: string; select?: string[]; expand?: string[] } = {},
  ): Promise<AcuRow[]> {
    const rows: AcuRow[] = [];
    for await (const page of this.pages(entity, { ...opts, pageSize: this.pageSize })) rows.push(...page);
    return rows;
  }

  /** One record by its `id` GUID or by its key values (slash-delimited in the URL, §2); null when absent. */
  async get(
    entity: string,
    idOrKeys: string | string[],
    opts: { expand?: string[] } = {},
  ): Promise<AcuRow | null> {
    const keys = typeof idOrKeys === 'string' ? [idOrKeys] : idOrKeys;
    const path = `${this.t.entityPath(entity)}/${keys.map((k) => encodeURIComponent(k)).join('/')}`;
    try {
      const res = await this.t.call('GET', path, {
        op: `acumatica.get.${entity}`,
        idempotent: true,
        searchParams: opts.expand?.length ? { $expand: opts.expand.join(',') } : {},
      });
      return toRow(parseJson(res, rawEntitySchema, `GET ${entity}`));
    } catch (err) {
      // §8: a record that does not exist is a 500 NoEntitySatisfiesTheConditionException, not a 404.
      if (isMlcError(err) && err.code === 'acumatica.not_found') return null;
      throw err;
    }
  }

  private async *pages(
    entity: string,
    opts: { filter?: string; select?: string[]; expand?: string[]; pageSize: number },
  ): AsyncGenerator<AcuRow[]> {
    const top = Math.max(2, opts.pageSize);
    const seen = new Set<string>();
    for (let pass = 0; ; pass += 1) {
      let skip = 0;
      let previousLast: string | undefined;
      let shifted = false;
      for (;;) {
        const rows = await this.fetchPage(entity, { ...opts, top, skip });
        if (previousLast !== undefined && rows[0]?.id !== previousLast) {
          shifted = true;
          break;
        }
        const fresh = rows.filter((r) => !seen.has(r.id));
        for (const r of fresh) seen.add(r.id);
        if (fresh.length > 0) yield fresh;
        if (rows.length < top) return;
        previousLast = rows[rows.length - 1]?.id;
        skip += top - 1;
      }
      if (shifted && pass >= 3) {
        throw new TransientError(
          `${entity}: records kept changing while the window was read; read it again later`,
          {
            code: 'acumatica.window_shifted',
            data: { entity },
          },
        );
      }
      this.t.log.debug('acumatica: rows shifted under $skip paging, reading the window again', {
        entity,
        pass,
      });
    }
  }

  async fetchPage(
    entity: string,
    opts: { filter?: string; select?: string[]; expand?: string[]; top: number; skip: number },
  ): Promise<AcuRow[]> {
    const searchParams: Record<string, string> = {};
    if (opts.filter) searchParams.$filter = opts.filter;
    if (opts.select?.length) searchParams.$select = opts.select.join(',');
    if (opts.expand?.length) searchParams.$expand = opts.expand.join(',');
    searchParams.$top = String(opts.top);
    if (opts.skip > 0) searchParams.$skip = String(opts.skip);
    const res = await this.t.call('GET', this.t.entityPath(entity), {
      op: `acumatica.list.${entity}`,
      idempotent: true,
      searchParams,
    });
    return parseJson(res, rawEntityListSchema, `GET ${entity}`).map(toRow);
  }
}
