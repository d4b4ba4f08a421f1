/**
 * Payments the other way, Odoo -> ServiceTitan: a customer payment registered in Odoo against an
 * invoice this pair wrote there is created in ServiceTitan, applied to that invoice, once per
 * `exportId` (the client looks the payment up by its reference before any POST, and again before
 * repeating one whose answer was lost). Payments taken in ServiceTitan come the other way
 * (collections.ts); the two never echo: an Odoo payment whose memo is a collection reference
 * (`ST<tenant>.C<company>.PAY.<payment>-<invoice>`) was registered by mlc and is skipped here, and a
 * ServiceTitan payment carrying an Odoo marker (`[ODOO.C<company>.PAY.<id>]`) is skipped there.
 */
import { RecordError, isMlcError } from '../../errors.js';
import type { OdooRow } from '../../systems/odoo/client.js';
import type { PaymentInput } from '../../systems/servicetitan/index.js';
import type { Flow, MapResult, SourceRecord, WriteResult } from '../../sync/types.js';
import { isoUtc } from '../values.js';
import type { PairContext } from './context.js';
import { isCollectionRef, odooPaymentExportId, stRefPrefix, type Scope } from './refs.js';

export interface OdooPaymentData {
  id: number;
  name: string | null;
  amount: number;
  date: string | null;
  /** The refs of the invoices the payment is reconciled with (only this scope's). */
  invoiceRefs: string[];
  /** Reconciled with invoices this pair did not write. */
  otherInvoices: number;
  /** The payment's memo (`memo` on 18+, `ref` before). */
  memo?: string | null;
}

/** Odoo states of a payment that has been confirmed (18+: in_process/paid; before: posted). */
const DONE_STATES = ['in_process', 'paid', 'posted'];
const FIELDS = [
  'id',
  'name',
  'amount',
  'date',
  'state',
  'payment_type',
  'partner_type',
  'reconciled_invoice_ids',
  'write_date',
];

export function mapPayment(
  r: SourceRecord<OdooPaymentData>,
  scope: Scope,
  typeId: number,
): MapResult<PaymentInput> {
  const p = r.data;
  // Registered by mlc from a ServiceTitan payment (collections.ts): sending it back would echo.
  if (isCollectionRef(p.memo))
    return { kind: 'skip', reason: `registered by mlc from a ServiceTitan payment (memo ${p.memo ?? ''})` };
  if (p.invoiceRefs.length === 0)
    return { kind: 'skip', reason: 'the payment is not reconciled with an invoice from ServiceTitan' };
  if (p.invoiceRefs.length > 1 || p.otherInvoices > 0)
    throw new RecordError(
      `payment ${p.name ?? p.id} is reconciled with ${p.invoiceRefs.length + p.otherInvoices} invoices; only a payment of one ServiceTitan invoice can be split`,
      { code: 'pair.payment_split', hint: 'record this payment in ServiceTitan by hand' },
    );
  const prefix = stRefPrefix(scope, 'INV');
  const invoiceId = Number((p.invoiceRefs[0] as string).slice(prefix.length));
  if (!p.date)
    throw new RecordError(`payment ${p.name ?? p.id} has no date`, { code: 'pair.payment_no_date' });
  return {
    kind: 'write',
    payload: {
      typeId,
      exportId: odooPaymentExportId(scope.company, p.id),
      memo: `Odoo ${p.name ?? p.id}`,
      paidOn: `${p.date}T00:00:00Z`,
      splits: [{ invoiceId, amount: p.amount.toFixed(2) }],
    },
  };
}

export function paymentFlow(pc: PairContext, typeId: number): Flow {
  const { odoo, st } = pc;
  const memoField = (): Promise<string> => odoo.fieldName('account.payment', 'memo');
  const enrich = async (rows: OdooRow[]): Promise<SourceRecord<OdooPaymentData>[]> => {
    const scope = await pc.scope();
    const memo = await memoField();
    const prefix = stRefPrefix(scope, 'INV');
    const moveIds = [
      ...new Set(
        rows.flatMap((r) => (Array.isArray(r.reconciled_invoice_ids) ? r.reconciled_invoice_ids : [])),
      ),
    ];
    const moves = moveIds.length ? await odoo.read('account.move', moveIds as number[], ['ref']) : [];
    const refOf = new Map(moves.map((m) => [m.id, typeof m.ref === 'string' ? m.ref : '']));
    return rows.map((r) => {
      const ids = (Array.isArray(r.reconciled_invoice_ids) ? r.reconciled_invoice_ids : []) as number[];
      const refs = ids.map((id) => refOf.get(id) ?? '');
      return {
        id: String(r.id),
        modified: isoUtc(r.write_date) ?? new Date(0).toISOString(),
        label: typeof r.name === 'string' ? r.name : `payment ${r.id}`,
        data: {
          id: r.id,
          name: typeof r.name === 'string' ? r.name : null,
          amount: Number(r.amount ?? 0),
          date: typeof r.date === 'string' ? r.date : null,
          invoiceRefs: refs.filter((ref) => ref.startsWith(prefix)),
          otherInvoices: refs.filter((ref) => !ref.startsWith(prefix)).length,
          memo: typeof r[memo] === 'string' ? r[memo] : null,
        },
      };
    });
  };
  const domain = [
    ['payment_type', '=', 'inbound'],
    ['partner_type', '=', 'customer'],
    ['state', 'in', DONE_STATES],
  ];
  const flow: Flow<OdooPaymentData, PaymentInput> = {
    name: 'payments',
    entity: 'payment',
    direction: 'odoo -> servicetitan',
    description:
      'Odoo customer payments of invoices from ServiceTitan -> ServiceTitan payments, once per exportId',
    serverTime: () => odoo.serverTime(),
    async *read(window) {
      const scope = await pc.scope();
      for await (const page of odoo.readChanged('account.payment', {
        fields: [...FIELDS, await memoField()],
        window,
        domain,
        context: { allowed_company_ids: [scope.company] },
      }))
        yield await enrich(page);
    },
    async fetch(ids) {
      const scope = await pc.scope();
      const rows = await odoo.searchRead('account.payment', [...domain, ['id', 'in', ids.map(Number)]], {
        fields: [...FIELDS, await memoField()],
        context: { allowed_company_ids: [scope.company] },
      });
      return enrich(rows);
    },
    map: (r) => mapPayment(r, pc.resolved(), typeId),
    // The amount, date and invoice decide; Odoo's state moving from in_process to paid does not.
    hashOf: (p) => ({ exportId: p.exportId, paidOn: p.paidOn, splits: p.splits }),
    async write(items) {
      const out: WriteResult[] = [];
      for (const item of items) {
        if (item.existing?.targetId) {
          out.push({
            ok: false,
            error: new RecordError(
              `payment ${item.record.label} changed in Odoo after it was created in ServiceTitan (payment ${item.existing.targetId})`,
              { code: 'pair.payment_changed', hint: 'adjust the payment in ServiceTitan by hand' },
            ),
          });
          continue;
        }
        try {
          const made = await st.createPayment(item.payload);
          out.push({ ok: true, targetId: String(made.id) });
        } catch (err) {
          if (!(err instanceof RecordError) && !(isMlcError(err) && err.kind === 'record')) throw err;
          out.push({ ok: false, error: err as RecordError });
        }
      }
      return out;
    },
  };
  return flow as unknown as Flow;
}
