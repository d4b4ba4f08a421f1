import type { Row, Value } from './suiteql/eval.js';
import type { Store } from './store.js';
import { fromZoned } from '../../systems/netsuite/timezone.js';

/**
 * Seeds: `empty` (two subsidiaries and their currencies only), `demo` (two subsidiaries, each with
 * its own GL accounts, departments and vendors, and purchase orders and vendor bills whose document
 * numbers repeat across the subsidiaries, as NetSuite allows) and `volume:N` (the demo master data
 * and N purchase orders with 5 lines, N/5 bills with 3 lines). Rows are stamped in the hour before
 * seeding, a few per second.
 */
export interface TransactionInput {
  type: 'PurchOrd' | 'VendBill' | 'Journal';
  tranid: string;
  subsidiary: number;
  entity?: number | null;
  trandate: string;
  duedate?: string;
  status?: string;
  currency?: number;
  memo?: string | null;
  otherrefnum?: string | null;
  externalid?: string | null;
  lines: Array<{
    account?: number | null;
    item?: number | null;
    quantity?: number | null;
    rate?: number | null;
    amount?: number;
    department?: number | null;
    memo?: string | null;
    debit?: number;
    credit?: number;
  }>;
}

/** The AP account of a subsidiary: what a bill's header line credits. */
function apAccount(store: Store, subsidiary: number): number | null {
  const row = store.find('account', (a) => a.accttype === 'AcctPay' && a.subsidiary === subsidiary);
  return (row?.id as number | undefined) ?? null;
}

/**
 * Writes a transaction as NetSuite stores it: the header, its `mainline = 'T'` line 0 (subsidiary,
 * entity, total), one line per input line, and for bills and journals the posting accounting lines.
 */
export function writeTransaction(
  store: Store,
  t: TransactionInput,
  tz: string,
  at = store.now(),
  existing?: Row,
): Row {
  const total = t.lines.reduce((s, l) => s + (l.amount ?? (l.quantity ?? 0) * (l.rate ?? 0)), 0);
  const date = (d: string | undefined): Value => (d ? fromZoned(`${d} 00:00:00`, tz) : null);
  const foreigntotal = Math.round(total * 100) / 100;
  const header: Record<string, Value> = {
    tranid: t.tranid,
    type: t.type,
    entity: t.entity ?? null,
    trandate: date(t.trandate),
    duedate: date(t.duedate),
    status: t.status ?? (t.type === 'PurchOrd' ? 'B' : t.type === 'VendBill' ? 'A' : 'B'),
    currency: t.currency ?? (t.subsidiary === 2 ? 2 : 1),
    exchangerate: 1,
    memo: t.memo ?? null,
    otherrefnum: t.otherrefnum ?? null,
    foreigntotal,
    externalid: t.externalid ?? null,
  };
  let tx: Row;
  if (existing) {
    tx = store.update('transaction', existing, header, at);
    const id = existing.id;
    store.remove('transactionline', (l) => l.transaction === id);
    store.remove('transactionaccountingline', (l) => l.transaction === id);
  } else tx = store.insert('transaction', { ...header, createddate: new Date(at - (at % 1000)) }, at);
  const id = tx.id as number;
  const stamp = new Date(at - (at % 1000));
  store.insert('transactionline', {
    transaction: id,
    id: 0,
    linesequencenumber: 0,
    mainline: 'T',
    taxline: 'F',
    subsidiary: t.subsidiary,
    entity: t.entity ?? null,
    netamount: foreigntotal,
    foreignamount: foreigntotal,
    expenseaccount: t.type === 'VendBill' ? apAccount(store, t.subsidiary) : null,
    memo: t.memo ?? null,
    isclosed: 'F',
    linelastmodifieddate: stamp,
    uniquekey: store.uniqueKey(),
  });
  const posting = t.type !== 'PurchOrd';
  t.lines.forEach((l, i) => {
    const item = l.item ? store.get('item', l.item) : undefined;
    const account = l.account ?? (item?.expenseaccount as number | null | undefined) ?? null;
    const amount = l.amount ?? (l.quantity ?? 0) * (l.rate ?? 0);
    store.insert('transactionline', {
      transaction: id,
      id: i + 1,
      linesequencenumber: i + 1,
      mainline: 'F',
      taxline: 'F',
      item: l.item ?? null,
      quantity: l.quantity ?? null,
      rate: l.rate ?? null,
      netamount: amount,
      foreignamount: amount,
      expenseaccount: account,
      department: l.department ?? null,
      subsidiary: t.subsidiary,
      memo: l.memo ?? null,
      entity: t.entity ?? null,
      isclosed: 'F',
      linelastmodifieddate: stamp,
      uniquekey: store.uniqueKey(),
    });
    if (posting && account !== null) {
      const debit = l.debit ?? (l.credit === undefined ? amount : 0);
      const credit = l.credit ?? 0;
      store.insert('transactionaccountingline', {
        transaction: id,
        transactionline: i + 1,
        account,
        ...(debit ? { debit } : {}),
        ...(credit ? { credit } : {}),
        amount: debit - credit,
        netamount: debit - credit,
        posting: 'T',
        accountingbook: 1,
      });
    }
  });
  if (t.type === 'VendBill') {
    store.insert('transactionaccountingline', {
      transaction: id,
      transactionline: 0,
      account: apAccount(store, t.subsidiary),
      credit: foreigntotal,
      amount: -foreigntotal,
      netamount: -foreigntotal,
      posting: 'T',
      accountingbook: 1,
    });
  }
  return tx;
}

