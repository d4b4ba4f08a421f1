import type { ClientContext, PingResult } from '../types.js';
import type { NetSuiteConnectionConfig } from './connection.js';
import { pingNetSuite } from './ping.js';
import { Records } from './records.js';
import { SuiteQl } from './suiteql.js';
import { NetSuiteTransport } from './transport.js';

/**
 * A NetSuite account through SuiteTalk REST: `suiteql` reads (windowed, keyset-paged), `records`
 * writes (external-id upserts). One transport signs, limits and retries every call.
 */
export class NetSuiteClient {
  readonly transport: NetSuiteTransport;
  readonly suiteql: SuiteQl;
  readonly records: Records;
  readonly timeZone: string;

  constructor(
    readonly conn: NetSuiteConnectionConfig,
    private readonly ctx: ClientContext,
    now: () => number = Date.now,
  ) {
    this.transport = new NetSuiteTransport(conn, ctx, now);
    this.timeZone = conn.timeZone;
    this.suiteql = new SuiteQl(this.transport, conn.timeZone, conn.pageSize ?? 1000);
    this.records = new Records(this.transport);
  }

  /** NetSuite's clock: the Date header of a one-row read (never the local clock). */
  async serverTime(): Promise<Date> {
    await this.suiteql.page('SELECT id FROM subsidiary ORDER BY id', { limit: 1 });
    return this.transport.lastDate ?? new Date();
  }

  ping(tables: string[]): Promise<PingResult> {
    return pingNetSuite(
      this.suiteql,
      { connection: this.ctx.connection, url: this.transport.baseUrl, account: this.conn.account },
      tables,
    );
  }

  close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}
