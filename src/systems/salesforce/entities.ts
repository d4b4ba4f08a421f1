import type { SalesforceRequirement } from './ping.js';

/**
 * The sObjects an ERP pair reads and writes, as declarations: the external-id field upserts key on
 * (a custom field the org must define, marked External ID), the fields a flow writes or reads, and
 * whether the object may be absent (Invoice). Object Reference:
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/
 */
export interface SalesforceEntity {
  sobject: string;
  /** Default external-id field; a pair may name another one in its options. */
  externalId?: string;
  fields: string[];
  writes: boolean;
  optional?: boolean;
}

export const SF_ENTITIES = {
  account: {
    sobject: 'Account',
    externalId: 'Odoo_Id__c',
    fields: [
      'Name',
      'AccountNumber',
      'Phone',
      'BillingStreet',
      'BillingCity',
      'BillingPostalCode',
      'BillingCountry',
    ],
    writes: true,
  },
  contact: {
    sobject: 'Contact',
    externalId: 'Odoo_Id__c',
    fields: ['LastName', 'FirstName', 'Email', 'Phone', 'AccountId', 'LastModifiedById'],
    writes: true,
  },
  product: {
    sobject: 'Product2',
    externalId: 'Odoo_Id__c',
    fields: ['Name', 'ProductCode', 'IsActive'],
    writes: true,
  },
  pricebook: { sobject: 'Pricebook2', fields: ['Name', 'IsActive', 'IsStandard'], writes: false },
  pricebookEntry: {
    sobject: 'PricebookEntry',
    fields: ['Pricebook2Id', 'Product2Id', 'UnitPrice', 'IsActive', 'UseStandardPrice'],
    writes: true,
  },
  order: {
    sobject: 'Order',
    externalId: 'Odoo_Id__c',
    fields: ['AccountId', 'EffectiveDate', 'Name', 'Status', 'Pricebook2Id', 'Description'],
    writes: true,
  },
  orderItem: {
    sobject: 'OrderItem',
    externalId: 'Odoo_Line_Id__c',
    fields: ['OrderId', 'PricebookEntryId', 'Quantity', 'UnitPrice', 'Description'],
    writes: true,
  },
  // Only with Order Management, Commerce or Billing, and never createable through the sObject API.
  invoice: {
    sobject: 'Invoice',
    fields: ['DocumentNumber', 'BillingAccountId', 'InvoiceDate', 'Status', 'TotalAmount'],
    writes: false,
    optional: true,
  },
} as const satisfies Record<string, SalesforceEntity>;

export type SalesforceEntityName = keyof typeof SF_ENTITIES;

/** What `mlc ping` must verify for these entities; `externalIds` overrides the default key fields. */
export function requirementsFor(
  names: SalesforceEntityName[],
  externalIds: Partial<Record<SalesforceEntityName, string>> = {},
): SalesforceRequirement[] {
  return names.map((name) => {
    const e: SalesforceEntity = SF_ENTITIES[name];
    const externalId = externalIds[name] ?? e.externalId;
    return {
      sobject: e.sobject,
      fields: [...e.fields, ...(externalId ? [externalId] : [])],
      writes: e.writes,
      ...(externalId ? { externalId } : {}),
      ...(e.optional ? { optional: true } : {}),
    };
  });
}
