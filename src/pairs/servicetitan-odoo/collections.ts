/**
 * Payments taken in ServiceTitan (technicians collect in the field) -> Odoo: each split of a
 * ServiceTitan payment (the part applied to one invoice) becomes one Odoo payment of the customer
 * invoice this pair wrote for that invoice, registered as Odoo's UI does it (the Register Payment
 * wizard: paymentSink.register), once, its memo the reference
 * `ST<tenant>.C<company>.PAY.<paymentId>-<invoiceId>`. The invoice then shows partially paid or paid.
 *
 * Reading: the payments list (`GET /accounting/v2/tenant/{t}/payments`), not the export feed. The
 * list filters the window on the server (`modifiedOnOrAfter`/`modifiedBefore`) and the engine's
 * cursor is the window's end, so a row needs no change stamp of its own to be read once (the 2024
 * schema had none; the vendor's current model carries `modifiedOn`); `activeState=All` returns
 * voided payments too, and `ids=` re-reads a payment for a replay. The export feed would place rows
 * in windows by their own stamp only.
 *
 * Echo-free with the Odoo -> ServiceTitan payments (payments.ts): a ServiceTitan payment mlc
 * created from an Odoo payment carries `[ODOO.C<company>.PAY.<id>]` in its memo and is skipped here;
 * an Odoo payment this flow registered carries a collection reference as memo and is skipped there.
 */
import { RecordError } from '../../errors.js';
import { paymentSink } from '../../systems/odoo/sinks/index.js';
import { parseMoneyOrNull, toCents, type Money, type StRow } from '../../systems/servicetitan/index.js';
import type { Flow, FlowContext, MapResult, SourceRecord, WriteItem, WriteResult } from '../../sync/types.js';
import { toWriteResults, type PairContext } from './context.js';
import { collectionRef, isOdooPaymentMemo, stRef, type Scope } from './refs.js';

/** One split of a ServiceTitan payment: the part applied to one invoice (or none, when unapplied). */
export interface CollectionData {
  paymentId: number;
  invoiceId: number | null;
  /** The invoice's number in ServiceTitan, when the split names it. */
  invoiceNumber: string | null;
  /** The amount applied to the invoice, exact. */
  amount: Money | null;
  /** The payment's date (ISO). */
  date: string | null;
  memo: string | null;
  active: boolean;
}

export interface CollectionPayload {
  /** The Odoo payment's memo. */
  ref: string;
  /** The Odoo reference of the invoice it pays. */
  invoiceRef: string;
  amount: Money;
  /** YYYY-MM-DD */
  date: string;
}

/** A payment's splits as source records, `<tenant>/<paymentId>-<invoiceId>` (`<tenant>/<paymentId>` when applied to nothing). */
export function splitsOf(tenant: string, row: StRow): SourceRecord<CollectionData>[] {
  const applied = Array.isArray(row.appliedTo) ? (row.appliedTo as Array<Record<string, unknown>>) : [];
  const base = {
    paymentId: row.id,
    date: typeof row.date === 'string' ? row.date : null,
    memo: typeof row.memo === 'string' ? row.memo : null,
    active: row.active !== false,
  };
  const modified =
    typeof row.modifiedOn === 'string'
      ? row.modifiedOn
      : typeof row.createdOn === 'string'
        ? row.createdOn
        : '';
  const name =
    typeof row.referenceNumber === 'string' && row.referenceNumber
      ? row.referenceNumber
      : `payment ${row.id}`;
  if (applied.length === 0)
    return [
      {
        id: `${tenant}/${row.id}`,
        modified,
        label: name,
        data: { ...base, invoiceId: null, invoiceNumber: null, amount: null },
      },
    ];
  return applied.map((a) => {
    const invoiceId = typeof a.appliedTo === 'number' ? a.appliedTo : Number(a.appliedTo);
    const invoiceNumber = typeof a.appliedToReferenceNumber === 'string' ? a.appliedToReferenceNumber : null;
    return {
      id: `${tenant}/${row.id}-${invoiceId}`,
      modified,
      label: `${name} on ${invoiceNumber ?? `invoice ${invoiceId}`}`,
      data: { ...base, invoiceId, invoiceNumber, amount: parseMoneyOrNull(a.appliedAmount) },
    };
  });
}

