import { RecordError } from '../../errors.js';
import { fetchInvoices, readInvoices, type OdooInvoice } from '../../systems/odoo/sources/index.js';
import type { WriteOutcome } from '../../systems/salesforce/index.js';
import { odooRef } from '../../systems/odoo/sources/index.js';
import type { Flow, Money, ReconcileSpec, SourceRecord, WriteResult } from '../../sync/types.js';
import type { Company } from './companies.js';
import { eachCompany, inEachCompany, type PairContext } from './context.js';
import { invoiceLineAmount, mapInvoice, withInvoiceLine, type InvoicePayload } from './mappers.js';

type InvoiceData = OdooInvoice & { orderRef: string | null; companyCode: string };

/**
 * Posted customer invoices, recorded on the Order of the sales order they invoice: one line per
 * invoice in the Order's Description. The Invoice object exists only with Order Management,
 * Commerce or Billing and is never createable through the sObject API
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_invoice.htm),
 * so orgs with and without it get the same record; `mlc ping` says which the org is.
 */
export function invoiceFlows(ctx: PairContext): Flow[] {
  const { odoo, sf, f, options, companies, sfLookups, odooTime } = ctx;
  if (!options.invoices.enabled || !options.orders.enabled) return [];
  /** The sales orders the invoices name in `invoice_origin`, in the invoice's company. */
  const withOrders = async (invoices: OdooInvoice[], c: Company): Promise<SourceRecord<InvoiceData>[]> => {
    const origins = [...new Set(invoices.map((i) => i.origin).filter((o): o is string => o !== null))];
    const byName = new Map<string, string>();
    if (origins.length > 0) {
      const rows = await odoo.searchRead(
        'sale.order',
        [
          ['name', 'in', origins],
          ['company_id', '=', c.company],
          ['state', 'in', options.orders.states],
        ],
        { fields: ['id', 'name'], context: { allowed_company_ids: [c.company] } },
      );
      for (const r of rows) byName.set(String(r.name), odooRef('sale.order', r.id));
    }
    return invoices.map((i) => ({
      id: i.ref,
      modified: i.modified.toISOString(),
      label: i.number,
      data: {
        ...i,
        companyCode: c.code,
        orderRef: i.origin === null ? null : (byName.get(i.origin) ?? null),
      },
    }));
  };
  let support: Promise<string> | undefined;
  const where = (): Promise<string> =>
    (support ??= sf
      .invoiceSupport()
      .then((s) =>
        s.present
          ? 'Order (the org has Invoice, not createable by API)'
          : 'Order (the org has no Invoice object)',
      ));
  return [
    {
      name: 'invoices',
      entity: 'invoice',
      direction: 'odoo -> salesforce',
      description: 'Odoo posted customer invoices -> a line on the Salesforce Order of their sales order',
      serverTime: odooTime,
      read: (window) =>
        eachCompany(companies, async function* (c) {
          for await (const page of readInvoices(odoo, { window, scope: c })) yield await withOrders(page, c);
        }),
      fetch: (refs) =>
        inEachCompany(companies, async (c) => withOrders(await fetchInvoices(odoo, refs, c), c)),
      map: (r) => mapInvoice(r.data),
      reconcile: invoiceReconcile(ctx),
      async write(items): Promise<WriteResult[]> {
        const recordedOn = await where();
        const orders = new Map(
          (
            await sfLookups.where(
              'Order',
              ['Description', f.externalId],
              f.externalId,
              items.map((i) => i.payload.orderRef),
            )
          ).map((r) => [
            String(r[f.externalId]),
            { id: r.Id, description: (r.Description ?? null) as string | null },
          ]),
        );
        const out: WriteResult[] = [];
        // One call per invoice: two invoices of one order must not overwrite each other's line.
        for (const it of items) {
          const order = orders.get(it.payload.orderRef);
          if (!order) {
            out.push({ ok: false, error: missingOrder(it.payload) });
            continue;
          }
          const description = withInvoiceLine(order.description, it.payload.number, it.payload.line);
          const [o] = (await sf.update('Order', [{ Id: order.id, Description: description }])) as [
            WriteOutcome,
          ];
          if (o.ok) {
            order.description = description;
            out.push({ ok: true, targetId: order.id, response: { recordedOn } });
          } else out.push({ ok: false, error: o.error });
        }
        return out;
      },
    } satisfies Flow<InvoiceData, InvoicePayload> as Flow,
  ];
}

/**
 * What `mlc reconcile` compares for invoices: per company, each invoice's total against the amount
 * its line on the Order records (an Order without the line does not hold the invoice).
 */
function invoiceReconcile(ctx: PairContext): ReconcileSpec<InvoiceData, InvoicePayload> {
  const { f, sfLookups } = ctx;
  return {
    facts: (r) => ({
      company: r.data.companyCode,
      money: { amount: r.data.amountTotal.toFixed(2), currency: r.data.currency ?? '?' },
    }),
    target: async (items) => {
      const rows = await sfLookups.where(
        'Order',
        ['Description', f.externalId],
        f.externalId,
        items.map((i) => i.payload.orderRef),
      );
      const byRef = new Map(rows.map((r) => [String(r[f.externalId]), r]));
      const held = new Map<string, { targetId: string; money?: Money }>();
      for (const { record, payload } of items) {
        const order = byRef.get(payload.orderRef);
        const line = order
          ? invoiceLineAmount((order.Description ?? null) as string | null, payload.number)
          : undefined;
        if (!order || !line) continue;
        held.set(record.id, {
          targetId: order.Id,
          money: { amount: line.amount, currency: line.currency ?? record.data.currency ?? '?' },
        });
      }
      return held;
    },
  };
}

function missingOrder(p: InvoicePayload): RecordError {
  return new RecordError(`Invoice ${p.number}: Salesforce holds no Order ${p.orderRef}`, {
    code: 'odoo_salesforce.no_order',
    hint: 'the sales order reaches Salesforce first; mlc replay sends the invoice again',
  });
}
