/**
 * What mlc reads and writes in ServiceTitan: one declaration per entity (api notes §3.3). Paging,
 * auth and money handling live once in the transport and the readers.
 *
 * Lists or export feeds, per entity:
 * - business units, customers, locations, contacts, vendors, purchase orders, jobs, invoices and
 *   payments are read from their page-based list, pinned to the pass window with
 *   `modifiedOnOrAfter` (inclusive) / `modifiedBefore` (exclusive) and, where the list has one, the
 *   filter that also returns inactive rows (`active=Any`, `activeState=All`): the window bounds are
 *   the engine's cursor, the lists return exactly the window, and the windows are small, so page
 *   drift is limited to records changed during the read, which the next pass's overlap re-reads.
 *   Vendors have no export at all.
 * - inventory bills are read from the export feed: their list has no filter that returns deleted
 *   bills and the plain `/inventory-bills` list answers a bare array without `hasMore`; the export
 *   returns deleted bills too (`active: false`) with a `modifiedOn`, in change order, starting at a
 *   date (`from=<since>`) and continuing with `continueFrom` tokens. Rows at or after the window end
 *   are left for the next pass.
 *   (https://developer.servicetitan.io/docs/transactional-and-export-apis)
 * - every entity with an export also has `exportFeed` for consumers that keep the token itself as
 *   their cursor (full loads that must see merged and deleted customers).
 */
export type StModule = 'crm' | 'inventory' | 'jpm' | 'settings' | 'accounting';

export interface StEntity {
  name: StEntityName;
  module: StModule;
  /** List path under `/{module}/v2/tenant/{tenant}/`. */
  list: string;
  /** Export path under the same prefix, when the resource has one. */
  export?: string;
  /** How `readChanged` reads it (see above). */
  via: 'list' | 'export';
  /** The filter that includes inactive rows: `active=Any` or `activeState=All`; none when the list has none. */
  inactive?: { param: 'active'; value: 'Any' } | { param: 'activeState'; value: 'All' };
  /** `sort` value the list accepts for change order, when it has one. */
  sort?: string;
  /** Whether the list rejects a request without `modifiedOnOrAfter` or `modifiedBefore`. */
  windowRequired?: boolean;
  /** Keys of money fields (JSON numbers outside accounting, strings inside): read as exact decimals. */
  money: readonly string[];
  /** Human label of a row. */
  label(row: Record<string, unknown>): string;
}

export type StEntityName =
  | 'business_units'
  | 'customers'
  | 'customer_contacts'
  | 'locations'
  | 'vendors'
  | 'purchase_orders'
  | 'inventory_bills'
  | 'jobs'
  | 'invoices'
  | 'payments';

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

export const ST_ENTITIES: Record<StEntityName, StEntity> = {
  business_units: {
    name: 'business_units',
    module: 'settings',
    list: 'business-units',
    export: 'export/business-units',
    via: 'list',
    inactive: { param: 'active', value: 'Any' },
    money: ['defaultTaxRate'],
    label: (r) => str(r.name),
  },
  customers: {
    name: 'customers',
    module: 'crm',
    list: 'customers',
    export: 'export/customers',
    via: 'list',
    inactive: { param: 'active', value: 'Any' },
    sort: '+ModifiedOn',
    money: ['balance', 'creditLimit', 'creditLimitBalance'],
    label: (r) => str(r.name),
  },
  customer_contacts: {
    name: 'customer_contacts',
    module: 'crm',
    list: 'customers/contacts',
    export: 'export/customers/contacts',
    via: 'list',
    windowRequired: true,
    money: [],
    label: (r) => `${str(r.type)} ${str(r.value)}`,
  },
  locations: {
    name: 'locations',
    module: 'crm',
    list: 'locations',
    export: 'export/locations',
    via: 'list',
    inactive: { param: 'active', value: 'Any' },
    sort: '+ModifiedOn',
    money: [],
    label: (r) => str(r.name),
  },
  vendors: {
    name: 'vendors',
    module: 'inventory',
    list: 'vendors',
    via: 'list',
    inactive: { param: 'active', value: 'Any' },
    sort: '+ModifiedOn',
    money: ['defaultTaxRate'],
    label: (r) => str(r.name),
  },
  purchase_orders: {
    name: 'purchase_orders',
    module: 'inventory',
    list: 'purchase-orders',
    export: 'export/purchase-orders',
    via: 'list',
    sort: '+ModifiedOn',
    money: ['total', 'tax', 'shipping', 'cost', 'quantity', 'quantityReceived'],
    label: (r) => str(r.number),
  },
  inventory_bills: {
    name: 'inventory_bills',
    module: 'accounting',
    list: 'inventory-bills/paginated',
    export: 'export/inventory-bills',
    via: 'export',
    money: ['billAmount', 'taxAmount', 'shippingAmount', 'quantity', 'cost'],
    label: (r) => str(r.referenceNumber ?? r.id),
  },
  jobs: {
    name: 'jobs',
    module: 'jpm',
    list: 'jobs',
    export: 'export/jobs',
    via: 'list',
    sort: '+ModifiedOn',
    money: ['total'],
    label: (r) => str(r.jobNumber),
  },
  invoices: {
    name: 'invoices',
    module: 'accounting',
    list: 'invoices',
    export: 'export/invoices',
    via: 'list',
    inactive: { param: 'activeState', value: 'All' },
    money: [
      'subTotal',
      'salesTax',
      'total',
      'balance',
      'quantity',
      'cost',
      'price',
      'totalCost',
      'discountTotal',
      'memberPrice',
    ],
    label: (r) => str(r.referenceNumber ?? r.id),
  },
  payments: {
    name: 'payments',
    module: 'accounting',
    list: 'payments',
    export: 'export/payments',
    via: 'list',
    inactive: { param: 'activeState', value: 'All' },
    money: ['total', 'unappliedAmount', 'appliedAmount', 'amount'],
    label: (r) => str(r.referenceNumber ?? r.id),
  },
};

export function stEntity(name: string): StEntity {
  const found = (ST_ENTITIES as Record<string, StEntity | undefined>)[name];
  if (!found) throw new TypeError(`unknown ServiceTitan entity ${name}`);
  return found;
}
