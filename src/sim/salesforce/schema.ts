/**
 * The sObjects the simulated org has (Salesforce Object Reference:
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/).
 * Custom fields `Odoo_Id__c` / `Odoo_Line_Id__c` are External IDs; `Odoo_Company__c` names the
 * company a record belongs to.
 */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'boolean'
  | 'double'
  | 'currency'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'picklist';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** Required on create (not nillable, no default). */
  required?: boolean;
  externalId?: boolean;
  unique?: boolean;
  /** Target object of a reference, and the relationship name used in SOQL and bodies. */
  ref?: string;
  relationship?: string;
  createable?: boolean;
  updateable?: boolean;
  picklist?: string[];
  length?: number;
}

export interface ObjectDef {
  name: string;
  /** Key prefix of ids (`001` Account…). */
  prefix: string;
  createable: boolean;
  updateable: boolean;
  fields: FieldDef[];
}

const SYSTEM: FieldDef[] = [
  { name: 'Id', type: 'id', createable: false, updateable: false },
  { name: 'IsDeleted', type: 'boolean', createable: false, updateable: false },
  { name: 'CreatedDate', type: 'datetime', createable: false, updateable: false },
  { name: 'LastModifiedDate', type: 'datetime', createable: false, updateable: false },
  { name: 'SystemModstamp', type: 'datetime', createable: false, updateable: false },
  {
    name: 'CreatedById',
    type: 'reference',
    ref: 'User',
    relationship: 'CreatedBy',
    createable: false,
    updateable: false,
  },
  {
    name: 'LastModifiedById',
    type: 'reference',
    ref: 'User',
    relationship: 'LastModifiedBy',
    createable: false,
    updateable: false,
  },
];

const ODOO = (name = 'Odoo_Id__c', unique = true): FieldDef => ({
  name,
  type: 'string',
  externalId: true,
  unique,
  length: 255,
});
const COMPANY: FieldDef = { name: 'Odoo_Company__c', type: 'string', length: 80 };

const objects: ObjectDef[] = [
  {
    name: 'User',
    prefix: '005',
    createable: false,
    updateable: false,
    fields: [
      { name: 'Username', type: 'string' },
      { name: 'Name', type: 'string' },
    ],
  },
  {
    name: 'Account',
    prefix: '001',
    createable: true,
    updateable: true,
    fields: [
      { name: 'Name', type: 'string', required: true, length: 255 },
      { name: 'AccountNumber', type: 'string', length: 40 },
      { name: 'Phone', type: 'phone', length: 40 },
      { name: 'BillingStreet', type: 'textarea', length: 255 },
      { name: 'BillingCity', type: 'string', length: 40 },
      { name: 'BillingPostalCode', type: 'string', length: 20 },
      { name: 'BillingCountry', type: 'string', length: 80 },
      ODOO(),
      COMPANY,
    ],
  },
  {
    name: 'Contact',
    prefix: '003',
    createable: true,
    updateable: true,
    fields: [
      { name: 'LastName', type: 'string', required: true, length: 80 },
      { name: 'FirstName', type: 'string', length: 40 },
      { name: 'Email', type: 'email', length: 80 },
      { name: 'Phone', type: 'phone', length: 40 },
      { name: 'AccountId', type: 'reference', ref: 'Account', relationship: 'Account' },
      // External ID without Unique: the org can hold two contacts with one value (upsert answers 300).
      ODOO('Odoo_Id__c', false),
      COMPANY,
    ],
  },
  {
    name: 'Product2',
    prefix: '01t',
    createable: true,
    updateable: true,
    fields: [
      { name: 'Name', type: 'string', required: true, length: 255 },
      { name: 'ProductCode', type: 'string', length: 255 },
      { name: 'Description', type: 'textarea', length: 4000 },
      { name: 'IsActive', type: 'boolean' },
      ODOO(),
      COMPANY,
    ],
  },
  {
    name: 'Pricebook2',
    prefix: '01s',
    createable: true,
    updateable: true,
    fields: [
      { name: 'Name', type: 'string', required: true, length: 255 },
      { name: 'IsActive', type: 'boolean' },
      { name: 'IsStandard', type: 'boolean', createable: false, updateable: false },
      { name: 'Description', type: 'textarea', length: 255 },
    ],
  },
  {
    name: 'PricebookEntry',
    prefix: '01u',
    createable: true,
    updateable: true,
    fields: [
      {
        name: 'Pricebook2Id',
        type: 'reference',
        ref: 'Pricebook2',
        relationship: 'Pricebook2',
        required: true,
        updateable: false,
      },
      {
        name: 'Product2Id',
        type: 'reference',
        ref: 'Product2',
        relationship: 'Product2',
        required: true,
        updateable: false,
      },
      { name: 'UnitPrice', type: 'currency', required: true },
      { name: 'IsActive', type: 'boolean' },
      { name: 'UseStandardPrice', type: 'boolean' },
      { name: 'Name', type: 'string', createable: false, updateable: false },
      { name: 'ProductCode', type: 'string', createable: false, updateable: false },
    ],
  },
  {
    name: 'Order',
    prefix: '801',
    createable: true,
    updateable: true,
    fields: [
      { name: 'AccountId', type: 'reference', ref: 'Account', relationship: 'Account', required: true },
      { name: 'EffectiveDate', type: 'date', required: true },
      { name: 'Name', type: 'string', length: 80 },
      { name: 'Status', type: 'picklist', required: true, picklist: ['Draft', 'Activated'] },
      { name: 'Pricebook2Id', type: 'reference', ref: 'Pricebook2', relationship: 'Pricebook2' },
      { name: 'OrderNumber', type: 'string', createable: false, updateable: false },
      { name: 'Description', type: 'textarea', length: 32000 },
      { name: 'TotalAmount', type: 'currency', createable: false, updateable: false },
      ODOO(),
      COMPANY,
    ],
  },
  {
    name: 'OrderItem',
    prefix: '802',
    createable: true,
    updateable: true,
    fields: [
      {
        name: 'OrderId',
        type: 'reference',
        ref: 'Order',
        relationship: 'Order',
        required: true,
        updateable: false,
      },
      {
        name: 'PricebookEntryId',
        type: 'reference',
        ref: 'PricebookEntry',
        relationship: 'PricebookEntry',
        required: true,
        updateable: false,
      },
      { name: 'Product2Id', type: 'reference', ref: 'Product2', relationship: 'Product2', updateable: false },
      { name: 'Quantity', type: 'double', required: true },
      { name: 'UnitPrice', type: 'currency', required: true },
      { name: 'Description', type: 'string', length: 255 },
      ODOO('Odoo_Line_Id__c'),
    ],
  },
];

