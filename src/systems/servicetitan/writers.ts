import { InternalError, RecordError } from '../../errors.js';
import { withRetry } from '../../http/retry.js';
import { moneyToJsonNumber, sumMoney, type Money } from './money.js';
import {
  markExportedSchema,
  modificationSchema,
  pageSchema,
  paymentResponseSchema,
  type StRow,
} from './schemas.js';
import type { StTransport } from './transport.js';

/**
 * Writing ServiceTitan (api notes §4). Every write answers 200 with the resulting object. A plain
 * POST is not idempotent: when its answer is lost (timeout, dropped connection, 5xx) the record may
 * exist, so before the POST is sent again the writer looks the record up by the reference it
 * stamped on it; only when none is found is it sent again.
 */

/** Marker of the reference in a memo: the payment list shows the memo but not the exportId. */
export function refMarker(ref: string): string {
  return `[${ref}]`;
}

/** One payment to create (`Accounting.V2.PaymentCreateRequest`). */
export interface PaymentInput {
  /** Payment type id (`GET .../payment-types`). */
  typeId: number;
  /** The source's reference; stored as `exportId` and in the memo, and used to find the payment again. */
  exportId: string;
  memo?: string;
  /** ISO date-time. */
  paidOn: string;
  checkNumber?: string;
  authCode?: string;
  customerId?: number;
  status?: 'Pending' | 'Posted' | 'Exported';
  splits: Array<{ invoiceId: number; amount: Money }>;
}

export interface WriteOutcome {
  id: number;
  /** False when the record already existed (found by its reference) and nothing was sent. */
  created: boolean;
}

/**
 * `POST /accounting/v2/tenant/{t}/payments`, at most once per `exportId`: the payment is looked up
 * first (by the invoices it applies to, or the customer, among active and inactive payments, by the
 * memo marker) and again before any repeat of a POST whose answer was lost.
 */
export async function createPayment(t: StTransport, input: PaymentInput): Promise<WriteOutcome> {
  if (input.exportId.trim() === '')
    throw new RecordError('a payment needs an exportId', { code: 'servicetitan.payment_without_ref' });
  const splits = input.splits.map((s) => ({ invoiceId: s.invoiceId, amount: moneyToJsonNumber(s.amount) }));
  const marker = refMarker(input.exportId);
  const memo = input.memo?.includes(marker) ? input.memo : `${input.memo ?? ''} ${marker}`.trim();
  const body = {
    typeId: input.typeId,
    exportId: input.exportId,
    memo,
    paidOn: input.paidOn,
    ...(input.checkNumber === undefined ? {} : { checkNumber: input.checkNumber }),
    ...(input.authCode === undefined ? {} : { authCode: input.authCode }),
    ...(input.customerId === undefined ? {} : { customerId: input.customerId }),
    ...(input.status === undefined ? {} : { status: input.status }),
    amount: moneyToJsonNumber(sumMoney(input.splits.map((sp) => sp.amount))),
    splits,
  };
  return createOnce(
    t,
    'servicetitan.create.payment',
    () => findPayment(t, input, marker),
    async () => {
      const res = await t.call('POST', 'accounting', 'payments', {
        op: 'servicetitan.create.payment',
        kind: 'write',
        idempotent: false,
        json: body,
        money: ['amount'],
      });
      const parsed = paymentResponseSchema.safeParse(res.body);
      if (!parsed.success)
        throw new InternalError('POST payments: the answer is not a PaymentResponse', {
          code: 'servicetitan.bad_payload',
        });
      return parsed.data.id;
    },
  );
}

/** The payment carrying the marker, if ServiceTitan has one (active or not). */
export async function findPayment(
  t: StTransport,
  input: Pick<PaymentInput, 'splits' | 'customerId' | 'exportId'>,
  marker = refMarker(input.exportId),
): Promise<number | undefined> {
  const invoiceIds = [...new Set(input.splits.map((s) => s.invoiceId))];
  const base: Record<string, string> = { activeState: 'All', pageSize: '200' };
  if (invoiceIds.length > 0) base.appliedToInvoiceIds = invoiceIds.slice(0, 50).join(',');
  else if (input.customerId !== undefined) base.customerId = String(input.customerId);
  else
    throw new RecordError('a payment needs invoices to apply to or a customer', {
      code: 'servicetitan.payment_without_target',
    });
  for (let page = 1; page < 1000; page += 1) {
    const res = await t.call('GET', 'accounting', 'payments', {
      op: 'servicetitan.find.payment',
      kind: 'list',
      idempotent: true,
      searchParams: { ...base, page: String(page) },
      money: ['total', 'unappliedAmount', 'appliedAmount'],
    });
    const parsed = pageSchema.safeParse(res.body);
    if (!parsed.success)
      throw new InternalError('GET payments: the page does not have the documented envelope', {
        code: 'servicetitan.bad_page',
      });
    const hit = parsed.data.data.find((p: StRow) => typeof p.memo === 'string' && p.memo.includes(marker));
    if (hit) return hit.id;
    if (!parsed.data.hasMore) return undefined;
  }
  return undefined;
}

