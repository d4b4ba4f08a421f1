import { schemaInfo } from './spec.js';
import type { StoredRecord } from './store.js';

/**
 * What the screens behind the simulated entities know (api notes §4): keys, auto-numbered keys,
 * defaults, the fields the server computes, the allowed document types, and the totals and statuses
 * computed on save.
 */
export interface EntityMeta {
  keys: string[];
  /** Auto-numbered key: next value after the highest stored one. */
  autoNumber?: { field: string; prefix: string; width: number };
  /** Display name in 422 messages ("Inserting 'Purchase Order' record raised…"). */
  display: string;
  defaults?: Record<string, unknown>;
  /** Fields the server computes; values sent for them are ignored. */
  computed?: string[];
}

const META: Record<string, EntityMeta> = {
  Account: {
    keys: ['AccountCD'],
    display: 'Account',
    defaults: { Active: true, CurrencyID: 'USD', PostOption: 'Summary' },
    computed: ['AccountID'],
  },
  Subaccount: {
    keys: ['SubaccountCD'],
    display: 'Subaccount',
    defaults: { Active: true, Secured: false },
    computed: ['SubaccountID'],
  },
  Vendor: {
    keys: ['VendorID'],
    display: 'Vendor',
    defaults: {
      Status: 'Active',
      VendorClass: 'DEFAULT',
      CurrencyID: 'USD',
      Terms: '30D',
      PaymentMethod: 'CHECK',
    },
    computed: ['CreatedDateTime'],
  },
  PurchaseOrder: {
    keys: ['Type', 'OrderNbr'],
    autoNumber: { field: 'OrderNbr', prefix: 'PO', width: 6 },
    display: 'Purchase Order',
    defaults: { Type: 'Normal', Hold: false, CurrencyID: 'USD', Branch: 'HQ', Location: 'MAIN' },
    computed: ['Status', 'LineTotal', 'OrderTotal', 'TaxTotal', 'BaseCurrencyID'],
  },
  Bill: {
    keys: ['Type', 'ReferenceNbr'],
    autoNumber: { field: 'ReferenceNbr', prefix: '', width: 6 },
    display: 'AP Transactions',
    defaults: { Type: 'Bill', Hold: false, CurrencyID: 'USD', BranchID: 'HQ', Terms: '30D' },
    computed: ['Status', 'Amount', 'Balance', 'TaxTotal'],
  },
  Check: {
    keys: ['Type', 'ReferenceNbr'],
    autoNumber: { field: 'ReferenceNbr', prefix: '', width: 6 },
    display: 'Checks and Payments',
    defaults: {
      Type: 'Payment',
      Hold: false,
      CurrencyID: 'USD',
      PaymentMethod: 'CHECK',
      CashAccount: '10100',
    },
    computed: ['Status', 'UnappliedBalance'],
  },
  Payment: {
    keys: ['Type', 'ReferenceNbr'],
    autoNumber: { field: 'ReferenceNbr', prefix: '', width: 6 },
    display: 'Payments and Applications',
    defaults: { Type: 'Payment', Hold: false, CurrencyID: 'USD' },
    computed: ['Status', 'AvailableBalance'],
  },
};

export const TYPES: Record<string, string[]> = {
  PurchaseOrder: ['Normal', 'Drop Ship', 'Blanket', 'Standard'],
  Bill: ['Bill', 'Credit Adj.', 'Debit Adj.', 'Prepayment'],
  Check: ['Payment', 'Prepayment', 'Refund', 'Voided Payment'],
  Payment: ['Payment', 'Prepayment', 'Credit Memo', 'Refund'],
};

export function metaOf(entity: string): EntityMeta {
  return META[entity] ?? { keys: [], display: entity };
}

export function hasModified(entity: string): boolean {
  return schemaInfo(entity)?.properties.has('LastModifiedDateTime') ?? false;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const round = (v: number): number => Math.round(v * 10_000) / 10_000;

/** Totals, statuses and line numbers the screens compute on save. */
export function compute(entity: string, r: StoredRecord): void {
  const f = r.fields;
  for (const lines of Object.values(r.lines)) {
    let nbr = 0;
    for (const l of lines) nbr = Math.max(nbr, num(l.fields.LineNbr));
    for (const l of lines)
      if (l.fields.LineNbr === undefined && entity === 'PurchaseOrder') l.fields.LineNbr = ++nbr;
  }
  if (entity === 'PurchaseOrder') {
    let total = 0;
    for (const l of r.lines.Details ?? []) {
      const ext = round(num(l.fields.OrderQty) * num(l.fields.UnitCost));
      l.fields.ExtendedCost = ext;
      l.fields.LineType ??= 'Goods for IN';
      l.fields.UOM ??= 'EA';
      total += ext;
    }
    f.LineTotal = round(total);
    f.TaxTotal = 0;
    f.OrderTotal = round(total);
    f.BaseCurrencyID = 'USD';
    if (f.Status !== 'Closed' && f.Status !== 'Completed' && f.Status !== 'Canceled')
      f.Status = f.Hold === true ? 'On Hold' : 'Open';
  }
  if (entity === 'Bill') {
    let total = 0;
    for (const l of r.lines.Details ?? []) {
      const ext = round(num(l.fields.Qty ?? 1) * num(l.fields.UnitCost));
      if (l.fields.Qty === undefined) l.fields.Qty = 1;
      l.fields.ExtendedCost = ext;
      if (l.fields.Amount === undefined || typeof l.fields.Amount !== 'number') l.fields.Amount = ext;
      total += num(l.fields.Amount);
    }
    f.Amount = round(total);
    f.TaxTotal = 0;
    if (f.Status !== 'Open' && f.Status !== 'Closed') {
      f.Balance = round(total);
      f.Status = f.Hold === true ? 'On Hold' : 'Balanced';
    }
  }
  if (entity === 'Check') {
    const applied = (r.lines.Details ?? []).reduce((s, l) => s + num(l.fields.AmountPaid), 0);
    f.UnappliedBalance = round(num(f.PaymentAmount) - applied);
    if (f.Status !== 'Closed' && f.Status !== 'Printed') f.Status = f.Hold === true ? 'On Hold' : 'Balanced';
  }
  if (entity === 'Payment' && f.Status !== 'Closed') f.Status = f.Hold === true ? 'On Hold' : 'Balanced';
}
