import type { FaultEnv } from '../env.js';
import { money, simRows } from '../oracle.js';
import type { ActualRecord, ExpectedRecord, PairDescriptor } from '../types.js';
import { s2pTarget } from './s2p.js';

type Row = Record<string, unknown>;

const text = (x: unknown): string => (x === undefined || x === null ? '' : String(x));
/** Cost center codes of departments without an external id (the pair's default prefix). */
const CODE_PREFIX = 'NS-DEPT-';
const PO_STATUSES = ['B', 'D', 'E', 'F', 'G', 'H'];
const BILL_STATUSES = ['A', 'B'];
const POSTING_TYPES = ['VendBill', 'Journal'];

/** What ServiceNow should hold, read from NetSuite's tables; and the departments ServiceNow's cost centers become. */
async function expectedFromNetSuite(e: FaultEnv): Promise<ExpectedRecord[]> {
  const ns = (table: string): Promise<Row[]> => simRows(e, 'netsuite', table);
  const [vendors, accounts, departments, transactions, lines, postings, costCenters] = await Promise.all([
    ns('vendor'),
    ns('account'),
    ns('department'),
    ns('transaction'),
    ns('transactionline'),
    ns('transactionaccountingline'),
    simRows(e, 'servicenow', 'cmn_cost_center'),
  ]);
  const accountNumber = new Map(accounts.map((a) => [text(a.id), text(a.acctnumber)]));
  const ccOf = new Map(
    departments.map((d) => [text(d.id), text(d.externalid) || `${CODE_PREFIX}${text(d.id)}`]),
  );
  const out: ExpectedRecord[] = [];
  for (const v of vendors)
    out.push({
      kind: 'supplier',
      key: text(v.entityid),
      fields: { name: text(v.companyname) || text(v.entityid) },
    });
  for (const a of accounts.filter((x) => x.accttype === 'Expense'))
    out.push({
      kind: 'gl account',
      key: text(a.acctnumber),
      fields: { name: text(a.accountsearchdisplayname) },
    });
  for (const d of departments)
    out.push({ kind: 'cost center', key: ccOf.get(text(d.id))!, fields: { name: text(d.name) } });
  // Return path: every ServiceNow cost center that is not a NetSuite department becomes one.
  for (const c of costCenters.filter((x) => text(x.code) && !text(x.code).startsWith(CODE_PREFIX)))
    out.push({ kind: 'department', key: text(c.code), fields: { name: text(c.name) } });

  const byTx = new Map<string, Row[]>();
  for (const l of lines) {
    const list = byTx.get(text(l.transaction)) ?? [];
    list.push(l);
    byTx.set(text(l.transaction), list);
  }
  for (const t of transactions) {
    const own = byTx.get(text(t.id)) ?? [];
    const main = own.find((l) => l.mainline === 'T');
    const ref = `S${text(main?.subsidiary)}-${text(t.tranid)}`;
    const detail = own.filter((l) => l.mainline !== 'T' && l.taxline !== 'T');
    const cc = (l: Row): string => (l.department === null ? '' : (ccOf.get(text(l.department)) ?? ''));
    if (t.type === 'PurchOrd' && PO_STATUSES.includes(text(t.status))) {
      out.push({ kind: 'order', key: ref, fields: { amount: money(t.foreigntotal) } });
      for (const l of detail)
        out.push({
          kind: 'order line',
          key: `${ref}/${text(l.id)}`,
          fields: {
            amount: money(l.netamount),
            unit: money(l.rate ?? l.netamount),
            costCenter: cc(l),
          },
        });
    }
    if (t.type === 'VendBill' && BILL_STATUSES.includes(text(t.status))) {
      out.push({ kind: 'invoice', key: ref, fields: { amount: money(t.foreigntotal) } });
      for (const l of detail)
        out.push({
          kind: 'invoice line',
          key: `${ref}/${text(l.id)}`,
          fields: {
            amount: money(l.netamount),
            gl: accountNumber.get(text(l.expenseaccount)) ?? '',
            costCenter: cc(l),
          },
        });
    }
    // Posted GL lines of bills and journals, whatever their status (read-only in NetSuite).
    if (POSTING_TYPES.includes(text(t.type)))
      for (const g of postings.filter((x) => text(x.transaction) === text(t.id) && x.posting === 'T'))
        out.push({
          kind: 'gl posting',
          key: `${ref}/${text(g.transactionline)}`,
          fields: {
            debit: money(g.debit),
            credit: money(g.credit),
            gl: accountNumber.get(text(g.account)) ?? '',
          },
        });
  }
  return out;
}

async function actualNetSuiteServiceNow(e: FaultEnv): Promise<ActualRecord[]> {
  const [target, accounts, departments, postings] = await Promise.all([
    s2pTarget(e, 'NETSUITE'),
    simRows(e, 'netsuite', 'account'),
    simRows(e, 'netsuite', 'department'),
    simRows(e, 'servicenow', 'u_erp_gl_posting'),
  ]);
  // ServiceNow's own GL accounts that NetSuite's chart lacks are not judged.
  const numbers = new Set(accounts.map((a) => text(a.acctnumber)));
  const out = target.filter((r) => r.kind !== 'gl account' || numbers.has(r.key));
  for (const d of departments)
    if (text(d.externalid))
      out.push({ kind: 'department', key: text(d.externalid), fields: { name: text(d.name) } });
  for (const g of postings.filter((x) => x.erp_source === 'NETSUITE'))
    out.push({
      kind: 'gl posting',
      key: text(g.posting_key),
      fields: { debit: text(g.debit), credit: text(g.credit), gl: text(g.gl_account) },
    });
  return out;
}

let burst = 0;

export const netSuiteServiceNow: PairDescriptor = {
  name: 'netsuite-servicenow',
  source: 'netsuite',
  target: 'servicenow',
  seed: 'volume:60',
  // The pair's simulator settings (each subsidiary's legal entity) apply as they are.
  settings: {},
  sourceOracle: expectedFromNetSuite,
  targetOracle: actualNetSuiteServiceNow,
  async tieBurst(e: FaultEnv, count: number) {
    // NetSuite stamps lastmodifieddate to the second: edits within one second share it.
    burst += 1;
    const orders = (await simRows(e, 'netsuite', 'transaction'))
      .filter((t) => t.type === 'PurchOrd')
      .slice(0, count);
    const vendors = await simRows(e, 'netsuite', 'vendor');
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    await Promise.all([
      ...orders.map((t) =>
        e.control('netsuite', 'POST', 'exec', {
          table: 'transaction',
          id: t.id,
          values: { memo: `tie burst ${burst}` },
        }),
      ),
      ...vendors.map((v) =>
        e.control('netsuite', 'POST', 'exec', {
          table: 'vendor',
          id: v.id,
          values: { companyname: `${text(v.companyname).replace(/ \(\d+\)$/, '')} (${burst})` },
        }),
      ),
    ]);
  },
  smallPages(c) {
    const conns = c.connections as Record<string, Record<string, unknown>>;
    if (conns.netsuite) conns.netsuite.pageSize = 3;
    if (conns.servicenow) {
      conns.servicenow.pageSize = 2;
      conns.servicenow.batchSize = 5;
    }
  },
};
