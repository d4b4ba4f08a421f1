/**
 * The record types the simulated record API serves (api notes §4): camelCase field -> SuiteQL column,
 * what kind of value it holds, which table a reference points at, what may be written.
 */
export type FieldKind = 'text' | 'bool' | 'num' | 'ref' | 'datetime' | 'date' | 'multi';
export interface FieldSpec {
  column: string;
  kind: FieldKind;
  /** Referenced table for refs and multi-selects. */
  table?: string;
  readOnly?: boolean;
  required?: boolean;
}
export interface RecordSpec {
  table: string;
  /** Transaction type code for transaction records. */
  tranType?: string;
  fields: Record<string, FieldSpec>;
  sublists?: string[];
  writable: boolean;
}

const f = (column: string, kind: FieldKind, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  column,
  kind,
  ...extra,
});

const RECORDS: Record<string, RecordSpec> = {
  vendor: {
    table: 'vendor',
    writable: true,
    fields: {
      entityId: f('entityid', 'text', { required: true }),
      companyName: f('companyname', 'text', { required: true }),
      isPerson: f('isperson', 'bool'),
      email: f('email', 'text'),
      phone: f('phone', 'text'),
      isInactive: f('isinactive', 'bool'),
      subsidiary: f('subsidiary', 'ref', { table: 'subsidiary', required: true }),
      currency: f('currency', 'ref', { table: 'currency' }),
      terms: f('terms', 'ref', { table: 'term' }),
      dateCreated: f('datecreated', 'datetime', { readOnly: true }),
      lastModifiedDate: f('lastmodifieddate', 'datetime', { readOnly: true }),
    },
  },
  account: {
    table: 'account',
    writable: true,
    fields: {
      acctNumber: f('acctnumber', 'text', { required: true }),
      acctName: f('accountsearchdisplayname', 'text', { required: true }),
      acctType: f('accttype', 'ref', { required: true }),
      isInactive: f('isinactive', 'bool'),
      isSummary: f('issummary', 'bool'),
      parent: f('parent', 'ref', { table: 'account' }),
      subsidiary: f('subsidiary', 'multi', { table: 'subsidiary', required: true }),
      currency: f('currency', 'ref', { table: 'currency' }),
      lastModifiedDate: f('lastmodifieddate', 'datetime', { readOnly: true }),
    },
  },
  department: {
    table: 'department',
    writable: true,
    fields: {
      name: f('name', 'text', { required: true }),
      parent: f('parent', 'ref', { table: 'department' }),
      isInactive: f('isinactive', 'bool'),
      subsidiary: f('subsidiary', 'multi', { table: 'subsidiary', required: true }),
      lastModifiedDate: f('lastmodifieddate', 'datetime', { readOnly: true }),
    },
  },
  subsidiary: {
    table: 'subsidiary',
    writable: false,
    fields: {
      name: f('name', 'text'),
      parent: f('parent', 'ref', { table: 'subsidiary' }),
      currency: f('currency', 'ref', { table: 'currency' }),
      country: f('country', 'text'),
      isInactive: f('isinactive', 'bool'),
      lastModifiedDate: f('lastmodifieddate', 'datetime', { readOnly: true }),
    },
  },
};
const TRANSACTION_FIELDS: Record<string, FieldSpec> = {
  tranId: f('tranid', 'text'),
  entity: f('entity', 'ref', { table: 'vendor' }),
  tranDate: f('trandate', 'date'),
  dueDate: f('duedate', 'date'),
  currency: f('currency', 'ref', { table: 'currency' }),
  exchangeRate: f('exchangerate', 'num'),
  memo: f('memo', 'text'),
  total: f('foreigntotal', 'num'),
  createdDate: f('createddate', 'datetime'),
  lastModifiedDate: f('lastmodifieddate', 'datetime'),
};
RECORDS.purchaseOrder = {
  table: 'transaction',
  tranType: 'PurchOrd',
  writable: false,
  fields: TRANSACTION_FIELDS,
  sublists: ['item'],
};
RECORDS.vendorBill = {
  table: 'transaction',
  tranType: 'VendBill',
  writable: false,
  fields: { ...TRANSACTION_FIELDS, tranId: f('tranid', 'text'), otherRefNum: f('otherrefnum', 'text') },
  sublists: ['expense', 'item'],
};

/** Record type path segments are case-insensitive in practice (§4.1). */
export function specOf(type: string): [string, RecordSpec] | undefined {
  const key = Object.keys(RECORDS).find((k) => k.toLowerCase() === type.toLowerCase());
  return key ? [key, RECORDS[key]!] : undefined;
}
