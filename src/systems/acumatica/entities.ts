/**
 * Declarations of the Acumatica entities mlc reads and writes through the contract-based REST API
 * (Default endpoint, field names of 24.200.001; api notes §4). Data only: paging, auth and errors
 * live in the client.
 */
export interface AcumaticaEntity {
  /** Entity name in the endpoint URL (`/entity/Default/24.200.001/<remote>`). */
  remote: string;
  /** Key fields used by PUT to find an existing record when no `id` is sent (§3.1, §4). */
  keys: string[];
  /** Auto-numbered key field: a PUT without it creates a new document (§6 trap 6). */
  autoNumbered?: string;
  /** Cursor field, or null when the entity has none and must be full-scanned (§2, §6 trap 9). */
  cursor: 'LastModifiedDateTime' | null;
  /** Detail collections, returned only with `$expand` (§6 trap 5). */
  details: string[];
  /** Header fields read by the pair. */
  fields: string[];
  /** Fields of the lines in `Details`. */
  detailFields?: string[];
}

export const ACUMATICA_ENTITIES = {
  Account: {
    remote: 'Account',
    keys: ['AccountCD'],
    cursor: 'LastModifiedDateTime',
    details: [],
    fields: [
      'AccountCD',
      'AccountID',
      'Description',
      'Type',
      'AccountClass',
      'Active',
      'CurrencyID',
      'LastModifiedDateTime',
    ],
  },
  /** No LastModifiedDateTime in 24.200.001: full scan, diff by hash (§2). */
  Subaccount: {
    remote: 'Subaccount',
    keys: ['SubaccountCD'],
    cursor: null,
    details: [],
    fields: ['SubaccountCD', 'SubaccountID', 'Description', 'Active'],
  },
  Vendor: {
    remote: 'Vendor',
    keys: ['VendorID'],
    cursor: 'LastModifiedDateTime',
    details: [],
    fields: [
      'VendorID',
      'VendorName',
      'LegalName',
      'Status',
      'VendorClass',
      'CurrencyID',
      'Terms',
      'PaymentMethod',
      'LastModifiedDateTime',
    ],
  },
  /** `VendorID` here, `Vendor` on Bill/Check; `Branch` on the header, `BranchID` on lines (§4). */
  PurchaseOrder: {
    remote: 'PurchaseOrder',
    keys: ['Type', 'OrderNbr'],
    autoNumbered: 'OrderNbr',
    cursor: 'LastModifiedDateTime',
    details: ['Details', 'TaxDetails'],
    fields: [
      'Type',
      'OrderNbr',
      'Status',
      'Hold',
      'Date',
      'VendorID',
      'Location',
      'VendorRef',
      'Description',
      'Branch',
      'CurrencyID',
      'OrderTotal',
      'LineTotal',
      'TaxTotal',
      'LastModifiedDateTime',
    ],
    detailFields: [
      'LineNbr',
      'InventoryID',
      'LineDescription',
      'UOM',
      'OrderQty',
      'UnitCost',
      'ExtendedCost',
      'Account',
      'Subaccount',
      'BranchID',
    ],
  },
  Bill: {
    remote: 'Bill',
    keys: ['Type', 'ReferenceNbr'],
    autoNumbered: 'ReferenceNbr',
    cursor: 'LastModifiedDateTime',
    details: ['Details', 'TaxDetails', 'Applications'],
    fields: [
      'Type',
      'ReferenceNbr',
      'Status',
      'Hold',
      'Vendor',
      'VendorRef',
      'Date',
      'DueDate',
      'PostPeriod',
      'BranchID',
      'CurrencyID',
      'Description',
      'Amount',
      'Balance',
      'TaxTotal',
      'LastModifiedDateTime',
    ],
    detailFields: [
      'Branch',
      'InventoryID',
      'TransactionDescription',
      'Qty',
      'UnitCost',
      'ExtendedCost',
      'Amount',
      'Account',
      'Subaccount',
      'POOrderNbr',
      'POLine',
    ],
  },
  /** AP "Checks and Payments" — the vendor payments (§6 trap 8). */
  Check: {
    remote: 'Check',
    keys: ['Type', 'ReferenceNbr'],
    autoNumbered: 'ReferenceNbr',
    cursor: 'LastModifiedDateTime',
    details: ['Details', 'History'],
    fields: [
      'Type',
      'ReferenceNbr',
      'Status',
      'Hold',
      'Vendor',
      'PaymentMethod',
      'CashAccount',
      'PaymentRef',
      'ApplicationDate',
      'CurrencyID',
      'PaymentAmount',
      'UnappliedBalance',
      'Description',
      'LastModifiedDateTime',
    ],
    detailFields: ['DocType', 'ReferenceNbr', 'AmountPaid', 'Balance'],
  },
  /** AR payments (customer receipts): not read by the acumatica-servicenow pair (§6 trap 8). */
  Payment: {
    remote: 'Payment',
    keys: ['Type', 'ReferenceNbr'],
    autoNumbered: 'ReferenceNbr',
    cursor: 'LastModifiedDateTime',
    details: ['DocumentsToApply', 'ApplicationHistory', 'OrdersToApply'],
    fields: [
      'Type',
      'ReferenceNbr',
      'Status',
      'CustomerID',
      'PaymentAmount',
      'ApplicationDate',
      'LastModifiedDateTime',
    ],
  },
  /** Companies and branches (inquiry; §2, §4): the Branch cost-center option reads it. */
  CompaniesStructure: {
    remote: 'CompaniesStructure',
    keys: [],
    cursor: null,
    details: ['Results'],
    fields: [],
    detailFields: ['CompanyID', 'CompanyName', 'BranchID', 'BranchName', 'BranchStatus', 'BaseCurrencyID'],
  },
} as const satisfies Record<string, AcumaticaEntity>;

export type AcumaticaEntityName = keyof typeof ACUMATICA_ENTITIES;

/** The declaration of an entity, or undefined for one mlc does not declare (still readable). */
export function entityInfo(name: string): AcumaticaEntity | undefined {
  return (ACUMATICA_ENTITIES as Record<string, AcumaticaEntity>)[name];
}

/** Where cost centers come from: a Subaccount (default) or a Branch (§4 "Cost centers"). */
export type CostCenterSource = 'Subaccount' | 'Branch';
