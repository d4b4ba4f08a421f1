/** The flows of odoo-salesforce in dependency order: products and customers before the orders that name them. */
import type { Flow } from '../../sync/types.js';
import type { PairContext } from './context.js';
import { customerFlows } from './customers.js';
import { invoiceFlows } from './invoices.js';
import { orderFlows } from './orders.js';
import { productFlows } from './products.js';

export function buildFlows(ctx: PairContext): Flow[] {
  return [...productFlows(ctx), ...customerFlows(ctx), ...orderFlows(ctx), ...invoiceFlows(ctx)];
}
