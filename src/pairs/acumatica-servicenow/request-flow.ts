import { isMlcError } from '../../errors.js';
import type { SnRow } from '../../systems/servicenow/client.js';
import type { Flow, SourceRecord, WriteResult } from '../../sync/types.js';
import { isoUtc, num, text } from '../values.js';
import { NO_STAMP, type FlowContext } from './context.js';
import { mapRequestToPo, type PoRecord, type RequestData, type RequestMapOptions } from './mappers.js';

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

/**
 * The return path: approved ServiceNow requests become Acumatica purchase orders, found again by the
 * reference field before one is created.
 */
export function requestFlows(ctx: FlowContext): Flow[] {
  const { acu, sn, t, options, snTime, createdPos } = ctx;
  const flows: Flow[] = [];

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

  return flows;
}
