import { isMlcError } from '../../errors.js';
import type { AcumaticaClient, AcuRow } from '../../systems/acumatica/client.js';
import type { ServiceNowClient, SnRow } from '../../systems/servicenow/client.js';
import type { ReadWindow } from '../../systems/types.js';
import type { Flow, SourceRecord, WriteResult } from '../../sync/types.js';
import { importDocuments, importFlat, type DocumentPayload, type StagingRow } from '../s2p.js';
import { bool, isoUtc, num, text } from '../values.js';
import {
  mapBill,
  mapCheck,
  mapCostCenter,
  mapGlAccount,
  mapPurchaseOrder,
  mapRequestToPo,
  mapVendor,
  type AccountData,
  type BillData,
  type CheckData,
  type CostCenterData,
  type MapOptions,
  type PoData,
  type PoRecord,
  type RequestData,
  type RequestMapOptions,
  type VendorData,
} from './mappers.js';
import type { AcumaticaServiceNowOptions } from './options.js';
import { acumaticaQueries } from './queries.js';

/** ServiceNow fields the return path reads. */
export const REQUEST_FIELDS = [
  'sys_id',
  'number',
  'short_description',
  'approval',
  'opened_at',
  'sys_updated_on',
] as const;
export const REQUEST_ITEM_FIELDS = [
  'sys_id',
  'number',
  'request',
  'short_description',
  'quantity',
  'price',
  'cat_item',
] as const;
export const REQUISITION_FIELDS = ['sys_id', 'request', 'supplier', 'cost_center'] as const;

/** Epoch stamp of entities without LastModifiedDateTime (full scan, diffed by content hash). */
const NO_STAMP = new Date(0).toISOString();

/** Acumatica master data the readers enrich documents with, loaded once per pass. */
class AcumaticaLookups {
  private vendors: Promise<Map<string, string>> | undefined;
  private accounts: Promise<Map<string, string>> | undefined;

  constructor(
    private readonly acu: AcumaticaClient,
    private readonly q: ReturnType<typeof acumaticaQueries>,
  ) {}

  vendorNames(): Promise<Map<string, string>> {
    const { entity, ...query } = this.q.vendorNames;
    return (this.vendors ??= this.acu
      .list(entity, query)
      .then((rows) => new Map(rows.map((r) => [upper(r.VendorID), text(r.VendorName) ?? '']))));
  }

  accountNames(): Promise<Map<string, string>> {
    const { entity, ...query } = this.q.accountNames;
    return (this.accounts ??= this.acu
      .list(entity, query)
      .then((rows) => new Map(rows.map((r) => [upper(r.AccountCD), text(r.Description) ?? '']))));
  }
}

function upper(v: unknown): string {
  return String(v ?? '')
    .trim()
    .toUpperCase();
}

function lines(r: AcuRow, field = 'Details'): AcuRow[] {
  const v = r[field];
  return Array.isArray(v) ? (v as AcuRow[]) : [];
}

