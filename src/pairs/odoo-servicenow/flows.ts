import { RecordError } from '../../errors.js';
import type { OdooClient, OdooRow } from '../../systems/odoo/client.js';
import type { ServiceNowClient, SnRow } from '../../systems/servicenow/client.js';
import type { ReadWindow } from '../../systems/types.js';
import type { Flow, SourceRecord, WriteResult } from '../../sync/types.js';
import { importDocuments, importFlat, type DocumentPayload, type StagingRow } from '../s2p.js';
import { bool, date, isoUtc, m2o, maxIso, naive, num, text } from '../values.js';
import {
  costCenterCanonical,
  mapCostCenterToOdoo,
  mapCostCenterToServiceNow,
  mapGlAccount,
  mapPurchaseOrder,
  mapSupplier,
  mapVendorBill,
  type AccountData,
  type BillData,
  type CostCenterData,
  type MapOptions,
  type PoData,
  type SupplierData,
} from './mappers.js';
import type { OdooServiceNowOptions } from './options.js';
import { Companies, type CompanyScope } from './companies.js';

/** Odoo models and the fields each flow reads (also what `mlc ping` checks exist). */
export const ODOO_FIELDS = {
  'account.analytic.account': ['id', 'name', 'code', 'active', 'plan_id', 'company_id', 'write_date'],
  'account.analytic.plan': ['id', 'name'],
  'account.account': ['id', 'code', 'name', 'account_type', 'write_date'],
  'res.partner': [
    'id',
    'name',
    'ref',
    'vat',
    'email',
    'city',
    'country_id',
    'active',
    'supplier_rank',
    'write_date',
  ],
  'purchase.order': [
    'id',
    'name',
    'state',
    'partner_id',
    'partner_ref',
    'date_order',
    'currency_id',
    'amount_total',
    'payment_term_id',
    'company_id',
    'write_date',
  ],
  'purchase.order.line': [
    'id',
    'order_id',
    'name',
    'product_id',
    'product_qty',
    'price_unit',
    'price_subtotal',
    'date_planned',
    'analytic_distribution',
    'display_type',
    'write_date',
  ],
  'product.product': ['id', 'type'],
  'res.users': ['id', 'company_id', 'company_ids'],
  'res.company': ['id', 'name'],
  'account.move': [
    'id',
    'name',
    'ref',
    'state',
    'move_type',
    'partner_id',
    'invoice_date',
    'currency_id',
    'amount_total',
    'amount_tax',
    'invoice_origin',
    'invoice_payment_term_id',
    'company_id',
    'write_date',
  ],
  'account.move.line': [
    'id',
    'move_id',
    'name',
    'quantity',
    'price_unit',
    'price_subtotal',
    'price_total',
    'account_id',
    'analytic_distribution',
    'purchase_line_id',
    'display_type',
    'write_date',
  ],
} as const;

const f = (model: keyof typeof ODOO_FIELDS): string[] => [...ODOO_FIELDS[model]];

/**
 * Look-ups of Odoo master data the readers need to enrich documents (analytic account codes,
 * account codes, product types), loaded once per pass.
 */
class OdooLookups {
  private analytic: Promise<Map<number, { code: string | null; plan: string | null }>> | undefined;
  private readonly accounts = new Map<number, Promise<Map<number, { code: string; name: string }>>>();
  private readonly productTypes = new Map<number, string | null>();

  constructor(
    private readonly odoo: OdooClient,
    private readonly plan: string,
  ) {}

  analyticAccounts(): Promise<Map<number, { code: string | null; plan: string | null }>> {
    return (this.analytic ??= this.odoo
      .searchRead('account.analytic.account', [], {
        fields: ['id', 'code', 'plan_id'],
        context: { active_test: false },
      })
      .then(
        (rows) =>
          new Map(rows.map((r) => [r.id, { code: text(r.code), plan: m2o(r.plan_id)?.name ?? null }])),
      ));
  }

