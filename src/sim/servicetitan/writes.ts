import type { SimResponse } from '../common/server.js';
import { apiError } from './lists.js';
import { addMoney, cents, lineTotal, money } from './money.js';
import type { Row, SimStore } from './store.js';

/**
 * The writes mlc makes (api notes §4): payments, purchase orders, invoices marked as exported, and
 * the two refusals the notes single out (a stand-alone invoice, a job without a campaign). Bodies
 * reach these handlers already validated against the OpenAPI request models; these add the
 * business rules (unknown payment type, invoice, vendor or business unit) and answer 200 with the
 * documented model. Money arrives as the raw decimal text of the request (no float on the way).
 */
type Body = Record<string, unknown>;
/** A refusal, or the value to shape into the documented 200 model. */
export type WriteAnswer = SimResponse | { value: unknown };
const ok = (value: unknown): WriteAnswer => ({ value });

const invalid = (errors: Record<string, string[]>): SimResponse =>
  apiError(400, 'One or more validation errors occurred.', errors);

export function createPayment(store: SimStore, tenant: string, body: Body, at: number): WriteAnswer {
  const types = store.table(tenant, 'payment_types');
  const typeId = Number(body.typeId);
  const type = types.get(typeId);
  if (!type) return invalid({ typeId: [`Payment type ${typeId} does not exist.`] });
  const splits =
    (body.splits as Array<{ invoiceId?: number | null; amount?: string | null }> | undefined) ?? [];
  const invoices = store.table(tenant, 'invoices');
  const errors: Record<string, string[]> = {};
  splits.forEach((s, i) => {
    if (s.invoiceId === null || s.invoiceId === undefined || !invoices.has(s.invoiceId))
      errors[`splits[${i}].invoiceId`] = [`Invoice ${String(s.invoiceId)} was not found.`];
  });
  if (Object.keys(errors).length > 0) return invalid(errors);
  const total =
    splits.length > 0 ? addMoney(splits.map((s) => String(s.amount ?? '0'))) : String(body.amount ?? '0.00');
  const firstInvoice = splits[0] ? (invoices.get(splits[0].invoiceId as number) as Row) : undefined;
  const customer = firstInvoice
    ? (firstInvoice.customer as { id: number; name: string })
    : body.customerId !== undefined && body.customerId !== null
      ? {
          id: Number(body.customerId),
          name: String(store.table(tenant, 'customers').get(Number(body.customerId))?.name ?? ''),
        }
      : undefined;
  const stamp = store.stamp(at);
  const row = store.insert(
    tenant,
    'payments',
    {
      active: true,
      appliedTo: splits.map((s, i) => ({
        appliedAmount: money(cents(String(s.amount ?? '0'))),
        appliedBy: 'api',
        appliedId: i + 1,
        appliedOn: stamp,
        appliedTo: s.invoiceId,
        appliedToReferenceNumber: invoices.get(s.invoiceId as number)?.referenceNumber ?? null,
      })),
      authCode: body.authCode ?? null,
      checkNumber: body.checkNumber ?? null,
      customer: customer ?? null,
      date: body.paidOn ?? stamp,
      memo: body.memo ?? null,
      referenceNumber: null,
      syncStatus: String(body.status ?? 'Pending'),
      total,
      type: type.name,
      typeId: String(typeId),
      unappliedAmount: '0.00',
      customFields: [],
      _exportId: body.exportId ?? null,
      modifiedOn: stamp,
      createdOn: stamp,
    },
    at,
  );
  for (const s of splits) {
    const inv = invoices.get(s.invoiceId as number) as Row;
    store.update(
      tenant,
      'invoices',
      inv.id,
      { balance: money(cents(String(inv.balance)) - cents(String(s.amount ?? '0'))) },
      at,
    );
  }
  return ok({
    id: row.id,
    typeId,
    active: true,
    memo: row.memo,
    paidOn: row.date,
    authCode: row.authCode,
    checkNumber: row.checkNumber,
    exportId: row._exportId,
    customerId: customer?.id ?? null,
    status: row.syncStatus,
    transactionStatus: 'Success',
    splits: splits.map((s) => ({ amount: s.amount ?? null, invoiceId: s.invoiceId, invoiceNumber: null })),
  });
}

/**
 * A payment taken in the field, as the mobile app records it: like an API payment, but applied by
 * the technician, with a reference number, no exportId, and the tenant's first payment type unless
 * one is named. Amounts are decimal strings.
 */
export function fieldPayment(store: SimStore, tenant: string, body: Body, at: number): WriteAnswer {
  const [firstType] = store.table(tenant, 'payment_types').values();
  const splits = (body.splits as Array<{ invoiceId?: unknown; amount?: unknown }> | undefined) ?? [];
  if (splits.length === 0) return invalid({ splits: ['A payment needs at least one split.'] });
  const made = createPayment(
    store,
    tenant,
    {
      typeId: body.typeId ?? firstType?.id,
      memo: body.memo ?? 'Collected in the field',
      paidOn: body.paidOn ?? store.stamp(at),
      splits: splits.map((sp) => ({ invoiceId: Number(sp.invoiceId), amount: String(sp.amount) })),
    },
    at,
  );
  if (!('value' in made)) return made;
  const id = (made.value as { id: number }).id;
  const row = store.table(tenant, 'payments').get(id) as Row;
  row.appliedTo = (row.appliedTo as Array<Record<string, unknown>>).map((a) => ({
    ...a,
    appliedBy: 'technician',
  }));
  row.referenceNumber = `PAY-${id}`;
  delete row._exportId;
  return ok(row);
}

