import type { ColType, TableDef } from './suiteql/eval.js';

/**
 * The SuiteQL tables the simulator holds (api notes §3.1), lower-case column names as SuiteQL
 * spells them. Transactions carry no subsidiary of their own: the header line (`mainline = 'T'`)
 * of `transactionline` does, as in NetSuite.
 */
const I: ColType = 'id';
const R: ColType = 'ref';
const T: ColType = 'text';
const N: ColType = 'num';
const B: ColType = 'bool';
const DT: ColType = 'datetime';
const D: ColType = 'date';

const named = {
  id: I,
  name: T,
  fullname: T,
  parent: R,
  isinactive: B,
  subsidiary: R,
  externalid: T,
  lastmodifieddate: DT,
};

export const TABLE_DEFS: TableDef[] = [
  {
    name: 'subsidiary',
    columns: {
      id: I,
      name: T,
      fullname: T,
      parent: R,
      currency: R,
      country: T,
      isinactive: B,
      iselimination: B,
      lastmodifieddate: DT,
    },
    refs: {
      currency: { table: 'currency', display: 'symbol' },
      parent: { table: 'subsidiary', display: 'name' },
    },
  },
  { name: 'currency', columns: { id: I, name: T, symbol: T, isinactive: B, lastmodifieddate: DT } },
  {
    name: 'account',
    columns: {
      id: I,
      acctnumber: T,
      accountsearchdisplayname: T,
      fullname: T,
      displaynamewithhierarchy: T,
      accttype: T,
      parent: R,
      isinactive: B,
      issummary: B,
      subsidiary: R,
      currency: R,
      externalid: T,
      lastmodifieddate: DT,
    },
    refs: {
      subsidiary: { table: 'subsidiary', display: 'name' },
      currency: { table: 'currency', display: 'symbol' },
      parent: { table: 'account', display: 'accountsearchdisplayname' },
    },
  },
  {
    name: 'department',
    columns: { ...named },
    refs: {
      subsidiary: { table: 'subsidiary', display: 'name' },
      parent: { table: 'department', display: 'name' },
    },
  },
  {
    name: 'classification',
    columns: { ...named },
    refs: { subsidiary: { table: 'subsidiary', display: 'name' } },
  },
  { name: 'location', columns: { ...named }, refs: { subsidiary: { table: 'subsidiary', display: 'name' } } },
  { name: 'term', columns: { id: I, name: T, daysuntilnetdue: N, isinactive: B } },
  {
    name: 'vendor',
    columns: {
      id: I,
      entityid: T,
      companyname: T,
      isperson: B,
      email: T,
      phone: T,
      isinactive: B,
      subsidiary: R,
      currency: R,
      terms: R,
      externalid: T,
      datecreated: DT,
      lastmodifieddate: DT,
    },
    refs: {
      subsidiary: { table: 'subsidiary', display: 'name' },
      currency: { table: 'currency', display: 'symbol' },
      terms: { table: 'term', display: 'name' },
    },
  },
  {
    name: 'item',
    columns: {
      id: I,
      itemid: T,
      displayname: T,
      itemtype: T,
      expenseaccount: R,
      isinactive: B,
      externalid: T,
      lastmodifieddate: DT,
    },
    refs: { expenseaccount: { table: 'account', display: 'acctnumber' } },
  },
  {
    name: 'transaction',
    columns: {
      id: I,
      tranid: T,
      type: T,
      entity: R,
      trandate: D,
      duedate: D,
      status: T,
      currency: R,
      exchangerate: N,
      memo: T,
      otherrefnum: T,
      foreigntotal: N,
      externalid: T,
      approvalstatus: R,
      postingperiod: R,
      terms: R,
      createddate: DT,
      lastmodifieddate: DT,
    },
    refs: {
      entity: { table: 'vendor', display: 'companyname' },
      currency: { table: 'currency', display: 'symbol' },
      terms: { table: 'term', display: 'name' },
    },
  },
  {
    name: 'transactionline',
    columns: {
      transaction: R,
      id: I,
      linesequencenumber: N,
      mainline: B,
      taxline: B,
      item: R,
      quantity: N,
      rate: N,
      netamount: N,
      foreignamount: N,
      expenseaccount: R,
      department: R,
      class: R,
      location: R,
      subsidiary: R,
      memo: T,
      entity: R,
      isclosed: B,
      expectedreceiptdate: D,
      linelastmodifieddate: DT,
      uniquekey: I,
    },
    refs: {
      item: { table: 'item', display: 'itemid' },
      expenseaccount: { table: 'account', display: 'acctnumber' },
      department: { table: 'department', display: 'name' },
      class: { table: 'classification', display: 'name' },
      location: { table: 'location', display: 'name' },
      subsidiary: { table: 'subsidiary', display: 'name' },
    },
  },
  {
    name: 'transactionaccountingline',
    columns: {
      transaction: R,
      transactionline: N,
      account: R,
      debit: N,
      credit: N,
      amount: N,
      netamount: N,
      posting: B,
      accountingbook: R,
    },
    refs: { account: { table: 'account', display: 'acctnumber' } },
  },
];

export const TABLES: ReadonlyMap<string, TableDef> = new Map(TABLE_DEFS.map((t) => [t.name, t]));

/** Transaction status letters per type and their display text (BUILTIN.DF). */
export const STATUS_TEXT: Record<string, Record<string, string>> = {
  PurchOrd: {
    A: 'Pending Supervisor Approval',
    B: 'Pending Receipt',
    D: 'Partially Received',
    E: 'Pending Billing/Partially Received',
    F: 'Pending Bill',
    G: 'Fully Billed',
    H: 'Closed',
  },
  VendBill: { A: 'Open', B: 'Paid In Full', C: 'Cancelled', D: 'Pending Approval', E: 'Rejected' },
  Journal: { A: 'Pending Approval', B: 'Approved for Posting' },
};
