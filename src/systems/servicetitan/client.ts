import type { ClientContext, PingResult, ReadWindow } from '../types.js';
import type { StEntityName } from './entities.js';
import type { ServiceTitanRequirement } from './ping.js';
import { ping } from './ping.js';
import { exportFeed, followMergedCustomers, getByIds, readChanged } from './readers.js';
import type { StRow } from './schemas.js';
import { StTransport, type ServiceTitanConnection } from './transport.js';
import {
  createPayment,
  createPurchaseOrder,
  findPayment,
  markInvoicesExported,
  type PaymentInput,
  type PurchaseOrderInput,
  type WriteOutcome,
} from './writers.js';

/**
 * One ServiceTitan tenant: the readers and writers bound to its transport. Every method is a thin
 * call into readers.ts / writers.ts, which hold the logic.
 */
export class ServiceTitanClient {
  readonly transport: StTransport;

  constructor(
    conn: ServiceTitanConnection,
    readonly ctx: ClientContext,
  ) {
    this.transport = new StTransport(conn, ctx);
  }

  get tenant(): string {
    return this.transport.tenant;
  }

  serverTime(): Promise<Date> {
    return this.transport.serverTime();
  }

  readChanged(
    entity: StEntityName,
    opts: { window: ReadWindow; pageSize?: number; params?: Record<string, string> },
  ): AsyncGenerator<StRow[]> {
    return readChanged(this.transport, entity, opts);
  }

  exportFeed(
    entity: StEntityName,
    from?: string,
    opts: { includeRecentChanges?: boolean } = {},
  ): AsyncGenerator<{ rows: StRow[]; continueFrom: string; hasMore: boolean }> {
    return exportFeed(this.transport, entity, from, opts);
  }

  getByIds(entity: StEntityName, ids: readonly number[]): Promise<StRow[]> {
    return getByIds(this.transport, entity, ids);
  }

  followMergedCustomers(rows: readonly StRow[]): Promise<Map<number, number>> {
    return followMergedCustomers(this.transport, rows);
  }

  createPayment(input: PaymentInput): Promise<WriteOutcome> {
    return createPayment(this.transport, input);
  }

  findPayment(input: Pick<PaymentInput, 'splits' | 'customerId' | 'exportId'>): Promise<number | undefined> {
    return findPayment(this.transport, input);
  }

  createPurchaseOrder(input: PurchaseOrderInput): Promise<WriteOutcome> {
    return createPurchaseOrder(this.transport, input);
  }

  markInvoicesExported(
    items: ReadonlyArray<{ invoiceId: number; externalId: string; externalMessage?: string }>,
  ): Promise<Array<{ invoiceId: number; success: boolean; errorMessage: string | null }>> {
    return markInvoicesExported(this.transport, items);
  }

  ping(requirements: readonly ServiceTitanRequirement[] = []): Promise<PingResult> {
    return ping(this.transport, this.ctx.connection, requirements);
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
