/**
 * Typed, reusable readers of Odoo business records for pairs that send them elsewhere: windowed
 * keyset reads (readers.ts `readChanged`) of one company at a time, with the look-ups they need.
 */
export * from './scope.js';
export * from './customers.js';
export * from './products.js';
export * from './sale-orders.js';
export * from './invoices.js';
