import { RecordError } from '../../errors.js';
import { upsertProducts } from '../../systems/odoo/sinks/products.js';
import { productsByCode, readProducts, type OdooProduct } from '../../systems/odoo/sources/index.js';
import {
  parseSfDateTime,
  soqlString,
  type SfRecord,
  type WriteOutcome,
} from '../../systems/salesforce/index.js';
import type { Flow, FlowContext, SourceRecord, WriteItem, WriteResult } from '../../sync/types.js';
import { eachCompany, inEachCompany, type PairContext } from './context.js';
import { writeEntries } from './price-entries.js';
import {
  entryKey,
  mapProductToOdoo,
  mapProductToSalesforce,
  productCanonical,
  type ProductPayload,
  type SfProductData,
} from './mappers.js';

type OdooProductData = OdooProduct & { companyCode: string };

/**
 * Products and their standard price both ways, keyed on the product code. Both directions share the
 * entity `product` and hash the same canonical form, and Salesforce changes made by the integration
 * user (mlc's own writes) are not read back: neither direction echoes the other.
 */
export function productFlows(ctx: PairContext): Flow[] {
  const { odoo, sf, options, companies, sfLookups, odooTime, sfTime } = ctx;
  const dir = options.products.direction;
  const flows: Flow[] = [];

  const fromOdoo = (p: OdooProduct, companyCode: string): SourceRecord<OdooProductData> => ({
    id: p.code ?? `product.product:${p.id}`,
    modified: p.modified.toISOString(),
    label: `${p.code ?? `#${p.id}`} ${p.name}`.trim(),
    data: { ...p, companyCode },
  });

  if (dir === 'both' || dir === 'to-salesforce') {
    flows.push({
      name: 'products_to_salesforce',
      entity: 'product',
      direction: 'odoo -> salesforce',
      description:
        'Odoo products (by internal reference) -> Salesforce Product2 with a standard price book entry',
      serverTime: odooTime,
      read: (window) =>
        eachCompany(companies, async function* (c) {
          for await (const page of readProducts(odoo, { window, scope: c }))
            yield page.map((p) => fromOdoo(p, c.code));
        }),
      fetch: (codes) =>
        inEachCompany(companies, async (c) =>
          (await productsByCode(odoo, codes, c)).map((p) => fromOdoo(p, c.code)),
        ),
      map: (r) => mapProductToSalesforce(r.data, r.data.companyCode),
      hashOf: productCanonical,
      write: (items, fctx) => writeProductsToSalesforce(ctx, items, fctx),
    } satisfies Flow<OdooProductData, ProductPayload> as Flow);
  }

  if (dir === 'both' || dir === 'to-odoo') {
    const toRecord = (p: SfRecord, entry: SfRecord | undefined): SourceRecord<SfProductData> => {
      const stamps = [p.SystemModstamp, entry?.SystemModstamp]
        .filter((s): s is string => typeof s === 'string')
        .map((s) => parseSfDateTime(s).toISOString())
        .sort();
      return {
        id: typeof p.ProductCode === 'string' && p.ProductCode !== '' ? p.ProductCode : `salesforce:${p.Id}`,
        modified: stamps[stamps.length - 1] ?? new Date(0).toISOString(),
        label: `${String(p.ProductCode ?? p.Id)} ${String(p.Name ?? '')}`.trim(),
        data: {
          id: p.Id,
          code: typeof p.ProductCode === 'string' && p.ProductCode !== '' ? p.ProductCode : null,
          name: String(p.Name ?? ''),
          active: p.IsActive === true,
          price: entry && typeof entry.UnitPrice === 'number' ? entry.UnitPrice : null,
        },
      };
    };
    const PRODUCT_FIELDS = ['Name', 'ProductCode', 'IsActive', 'LastModifiedById', 'SystemModstamp'];
    const withEntries = async (products: SfRecord[]): Promise<SourceRecord<SfProductData>[]> => {
      const entries = await sfLookups.standardEntries(products.map((p) => p.Id));
      return products.map((p) => toRecord(p, entries.get(p.Id)));
    };
    flows.push({
      name: 'products_to_odoo',
      entity: 'product',
      direction: 'salesforce -> odoo',
      description:
        'Salesforce Product2 and standard prices changed by people -> Odoo products (by internal reference)',
      serverTime: sfTime,
      async *read(window) {
        const me = await sf.integrationUserId();
        const book = await sfLookups.standardBook();
        const byPeople = `LastModifiedById != ${soqlString(me)}`;
        const ids = new Set<string>();
        for await (const page of sf.readChanged('Product2', { fields: ['Id'], window, where: byPeople }))
          for (const r of page) ids.add(r.Id);
        for await (const page of sf.readChanged('PricebookEntry', {
          fields: ['Product2Id'],
          window,
          where: `Pricebook2Id = ${soqlString(book)} AND ${byPeople}`,
        }))
          for (const r of page) ids.add(String(r.Product2Id));
        const all = [...ids];
        for (let i = 0; i < all.length; i += 100) {
          const products = await sfLookups.where('Product2', PRODUCT_FIELDS, 'Id', all.slice(i, i + 100));
          if (products.length > 0) yield await withEntries(products);
        }
      },
      async fetch(codes) {
        return withEntries(await sfLookups.where('Product2', PRODUCT_FIELDS, 'ProductCode', codes));
      },
      map: (r) => mapProductToOdoo(r.data),
      hashOf: productCanonical,
      async write(items): Promise<WriteResult[]> {
        const results = await upsertProducts(
          odoo,
          items.map((i) => ({
            code: i.payload.code,
            name: i.payload.name,
            listPrice: i.payload.price,
            active: i.payload.active,
          })),
        );
        return results.map((r) =>
          r.error
            ? { ok: false, error: r.error }
            : {
                ok: true,
                targetId: r.id === undefined ? null : String(r.id),
                response: { created: r.created },
              },
        );
      },
    } satisfies Flow<SfProductData, ProductPayload> as Flow);
  }
  return flows;
}

