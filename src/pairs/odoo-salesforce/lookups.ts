import type { SalesforceClient } from '../../systems/salesforce/client.js';
import { soqlString, type SfRecord } from '../../systems/salesforce/index.js';
import { LazyDimensions } from '../types.js';
import type { FieldNames } from './mappers.js';

const inList = (values: readonly string[]): string => `(${values.map(soqlString).join(', ')})`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Draft Orders looked at per pass for a lost activation (the most recently changed first). */
const DRAFT_SWEEP = 200;

/** Salesforce look-ups the flows share within one pass (the standard price book, records by key). */
export class SfLookups {
  private book: Promise<string> | undefined;

  constructor(
    readonly sf: SalesforceClient,
    readonly f: FieldNames,
  ) {}

  standardBook(): Promise<string> {
    this.book ??= this.sf.standardPricebookId().catch((err: unknown) => {
      this.book = undefined;
      throw err;
    });
    return this.book;
  }

  /** Records of `sobject` whose `field` is one of `values` (in chunks of 100). */
  async where(
    sobject: string,
    fields: string[],
    field: string,
    values: readonly string[],
  ): Promise<SfRecord[]> {
    const out: SfRecord[] = [];
    for (const part of chunks([...new Set(values)], 100)) {
      out.push(
        ...(await this.sf.query(
          `SELECT ${['Id', ...fields.filter((x) => x !== 'Id')].join(', ')} FROM ${sobject} WHERE ${field} IN ${inList(part)}`,
        )),
      );
    }
    return out;
  }

  /** Standard price book entries of these products, by product id. */
  async standardEntries(productIds: readonly string[]): Promise<Map<string, SfRecord>> {
    const book = await this.standardBook();
    const out = new Map<string, SfRecord>();
    for (const part of chunks([...new Set(productIds)], 100)) {
      const rows = await this.sf.query(
        `SELECT Id, Product2Id, UnitPrice, IsActive, SystemModstamp FROM PricebookEntry WHERE Pricebook2Id = ${soqlString(book)} AND Product2Id IN ${inList(part)}`,
      );
      for (const r of rows) out.set(String(r.Product2Id), r);
    }
    return out;
  }

  /**
   * The pair's sales orders in Draft (Orders carrying a `sale.order:` external id): all of them, the
   * most recently changed first and at most DRAFT_SWEEP, or those of `refs`. By external id, the
   * order's SystemModstamp.
   */
  async draftOrders(refs?: readonly string[]): Promise<Map<string, string>> {
    const ext = this.f.externalId;
    const rows = refs
      ? (await this.where('Order', [ext, 'Status', 'SystemModstamp'], ext, refs)).filter(
          (r) => r.Status === 'Draft',
        )
      : await this.sf.query(
          `SELECT Id, ${ext}, SystemModstamp FROM Order WHERE Status = 'Draft' AND ${ext} LIKE 'sale.order:%' ORDER BY SystemModstamp DESC LIMIT ${DRAFT_SWEEP}`,
        );
    return new Map(rows.map((r) => [String(r[ext]), String(r.SystemModstamp)]));
  }

  /** Target dimensions: Accounts and Orders by external id, active standard entries by product code. */
  dimensions(): LazyDimensions {
    const byExternalId = async (sobject: string): Promise<Map<string, string>> => {
      const rows = await this.sf.query(
        `SELECT Id, ${this.f.externalId} FROM ${sobject} WHERE ${this.f.externalId} != null`,
      );
      return new Map(rows.map((r) => [String(r[this.f.externalId]), r.Id]));
    };
    return new LazyDimensions({
      account: () => byExternalId('Account'),
      order: () => byExternalId('Order'),
      pricebook_entry: async () => {
        const book = await this.standardBook();
        const rows = await this.sf.query(
          `SELECT Id, ProductCode FROM PricebookEntry WHERE Pricebook2Id = ${soqlString(book)} AND IsActive = true`,
        );
        return new Map(
          rows.filter((r) => typeof r.ProductCode === 'string').map((r) => [String(r.ProductCode), r.Id]),
        );
      },
    });
  }
}
