import type { AcuRow } from '../../systems/acumatica/client.js';
import type { ReadWindow } from '../../systems/types.js';
import type { Flow, SourceRecord } from '../../sync/types.js';
import {
  S2P_INVOICE_TARGET,
  S2P_ORDER_TARGET,
  s2pDocumentReconcile,
  importDocuments,
  importFlat,
  type DocumentPayload,
  type StagingRow,
} from '../s2p.js';
import { num, text } from '../values.js';
import { lines, stamp, upper, type FlowContext } from './context.js';
import {
  mapBill,
  mapCheck,
  mapPurchaseOrder,
  type BillData,
  type CheckData,
  type PoData,
} from './mappers.js';

/** Documents: purchase orders with lines, AP bills with lines, AP payments (`Check`). */
export function documentFlows(ctx: FlowContext): Flow[] {
  const { acu, sn, t, opts, options, q, lookups, acuTime, createdPos } = ctx;
  const flows: Flow[] = [];

  // ---- purchase orders with lines ----------------------------------------------------------------
  const enrichPos = async (rows: AcuRow[]): Promise<SourceRecord<PoData>[]> => {
    const names = await lookups.vendorNames();
    return rows.map((r) => {
      const number = text(r.OrderNbr) ?? r.id;
      return {
        id: r.id,
        modified: stamp(r),
        label: `${text(r.Type) === 'Normal' ? '' : `${text(r.Type) ?? ''} `}${number}`,
        data: {
          type: text(r.Type) ?? 'Normal',
          number,
          status: text(r.Status) ?? '',
          vendorId: text(r.VendorID),
          vendorName: names.get(upper(r.VendorID)) ?? null,
          vendorRef: text(r.VendorRef),
          date: text(r.Date),
          description: text(r.Description),
          branch: text(r.Branch),
          currency: text(r.CurrencyID),
          total: num(r.OrderTotal),
          lines: lines(r).map((l, i) => ({
            lineNbr: text(l.LineNbr) ?? String(i + 1),
            inventoryId: text(l.InventoryID),
            description: text(l.LineDescription) ?? '',
            quantity: num(l.OrderQty),
            unitCost: num(l.UnitCost),
            extendedCost: num(l.ExtendedCost),
            account: text(l.Account),
            subaccount: text(l.Subaccount),
            branch: text(l.BranchID),
          })),
        },
      };
    });
  };
  if (options.purchaseOrders.enabled) {
    flows.push({
      name: 'purchase_orders',
      entity: 'purchase_order',
      direction: 'acumatica -> servicenow',
      description: `Acumatica purchase orders (${options.purchaseOrders.statuses.join(', ')}) with lines -> ${t.orderStaging} + ${t.orderLineStaging}`,
      serverTime: acuTime,
      async *read(window: ReadWindow) {
        const seen = new Set<string>();
        const { entity, ...query } = q.purchaseOrders;
        for await (const page of acu.readChanged(entity, { window, ...query })) {
          for (const r of page) seen.add(r.id);
          yield await enrichPos(page);
        }
        // Orders the return path wrote in this pass may be stamped after the window's end; they are
        // sent now (and recognised as already handled when the next window re-reads them).
        const extra = [...createdPos].filter((id) => !seen.has(id));
        if (extra.length > 0) {
          const rows = await Promise.all(
            extra.map((id) => acu.get('PurchaseOrder', id, { expand: ['Details'] })),
          );
          const wanted = rows.filter(
            (r): r is AcuRow => r !== null && options.purchaseOrders.statuses.includes(text(r.Status) ?? ''),
          );
          if (wanted.length > 0) yield await enrichPos(wanted);
        }
      },
      async fetch(ids) {
        const rows = await Promise.all(
          ids.map((id) => acu.get('PurchaseOrder', id, { expand: ['Details'] })),
        );
        return enrichPos(
          rows.filter(
            (r): r is AcuRow => r !== null && options.purchaseOrders.statuses.includes(text(r.Status) ?? ''),
          ),
        );
      },
      map: (r) => mapPurchaseOrder(r.data, opts),
      write: (items) => importDocuments(sn, t.orderStaging, t.orderLineStaging, items as never),
      reconcile: s2pDocumentReconcile(sn, S2P_ORDER_TARGET),
    } satisfies Flow<PoData, DocumentPayload> as Flow);
  }

  // ---- AP bills with lines -----------------------------------------------------------------------
  const enrichBills = async (rows: AcuRow[]): Promise<SourceRecord<BillData>[]> => {
    const [names, accounts] = await Promise.all([lookups.vendorNames(), lookups.accountNames()]);
    return rows.map((r) => {
      const number = text(r.ReferenceNbr) ?? r.id;
      return {
        id: r.id,
        modified: stamp(r),
        label: `${text(r.Type) ?? 'Bill'} ${number}`,
        data: {
          type: text(r.Type) ?? 'Bill',
          number,
          status: text(r.Status) ?? '',
          vendorId: text(r.Vendor),
          vendorName: names.get(upper(r.Vendor)) ?? null,
          vendorRef: text(r.VendorRef),
          date: text(r.Date),
          dueDate: text(r.DueDate),
          currency: text(r.CurrencyID),
          amount: num(r.Amount),
          taxTotal: num(r.TaxTotal),
          description: text(r.Description),
          branch: text(r.BranchID),
          lines: lines(r).map((l) => ({
            id: l.id,
            description: text(l.TransactionDescription) ?? text(l.Description) ?? '',
            quantity: num(l.Qty),
            unitCost: num(l.UnitCost),
            amount: num(l.Amount),
            account: text(l.Account),
            accountName: accounts.get(upper(l.Account)) ?? null,
            subaccount: text(l.Subaccount),
            branch: text(l.Branch),
            poOrderNbr: text(l.POOrderNbr),
            poLine: text(l.POLine),
          })),
        },
      };
    });
  };
  if (options.bills.enabled) {
    flows.push({
      name: 'bills',
      entity: 'bill',
      direction: 'acumatica -> servicenow',
      description: `Acumatica AP bills (${options.bills.types.join(', ')}; ${options.bills.statuses.join(', ')}) with lines -> ${t.invoiceStaging} + ${t.invoiceLineStaging}`,
      serverTime: acuTime,
      async *read(window) {
        const { entity, ...query } = q.bills;
        for await (const page of acu.readChanged(entity, { window, ...query })) yield await enrichBills(page);
      },
      async fetch(ids) {
        const rows = await Promise.all(ids.map((id) => acu.get('Bill', id, { expand: ['Details'] })));
        return enrichBills(
          rows.filter(
            (r): r is AcuRow =>
              r !== null &&
              options.bills.types.includes(text(r.Type) ?? '') &&
              options.bills.statuses.includes(text(r.Status) ?? ''),
          ),
        );
      },
      map: (r) => mapBill(r.data, opts),
      write: (items) => importDocuments(sn, t.invoiceStaging, t.invoiceLineStaging, items as never),
      reconcile: s2pDocumentReconcile(sn, S2P_INVOICE_TARGET),
    } satisfies Flow<BillData, DocumentPayload> as Flow);
  }

  // ---- AP payments (Check; `Payment` is receivables) ----------------------------------------------
  const enrichChecks = async (rows: AcuRow[]): Promise<SourceRecord<CheckData>[]> => {
    const names = await lookups.vendorNames();
    return rows.map((r) => {
      const number = text(r.ReferenceNbr) ?? r.id;
      return {
        id: r.id,
        modified: stamp(r),
        label: `${text(r.Type) ?? 'Payment'} ${number}`,
        data: {
          type: text(r.Type) ?? 'Payment',
          number,
          status: text(r.Status) ?? '',
          vendorId: text(r.Vendor),
          vendorName: names.get(upper(r.Vendor)) ?? null,
          paymentMethod: text(r.PaymentMethod),
          cashAccount: text(r.CashAccount),
          paymentRef: text(r.PaymentRef),
          date: text(r.ApplicationDate),
          currency: text(r.CurrencyID),
          amount: num(r.PaymentAmount),
          description: text(r.Description),
          applications: lines(r).map((l) => ({
            docType: text(l.DocType) ?? 'Bill',
            referenceNbr: text(l.ReferenceNbr) ?? '',
            amountPaid: num(l.AmountPaid),
          })),
        },
      };
    });
  };
  if (options.payments.enabled) {
    flows.push({
      name: 'payments',
      entity: 'payment',
      direction: 'acumatica -> servicenow',
      description: `Acumatica AP payments (Check: ${options.payments.types.join(', ')}) -> ${t.paymentStaging}`,
      serverTime: acuTime,
      async *read(window) {
        const { entity, ...query } = q.checks;
        for await (const page of acu.readChanged(entity, { window, ...query }))
          yield await enrichChecks(page);
      },
      async fetch(ids) {
        const rows = await Promise.all(ids.map((id) => acu.get('Check', id, { expand: ['Details'] })));
        return enrichChecks(
          rows.filter(
            (r): r is AcuRow =>
              r !== null &&
              options.payments.types.includes(text(r.Type) ?? '') &&
              options.payments.statuses.includes(text(r.Status) ?? ''),
          ),
        );
      },
      map: (r) => mapCheck(r.data, opts),
      write: (items) => importFlat(sn, t.paymentStaging, items as never),
    } satisfies Flow<CheckData, StagingRow> as Flow);
  }

  return flows;
}