/** One purchase order to create (`Inventory.V2.CreatePurchaseOrderRequest`). */
export interface PurchaseOrderInput {
  /** The source's reference; stamped in the memo (the PO's `summary`) to find the PO again. */
  ref: string;
  vendorId: number;
  typeId: number;
  businessUnitId: number;
  inventoryLocationId: number;
  jobId?: number;
  shipTo: {
    description: string;
    address: { street: string; unit: string; city: string; state: string; zip: string; country: string };
  };
  vendorInvoiceNumber?: string;
  impactsTechnicianPayroll: boolean;
  memo?: string;
  date: string;
  requiredOn: string;
  tax: Money;
  shipping: Money;
  items: Array<{
    skuId: number;
    description: string;
    vendorPartNumber: string;
    quantity: Money;
    cost: Money;
  }>;
}

/** `POST /inventory/v2/tenant/{t}/purchase-orders`, at most once per `ref` (found by vendor and memo marker). */
export async function createPurchaseOrder(t: StTransport, input: PurchaseOrderInput): Promise<WriteOutcome> {
  const marker = refMarker(input.ref);
  const { ref: _ref, ...rest } = input;
  const body = {
    ...rest,
    memo: input.memo?.includes(marker) ? input.memo : `${input.memo ?? ''} ${marker}`.trim(),
    tax: moneyToJsonNumber(input.tax),
    shipping: moneyToJsonNumber(input.shipping),
    items: input.items.map((i) => ({
      ...i,
      quantity: moneyToJsonNumber(i.quantity),
      cost: moneyToJsonNumber(i.cost),
    })),
  };
  return createOnce(
    t,
    'servicetitan.create.purchase_order',
    () => findPurchaseOrder(t, input.vendorId, marker),
    async () => {
      const res = await t.call('POST', 'inventory', 'purchase-orders', {
        op: 'servicetitan.create.purchase_order',
        kind: 'write',
        idempotent: false,
        json: body,
      });
      const parsed = modificationSchema.safeParse(res.body);
      if (!parsed.success)
        throw new InternalError('POST purchase-orders: the answer has no id', {
          code: 'servicetitan.bad_payload',
        });
      return parsed.data.id;
    },
  );
}

/**
 * The purchase order of `vendorId` whose memo (the PO's `summary`) carries the marker, among those
 * created in the last 30 days, newest first. The PO list has no vendor or memo filter.
 */
export async function findPurchaseOrder(
  t: StTransport,
  vendorId: number,
  marker: string,
): Promise<number | undefined> {
  const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
  for (let page = 1; page <= 50; page += 1) {
    const res = await t.call('GET', 'inventory', 'purchase-orders', {
      op: 'servicetitan.find.purchase_order',
      kind: 'list',
      idempotent: true,
      searchParams: { page: String(page), pageSize: '500', createdOnOrAfter: since, sort: '-CreatedOn' },
      money: ['total', 'tax', 'shipping', 'cost', 'quantity', 'quantityReceived'],
    });
    const parsed = pageSchema.safeParse(res.body);
    if (!parsed.success)
      throw new InternalError('GET purchase-orders: the page does not have the documented envelope', {
        code: 'servicetitan.bad_page',
      });
    const hit = parsed.data.data.find(
      (r) => r.vendorId === vendorId && String(r.summary ?? '').includes(marker),
    );
    if (hit) return hit.id;
    if (!parsed.data.hasMore) return undefined;
  }
  return undefined;
}

/**
 * `POST /accounting/v2/tenant/{t}/invoices/markasexported`: idempotent (marking again changes
 * nothing), sent in chunks of 100; one result per invoice.
 */
export async function markInvoicesExported(
  t: StTransport,
  items: ReadonlyArray<{ invoiceId: number; externalId: string; externalMessage?: string }>,
): Promise<Array<{ invoiceId: number; success: boolean; errorMessage: string | null }>> {
  const out: Array<{ invoiceId: number; success: boolean; errorMessage: string | null }> = [];
  for (let i = 0; i < items.length; i += 100) {
    const res = await t.call('POST', 'accounting', 'invoices/markasexported', {
      op: 'servicetitan.invoices.markasexported',
      kind: 'write',
      idempotent: true,
      json: items.slice(i, i + 100).map((it) => ({
        invoiceId: it.invoiceId,
        externalId: it.externalId,
        ...(it.externalMessage === undefined ? {} : { externalMessage: it.externalMessage }),
      })),
    });
    const parsed = markExportedSchema.safeParse(res.body);
    if (!parsed.success)
      throw new InternalError('POST invoices/markasexported: unexpected answer', {
        code: 'servicetitan.bad_payload',
      });
    out.push(
      ...parsed.data.map((r) => ({
        invoiceId: r.invoiceId,
        success: r.success,
        errorMessage: r.errorMessage ?? null,
      })),
    );
  }
  return out;
}

/**
 * Sends a non-idempotent create at most once: `lookup` runs before the first POST (a replay or a
 * pass after a crash finds the record it made) and before every repeat of a POST whose answer was
 * lost; a POST that provably never left is repeated by the transport itself.
 */
async function createOnce(
  t: StTransport,
  op: string,
  lookup: () => Promise<number | undefined>,
  create: () => Promise<number>,
): Promise<WriteOutcome> {
  return withRetry(
    op,
    async () => {
      const found = await lookup();
      if (found !== undefined) return { id: found, created: false };
      // A TransientError out of here is ambiguous (the server may have made the record): the next
      // attempt starts with the look-up above.
      return { id: await create(), created: true };
    },
    { idempotent: true, ...(t.retryPolicy ? { policy: t.retryPolicy } : {}) },
  );
}
