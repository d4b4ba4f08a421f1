import { ConfigError, InternalError } from '../../errors.js';
import type { ClientContext, PingResult } from '../types.js';
import {
  createRecords,
  deleteRecords,
  upsertRecords,
  upsertWithChildren,
  updateRecords,
  type ParentWithChildren,
  type SfValues,
  type WriteOutcome,
} from './collections.js';
import { limitsBody } from './limits.js';
import { invoiceSupport, ping, type SalesforceRequirement } from './ping.js';
import { queryAll, readChanged, type ReadChangedOptions, type SfRecord } from './soql.js';
import { SalesforceTransport, type SalesforceConnection } from './transport.js';

/**
 * A Salesforce org as mlc uses it: SOQL reads windowed on SystemModstamp, upserts by external id
 * through sObject Collections and Composite, the daily API budget, ping. One instance per pass.
 */
export class SalesforceClient {
  readonly transport: SalesforceTransport;

  constructor(conn: SalesforceConnection, ctx: ClientContext) {
    this.transport = new SalesforceTransport(conn, ctx);
  }

  /** The org's clock: the `Date` header of the version list (no session, not counted). */
  async serverTime(): Promise<Date> {
    const { date } = await this.transport.versions();
    if (!date)
      throw new InternalError('Salesforce answered without a Date header', {
        code: 'salesforce.no_server_time',
      });
    return date;
  }

  /** The integration user's id (signs in if needed): echo suppression compares `LastModifiedById` with it. */
  async integrationUserId(): Promise<string> {
    await this.transport.auth.token();
    const id = this.transport.auth.userId;
    if (!id)
      throw new InternalError('Salesforce token answer without an id URL', { code: 'salesforce.no_user_id' });
    return id;
  }

  readChanged(sobject: string, opts: ReadChangedOptions): AsyncGenerator<SfRecord[]> {
    return readChanged(this.transport, sobject, opts);
  }

  query(soql: string, opts: { pageSize?: number } = {}): Promise<SfRecord[]> {
    return queryAll(this.transport, soql, opts);
  }

  /** The org's standard price book: every product needs an entry in it before any custom book. */
  async standardPricebookId(): Promise<string> {
    const [book] = await this.query('SELECT Id FROM Pricebook2 WHERE IsStandard = true LIMIT 1');
    if (!book) {
      throw new ConfigError('Salesforce: the org has no standard price book', {
        code: 'salesforce.no_standard_pricebook',
        hint: 'enable Products and Price Books in the org (Setup > Price Books)',
      });
    }
    return book.Id;
  }

  upsert(
    sobject: string,
    externalIdField: string,
    records: readonly SfValues[],
    opts: { batchSize?: number } = {},
  ): Promise<WriteOutcome[]> {
    return upsertRecords(this.transport, sobject, externalIdField, records, opts);
  }

  /** Plain creates, for objects without an external id (see createRecords). */
  create(sobject: string, records: readonly SfValues[]): Promise<WriteOutcome[]> {
    return createRecords(this.transport, sobject, records);
  }

  /** Deletes records by id; one outcome per id, an already deleted record counting as deleted. */
  delete(ids: readonly string[]): Promise<WriteOutcome[]> {
    return deleteRecords(this.transport, ids);
  }

  /** Updates by id; `repeat: false` for an update that must not be sent twice (see updateRecords). */
  update(
    sobject: string,
    records: ReadonlyArray<SfValues & { Id: string }>,
    opts: { repeat?: boolean } = {},
  ): Promise<WriteOutcome[]> {
    return updateRecords(this.transport, sobject, records, opts);
  }

  upsertWithChildren(
    doc: ParentWithChildren,
    opts: { allOrNone?: boolean } = {},
  ): ReturnType<typeof upsertWithChildren> {
    return upsertWithChildren(this.transport, doc, opts);
  }

  invoiceSupport(): ReturnType<typeof invoiceSupport> {
    return invoiceSupport(this.transport);
  }

  /**
   * `GET /limits`: the daily allowance as the org reports it; primes the budget, so that even the
   * pass's first counted call is held to the configured share.
   */
  async limits(): Promise<{ max: number; remaining: number }> {
    const answer = await this.transport.request(
      { method: 'GET', path: 'limits', op: 'meta', what: 'GET limits' },
      limitsBody,
    );
    const daily = answer?.body.DailyApiRequests;
    if (!daily)
      throw new InternalError('Salesforce GET limits: no DailyApiRequests', {
        code: 'salesforce.bad_payload',
      });
    this.transport.budget.observe({ used: daily.Max - daily.Remaining, max: daily.Max });
    return { max: daily.Max, remaining: daily.Remaining };
  }

  /** The usage last reported by the org and what this client spent. */
  apiUsage(): { used?: number; max?: number; spent: number } {
    const u = this.transport.budget.current;
    return { ...(u ? { used: u.used, max: u.max } : {}), spent: this.transport.budget.spent };
  }

  ping(connection: string, requirements: SalesforceRequirement[]): Promise<PingResult> {
    return ping(this.transport, connection, requirements);
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
