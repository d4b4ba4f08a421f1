import { isMlcError } from '../../errors.js';
import { mapLimit } from '../../http/limiter.js';
import type { NetSuiteClient } from '../../systems/netsuite/client.js';
import type { ServiceNowClient, SnRow } from '../../systems/servicenow/client.js';
import type { Flow, SourceRecord, WriteResult } from '../../sync/types.js';
import {
  S2P_INVOICE_TARGET,
  S2P_ORDER_TARGET,
  s2pDocumentReconcile,
  importDocuments,
  importFlat,
  type DocumentPayload,
  type StagingRow,
} from '../s2p.js';
import { isoUtc } from '../values.js';
import {
  costCenterCanonical,
  documentRef,
  mapBill,
  mapCostCenterToDepartment,
  mapDepartment,
  mapGlAccount,
  mapPosting,
  mapPurchaseOrder,
  mapVendor,
  type AccountData,
  type CostCenterData,
  type DepartmentWrite,
  type DocumentData,
  type MapOptions,
  type PostingData,
  type VendorData,
} from './mappers.js';
import type { NetSuiteServiceNowOptions } from './options.js';
import { Lookups, Readers } from './readers.js';

/** NetSuite SuiteQL tables the flows read (what `mlc ping` proves the role may read). */
export function netSuiteTables(o: NetSuiteServiceNowOptions): string[] {
  const t = ['subsidiary', 'account', 'department', 'vendor'];
  if (o.purchaseOrders.enabled || o.bills.enabled || o.glPostings.enabled)
    t.push('transaction', 'transactionline');
  if (o.glPostings.enabled) t.push('transactionaccountingline');
  return t;
}

export function mapOptionsOf(o: NetSuiteServiceNowOptions): MapOptions {
  return {
    erpSource: o.erpSource,
    subsidiaries: o.subsidiaries,
    glAccountMap: o.glAccounts.map,
    glAccountTypes: o.glAccounts.types,
    departmentSubsidiaries: o.costCenters.subsidiaries,
    codePrefix: o.costCenters.codePrefix,
  };
}

const SN_COST_CENTER_FIELDS = ['sys_id', 'code', 'name', 'valid_to', 'sys_updated_on'];

/** A ServiceNow cost center whose validity ended on or before its last change is inactive. */
function snCostCenter(r: SnRow): SourceRecord<CostCenterData> {
  const modified = isoUtc(r.sys_updated_on) ?? new Date(0).toISOString();
  const validTo = r.valid_to ?? '';
  return {
    id: r.code || `sn-${r.sys_id}`,
    modified,
    label: `${r.code || r.sys_id} ${r.name ?? ''}`.trim(),
    data: {
      code: r.code ?? '',
      name: r.name ?? '',
      active: validTo === '' || validTo.slice(0, 10) > modified.slice(0, 10),
    },
  };
}