export function seedStore(store: Store, seed: string, tz: string): void {
  store.clear();
  const now = store.now();
  let tick = 0;
  const past = (): number => now - 3_600_000 + ((tick++ * 7_919) % 3_500_000);
  const add = (table: string, values: Record<string, Value>): Row => store.insert(table, values, past());

  add('currency', { name: 'US Dollar', symbol: 'USD', isinactive: 'F' });
  add('currency', { name: 'Euro', symbol: 'EUR', isinactive: 'F' });
  add('subsidiary', {
    name: 'Acme Inc.',
    fullname: 'Acme Inc.',
    currency: 1,
    country: 'US',
    isinactive: 'F',
    iselimination: 'F',
  });
  add('subsidiary', {
    name: 'Acme GmbH',
    fullname: 'Acme Inc. : Acme GmbH',
    parent: 1,
    currency: 2,
    country: 'DE',
    isinactive: 'F',
    iselimination: 'F',
  });
  const kind = seed.split(':')[0];
  if (kind !== 'demo' && kind !== 'volume') return;

  add('term', { name: 'Net 30', daysuntilnetdue: 30, isinactive: 'F' });
  const account = (acctnumber: string, name: string, accttype: string, subsidiary: number): Row =>
    add('account', {
      acctnumber,
      accountsearchdisplayname: name,
      fullname: name,
      displaynamewithhierarchy: name,
      accttype,
      isinactive: 'F',
      issummary: 'F',
      subsidiary,
      currency: subsidiary,
    });
  // Subsidiary 1 (US) and 2 (DE) keep distinct charts of accounts.
  account('2000', 'Accounts Payable', 'AcctPay', 1);
  account('6000', 'Travel', 'Expense', 1);
  account('6100', 'Office Supplies', 'Expense', 1);
  account('6200', 'Software', 'Expense', 1);
  account('1000', 'Operating Bank', 'Bank', 1);
  account('2010', 'Verbindlichkeiten', 'AcctPay', 2);
  account('6010', 'Reisekosten', 'Expense', 2);
  account('6110', 'Bürobedarf', 'Expense', 2);
  const dept = (name: string, subsidiary: number, externalid: string | null = null): Row =>
    add('department', { name, fullname: name, isinactive: 'F', subsidiary, externalid });
  dept('Engineering', 1);
  dept('Sales', 1);
  dept('Vertrieb', 2);
  dept('Entwicklung', 2);
  const vendor = (entityid: string, companyname: string, subsidiary: number, email: string): Row =>
    add('vendor', {
      entityid,
      companyname,
      isperson: 'F',
      email,
      isinactive: 'F',
      subsidiary,
      currency: subsidiary,
      terms: 1,
      datecreated: new Date(now - 86_400_000),
    });
  vendor('V100', 'Globex Supplies', 1, 'ap@globex.example');
  vendor('V200', 'Initech LLC', 1, 'billing@initech.example');
  vendor('V300', 'Müller Bürotechnik AG', 2, 'rechnung@mueller.example');
  add('item', {
    itemid: 'LAPTOP-15',
    displayname: 'Laptop 15"',
    itemtype: 'NonInvtPart',
    expenseaccount: 4,
    isinactive: 'F',
  });
  add('item', {
    itemid: 'PAPER-A4',
    displayname: 'Paper A4, 500 sheets',
    itemtype: 'NonInvtPart',
    expenseaccount: 3,
    isinactive: 'F',
  });
  add('item', {
    itemid: 'PAPIER-A4',
    displayname: 'Papier A4',
    itemtype: 'NonInvtPart',
    expenseaccount: 8,
    isinactive: 'F',
  });

  const tx = (t: TransactionInput): Row => writeTransaction(store, t, tz, past());
  if (kind === 'demo') {
    tx({
      type: 'PurchOrd',
      tranid: 'PO1001',
      subsidiary: 1,
      entity: 1,
      trandate: '2026-11-02',
      memo: 'Laptops and paper',
      lines: [
        { item: 1, quantity: 3, rate: 1450, department: 1, memo: 'Laptop 15"' },
        { item: 2, quantity: 20, rate: 6.5, department: 2, memo: 'Paper A4' },
      ],
    });
    tx({
      type: 'PurchOrd',
      tranid: 'PO1001',
      subsidiary: 2,
      entity: 3,
      trandate: '2026-11-03',
      memo: 'Papier',
      lines: [{ item: 3, quantity: 40, rate: 5.2, department: 3, memo: 'Papier A4' }],
    });
    tx({
      type: 'PurchOrd',
      tranid: 'PO1002',
      subsidiary: 1,
      entity: 2,
      trandate: '2026-11-10',
      status: 'A',
      memo: 'Awaiting approval',
      lines: [{ item: 2, quantity: 5, rate: 6.5, department: 1 }],
    });
    tx({
      type: 'VendBill',
      tranid: 'VB1001',
      subsidiary: 1,
      entity: 1,
      trandate: '2026-11-12',
      duedate: '2026-12-12',
      otherrefnum: 'GX-88120',
      memo: 'November travel and supplies',
      lines: [
        { account: 2, amount: 820.4, department: 1, memo: 'Flights' },
        { account: 3, amount: 130, department: 2, memo: 'Toner' },
      ],
    });
    tx({
      type: 'VendBill',
      tranid: 'VB1001',
      subsidiary: 2,
      entity: 3,
      trandate: '2026-11-13',
      duedate: '2026-12-13',
      otherrefnum: 'MB-2026-77',
      lines: [
        { account: 7, amount: 310, department: 4, memo: 'Bahn' },
        { item: 3, quantity: 10, rate: 5.2, department: 3, memo: 'Papier A4' },
      ],
    });
    tx({
      type: 'Journal',
      tranid: 'JE100',
      subsidiary: 1,
      trandate: '2026-11-15',
      memo: 'Accrual',
      lines: [
        { account: 4, debit: 500, department: 1, memo: 'Software accrual' },
        { account: 1, credit: 500, memo: 'Accrual' },
      ],
    });
    return;
  }
  const n = Number(seed.split(':')[1] ?? '0');
  for (let i = 0; i < n; i += 1) {
    const sub = (i % 2) + 1;
    tx({
      type: 'PurchOrd',
      tranid: `PO${100000 + Math.floor(i / 2)}`,
      subsidiary: sub,
      entity: sub === 1 ? 1 + (i % 2) : 3,
      trandate: '2026-11-02',
      lines: Array.from({ length: 5 }, (_, j) => ({
        item: sub === 1 ? 1 + (j % 2) : 3,
        quantity: 1 + j,
        rate: 10 + j,
        department: sub === 1 ? 1 + (j % 2) : 3 + (j % 2),
      })),
    });
    if (i % 5 === 0)
      tx({
        type: 'VendBill',
        tranid: `VB${100000 + Math.floor(i / 2)}`,
        subsidiary: sub,
        entity: sub === 1 ? 1 : 3,
        trandate: '2026-11-12',
        lines: Array.from({ length: 3 }, (_, j) => ({
          account: sub === 1 ? 2 + (j % 3) : 7 + (j % 2),
          amount: 100 + j,
          department: sub === 1 ? 1 + (j % 2) : 3 + (j % 2),
        })),
      });
  }
}
