import { isMlcError } from '../../errors.js';
import type { SfRecord, WriteOutcome } from '../../systems/salesforce/index.js';
import type { PairContext } from './context.js';

/** A product's price to hold in a price book. */
export interface EntryWanted {
  productId: string;
  price: number;
  active: boolean;
}

/**
 * Puts each product's price into one price book: an existing entry (unique per book and product) is
 * updated, a missing one created. A create is not repeated on a lost answer; one refused as a
 * duplicate (an earlier attempt created it without its answer reaching us) is read back and updated.
 * Answers the outcome per product id.
 */
export async function writeEntries(
  ctx: PairContext,
  book: string,
  wanted: readonly EntryWanted[],
): Promise<Map<string, WriteOutcome>> {
  const { sf, sfLookups } = ctx;
  const out = new Map<string, WriteOutcome>();
  if (wanted.length === 0) return out;
  const entries = await sfLookups.entries(
    book,
    wanted.map((w) => w.productId),
  );
  const update = async (rows: Array<{ w: EntryWanted; entry: SfRecord }>): Promise<void> => {
    if (rows.length === 0) return;
    const outs = await sf.update(
      'PricebookEntry',
      rows.map(({ w, entry }) => ({ Id: entry.Id, UnitPrice: w.price, IsActive: w.active })),
    );
    rows.forEach(({ w }, k) => out.set(w.productId, outs[k] as WriteOutcome));
  };
  await update(
    wanted
      .filter((w) => entries.has(w.productId))
      .map((w) => ({ w, entry: entries.get(w.productId) as SfRecord })),
  );
  const toCreate = wanted.filter((w) => !entries.has(w.productId));
  if (toCreate.length > 0) {
    const outs = await sf.create(
      'PricebookEntry',
      toCreate.map((w) => ({
        Pricebook2Id: book,
        Product2Id: w.productId,
        UnitPrice: w.price,
        IsActive: w.active,
      })),
    );
    toCreate.forEach((w, k) => out.set(w.productId, outs[k] as WriteOutcome));
    const dup = toCreate.filter((_, k) => {
      const o = outs[k] as WriteOutcome;
      return (
        !o.ok && isMlcError(o.error) && /DUPLICATE/.test(String(o.error.data?.errorCode ?? o.error.message))
      );
    });
    if (dup.length > 0) {
      const again = await sfLookups.entries(
        book,
        dup.map((w) => w.productId),
      );
      await update(
        dup
          .filter((w) => again.has(w.productId))
          .map((w) => ({ w, entry: again.get(w.productId) as SfRecord })),
      );
    }
  }
  return out;
}
