import type { OdooRequirement } from '../../systems/odoo/adapter.js';
import type { OdooClient } from '../../systems/odoo/client.js';
import {
  CUSTOMER_FIELDS,
  INVOICE_FIELDS,
  PRODUCT_FIELDS,
  SALE_LINE_FIELDS,
  SALE_ORDER_FIELDS,
} from '../../systems/odoo/sources/index.js';
import type { SalesforceClient } from '../../systems/salesforce/client.js';
import { requirementsFor, type SalesforceRequirement } from '../../systems/salesforce/index.js';
import type { PairDefinition } from '../types.js';
import { Companies } from './companies.js';
import { odooSalesforceDemo } from './demo.js';
import { buildFlows } from './flows.js';
import { SfLookups } from './lookups.js';
import { odooSalesforceOptions, type OdooSalesforceOptions } from './options.js';

/** Every Odoo model and field the flows read (and write, for products and contacts coming back). */
export function odooRequirements(o: OdooSalesforceOptions): OdooRequirement[] {
  const toOdoo = o.products.direction === 'both' || o.products.direction === 'to-odoo';
  return [
    { model: 'res.users', fields: ['id', 'company_id', 'company_ids'] },
    { model: 'res.company', fields: ['id', 'name'] },
    {
      model: 'product.product',
      fields: [...PRODUCT_FIELDS],
      ...(toOdoo ? { access: ['create', 'write'] as Array<'create' | 'write'> } : {}),
    },
    {
      model: 'res.partner',
      fields: [...CUSTOMER_FIELDS],
      ...(o.contactsToOdoo.enabled ? { access: ['create', 'write'] as Array<'create' | 'write'> } : {}),
    },
    ...(o.orders.enabled
      ? [
          { model: 'sale.order', fields: [...SALE_ORDER_FIELDS] },
          { model: 'sale.order.line', fields: [...SALE_LINE_FIELDS] },
        ]
      : []),
    ...(o.invoices.enabled ? [{ model: 'account.move', fields: [...INVOICE_FIELDS] }] : []),
  ];
}

/** Every sObject and field, with the external-id fields upserts key on. */
export function salesforceRequirements(o: OdooSalesforceOptions): SalesforceRequirement[] {
  const f = o.fields;
  const reqs = requirementsFor(
    ['account', 'contact', 'product', 'pricebook', 'pricebookEntry', 'order', 'orderItem', 'invoice'],
    {
      account: f.externalId,
      contact: f.externalId,
      product: f.externalId,
      order: f.externalId,
      orderItem: f.lineExternalId,
    },
  );
  const books = [...new Set(Object.values(o.priceBooks ?? {}))].sort();
  return reqs.map((r) =>
    ['Account', 'Contact', 'Product2', 'Order'].includes(r.sobject)
      ? { ...r, fields: [...r.fields, f.company] }
      : r.sobject === 'Pricebook2' && books.length > 0
        ? { ...r, records: { field: 'Name', values: books, option: 'pairs.odoo-salesforce.priceBooks' } }
        : r,
  );
}

/**
 * odoo-salesforce: Odoo (sales) -> Salesforce. Products and standard prices both ways (keyed on the
 * product code), customers as Accounts and Contacts, sales orders as Orders with OrderItems,
 * posted customer invoices recorded on their Orders; Salesforce contacts back to Odoo when enabled.
 */
export const odooSalesforce: PairDefinition<(typeof odooSalesforceOptions)['shape']> = {
  name: 'odoo-salesforce',
  description:
    'Odoo -> Salesforce: products and prices (both ways), customers and contacts, sales orders with items, invoices',
  systems: { source: 'odoo', target: 'salesforce' },
  options: odooSalesforceOptions,
  requirements: (o: OdooSalesforceOptions) => ({
    source: odooRequirements(o),
    target: salesforceRequirements(o),
  }),
  build(env) {
    const odoo = env.source as OdooClient;
    const sf = env.target as SalesforceClient;
    const o = env.options;
    const sfLookups = new SfLookups(sf, o.fields, Object.values(o.priceBooks ?? {}));
    return {
      flows: buildFlows({
        odoo,
        sf,
        options: o,
        f: o.fields,
        companies: new Companies(odoo, o.companies, o.priceBooks),
        sfLookups,
        odooTime: () => odoo.serverTime(),
        sfTime: () => sf.serverTime(),
        batchSize: o.batchSize,
      }),
      session: async (run) => {
        odoo.prefetchFields(odooRequirements(o).map((r) => r.model));
        return run();
      },
      makeDims: () => sfLookups.dimensions(),
    };
  },
  simSettings: {},
  demo: odooSalesforceDemo,
};
