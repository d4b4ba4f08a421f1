import type { AcumaticaProbe } from '../../systems/acumatica/client.js';
import { filterString } from '../../systems/acumatica/schemas.js';
import type { AcumaticaServiceNowOptions } from './options.js';

/**
 * The Acumatica queries of the pair's flows, in one place: the flows read with them and `mlc ping`
 * sends each with `$top=1`, so a field the entity lacks (a misspelt `requests.refField`, a status
 * filter) is reported by ping instead of failing a pass.
 */
export interface AcumaticaQuery {
  entity: string;
  filter?: string;
  select?: string[];
  expand?: string[];
}

const inList = (field: string, values: readonly string[]): string =>
  `(${values.map((v) => `${field} eq ${filterString(v)}`).join(' or ')})`;

export const ACCOUNT_SELECT = [
  'AccountCD',
  'Description',
  'Type',
  'Active',
  'CurrencyID',
  'LastModifiedDateTime',
];
export const SUBACCOUNT_SELECT = ['SubaccountCD', 'Description', 'Active'];

/**
 * Vendor header fields and, from the linked main contact, its e-mail and address (`$expand` of the
 * linked entities with `MainContact/…` paths in `$select`, api notes §2, §4).
 */
export const VENDOR_SELECT = [
  'VendorID',
  'VendorName',
  'LegalName',
  'Status',
  'VendorClass',
  'CurrencyID',
  'Terms',
  'TaxRegistrationID',
  'LastModifiedDateTime',
  'MainContact/Email',
  'MainContact/Address/City',
  'MainContact/Address/Country',
];
export const VENDOR_EXPAND = ['MainContact', 'MainContact/Address'];

export function acumaticaQueries(o: AcumaticaServiceNowOptions): {
  accounts: AcumaticaQuery;
  subaccounts: AcumaticaQuery;
  branches: AcumaticaQuery;
  vendors: AcumaticaQuery;
  vendorNames: AcumaticaQuery;
  accountNames: AcumaticaQuery;
  purchaseOrders: AcumaticaQuery;
  bills: AcumaticaQuery;
  checks: AcumaticaQuery;
  /** The look-up before a return-path PO is created (the request number in `refField`). */
  requestPo: (ref: string) => AcumaticaQuery;
} {
  return {
    accounts: { entity: 'Account', select: ACCOUNT_SELECT },
    subaccounts: { entity: 'Subaccount', select: SUBACCOUNT_SELECT },
    branches: { entity: 'CompaniesStructure', expand: ['Results'] },
    vendors: { entity: 'Vendor', select: VENDOR_SELECT, expand: VENDOR_EXPAND },
    vendorNames: { entity: 'Vendor', select: ['VendorID', 'VendorName'] },
    accountNames: { entity: 'Account', select: ['AccountCD', 'Description'] },
    purchaseOrders: {
      entity: 'PurchaseOrder',
      expand: ['Details'],
      filter: inList('Status', o.purchaseOrders.statuses),
    },
    bills: {
      entity: 'Bill',
      expand: ['Details'],
      filter: `${inList('Type', o.bills.types)} and ${inList('Status', o.bills.statuses)}`,
    },
    checks: {
      entity: 'Check',
      expand: ['Details'],
      filter: `${inList('Type', o.payments.types)} and ${inList('Status', o.payments.statuses)}`,
    },
    requestPo: (ref) => ({
      entity: 'PurchaseOrder',
      filter: `${o.requests.refField} eq ${filterString(ref)}`,
      expand: ['Details'],
    }),
  };
}

/** What `mlc ping` sends to Acumatica for this configuration: every enabled flow's real query. */
export function acumaticaProbes(o: AcumaticaServiceNowOptions): AcumaticaProbe[] {
  const q = acumaticaQueries(o);
  const probes: AcumaticaProbe[] = [];
  const add = (flow: string, query: AcumaticaQuery, windowed: boolean): void => {
    probes.push({ flow, windowed, ...query });
  };
  if (o.glAccounts.enabled) add('gl_accounts', q.accounts, true);
  if (o.costCenters.enabled && o.costCenters.source === 'Subaccount')
    add('cost_centers', q.subaccounts, false);
  // Branches come from an inquiry (a PUT): ping only checks the entity is offered.
  if (o.costCenters.enabled && o.costCenters.source === 'Branch')
    probes.push({ flow: 'cost_centers', entity: 'CompaniesStructure' });
  if (o.vendors.enabled) add('vendors', q.vendors, true);
  if (o.requests.enabled) add('requests_to_acumatica', q.requestPo(''), false);
  if (o.purchaseOrders.enabled) add('purchase_orders', q.purchaseOrders, true);
  if (o.purchaseOrders.enabled || o.bills.enabled || o.payments.enabled)
    add('vendor names', q.vendorNames, false);
  if (o.bills.enabled) {
    add('bills', q.bills, true);
    add('account names', q.accountNames, false);
  }
  if (o.payments.enabled) add('payments', q.checks, true);
  return probes;
}