/**
 * Product2 by code (an existing product with the code is updated, a new one upserted by its Odoo
 * external id so that a repeated create finds it), then its standard price book entry.
 */
async function writeProductsToSalesforce(
  ctx: PairContext,
  items: WriteItem<ProductPayload>[],
  fctx: FlowContext,
): Promise<WriteResult[]> {
  const { sf, f, sfLookups } = ctx;
  // The price books the options name, checked before anything is written.
  const custom = await sfLookups.customBooks();
  const codes = items.map((i) => i.payload.code);
  const existing = new Map<string, string>();
  for (const r of await sfLookups.where('Product2', ['ProductCode'], 'ProductCode', codes))
    if (!existing.has(String(r.ProductCode))) existing.set(String(r.ProductCode), r.Id);
  const outcome = new Array<WriteOutcome>(items.length);
  const updates: number[] = [];
  const creates: number[] = [];
  items.forEach((it, i) => (existing.has(it.payload.code) ? updates : creates).push(i));
  const values = (p: ProductPayload): Record<string, unknown> => ({
    Name: p.name,
    ProductCode: p.code,
    IsActive: p.active,
    ...(p.companyCode === undefined ? {} : { [f.company]: p.companyCode }),
  });
  if (updates.length > 0) {
    const outs = await sf.update(
      'Product2',
      updates.map((i) => {
        const p = (items[i] as WriteItem<ProductPayload>).payload;
        return { Id: existing.get(p.code) as string, ...values(p) };
      }),
    );
    updates.forEach((i, k) => (outcome[i] = outs[k] as WriteOutcome));
  }
  if (creates.length > 0) {
    const outs = await sf.upsert(
      'Product2',
      f.externalId,
      creates.map((i) => {
        const p = (items[i] as WriteItem<ProductPayload>).payload;
        return { ...values(p), [f.externalId]: p.odooRef ?? `product:${p.code}` };
      }),
    );
    creates.forEach((i, k) => (outcome[i] = outs[k] as WriteOutcome));
  }
  // Prices of the products written: the standard book first (Salesforce wants a standard price
  // before any other), then every price book the options name.
  const written = items.map((it, i) => ({ it, o: outcome[i] as WriteOutcome })).filter((x) => x.o.ok);
  const wanted = written.map((w) => ({
    productId: w.o.ok ? w.o.id : '',
    price: w.it.payload.price,
    active: w.it.payload.active,
  }));
  const entryOutcome = await writeEntries(ctx, await sfLookups.standardBook(), wanted);
  const customOutcome = new Map<string, Map<string, WriteOutcome>>();
  for (const [name, book] of custom)
    customOutcome.set(
      name,
      await writeEntries(
        ctx,
        book,
        wanted.filter((w) => entryOutcome.get(w.productId)?.ok === true),
      ),
    );
  return items.map((it, i): WriteResult => {
    const o = outcome[i] as WriteOutcome;
    if (!o.ok) return { ok: false, error: o.error };
    const e = entryOutcome.get(o.id);
    if (e && !e.ok) {
      return {
        ok: false,
        error: new RecordError(
          `Salesforce product ${it.payload.code}: its standard price was refused: ${e.error.message}`,
          {
            code: 'odoo_salesforce.price_refused',
          },
        ),
      };
    }
    for (const [name, outs] of customOutcome) {
      const c = outs.get(o.id);
      if (c && !c.ok)
        return {
          ok: false,
          error: new RecordError(
            `Salesforce product ${it.payload.code}: its price in price book "${name}" was refused: ${c.error.message}`,
            { code: 'odoo_salesforce.price_refused' },
          ),
        };
      if (c?.ok && it.payload.active) fctx.dims.add('pricebook_entry', entryKey(it.payload.code, name), c.id);
    }
    if (e?.ok && it.payload.active) fctx.dims.add('pricebook_entry', it.payload.code, e.id);
    return { ok: true, targetId: o.id, response: { created: o.created, priceEntry: e?.ok ? e.id : null } };
  });
}