  /**
   * Account codes as `company` sees them. Codes are company-dependent (§9): read without that
   * company first in `allowed_company_ids`, another company's accounts answer `code: false`.
   */
  accountCodes(company: number): Promise<Map<number, { code: string; name: string }>> {
    let cached = this.accounts.get(company);
    if (!cached) {
      cached = this.odoo
        .searchRead('account.account', [], {
          fields: ['id', 'code', 'name'],
          context: { active_test: false, allowed_company_ids: [company] },
        })
        .then(
          (rows) => new Map(rows.map((r) => [r.id, { code: text(r.code) ?? '', name: text(r.name) ?? '' }])),
        );
      cached.catch(() => this.accounts.delete(company));
      this.accounts.set(company, cached);
    }
    return cached;
  }

  async productTypesOf(productIds: number[]): Promise<Map<number, string | null>> {
    const missing = [...new Set(productIds)].filter((id) => !this.productTypes.has(id));
    if (missing.length > 0) {
      const rows = await this.odoo.searchRead('product.product', [['id', 'in', missing]], {
        fields: ['id', 'type'],
        context: { active_test: false },
      });
      for (const id of missing) this.productTypes.set(id, null);
      for (const r of rows) this.productTypes.set(r.id, text(r.type));
    }
    return this.productTypes;
  }

  /**
   * Reads the cost centers of an `analytic_distribution` (`{"12": 100.0}` or `{"3,7": 50.0}`):
   * accounts of the cost-center plan only. Answers a plain function once the accounts are loaded.
   */
  async costCenters(): Promise<(distribution: unknown) => Array<{ code: string; share: number }>> {
    const analytic = await this.analyticAccounts();
    return (distribution) => this.costCentersIn(analytic, distribution);
  }