export function mapCollection(r: SourceRecord<CollectionData>, scope: Scope): MapResult<CollectionPayload> {
  const d = r.data;
  if (isOdooPaymentMemo(d.memo))
    return { kind: 'skip', reason: `created by mlc from an Odoo payment (memo ${d.memo ?? ''})` };
  if (!d.active) return { kind: 'skip', reason: 'the payment is voided in ServiceTitan' };
  if (d.invoiceId === null || !Number.isInteger(d.invoiceId))
    return { kind: 'skip', reason: 'the payment is applied to no invoice' };
  if (d.amount === null)
    throw new RecordError(`${r.label} has no applied amount`, { code: 'servicetitan.bad_amount' });
  if (toCents(d.amount) <= 0n)
    return { kind: 'skip', reason: `${d.amount} applied: not a collection (a refund or a reversal)` };
  if (!d.date || !/^\d{4}-\d{2}-\d{2}/.test(d.date))
    throw new RecordError(`${r.label} has no payment date`, { code: 'pair.payment_no_date' });
  const invoiceRef = stRef(scope, 'INV', d.invoiceId);
  return {
    kind: 'write',
    payload: {
      ref: collectionRef(scope, d.paymentId, d.invoiceId),
      invoiceRef,
      amount: d.amount,
      date: d.date.slice(0, 10),
    },
    dimensions: [
      {
        kind: 'invoice',
        key: invoiceRef,
        describe: `invoice ${d.invoiceNumber ?? d.invoiceId} (ServiceTitan invoice ${d.invoiceId}, ${invoiceRef})`,
        hint: 'the invoices flow writes it (posted) to Odoo; once it is there, `mlc replay <audit id>`',
      },
    ],
  };
}

export function collectionFlow(pc: PairContext): Flow {
  const { st, odoo, options } = pc;
  let sink: { company: number; sink: ReturnType<typeof paymentSink> } | undefined;
  const sinkFor = (scope: Scope) => {
    if (sink?.company !== scope.company)
      sink = {
        company: scope.company,
        sink: paymentSink(odoo, {
          company: scope.company,
          post: true,
          ...(options.collections.journal === undefined ? {} : { journal: options.collections.journal }),
        }),
      };
    return sink.sink;
  };
  const flow: Flow<CollectionData, CollectionPayload> = {
    name: 'collections',
    entity: 'collection',
    direction: 'servicetitan -> odoo',
    description:
      'ServiceTitan payments (field collections) -> Odoo payments registered on the invoices, one per invoice paid',
    serverTime: () => st.serverTime(),
    async *read(window) {
      await pc.scope();
      for await (const page of st.readChanged('payments', { window }))
        yield page.flatMap((row) => splitsOf(st.tenant, row));
    },
    async fetch(ids) {
      await pc.scope();
      // A split (`<tenant>/<paymentId>-<invoiceId>`: a replay) is that split as it is now; a payment
      // (`<tenant>/<paymentId>`: a webhook event) is every split it has now. Another tenant's ids
      // are not this instance's.
      const splits = new Set(ids);
      const whole = new Set<number>();
      const own: number[] = [];
      for (const id of ids) {
        const m = /^(\d+)\/(\d+)(-\d+)?$/.exec(id);
        if (!m || m[1] !== st.tenant) continue;
        own.push(Number(m[2]));
        if (m[3] === undefined) whole.add(Number(m[2]));
      }
      if (own.length === 0) return [];
      const rows = await st.getByIds('payments', own);
      return rows
        .flatMap((row) => splitsOf(st.tenant, row))
        .filter((r) => splits.has(r.id) || whole.has(r.data.paymentId));
    },
    map: (r) => mapCollection(r, pc.resolved()),
    async write(items: WriteItem<CollectionPayload>[], ctx: FlowContext): Promise<WriteResult[]> {
      const scope = await pc.scope();
      const out: Array<WriteResult | undefined> = [];
      const built: Array<{ ref: string; invoice: number; amount: number; date: string }> = [];
      for (const item of items) {
        const invoice = await ctx.dims.get('invoice', item.payload.invoiceRef);
        if (invoice === undefined) {
          out.push({
            ok: false,
            error: new RecordError(`the invoice ${item.payload.invoiceRef} is no longer in Odoo`, {
              code: 'dimension.gone',
              hint: 'run the next pass, then `mlc replay <audit id>`',
            }),
          });
          continue;
        }
        out.push(undefined);
        built.push({
          ref: item.payload.ref,
          invoice: Number(invoice),
          // Odoo's monetary fields take a float; cents are exact in one.
          amount: Number(toCents(item.payload.amount)) / 100,
          date: item.payload.date,
        });
      }
      const written = toWriteResults(await sinkFor(scope).register(built));
      let k = 0;
      return out.map((r) => r ?? (written[k++] as WriteResult));
    },
  };
  return flow as unknown as Flow;
}
