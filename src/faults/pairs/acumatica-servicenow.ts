import { SIM_PAIR_SETTINGS } from '../../commands/sim.js';
import type { FaultEnv } from '../env.js';
import { money, simRows } from '../oracle.js';
import type { ActualRecord, ExpectedRecord, PairDescriptor } from '../types.js';
import { s2pTarget } from './s2p.js';

type Row = Record<string, unknown>;

/** The plain value of an Acumatica field as the simulator dumps it (`{value: …}` or `{}`). */
const v = (field: unknown): string => {
  const value = (field as { value?: unknown } | undefined)?.value;
  return value === undefined || value === null ? '' : String(value);
};
const details = (r: Row, name = 'Details'): Row[] => (Array.isArray(r[name]) ? (r[name] as Row[]) : []);
const text = (x: unknown): string => (x === undefined || x === null ? '' : String(x));

const PO_STATUSES = ['Open', 'Pending Printing', 'Pending Email', 'Completed', 'Closed', 'Canceled'];
const BILL_STATUSES = ['Balanced', 'Open', 'Closed'];
const CHECK_TYPES = ['Payment', 'Prepayment', 'Voided Payment'];
const CHECK_STATUSES = ['Balanced', 'Printed', 'Open', 'Closed', 'Voided'];
const CHECK_PREFIX: Record<string, string> = { Payment: '', Prepayment: 'PPM-', 'Voided Payment': 'VCK-' };
/** Subaccount -> ServiceNow cost center, as the simulator configuration maps them. */
const CC_MAP = (SIM_PAIR_SETTINGS['acumatica-servicenow']?.costCenters as { map: Record<string, string> })
  .map;
const cc = (subaccount: string): string => (subaccount ? (CC_MAP[subaccount] ?? subaccount) : '');

async function expectedFromAcumatica(e: FaultEnv): Promise<ExpectedRecord[]> {
  const acu = (entity: string): Promise<Row[]> => simRows(e, 'acumatica', entity);
  const [vendors, orders, bills, checks, accounts, subaccounts, requests, items] = await Promise.all([
    acu('Vendor'),
    acu('PurchaseOrder'),
    acu('Bill'),
    acu('Check'),
    acu('Account'),
    acu('Subaccount'),
    simRows(e, 'servicenow', 'sc_request'),
    simRows(e, 'servicenow', 'sc_req_item'),
  ]);
  const out: ExpectedRecord[] = [];
  for (const r of vendors)
    out.push({ kind: 'supplier', key: v(r.VendorID), fields: { name: v(r.LegalName) || v(r.VendorName) } });
  for (const r of accounts.filter((a) => v(a.Type) === 'Expense'))
    out.push({ kind: 'gl account', key: v(r.AccountCD), fields: { name: v(r.Description) } });
  for (const r of subaccounts.filter((s) => v(s.Active) !== 'false'))
    out.push({ kind: 'cost center', key: cc(v(r.SubaccountCD)), fields: { name: v(r.Description) } });
  for (const po of orders.filter((o) => PO_STATUSES.includes(v(o.Status)))) {
    out.push({ kind: 'order', key: v(po.OrderNbr), fields: { amount: money(v(po.OrderTotal)) } });
    for (const l of details(po))
      out.push({
        kind: 'order line',
        key: `${v(po.OrderNbr)}/${v(l.LineNbr)}`,
        fields: {
          amount: money(v(l.ExtendedCost)),
          unit: money(v(l.UnitCost)),
          costCenter: cc(v(l.Subaccount)),
        },
      });
  }
  for (const b of bills.filter((x) => v(x.Type) === 'Bill' && BILL_STATUSES.includes(v(x.Status)))) {
    out.push({ kind: 'invoice', key: v(b.ReferenceNbr), fields: { amount: money(v(b.Amount)) } });
    for (const l of details(b))
      out.push({
        kind: 'invoice line',
        key: `${v(b.ReferenceNbr)}/${text(l.id)}`,
        fields: { amount: money(v(l.Amount)), gl: v(l.Account), costCenter: cc(v(l.Subaccount)) },
      });
  }
  for (const c of checks.filter(
    (x) => CHECK_TYPES.includes(v(x.Type)) && CHECK_STATUSES.includes(v(x.Status)),
  ))
    out.push({
      kind: 'payment',
      key: `${CHECK_PREFIX[v(c.Type)] ?? ''}${v(c.ReferenceNbr)}`,
      fields: { amount: money(v(c.PaymentAmount)) },
    });
  // Return path: each approved request becomes one Acumatica purchase order with one line per item.
  for (const r of requests.filter((x) => x.approval === 'approved')) {
    const own = items.filter((i) => i.request === r.sys_id);
    out.push({ kind: 'request order', key: text(r.number), fields: { lines: String(own.length) } });
  }
  return out;
}

async function actualAcumaticaServiceNow(e: FaultEnv): Promise<ActualRecord[]> {
  const [target, orders] = await Promise.all([
    s2pTarget(e, 'ACUMATICA'),
    simRows(e, 'acumatica', 'PurchaseOrder'),
  ]);
  // The seed's ServiceNow GL accounts that are not Acumatica's are not judged.
  const out = target.filter((r) => r.kind !== 'gl account' || /^\d{5}$/.test(r.key));
  for (const po of orders)
    if (v(po.VendorRef).startsWith('REQ'))
      out.push({
        kind: 'request order',
        key: v(po.VendorRef),
        fields: { lines: String(details(po).length) },
      });
  return out;
}

let requestSeq = 0;

export const acumaticaServiceNow: PairDescriptor = {
  name: 'acumatica-servicenow',
  source: 'acumatica',
  target: 'servicenow',
  seed: 'volume:25',
  settings: {},
  // ServiceNow's demo seed is its volume seed plus approved requests for the return path.
  prepare: async (e) => {
    await e.control('servicenow', 'POST', 'seed', { seed: 'demo' });
  },
  sourceOracle: expectedFromAcumatica,
  targetOracle: actualAcumaticaServiceNow,
  async tieBurst(e: FaultEnv, count: number) {
    // Approved requests created within one second share one sys_updated_on (second precision).
    const base = 30000 + (requestSeq++ % 50) * 100;
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    for (let i = 0; i < count; i += 1) {
      const number = `REQ00${base + i}`;
      const created = (await e.control('servicenow', 'POST', 'exec', {
        table: 'sc_request',
        record: {
          number,
          approval: 'approved',
          request_state: 'approved',
          short_description: `Tie request ${i}`,
        },
      })) as { result: { sys_id: string } };
      await e.control('servicenow', 'POST', 'exec', {
        table: 'sc_req_item',
        record: {
          number: `RITM0${base + i}`,
          request: created.result.sys_id,
          cat_item: `Tie item ${i}`,
          quantity: '2',
          price: '12.50',
          short_description: `Tie item ${i}`,
          approval: 'approved',
        },
      });
    }
    // Edits of many Acumatica orders in a burst (the volume seed already shares stamps in threes).
    const orders = (await simRows(e, 'acumatica', 'PurchaseOrder')).slice(0, count);
    await Promise.all(
      orders.map((po) =>
        e.control('acumatica', 'POST', 'exec', {
          entity: 'PurchaseOrder',
          record: { id: po.id, Description: `tie burst ${String(po.id).slice(0, 8)}` },
        }),
      ),
    );
  },
  smallPages(c) {
    const conns = c.connections as Record<string, Record<string, unknown>>;
    if (conns.acumatica) conns.acumatica.pageSize = 2;
    if (conns.servicenow) {
      conns.servicenow.pageSize = 2;
      conns.servicenow.batchSize = 5;
    }
  },
};