/** A linked entity (`$expand`ed), or null when the server sent none. */
function linked(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function stamp(r: AcuRow): string {
  return isoUtc(r.LastModifiedDateTime) ?? NO_STAMP;
}

export interface AcumaticaServiceNowClients {
  acu: AcumaticaClient;
  sn: ServiceNowClient;
}

export function buildFlows(
  clients: AcumaticaServiceNowClients,
  options: AcumaticaServiceNowOptions,
  batchSize: number,
): Flow[] {
  const { acu, sn } = clients;
  const t = options.tables;
  const opts: MapOptions = {
    erpSource: options.erpSource,
    legalEntity: options.legalEntity,
    costCenterSource: options.costCenters.source,
    costCenterMap: options.costCenters.map,
    glAccountMap: options.glAccounts.map,
    glAccountTypes: options.glAccounts.types,
  };
  const q = acumaticaQueries(options);
  const lookups = new AcumaticaLookups(acu, q);
  const acuTime = (): Promise<Date> => acu.serverTime();
  const snTime = (): Promise<Date> => sn.serverTime();
  const flows: Flow[] = [];
  /** POs written by the return path in this pass, sent to ServiceNow by the PO flow of the same pass. */
  const createdPos = new Set<string>();

  // ---- GL accounts --------------------------------------------------------------------------------
  const account = (r: AcuRow): SourceRecord<AccountData> => ({
    id: r.id,
    modified: stamp(r),
    label: `${text(r.AccountCD) ?? ''} ${text(r.Description) ?? ''}`.trim(),
    data: {
      code: text(r.AccountCD) ?? '',
      description: text(r.Description) ?? '',
      type: text(r.Type) ?? '',
      active: r.Active === undefined || r.Active === null ? true : bool(r.Active),
      currency: text(r.CurrencyID),
    },
  });
  if (options.glAccounts.enabled) {
    flows.push({
      name: 'gl_accounts',
      entity: 'gl_account',
      direction: 'acumatica -> servicenow',
      description: `Acumatica GL accounts of types ${options.glAccounts.types.join(', ')} -> ${t.glAccountStaging}`,
      serverTime: acuTime,
      async *read(window) {
        for await (const page of acu.readChanged('Account', { window, select: q.accounts.select ?? [] }))
          yield page.map(account);
      },
      async fetch(ids) {
        const rows = await Promise.all(ids.map((id) => acu.get('Account', id)));
        return rows.filter((r): r is AcuRow => r !== null).map(account);
      },
      map: (r) => mapGlAccount(r.data, opts),
      write: (items) => importFlat(sn, t.glAccountStaging, items as never),
      provides: { kind: 'gl_account', key: (p: StagingRow) => p.u_number ?? '' },
    } satisfies Flow<AccountData, StagingRow> as Flow);
  }

  // ---- cost centers (Subaccount or Branch; no change stamp: full scan, diffed by hash) ------------
  const readCostCenters = async (): Promise<SourceRecord<CostCenterData>[]> => {
    if (options.costCenters.source === 'Subaccount') {
      const rows = await acu.list('Subaccount', { select: q.subaccounts.select ?? [] });
      return rows
        .filter((r) => text(r.SubaccountCD))
        .map((r) => ({
          id: text(r.SubaccountCD) as string,
          modified: NO_STAMP,
          label: `${text(r.SubaccountCD) ?? ''} ${text(r.Description) ?? ''}`.trim(),
          data: {
            code: text(r.SubaccountCD) as string,
            name: text(r.Description) ?? (text(r.SubaccountCD) as string),
            active: r.Active === undefined || r.Active === null ? true : bool(r.Active),
          },
        }));
    }
    // Branches come from the CompaniesStructure inquiry (§2: PUT with $expand=Results).
    const inquiry = await acu.put('CompaniesStructure', {}, { expand: ['Results'] });
    return lines(inquiry, 'Results')
      .filter((r) => text(r.BranchID))
      .map((r) => ({
        id: text(r.BranchID) as string,
        modified: NO_STAMP,
        label: `${text(r.BranchID) ?? ''} ${text(r.BranchName) ?? ''}`.trim(),
        data: {
          code: text(r.BranchID) as string,
          name: text(r.BranchName) ?? (text(r.BranchID) as string),
          active: r.BranchStatus === undefined || r.BranchStatus === null ? true : bool(r.BranchStatus),
        },
      }));
  };
  if (options.costCenters.enabled) {
    flows.push({
      name: 'cost_centers',
      entity: 'cost_center',
      direction: 'acumatica -> servicenow',
      description: `Acumatica ${options.costCenters.source === 'Subaccount' ? 'subaccounts' : 'branches'} -> ${t.costCenterStaging}`,
      serverTime: acuTime,
      async *read() {
        const all = await readCostCenters();
        for (let i = 0; i < all.length; i += batchSize) yield all.slice(i, i + batchSize);
      },
      async fetch(codes) {
        const want = new Set(codes.map((c) => c.toUpperCase()));
        return (await readCostCenters()).filter((r) => want.has(r.id.toUpperCase()));
      },
      map: (r) => mapCostCenter(r.data, opts),
      write: (items) => importFlat(sn, t.costCenterStaging, items as never),
      provides: { kind: 'cost_center', key: (p: StagingRow) => p.u_code ?? '' },
    } satisfies Flow<CostCenterData, StagingRow> as Flow);
  }

  // ---- vendors ------------------------------------------------------------------------------------
  const vendor = (r: AcuRow): SourceRecord<VendorData> => {
    const contact = linked(r.MainContact);
    const address = linked(contact?.Address);
    return {
      id: r.id,
      modified: stamp(r),
      label: `${text(r.VendorID) ?? ''} ${text(r.VendorName) ?? ''}`.trim(),
      data: {
        vendorId: text(r.VendorID) ?? '',
        name: text(r.VendorName) ?? '',
        legalName: text(r.LegalName),
        status: text(r.Status) ?? 'Active',
        currency: text(r.CurrencyID),
        terms: text(r.Terms),
        vendorClass: text(r.VendorClass),
        taxId: text(r.TaxRegistrationID),
        email: text(contact?.Email),
        city: text(address?.City),
        country: text(address?.Country),
      },
    };
  };
  if (options.vendors.enabled) {
    flows.push({
      name: 'vendors',
      entity: 'supplier',
      direction: 'acumatica -> servicenow',
      description: `Acumatica vendors -> ${t.supplierStaging}`,
      serverTime: acuTime,
      async *read(window) {
        const { entity, ...query } = q.vendors;
        for await (const page of acu.readChanged(entity, { window, ...query })) yield page.map(vendor);
      },
      async fetch(ids) {
        const expand = q.vendors.expand ?? [];
        const rows = await Promise.all(ids.map((id) => acu.get('Vendor', id, { expand })));
        return rows.filter((r): r is AcuRow => r !== null).map(vendor);
      },
      map: (r) => mapVendor(r.data, opts),
      write: (items) => importFlat(sn, t.supplierStaging, items as never),
      provides: { kind: 'supplier', key: (p: StagingRow) => p.u_erp_company_code ?? '' },
    } satisfies Flow<VendorData, StagingRow> as Flow);
  }

  // ---- return path: approved ServiceNow requests -> Acumatica purchase orders ---------------------
  if (options.requests.enabled) {
    const ro: RequestMapOptions = {
      orderType: options.requests.orderType,
      branch: options.requests.branch,
      hold: options.requests.hold,
      inventoryId: options.requests.inventoryId,
      account: options.requests.account,
      refField: options.requests.refField,
      defaultVendor: options.requests.defaultVendor,
      costCenterSource: options.costCenters.source,
      costCenterMap: options.costCenters.map,
    };
    const enrichRequests = async (rows: SnRow[]): Promise<SourceRecord<RequestData>[]> => {
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.sys_id);
      const [items, requisitions] = await Promise.all([
        sn.queryAll(t.requestItem, {
          query: `requestIN${ids.join(',')}^ORDERBYnumber`,
          fields: [...REQUEST_ITEM_FIELDS],
        }),
        sn.queryAll(t.requisition, { query: `requestIN${ids.join(',')}`, fields: [...REQUISITION_FIELDS] }),
      ]);
      const supplierIds = [...new Set(requisitions.map((q) => q.supplier).filter((s): s is string => !!s))];
      const ccIds = [...new Set(requisitions.map((q) => q.cost_center).filter((s): s is string => !!s))];
      const [suppliers, costCenters] = await Promise.all([
        supplierIds.length
          ? sn.queryAll(t.supplier, {
              query: `sys_idIN${supplierIds.join(',')}`,
              fields: ['sys_id', 'legal_name', 'name', 'erp_company_code', 'erp_source'],
            })
          : Promise.resolve([] as SnRow[]),
        ccIds.length
          ? sn.queryAll(t.costCenter, { query: `sys_idIN${ccIds.join(',')}`, fields: ['sys_id', 'code'] })
          : Promise.resolve([] as SnRow[]),
      ]);
      const supplierBy = new Map(suppliers.map((s) => [s.sys_id, s]));
      const ccBy = new Map(costCenters.map((c) => [c.sys_id, c.code ?? '']));
      return rows.map((r) => {
        const q = requisitions.find((x) => x.request === r.sys_id);
        const s = q?.supplier ? supplierBy.get(q.supplier) : undefined;
        const fromThisErp = s && (s.erp_source ?? '').toLowerCase() === options.erpSource.toLowerCase();
        const its = items.filter((i) => i.request === r.sys_id);
        return {
          id: r.sys_id,
          modified: isoUtc(r.sys_updated_on) ?? NO_STAMP,
          label: r.number ?? r.sys_id,
          data: {
            sysId: r.sys_id,
            number: r.number ?? r.sys_id,
            description: r.short_description ?? '',
            approval: r.approval ?? '',
            opened: r.opened_at ? r.opened_at.slice(0, 10) : null,
            vendorId: fromThisErp ? text(s.erp_company_code) : null,
            supplierName: s ? (text(s.legal_name) ?? text(s.name)) : null,
            costCenter: q?.cost_center ? text(ccBy.get(q.cost_center)) : null,
            items: its.map((i) => ({
              number: i.number ?? '',
              description: i.short_description ?? '',
              quantity: num(i.quantity) || 1,
              price: num(i.price),
              inventoryId: null,
            })),
          },
        };
      });
    };
    flows.push({
      name: 'requests_to_acumatica',
      entity: 'request_po',
      direction: 'servicenow -> acumatica',
      description: `ServiceNow requests (${options.requests.query}) -> Acumatica purchase orders, found again by ${options.requests.refField}`,
      serverTime: snTime,
      async *read(window) {
        for await (const page of sn.readChanged(t.request, {
          fields: [...REQUEST_FIELDS],
          window,
          query: options.requests.query,
        }))
          yield await enrichRequests(page);
      },
      async fetch(ids) {
        return enrichRequests(
          await sn.queryAll(t.request, { query: `sys_idIN${ids.join(',')}`, fields: [...REQUEST_FIELDS] }),
        );
      },
      map: (r) => mapRequestToPo(r.data, ro),
      async write(items): Promise<WriteResult[]> {
        const results: WriteResult[] = [];
        for (const item of items) {
          try {
            const { row, created } = await acu.upsertByRef(
              'PurchaseOrder',
              options.requests.refField,
              item.record.label,
              item.payload,
              { expand: ['Details'] },
            );
            createdPos.add(row.id);
            results.push({
              ok: true,
              targetId: text(row.OrderNbr) ?? row.id,
              response: { id: row.id, OrderNbr: row.OrderNbr, Status: row.Status, created },
            });
          } catch (err) {
            // A refused record (unknown vendor, 422) is audited; anything else stops the flow.
            if (isMlcError(err) && err.kind === 'record') results.push({ ok: false, error: err });
            else throw err;
          }
        }
        return results;
      },
    } satisfies Flow<RequestData, PoRecord> as Flow);
  }

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
