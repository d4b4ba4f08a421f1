import { ConfigError } from '../../errors.js';
import type { SalesforceClient } from '../../systems/salesforce/client.js';
import { soqlString, type SfRecord } from '../../systems/salesforce/index.js';
import { LazyDimensions } from '../types.js';
import { entryKey, type FieldNames } from './mappers.js';

const inList = (values: readonly string[]): string => `(${values.map(soqlString).join(', ')})`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Draft Orders looked at per pass for a lost activation (the most recently changed first). */
const DRAFT_SWEEP = 200;

/** Salesforce look-ups the flows share within one pass (the price books, records by key). */
export class SfLookups {
  private book: Promise<string> | undefined;
  private books: Promise<Map<string, string>> | undefined;
  /** The custom price books the options name (pairs.odoo-salesforce.priceBooks), by name. */
  readonly bookNames: string[];

  constructor(
    readonly sf: SalesforceClient,
    readonly f: FieldNames,
    bookNames: readonly string[] = [],
  ) {
    this.bookNames = [...new Set(bookNames)].sort();
  }

  /** The custom price books by name, each checked present, single and active. */
  customBooks(): Promise<Map<string, string>> {
    this.books ??= this.findBooks().catch((err: unknown) => {
      this.books = undefined;
      throw err;
    });
    return this.books;
  }

  private async findBooks(): Promise<Map<string, string>> {
    if (this.bookNames.length === 0) return new Map();
    const rows = await this.where('Pricebook2', ['Name', 'IsActive'], 'Name', this.bookNames);
    const out = new Map<string, string>();
    for (const name of this.bookNames) {
      const found = rows.filter((r) => r.Name === name);
      const problem =
        found.length === 0
          ? 'does not exist'
          : found.length > 1
            ? 'names more than one price book'
            : found[0]?.IsActive !== true
              ? 'is not active'
              : undefined;
      if (problem) {
        throw new ConfigError(
          `Salesforce price book "${name}" (pairs.odoo-salesforce.priceBooks) ${problem}`,
          {
            code: 'odoo_salesforce.price_book',
            hint: 'create or activate the price book in Salesforce (Price Books), or correct its name in mlc.yaml',
            data: { priceBook: name },
          },
        );
      }
      out.set(name, (found[0] as SfRecord).Id);
    }
    return out;
  }

  /** A price book's id: a custom one by name, or the standard one (null). */
  async bookId(name: string | null): Promise<string> {
    if (name === null) return this.standardBook();
    const id = (await this.customBooks()).get(name);
    if (id === undefined)
      throw new ConfigError(`Salesforce price book "${name}" is not among pairs.odoo-salesforce.priceBooks`, {
        code: 'odoo_salesforce.price_book',
      });
    return id;
  }

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
    return this.entries(await this.standardBook(), productIds);
  }

  /** Entries of one price book for these products, by product id. */
  async entries(book: string, productIds: readonly string[]): Promise<Map<string, SfRecord>> {
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
      // Keyed by entryKey(product code, book name): the standard book's by code alone.
      pricebook_entry: async () => {
        const books: Array<[string | null, string]> = [
          [null, await this.standardBook()],
          ...[...(await this.customBooks())],
        ];
        const out = new Map<string, string>();
        for (const [name, id] of books) {
          const rows = await this.sf.query(
            `SELECT Id, ProductCode FROM PricebookEntry WHERE Pricebook2Id = ${soqlString(id)} AND IsActive = true`,
          );
          for (const r of rows)
            if (typeof r.ProductCode === 'string') out.set(entryKey(r.ProductCode, name), r.Id);
        }
        return out;
      },
    });
  }
}