export function createPurchaseOrder(store: SimStore, tenant: string, body: Body, at: number): WriteAnswer {
  const errors: Record<string, string[]> = {};
  const vendor = store.table(tenant, 'vendors').get(Number(body.vendorId));
  if (!vendor) errors.vendorId = [`Vendor ${String(body.vendorId)} was not found.`];
  else if (vendor.active === false) errors.vendorId = [`Vendor ${vendor.name as string} is inactive.`];
  if (!store.table(tenant, 'business_units').get(Number(body.businessUnitId)))
    errors.businessUnitId = [`Business unit ${String(body.businessUnitId)} was not found.`];
  const items = (body.items as Array<Record<string, unknown>>) ?? [];
  if (items.length === 0) errors.items = ['A purchase order needs at least one item.'];
  if (Object.keys(errors).length > 0) return invalid(errors);
  const lines = items.map((it, i) => ({
    id: store.newId(),
    skuId: it.skuId,
    description: it.description,
    skuName: `SKU-${String(it.skuId)}`,
    skuCode: `SKU-${String(it.skuId)}`,
    skuType: 'Material',
    vendorPartNumber: it.vendorPartNumber,
    quantity: String(it.quantity),
    quantityReceived: '0',
    cost: String(it.cost),
    total: lineTotal(String(it.quantity), String(it.cost)),
    serialNumbers: [],
    status: 'Pending',
    chargeable: true,
    order: i + 1,
  }));
  const tax = String(body.tax);
  const shipping = String(body.shipping);
  const shipTo = (body.shipTo as { address?: Record<string, unknown> } | undefined)?.address ?? {};
  const row = store.insert(
    tenant,
    'purchase_orders',
    {
      number: '',
      status: 'Pending',
      typeId: body.typeId,
      vendorId: body.vendorId,
      businessUnitId: body.businessUnitId,
      inventoryLocationId: body.inventoryLocationId,
      jobId: body.jobId ?? null,
      shipTo,
      vendorDocumentNumber: String(body.vendorInvoiceNumber ?? ''),
      date: body.date,
      requiredOn: body.requiredOn,
      tax,
      shipping,
      total: addMoney([...lines.map((l) => l.total), tax, shipping]),
      summary: String(body.memo ?? ''),
      items: lines,
      customFields: [],
    },
    at,
  );
  row.number = `PO-${row.id}`;
  for (const l of row.items as Array<Record<string, unknown>>) {
    l.createdOn = row.createdOn;
    l.modifiedOn = row.modifiedOn;
  }
  return ok({ id: row.id });
}

export function markInvoicesExported(
  store: SimStore,
  tenant: string,
  body: unknown,
  at: number,
): WriteAnswer {
  const items = body as Array<{
    invoiceId: number;
    externalId?: string | null;
    externalMessage?: string | null;
  }>;
  const out = items.map((it) => {
    const inv = store.table(tenant, 'invoices').get(it.invoiceId);
    if (!inv)
      return {
        invoiceId: it.invoiceId,
        success: false,
        errorMessage: `Invoice ${it.invoiceId} was not found.`,
      };
    store.update(tenant, 'invoices', inv.id, { syncStatus: 'Exported', exportId: it.externalId ?? null }, at);
    return { invoiceId: it.invoiceId, success: true, errorMessage: null };
  });
  return ok(out);
}

/** Only adjustment invoices can be created; an adjustment answers its new id. */
export function createInvoice(store: SimStore, tenant: string, body: Body, at: number): WriteAnswer {
  const to = body.adjustmentToId;
  if (to === undefined || to === null)
    return invalid({
      adjustmentToId: ['Only adjustment invoices can be created: adjustmentToId is required.'],
    });
  const original = store.table(tenant, 'invoices').get(Number(to));
  if (!original) return apiError(404, `Invoice ${String(to)} was not found.`);
  const row = store.insert(
    tenant,
    'invoices',
    {
      ...original,
      id: undefined,
      adjustmentToId: original.id,
      referenceNumber: `${String(original.referenceNumber)}-ADJ`,
      items: [],
      subTotal: '0.00',
      total: '0.00',
      balance: '0.00',
      modifiedOn: undefined,
      createdOn: undefined,
    } as unknown as Row,
    at,
  );
  return ok(row.id);
}

/** Job create: 422 without a campaign (api notes §4), else the job. */
export function createJobPrecheck(body: unknown): SimResponse | undefined {
  const b = body as Body | null;
  if (b && typeof b === 'object' && (b.campaignId === undefined || b.campaignId === null))
    return apiError(422, 'The job could not be created.', {
      campaignId: ['A campaign is required to book a job.'],
    });
  return undefined;
}

export function createJob(store: SimStore, tenant: string, body: Body, at: number): WriteAnswer {
  const row = store.insert(
    tenant,
    'jobs',
    {
      jobNumber: '',
      customerId: body.customerId,
      locationId: body.locationId,
      jobStatus: 'Scheduled',
      businessUnitId: body.businessUnitId,
      jobTypeId: body.jobTypeId,
      priority: body.priority,
      campaignId: body.campaignId,
      appointmentCount: 0,
      firstAppointmentId: 0,
      lastAppointmentId: 0,
      noCharge: false,
      notificationsEnabled: true,
      createdById: 1,
      tagTypeIds: [],
      customerPo: '',
      invoiceId: 0,
      estimateIds: [],
      summary: String(body.summary ?? ''),
      customFields: [],
      externalData: [],
      total: '0.00',
    },
    at,
  );
  row.jobNumber = String(row.id);
  return ok(row);
}