  private costCentersIn(
    analytic: Map<number, { code: string | null; plan: string | null }>,
    distribution: unknown,
  ): Array<{ code: string; share: number }> {
    if (distribution === null || typeof distribution !== 'object') return [];
    const out = new Map<string, number>();
    for (const [key, share] of Object.entries(distribution as Record<string, unknown>)) {
      for (const id of key.split(',').map(Number)) {
        const a = analytic.get(id);
        if (a?.code && a.plan === this.plan) out.set(a.code, (out.get(a.code) ?? 0) + num(share));
      }
    }
    return [...out].map(([code, s]) => ({ code, share: Math.round(s * 100) / 100 }));
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export interface OdooServiceNowClients {
  odoo: OdooClient;
  sn: ServiceNowClient;
}

export function buildFlows(
  clients: OdooServiceNowClients,
  options: OdooServiceNowOptions,
  batchSize: number,
): Flow[] {
  const { odoo, sn } = clients;
  const t = options.tables;
  const opts: MapOptions = {
    erpSource: options.erpSource,
    legalEntity: options.legalEntity,
    costCenterMap: options.costCenters.map,
    glAccountMap: options.glAccounts.map,
  };
  const lookups = new OdooLookups(odoo, options.costCenters.analyticPlan);
  const companies = new Companies(odoo, options);
  /** Documents of the covered companies only. */
  const companyDomain = async (): Promise<unknown[]> => [['company_id', 'in', await companies.ids()]];
  const odooTime = (): Promise<Date> => odoo.serverTime();
  const snTime = (): Promise<Date> => sn.serverTime();
  const planDomain = [['plan_id.name', '=', options.costCenters.analyticPlan]];
  const flows: Flow[] = [];

  // ---- cost centers, Odoo -> ServiceNow ----------------------------------------------------------
  const odooCostCenter = async (r: OdooRow): Promise<SourceRecord<CostCenterData>> => {
    // An analytic account of one company maps through that company's code map; a shared one
    // (no company) through the pair's.
    const owner = m2o(r.company_id)?.id;
    const companyMap = owner === undefined ? undefined : (await companies.all()).get(owner)?.costCenterMap;
    return {
      id: text(r.code) ?? `odoo-analytic-${r.id}`,
      modified: isoUtc(r.write_date) ?? new Date(0).toISOString(),
      label: `${text(r.code) ?? `#${r.id}`} ${text(r.name) ?? ''}`.trim(),
      data: {
        code: text(r.code),
        name: text(r.name) ?? '',
        active: r.active === undefined ? true : bool(r.active),
        ...(companyMap === undefined || Object.keys(companyMap).length === 0 ? {} : { companyMap }),
      },
    };
  };
  /** Cost centers shared by every company, or of a covered one. */
  const ccDomain = async (): Promise<unknown[]> => [
    ...planDomain,
    ['company_id', 'in', [false, ...(await companies.ids())]],
  ];
  if (options.costCenters.direction === 'both' || options.costCenters.direction === 'to-servicenow') {
    flows.push({
      name: 'cost_centers_to_servicenow',
      entity: 'cost_center',
      direction: 'odoo -> servicenow',
      description: `Odoo analytic accounts of plan "${options.costCenters.analyticPlan}" -> ${t.costCenter}`,
      serverTime: odooTime,
      async *read(window) {
        const domain = await ccDomain();
        for await (const page of odoo.readChanged('account.analytic.account', {
          fields: f('account.analytic.account'),
          window,
          domain,
          activeTest: false,
        })) {
          yield await Promise.all(page.map(odooCostCenter));
        }
      },
      async fetch(codes) {
        const rows = await odoo.searchRead(
          'account.analytic.account',
          [...(await ccDomain()), ['code', 'in', codes]],
          {
            fields: f('account.analytic.account'),
            context: { active_test: false },
          },
        );
        return Promise.all(rows.map(odooCostCenter));
      },
      map: (r) => mapCostCenterToServiceNow(r.data, r.label, r.modified, opts),
      hashOf: (p: StagingRow) =>
        costCenterCanonical(p.u_code ?? '', p.u_name ?? '', (p.u_valid_to ?? '') === ''),
      write: (items) => importFlat(sn, t.costCenterStaging, items as never),
      provides: { kind: 'cost_center', key: (p: StagingRow) => p.u_code ?? '' },
    } satisfies Flow<CostCenterData, StagingRow> as Flow);
  }

  // ---- cost centers, ServiceNow -> Odoo ----------------------------------------------------------
  const snCostCenter = (r: SnRow): SourceRecord<CostCenterData> => {
    const modified = isoUtc(r.sys_updated_on) ?? new Date(0).toISOString();
    const validTo = r.valid_to ?? '';
    return {
      id: r.code || `sn-${r.sys_id}`,
      modified,
      label: `${r.code || r.sys_id} ${r.name ?? ''}`.trim(),
      // A cost center whose validity ended on or before its last change is archived in Odoo.
      data: {
        code: r.code || null,
        name: r.name ?? '',
        active: validTo === '' || validTo.slice(0, 10) > modified.slice(0, 10),
      },
    };
  };
  if (options.costCenters.direction === 'both' || options.costCenters.direction === 'to-odoo') {
    let planId: Promise<number> | undefined;
    const resolvePlan = (): Promise<number> =>
      (planId ??= odoo
        .searchRead('account.analytic.plan', [['name', '=', options.costCenters.analyticPlan]], {
          fields: ['id', 'name'],
        })
        .then((rows) => {
          const plan = rows[0];
          if (!plan) {
            throw new RecordError(`Odoo has no analytic plan named "${options.costCenters.analyticPlan}"`, {
              code: 'odoo.no_analytic_plan',
              hint: 'create the plan in Odoo (Accounting > Configuration > Analytic Plans) or set costCenters.analyticPlan',
            });
          }
          return plan.id;
        }));
    const ccFields = ['sys_id', 'code', 'name', 'valid_to', 'sys_updated_on'];
    flows.push({
      name: 'cost_centers_to_odoo',
      entity: 'cost_center',
      direction: 'servicenow -> odoo',
      description: `${t.costCenter} -> Odoo analytic accounts of plan "${options.costCenters.analyticPlan}"`,
      serverTime: snTime,
      async *read(window) {
        for await (const page of sn.readChanged(t.costCenter, { fields: ccFields, window }))
          yield page.map(snCostCenter);
      },
      async fetch(codes) {
        const rows = await sn.queryAll(t.costCenter, { query: `codeIN${codes.join(',')}`, fields: ccFields });
        return rows.map(snCostCenter);
      },
      map: (r) => mapCostCenterToOdoo(r.data, r.label, opts),
      hashOf: (p) => costCenterCanonical(options.costCenters.map[p.code] ?? p.code, p.name, p.active),
      async write(items): Promise<WriteResult[]> {
        let plan: number;
        try {
          plan = await resolvePlan();
        } catch (err) {
          planId = undefined;
          if (err instanceof RecordError) return items.map(() => ({ ok: false, error: err }));
          throw err;
        }
        const results = await odoo.upsertByRef(
          'account.analytic.account',
          'code',
          items.map((i) => ({
            ref: i.payload.code,
            vals: { code: i.payload.code, name: i.payload.name, active: i.payload.active, plan_id: plan },
          })),
        );
        return results.map((r) =>
          r.error
            ? { ok: false, error: r.error }
            : {
                ok: true,
                targetId: r.id === undefined ? null : String(r.id),
                response: { id: r.id, created: r.created },
              },
        );
      },
    } satisfies Flow<CostCenterData, { code: string; name: string; active: boolean }> as Flow);
  }

  // ---- suppliers ---------------------------------------------------------------------------------
  const supplier = (r: OdooRow): SourceRecord<SupplierData> => ({
    id: String(r.id),
    modified: isoUtc(r.write_date) ?? new Date(0).toISOString(),
    label: text(r.name) ?? `partner ${r.id}`,
    data: {
      id: r.id,
      name: text(r.name) ?? '',
      ref: text(r.ref),
      vat: text(r.vat),
      email: text(r.email),
      city: text(r.city),
      country: m2o(r.country_id)?.name ?? null,
      active: r.active === undefined ? true : bool(r.active),
    },
  });
  if (options.suppliers.enabled) {
    // §9: supplier_rank rises only when a bill is posted, so a vendor whose confirmed purchase orders
    // are not billed yet has rank 0. A vendor is a partner with a supplier rank, or one that a purchase
    // order or vendor bill this pair sends names.
    const poStates = options.purchaseOrders.enabled ? options.purchaseOrders.states : [];
    const docQueries: Array<{ model: string; domain: unknown[] }> = [
      ...(poStates.length > 0 ? [{ model: 'purchase.order', domain: [['state', 'in', poStates]] }] : []),
      ...(options.vendorBills.enabled
        ? [
            {
              model: 'account.move',
              domain: [
                ['move_type', '=', 'in_invoice'],
                ['state', '=', 'posted'],
              ],
            },
          ]
        : []),
    ];
    /** Partners among `ids` that a sent document names. */
    const namedByDocuments = async (ids: number[]): Promise<Set<number>> => {
      const named = new Set<number>();
      if (ids.length === 0) return named;
      const scope = await companyDomain();
      for (const q of docQueries) {
        const rows = await odoo.searchRead(q.model, [...q.domain, ...scope, ['partner_id', 'in', ids]], {
          fields: ['id', 'partner_id'],
        });
        for (const r of rows) {
          const p = m2o(r.partner_id)?.id;
          if (p !== undefined) named.add(p);
        }
      }
      return named;
    };
    const vendorsAmong = async (rows: OdooRow[]): Promise<OdooRow[]> => {
      const unranked = rows.filter((r) => !(num(r.supplier_rank) > 0)).map((r) => r.id);
      const named = await namedByDocuments(unranked);
      return rows.filter((r) => num(r.supplier_rank) > 0 || named.has(r.id));
    };
    flows.push({
      name: 'suppliers',
      entity: 'supplier',
      direction: 'odoo -> servicenow',
      description: `Odoo vendors (res.partner with a supplier rank, or named by a sent purchase order or bill) -> ${t.supplierStaging}`,
      serverTime: odooTime,
      async *read(window) {
        const sent = new Set<number>();
        for await (const page of odoo.readChanged('res.partner', {
          fields: f('res.partner'),
          window,
          activeTest: false,
        })) {
          const vendors = await vendorsAmong(page);
          for (const v of vendors) sent.add(v.id);
          if (vendors.length > 0) yield vendors.map(supplier);
        }
        // Documents changed in this window whose vendor did not change: the vendor goes first.
        const wanted = new Set<number>();
        const scope = await companyDomain();
        for (const q of docQueries) {
          for await (const page of odoo.readChanged(q.model, {
            fields: ['id', 'partner_id', 'write_date'],
            window,
            domain: [...q.domain, ...scope],
          })) {
            for (const r of page) {
              const p = m2o(r.partner_id)?.id;
              if (p !== undefined && !sent.has(p)) wanted.add(p);
            }
          }
        }
        const ids = [...wanted].sort((a, b) => a - b);
        for (let i = 0; i < ids.length; i += batchSize) {
          const rows = await odoo.searchRead('res.partner', [['id', 'in', ids.slice(i, i + batchSize)]], {
            fields: f('res.partner'),
            order: 'id asc',
            context: { active_test: false },
          });
          if (rows.length > 0) yield rows.map(supplier);
        }
      },
      async fetch(idList) {
        const rows = await odoo.searchRead('res.partner', [['id', 'in', idList.map(Number)]], {
          fields: f('res.partner'),
          context: { active_test: false },
        });
        return (await vendorsAmong(rows)).map(supplier);
      },
      map: (r) => mapSupplier(r.data, opts),
      write: (items) => importFlat(sn, t.supplierStaging, items as never),
      provides: { kind: 'supplier', key: (p: StagingRow) => p.u_erp_company_code ?? '' },
    } satisfies Flow<SupplierData, StagingRow> as Flow);
  }

  // ---- GL accounts (checked, never written) --------------------------------------------------------
  // Codes are company-dependent (§9): each covered company's accounts are read with that company
  // first in allowed_company_ids, and checked through its own code map. An account of the first
  // company keeps its plain id as source id; another company's is `<id>@<company>`.
  const account = (r: OdooRow, company: CompanyScope): SourceRecord<AccountData> => ({
    id: company.primary ? String(r.id) : `${r.id}@${company.id}`,
    modified: isoUtc(r.write_date) ?? new Date(0).toISOString(),
    label: `${text(r.code) ?? ''} ${text(r.name) ?? ''}`.trim(),
    data: {
      id: r.id,
      code: text(r.code) ?? '',
      name: text(r.name) ?? '',
      type: text(r.account_type) ?? '',
      ...(Object.keys(company.glAccountMap).length === 0 ? {} : { glAccountMap: company.glAccountMap }),
    },
  });
  const accountsOf = (company: CompanyScope, rows: OdooRow[]): SourceRecord<AccountData>[] =>
    // Another company's account (code false here) is read in its own company's pass.
    rows.filter((r) => text(r.code) !== null).map((r) => account(r, company));
  if (options.glAccounts.check) {
    const domain = [['account_type', 'in', options.glAccounts.types]];
    flows.push({
      name: 'gl_accounts',
      entity: 'gl_account',
      direction: 'odoo -> servicenow (check only)',
      description: `Odoo accounts of types ${options.glAccounts.types.join(', ')} must exist in ${t.glAccount} (by code)`,
      serverTime: odooTime,
      checkOnly: true,
      async *read(window) {
        for (const company of (await companies.all()).values()) {
          for await (const page of odoo.readChanged('account.account', {
            fields: f('account.account'),
            window,
            domain,
            context: { allowed_company_ids: [company.id] },
          })) {
            const records = accountsOf(company, page);
            if (records.length > 0) yield records;
          }
        }
      },
      async fetch(idList) {
        const out: SourceRecord<AccountData>[] = [];
        for (const company of (await companies.all()).values()) {
          const wanted = idList
            .map((id) => /^(\d+)(?:@(\d+))?$/.exec(id))
            .filter((m): m is RegExpExecArray => m !== null)
            .filter((m) => (m[2] === undefined ? company.primary : Number(m[2]) === company.id))
            .map((m) => Number(m[1]));
          if (wanted.length === 0) continue;
          const rows = await odoo.searchRead('account.account', [['id', 'in', wanted]], {
            fields: f('account.account'),
            context: { allowed_company_ids: [company.id] },
          });
          out.push(...accountsOf(company, rows));
        }
        return out;
      },
      map: (r) => mapGlAccount(r.data, opts, options.glAccounts.types),
      write: async (items) => items.map(() => ({ ok: true, targetId: null })),
    } satisfies Flow<AccountData, { code: string }> as Flow);
  }

  // ---- purchase orders with lines ----------------------------------------------------------------
  const poDomain = [['state', 'in', options.purchaseOrders.states]];
  const enrichPos = async (headers: OdooRow[]): Promise<SourceRecord<PoData>[]> => {
    if (headers.length === 0) return [];
    const lineRows = await odoo.searchRead(
      'purchase.order.line',
      [['order_id', 'in', headers.map((h) => h.id)]],
      { fields: f('purchase.order.line'), order: 'sequence asc, id asc' },
    );
    const products = await lookups.productTypesOf(
      lineRows.flatMap((l) => (m2o(l.product_id) ? [m2o(l.product_id)!.id] : [])),
    );
    const costCentersOf = await lookups.costCenters();
    const scopes = await Promise.all(headers.map((h) => companies.of(m2o(h.company_id)?.id ?? null)));
    const byOrder = new Map<number, OdooRow[]>();
    for (const l of lineRows) {
      if (text(l.display_type)) continue; // sections and notes are not order lines
      const oid = m2o(l.order_id)?.id;
      if (oid !== undefined) pushTo(byOrder, oid, l);
    }
    return headers.map((h, i) => {
      const lines = byOrder.get(h.id) ?? [];
      const partner = m2o(h.partner_id);
      const company = scopes[i] as CompanyScope;
      return {
        id: String(h.id),
        modified: maxIso([isoUtc(h.write_date), ...lines.map((l) => isoUtc(l.write_date))]),
        label: `${company.prefix}${text(h.name) ?? `PO ${h.id}`}`,
        data: {
          id: h.id,
          name: text(h.name) ?? String(h.id),
          company,
          state: text(h.state) ?? '',
          supplierId: partner?.id ?? null,
          supplierName: partner?.name ?? null,
          partnerRef: text(h.partner_ref),
          dateOrder: naive(h.date_order),
          currency: m2o(h.currency_id)?.name ?? null,
          amountTotal: num(h.amount_total),
          paymentTerm: m2o(h.payment_term_id)?.name ?? null,
          lines: lines.map((l) => {
            const product = m2o(l.product_id);
            return {
              id: l.id,
              description: text(l.name) ?? '',
              product: product?.name ?? null,
              productType: product ? (products.get(product.id) ?? null) : null,
              quantity: num(l.product_qty),
              priceUnit: num(l.price_unit),
              subtotal: num(l.price_subtotal),
              datePlanned: naive(l.date_planned),
              costCenters: costCentersOf(l.analytic_distribution),
            };
          }),
        },
      };
    });
  };
  if (options.purchaseOrders.enabled) {
    flows.push({
      name: 'purchase_orders',
      entity: 'purchase_order',
      direction: 'odoo -> servicenow',
      description: `Odoo purchase orders (${options.purchaseOrders.states.join(', ')}) with lines -> ${t.orderStaging} + ${t.orderLineStaging}`,
      serverTime: odooTime,
      async *read(window: ReadWindow) {
        const domain = [...poDomain, ...(await companyDomain())];
        // A line-description edit does not bump the order's write_date: lines are polled on their
        // own, alongside the order pages (it only collects order ids), and the orders it finds that
        // the pages did not hold are read at the end.
        let stopped = false;
        const lineOrders = new Set<number>();
        const linePoll = (async () => {
          for await (const page of odoo.readChanged('purchase.order.line', {
            fields: ['id', 'order_id', 'write_date'],
            window,
          })) {
            for (const l of page) {
              const oid = m2o(l.order_id)?.id;
              if (oid !== undefined) lineOrders.add(oid);
            }
            if (stopped) return;
          }
        })();
        linePoll.catch(() => undefined);
        const seen = new Set<number>();
        try {
          for await (const page of odoo.readChanged('purchase.order', {
            fields: f('purchase.order'),
            window,
            domain,
          })) {
            for (const h of page) seen.add(h.id);
            yield await enrichPos(page);
          }
          await linePoll;
        } finally {
          stopped = true;
        }
        const extra = [...lineOrders].filter((id) => !seen.has(id));
        for (let i = 0; i < extra.length; i += batchSize) {
          const headers = await odoo.searchRead(
            'purchase.order',
            [...domain, ['id', 'in', extra.slice(i, i + batchSize)]],
            { fields: f('purchase.order'), order: 'id asc' },
          );
          yield await enrichPos(headers);
        }
      },
      async fetch(idList) {
        return enrichPos(
          await odoo.searchRead(
            'purchase.order',
            [...poDomain, ...(await companyDomain()), ['id', 'in', idList.map(Number)]],
            { fields: f('purchase.order') },
          ),
        );
      },
      map: (r) => mapPurchaseOrder(r.data, opts),
      write: (items) => importDocuments(sn, t.orderStaging, t.orderLineStaging, items as never),
    } satisfies Flow<PoData, DocumentPayload> as Flow);
  }

  // ---- vendor bills with lines -------------------------------------------------------------------
  const billDomain = [
    ['move_type', '=', 'in_invoice'],
    ['state', '=', 'posted'],
  ];
  const enrichBills = async (headers: OdooRow[]): Promise<SourceRecord<BillData>[]> => {
    if (headers.length === 0) return [];
    const lineRows = await odoo.searchRead(
      'account.move.line',
      [
        ['move_id', 'in', headers.map((h) => h.id)],
        ['display_type', '=', 'product'],
      ],
      { fields: f('account.move.line'), order: 'sequence asc, id asc' },
    );
    const costCentersOf = await lookups.costCenters();
    const scopes = await Promise.all(headers.map((h) => companies.of(m2o(h.company_id)?.id ?? null)));
    // Each bill's account codes as its own company sees them (§9).
    const codes = new Map<number, Map<number, { code: string; name: string }>>();
    for (const c of new Set(scopes.map((s) => s.id))) codes.set(c, await lookups.accountCodes(c));
    const byMove = new Map<number, OdooRow[]>();
    for (const l of lineRows) {
      const mid = m2o(l.move_id)?.id;
      if (mid !== undefined) pushTo(byMove, mid, l);
    }
    return headers.map((h, i) => {
      const lines = byMove.get(h.id) ?? [];
      const partner = m2o(h.partner_id);
      const company = scopes[i] as CompanyScope;
      const accounts = codes.get(company.id) as Map<number, { code: string; name: string }>;
      return {
        id: String(h.id),
        modified: maxIso([isoUtc(h.write_date), ...lines.map((l) => isoUtc(l.write_date))]),
        label: `${company.prefix}${text(h.name) ?? `bill ${h.id}`}`,
        data: {
          id: h.id,
          name: text(h.name) === '/' ? null : text(h.name),
          company,
          ref: text(h.ref),
          state: text(h.state) ?? '',
          supplierId: partner?.id ?? null,
          supplierName: partner?.name ?? null,
          invoiceDate: date(h.invoice_date),
          currency: m2o(h.currency_id)?.name ?? null,
          amountTotal: num(h.amount_total),
          amountTax: num(h.amount_tax),
          origin: text(h.invoice_origin),
          paymentTerm: m2o(h.invoice_payment_term_id)?.name ?? null,
          lines: lines.map((l) => {
            const acc = m2o(l.account_id);
            const known = acc ? accounts.get(acc.id) : undefined;
            return {
              id: l.id,
              description: text(l.name) ?? '',
              quantity: num(l.quantity),
              priceUnit: num(l.price_unit),
              subtotal: num(l.price_subtotal),
              total: num(l.price_total),
              accountCode: known?.code ?? null,
              accountName: known?.name ?? acc?.name ?? null,
              costCenters: costCentersOf(l.analytic_distribution),
              purchaseLineId: m2o(l.purchase_line_id)?.id ?? null,
            };
          }),
        },
      };
    });
  };
  if (options.vendorBills.enabled) {
    flows.push({
      name: 'vendor_bills',
      entity: 'vendor_bill',
      direction: 'odoo -> servicenow',
      description: `Odoo posted vendor bills (account.move in_invoice) with lines -> ${t.invoiceStaging} + ${t.invoiceLineStaging}`,
      serverTime: odooTime,
      async *read(window) {
        const domain = [...billDomain, ...(await companyDomain())];
        for await (const page of odoo.readChanged('account.move', {
          fields: f('account.move'),
          window,
          domain,
        }))
          yield await enrichBills(page);
      },
      async fetch(idList) {
        return enrichBills(
          await odoo.searchRead(
            'account.move',
            [...billDomain, ...(await companyDomain()), ['id', 'in', idList.map(Number)]],
            { fields: f('account.move') },
          ),
        );
      },
      map: (r) => mapVendorBill(r.data, r.label, opts),
      write: (items) => importDocuments(sn, t.invoiceStaging, t.invoiceLineStaging, items as never),
    } satisfies Flow<BillData, DocumentPayload> as Flow);
  }

  return flows;
}