export function buildFlows(ns: NetSuiteClient, sn: ServiceNowClient, o: NetSuiteServiceNowOptions): Flow[] {
  const t = o.tables;
  const opts = mapOptionsOf(o);
  const lookups = new Lookups(ns, o.costCenters.codePrefix);
  const read = new Readers(ns, lookups, (sub, tranId) => documentRef(sub, tranId, opts));
  const nsTime = (): Promise<Date> => ns.serverTime();
  const snTime = (): Promise<Date> => sn.serverTime();
  const flows: Flow[] = [];

  if (o.glAccounts.enabled)
    flows.push({
      name: 'gl_accounts',
      entity: 'gl_account',
      direction: 'netsuite -> servicenow',
      description: `NetSuite GL accounts of types ${o.glAccounts.types.join(', ')} -> ${t.glAccountStaging}`,
      serverTime: nsTime,
      read: (window) => read.accounts(window),
      fetch: (ids) => read.accountsById(ids),
      map: (r) => mapGlAccount(r.data, opts),
      write: (items) => importFlat(sn, t.glAccountStaging, items),
      provides: { kind: 'gl_account', key: (p: StagingRow) => p.u_number ?? '' },
    } satisfies Flow<AccountData, StagingRow> as Flow);

  const both = o.costCenters.direction === 'both';
  if (both || o.costCenters.direction === 'to-servicenow')
    flows.push({
      name: 'cost_centers_to_servicenow',
      entity: 'cost_center',
      direction: 'netsuite -> servicenow',
      description: `NetSuite departments -> ${t.costCenterStaging}`,
      serverTime: nsTime,
      read: (window) => read.departments(window),
      fetch: (codes) => read.departmentsByCode(codes, o.costCenters.codePrefix),
      map: (r) => mapDepartment(r.data, r.modified, opts),
      hashOf: (p: StagingRow) =>
        costCenterCanonical(p.u_code ?? '', p.u_name ?? '', (p.u_valid_to ?? '') === ''),
      write: (items) => importFlat(sn, t.costCenterStaging, items),
      provides: { kind: 'cost_center', key: (p: StagingRow) => p.u_code ?? '' },
    } satisfies Flow<CostCenterData, StagingRow> as Flow);

  if (both || o.costCenters.direction === 'to-netsuite')
    flows.push({
      name: 'cost_centers_to_netsuite',
      entity: 'cost_center',
      direction: 'servicenow -> netsuite',
      description: `${t.costCenter} -> NetSuite departments (upserted by external id = cost center code)`,
      serverTime: snTime,
      async *read(window) {
        for await (const page of sn.readChanged(t.costCenter, { fields: SN_COST_CENTER_FIELDS, window }))
          yield page.map(snCostCenter);
      },
      async fetch(codes) {
        const rows = await sn.queryAll(t.costCenter, {
          query: `codeIN${codes.join(',')}`,
          fields: SN_COST_CENTER_FIELDS,
        });
        return rows.map(snCostCenter);
      },
      map: (r) => mapCostCenterToDepartment(r.data, opts),
      hashOf: (p) => costCenterCanonical(p.code, p.name, p.active),
      write: (items) =>
        mapLimit(items, 4, async (item): Promise<WriteResult> => {
          const p = item.payload;
          try {
            if (p.internalId !== null) {
              await ns.records.update('department', p.internalId, { name: p.name, isInactive: !p.active });
              return { ok: true, targetId: p.internalId };
            }
            const { id } = await ns.records.upsert('department', p.code, {
              name: p.name,
              isInactive: !p.active,
              subsidiary: { items: p.subsidiaries.map((s) => ({ id: s })) },
            });
            return {
              ok: true,
              targetId: id ?? item.existing?.targetId ?? null,
              response: { externalId: p.code },
            };
          } catch (err) {
            if (isMlcError(err) && err.kind === 'record') return { ok: false, error: err };
            throw err;
          }
        }),
    } satisfies Flow<CostCenterData, DepartmentWrite> as Flow);

  if (o.vendors.enabled)
    flows.push({
      name: 'vendors',
      entity: 'supplier',
      direction: 'netsuite -> servicenow',
      description: `NetSuite vendors -> ${t.supplierStaging}`,
      serverTime: nsTime,
      read: (window) => read.vendors(window),
      fetch: (ids) => read.vendorsById(ids),
      map: (r) => mapVendor(r.data, opts),
      write: (items) => importFlat(sn, t.supplierStaging, items),
      provides: { kind: 'supplier', key: (p: StagingRow) => p.u_erp_company_code ?? '' },
    } satisfies Flow<VendorData, StagingRow> as Flow);

  if (o.purchaseOrders.enabled) {
    const statuses = o.purchaseOrders.statuses;
    flows.push({
      name: 'purchase_orders',
      entity: 'purchase_order',
      direction: 'netsuite -> servicenow',
      description: `NetSuite purchase orders (status ${statuses.join(', ')}) with lines -> ${t.orderStaging} + ${t.orderLineStaging}`,
      serverTime: nsTime,
      read: (window) => read.documents(window, ['PurchOrd'], statuses),
      fetch: (ids) => read.documentsById(ids, ['PurchOrd'], statuses),
      map: (r) => mapPurchaseOrder(r.data, opts),
      write: (items) => importDocuments(sn, t.orderStaging, t.orderLineStaging, items),
      reconcile: s2pDocumentReconcile(sn, S2P_ORDER_TARGET),
    } satisfies Flow<DocumentData, DocumentPayload> as Flow);
  }

  if (o.bills.enabled) {
    const statuses = o.bills.statuses;
    flows.push({
      name: 'vendor_bills',
      entity: 'bill',
      direction: 'netsuite -> servicenow',
      description: `NetSuite vendor bills (status ${statuses.join(', ')}) with expense and item lines -> ${t.invoiceStaging} + ${t.invoiceLineStaging}`,
      serverTime: nsTime,
      read: (window) => read.documents(window, ['VendBill'], statuses),
      fetch: (ids) => read.documentsById(ids, ['VendBill'], statuses),
      map: (r) => mapBill(r.data, opts),
      write: (items) => importDocuments(sn, t.invoiceStaging, t.invoiceLineStaging, items),
      reconcile: s2pDocumentReconcile(sn, S2P_INVOICE_TARGET),
    } satisfies Flow<DocumentData, DocumentPayload> as Flow);
  }

  if (o.glPostings.enabled) {
    const types = o.glPostings.types;
    flows.push({
      name: 'gl_postings',
      entity: 'gl_posting',
      direction: 'netsuite -> servicenow',
      description: `NetSuite posted GL lines (${types.join(', ')}) -> ${o.glPostings.staging} (read only)`,
      serverTime: nsTime,
      async *read(window) {
        for await (const docs of read.documents(window, types, undefined, false))
          yield await read.postings(docs);
      },
      async fetch(ids) {
        const want = new Set(ids);
        const docs = await read.documentsById(
          [...new Set(ids.map((id) => id.split(':')[0]!))],
          types,
          undefined,
          false,
        );
        return (await read.postings(docs)).filter((p) => want.has(p.id));
      },
      map: (r) => mapPosting(r.data, opts),
      write: (items) => importFlat(sn, o.glPostings.staging, items),
    } satisfies Flow<PostingData, StagingRow> as Flow);
  }
  return flows;
}
