import type { OdooRequirement } from '../../systems/odoo/adapter.js';
import type { OdooClient } from '../../systems/odoo/client.js';
import type { ServiceTitanClient, ServiceTitanRequirement } from '../../systems/servicetitan/index.js';
import { LazyDimensions, type PairDefinition } from '../types.js';
import { loadRefs, pairContext } from './context.js';
import { serviceTitanOdooDemo } from './demo.js';
import { buildFlows } from './flows.js';
import { serviceTitanOdooOptions, type ServiceTitanOdooOptions } from './options.js';
import { loadProjects } from './tasks.js';
import { serviceTitanOdooWebhooks } from './webhooks.js';

/**
 * servicetitan-odoo: a ServiceTitan tenant (field service) -> its Odoo company (books). Business
 * units become analytic accounts, vendors and customers partners, purchase orders confirmed Odoo
 * purchase orders, inventory bills vendor bills linked to their order, jobs sale orders (or project
 * tasks, option `jobs`), invoices
 * customer invoices (marked exported in ServiceTitan); payments taken in ServiceTitan registered
 * on those invoices in Odoo (option `collections`), and Odoo customer payments of them back to
 * ServiceTitan (option `payments`). Scheduled passes, and webhook events through `mlc serve`.
 */
export const serviceTitanOdoo: PairDefinition<(typeof serviceTitanOdooOptions)['shape']> = {
  name: 'servicetitan-odoo',
  description:
    'ServiceTitan -> Odoo: business units (analytic), vendors, customers, purchase orders, vendor bills, jobs (sale orders or project tasks), invoices, field payments; Odoo payments back',
  systems: { source: 'servicetitan', target: 'odoo' },
  options: serviceTitanOdooOptions,
  requirements(options: ServiceTitanOdooOptions) {
    const source: ServiceTitanRequirement[] = [
      { entity: 'business_units' },
      { entity: 'vendors' },
      { entity: 'customers' },
      { entity: 'customer_contacts' },
      { entity: 'purchase_orders' },
      { entity: 'inventory_bills' },
      ...(options.jobs !== 'off' ? [{ entity: 'jobs' as const }] : []),
      ...(options.invoices !== 'off' ? [{ entity: 'invoices' as const }] : []),
      ...(options.invoices !== 'off' && (options.payments || options.collections.enabled)
        ? [{ entity: 'payments' as const, ...(options.payments ? { writesPayments: true } : {}) }]
        : []),
    ];
    const collections = options.invoices !== 'off' && options.collections.enabled;
    const rw = ['create', 'write'] as Array<'create' | 'write'>;
    const target: OdooRequirement[] = [
      { model: 'res.company', fields: ['id', 'name'] },
      { model: 'account.analytic.plan', fields: ['id', 'name'] },
      { model: 'product.product', fields: ['id', 'default_code', 'name', 'uom_id'] },
      {
        model: 'account.analytic.account',
        fields: ['code', 'name', 'plan_id', 'company_id', 'active'],
        access: rw,
      },
      {
        model: 'res.partner',
        fields: [
          'ref',
          'name',
          'is_company',
          'parent_id',
          'email',
          'phone',
          'street',
          'street2',
          'city',
          'zip',
          'company_id',
          'active',
          'customer_rank',
          'supplier_rank',
        ],
        access: rw,
      },
      {
        model: 'purchase.order',
        fields: [
          'origin',
          'partner_id',
          'partner_ref',
          'date_order',
          'state',
          'order_line',
          'company_id',
          'name',
        ],
        access: rw,
      },
      {
        model: 'purchase.order.line',
        fields: [
          'order_id',
          'product_id',
          'name',
          'product_qty',
          'price_unit',
          'date_planned',
          'analytic_distribution',
          'sequence',
        ],
        access: rw,
      },
      {
        model: 'account.move',
        fields: [
          'ref',
          'move_type',
          'partner_id',
          'invoice_date',
          'invoice_date_due',
          'invoice_origin',
          'payment_reference',
          'state',
          'invoice_line_ids',
          'company_id',
          'name',
        ],
        access: rw,
      },
      {
        model: 'account.move.line',
        fields: [
          'move_id',
          'product_id',
          'name',
          'quantity',
          'price_unit',
          'analytic_distribution',
          'purchase_line_id',
        ],
        access: rw,
      },
      ...(options.invoices !== 'off' && (options.payments || collections)
        ? [
            {
              model: 'account.payment',
              fields: [
                'name',
                'amount',
                'date',
                'state',
                'memo',
                'payment_type',
                'partner_type',
                'reconciled_invoice_ids',
              ],
            },
          ]
        : []),
      // Field collections are registered with the invoice's Register Payment wizard.
      ...(collections
        ? [
            {
              model: 'account.payment.register',
              fields: ['payment_date', 'amount', 'journal_id', 'payment_method_line_id', 'communication'],
              access: ['create', 'write'] as Array<'create' | 'write'>,
            },
            { model: 'account.journal', fields: ['name', 'code', 'type', 'company_id'] },
            { model: 'account.payment.method.line', fields: ['journal_id', 'payment_type'] },
          ]
        : []),
      ...(options.jobs === 'sale_order'
        ? [
            {
              model: 'sale.order',
              fields: ['client_order_ref', 'partner_id', 'date_order', 'state', 'order_line', 'company_id'],
              access: rw,
            },
            {
              model: 'sale.order.line',
              fields: ['order_id', 'product_id', 'name', 'product_uom_qty', 'price_unit'],
              access: rw,
            },
          ]
        : []),
      ...(options.jobs === 'project_task'
        ? [
            { model: 'project.project', fields: ['name', 'company_id'] },
            {
              model: 'project.task',
              fields: [
                'name',
                'project_id',
                'partner_id',
                'company_id',
                'description',
                'date_deadline',
                'active',
              ],
              access: rw,
            },
            // Tasks are keyed by external id: `load` writes it, a search reads it back.
            { model: 'ir.model.data', fields: ['module', 'name', 'model', 'res_id'] },
          ]
        : []),
    ];
    return { source, target };
  },
  build(env) {
    const st = env.source as ServiceTitanClient;
    const odoo = env.target as OdooClient;
    const pc = pairContext(st, odoo, env.options);
    return {
      flows: buildFlows(pc),
      makeDims: () =>
        new LazyDimensions({
          analytic: () => loadRefs(pc, 'account.analytic.account', 'code', 'BU'),
          vendor: () => loadRefs(pc, 'res.partner', 'ref', 'VEND'),
          customer: () => loadRefs(pc, 'res.partner', 'ref', 'CUST'),
          purchase_order: () => loadRefs(pc, 'purchase.order', 'origin', 'PO'),
          invoice: () => loadRefs(pc, 'account.move', 'ref', 'INV'),
          project: () => loadProjects(pc),
        }),
    };
  },
  // Fits the simulators' seeds: the two tenants in the two Odoo companies, the seed's analytic plan.
  simSettings: {
    companies: { '1000001': 'Acme Distribution', '1000002': 'Acme Services' },
    analyticPlan: 'Cost Centers',
    // The seed has no "ServiceTitan item": its service product stands in.
    products: { fallback: 'SRV-001' },
  },
  demo: serviceTitanOdooDemo,
  webhooks: serviceTitanOdooWebhooks,
};