/**
 * Invoice: only with Order Management, Commerce or Billing; describe, query, update, but no create
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_invoice.htm).
 */
const invoice: ObjectDef = {
  name: 'Invoice',
  prefix: '3tt',
  createable: false,
  updateable: true,
  fields: [
    { name: 'DocumentNumber', type: 'string', createable: false, updateable: false },
    {
      name: 'BillingAccountId',
      type: 'reference',
      ref: 'Account',
      relationship: 'BillingAccount',
      updateable: false,
    },
    { name: 'InvoiceDate', type: 'date', updateable: false },
    { name: 'Status', type: 'picklist', picklist: ['Draft', 'Posted', 'Canceled'] },
    { name: 'TotalAmount', type: 'currency', createable: false, updateable: false },
    { name: 'Description', type: 'textarea', length: 32000 },
  ],
};

export class Schema {
  readonly objects = new Map<string, ObjectDef>();
  private readonly fields = new Map<string, Map<string, FieldDef>>();
  private readonly byRelationship = new Map<string, Map<string, FieldDef>>();

  constructor(withInvoice: boolean) {
    for (const o of withInvoice ? [...objects, invoice] : objects) {
      const def = { ...o, fields: [...SYSTEM, ...o.fields] };
      this.objects.set(o.name, def);
      this.fields.set(o.name, new Map(def.fields.map((f) => [f.name.toLowerCase(), f])));
      this.byRelationship.set(
        o.name,
        new Map(
          def.fields.filter((f) => f.relationship).map((f) => [(f.relationship as string).toLowerCase(), f]),
        ),
      );
    }
  }

  /** Object names are case-insensitive in SOQL and paths; answers use the canonical name. */
  object(name: string): ObjectDef | undefined {
    const direct = this.objects.get(name);
    if (direct) return direct;
    for (const o of this.objects.values()) if (o.name.toLowerCase() === name.toLowerCase()) return o;
    return undefined;
  }

  field(object: string, name: string): FieldDef | undefined {
    return this.fields.get(object)?.get(name.toLowerCase());
  }

  relationship(object: string, name: string): FieldDef | undefined {
    return this.byRelationship.get(object)?.get(name.toLowerCase());
  }

  objectByPrefix(id: string): ObjectDef | undefined {
    for (const o of this.objects.values()) if (id.startsWith(o.prefix)) return o;
    return undefined;
  }
}
