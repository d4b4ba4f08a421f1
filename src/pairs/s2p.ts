import { RecordError } from '../errors.js';
import type { ServiceNowRequirement } from '../systems/servicenow/adapter.js';
import type { ImportOutcome, ServiceNowClient } from '../systems/servicenow/client.js';
import type { DimensionRef, Money, ReconcileSpec, WriteItem, WriteResult } from '../sync/types.js';
import { serviceNowKey } from '../systems/servicenow/keys.js';
import { LazyDimensions } from '../sync/dimensions.js';

/**
 * Sinks into ServiceNow Source-to-Pay staging tables through the Import Set API, shared by every pair
 * that targets ServiceNow. Idempotency comes from the transform maps coalescing on the source
 * reference (checked by `mlc ping`), so a re-sent row updates the record it created.
 */
export type StagingRow = Record<string, string>;

/**
 * Columns of the S2P staging tables that every ServiceNow-bound pair writes the same way (what `mlc
 * ping` checks exist); a pair adds the tables only it writes.
 */
export const S2P_STAGING_COLUMNS = {
  costCenter: ['u_code', 'u_name', 'u_erp_source', 'u_valid_to'],
  order: [
    'u_erp_po_number',
    'u_erp_source',
    'u_supplier_company_name',
    'u_supplier_erp_code',
    'u_legal_entity',
    'u_cost_center',
    'u_po_amount',
    'u_po_amount_currency',
    'u_po_status',
    'u_order_type',
    'u_payment_term',
    'u_order_date',
  ],
  orderLine: [
    'u_erp_source',
    'u_erp_po_number',
    'u_erp_po_line_number',
    'u_product_name',
    'u_product_type',
    'u_quantity',
    'u_unit_price',
    'u_line_amount',
    'u_cost_center',
    'u_expected_delivery',
  ],
  invoice: [
    'u_external_invoice_number',
    'u_external_invoice_source',
    'u_erp_source',
    'u_invoice_date',
    'u_other_charges',
    'u_amount_invoiced',
    'u_currency',
    'u_supplier',
    'u_supplier_invoice_number',
    'u_purchase_order',
    'u_legal_entity',
    'u_payment_terms',
    'u_final_tax',
    'u_invoice_type',
  ],
  invoiceLine: [
    'u_external_invoice_number',
    'u_external_invoice_source',
    'u_erp_line_number',
    'u_erp_source',
    'u_line_description',
    'u_line_quantity',
    'u_line_unit_price',
    'u_subtotal',
    'u_cost_center',
    'u_gl_account',
    'u_tax_amount',
    'u_purchase_order_line',
  ],
} as const;

/** A document's dimensions, each named once (by kind and case-insensitive key), in first-seen order. */
export function uniqueDimensions(refs: DimensionRef[]): DimensionRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = `${r.kind}:${r.key.toLowerCase()}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A staging table `mlc ping` checks: its columns exist and the transform map coalesces on `coalesceOn`. */
export function stagingRequirement(
  staging: string,
  columns: readonly string[],
  coalesceOn: string[],
): ServiceNowRequirement {
  return { staging, columns: [...columns], coalesceOn };
}

/** How each dimension set is read: table, key field and query (one place for the reads and for ping). */
function dimensionReads(
  tables: { costCenter: string; glAccount: string; supplier: string },
  erpSource: string,
): Record<'cost_center' | 'gl_account' | 'supplier', { table: string; key: string; query?: string }> {
  return {
    cost_center: { table: tables.costCenter, key: 'code' },
    gl_account: { table: tables.glAccount, key: 'code', query: 'active!=false' },
    supplier: { table: tables.supplier, key: 'erp_company_code', query: `erp_source=${erpSource}` },
  };
}

/**
 * The dimensions every ServiceNow-bound pair checks before a document: cost centers and active GL
 * accounts by code, the pair's suppliers by ERP company code; loaded once per pass.
 */
export function s2pDimensions(
  sn: ServiceNowClient,
  tables: { costCenter: string; glAccount: string; supplier: string },
  erpSource: string,
): LazyDimensions {
  const reads = dimensionReads(tables, erpSource);
  return new LazyDimensions(
    Object.fromEntries(
      Object.entries(reads).map(([kind, r]) => [kind, () => keyedSet(sn, r.table, r.key, r.query)]),
    ),
    serviceNowKey,
  );
}

/**
 * What `mlc ping` (and the preflight of each pass) must read on ServiceNow for `s2pDimensions`: each
 * table with the very query and fields the pass uses, so that a query naming a field the integration
 * user cannot read (a 403 with field ACLs enforced) is found before a pass.
 */
export function s2pDimensionRequirements(
  tables: { costCenter: string; glAccount: string; supplier: string },
  erpSource: string,
): ServiceNowRequirement[] {
  return Object.values(dimensionReads(tables, erpSource)).map((r) => ({
    table: r.table,
    ...(r.query === undefined ? {} : { query: r.query }),
    fields: [r.key],
  }));
}

/**
 * A ServiceNow table as a dimension set: `key` value (trimmed, lower-cased, as reference look-ups
 * compare) -> sys_id.
 */
async function keyedSet(
  sn: ServiceNowClient,
  table: string,
  key: string,
  query?: string,
): Promise<Map<string, string>> {
  const rows = await sn.queryAll(table, {
    fields: ['sys_id', key],
    ...(query === undefined ? {} : { query }),
  });
  return new Map(rows.filter((r) => r[key]).map((r) => [String(r[key]).trim().toLowerCase(), r.sys_id]));
}

export interface DocumentPayload {
  header: StagingRow;
  lines: StagingRow[];
}

/** Where a transformed S2P document lands: its target table and the fields reconcile compares. */
export interface S2pDocumentTarget {
  table: string;
  /** Target field holding the source reference, and the header column it comes from. */
  key: [field: string, column: string];
  amount: [field: string, column: string];
  currency: [field: string, column: string];
}

/** The target tables of the S2P documents as the out-of-box transform maps fill them. */
export const S2P_ORDER_TARGET: S2pDocumentTarget = {
  table: 'sn_shop_purchase_order',
  key: ['erp_number', 'u_erp_po_number'],
  amount: ['total_amount', 'u_po_amount'],
  currency: ['currency', 'u_po_amount_currency'],
};
export const S2P_INVOICE_TARGET: S2pDocumentTarget = {
  table: 'sn_shop_invoice',
  key: ['external_invoice_number', 'u_external_invoice_number'],
  amount: ['amount_invoiced', 'u_amount_invoiced'],
  currency: ['currency', 'u_currency'],
};

/**
 * How `mlc reconcile` sees an S2P document flow: each document's legal entity and amount, and the
 * ServiceNow record that holds it, read by reference in bounded IN queries with only the compared
 * fields.
 */
export function s2pDocumentReconcile(
  sn: ServiceNowClient,
  target: S2pDocumentTarget,
): ReconcileSpec<unknown, DocumentPayload> {
  const [keyField, keyColumn] = target.key;
  const [amountField, amountColumn] = target.amount;
  const [currencyField, currencyColumn] = target.currency;
  return {
    facts: (_record, payload) => {
      const amount = payload.header[amountColumn];
      return {
        company: payload.header.u_legal_entity ?? '',
        ...(amount ? { money: { amount, currency: payload.header[currencyColumn] || '?' } } : {}),
      };
    },
    target: async (items) => {
      const byRef = new Map(items.map((i) => [i.payload.header[keyColumn] ?? '', i.record.id]));
      const refs = [...byRef.keys()].filter((r) => r !== '' && !r.includes(','));
      const held = new Map<string, { targetId: string; money?: Money }>();
      if (refs.length === 0) return held;
      const rows = await sn.queryAll(target.table, {
        query: `${keyField}IN${refs.join(',')}`,
        fields: ['sys_id', keyField, amountField, currencyField],
      });
      for (const row of rows) {
        const sourceId = byRef.get(String(row[keyField] ?? ''));
        if (sourceId === undefined) continue;
        const amount = row[amountField];
        held.set(sourceId, {
          targetId: row.sys_id,
          ...(amount ? { money: { amount, currency: row[currencyField] || '?' } } : {}),
        });
      }
      return held;
    },
  };
}

/** Turns one Import Set row outcome into a write result (a 201 can carry an error row). */
export function outcomeResult(outcome: ImportOutcome | undefined, what: string): WriteResult {
  if (!outcome) {
    return {
      ok: false,
      error: new RecordError(`${what}: ServiceNow returned no outcome for the row`, {
        code: 'servicenow.no_outcome',
      }),
    };
  }
  switch (outcome.status) {
    case 'inserted':
    case 'updated':
    case 'ignored':
      return { ok: true, targetId: outcome.sysId ?? null, response: outcome };
    case 'skipped':
      return {
        ok: false,
        response: outcome,
        error: new RecordError(
          `${what}: ServiceNow skipped the row (${outcome.message ?? 'empty coalesce value'})`,
          {
            code: 'servicenow.row_skipped',
            hint: 'a coalesce column of the staging row is empty; check the mapping and the transform map',
          },
        ),
      };
    default:
      return {
        ok: false,
        response: outcome,
        error: new RecordError(
          `${what}: ServiceNow rejected the row: ${outcome.message ?? 'transform error'}`,
          {
            // A 400/413 the API gave this row alone keeps its own code.
            code: outcome.code ?? 'servicenow.row_error',
            hint: 'fix the cause on the ServiceNow side (or in the source), then run `mlc replay <audit id>`',
          },
        ),
      };
  }
}

/** One staging row per record. */
export async function importFlat(
  sn: ServiceNowClient,
  staging: string,
  items: WriteItem<StagingRow>[],
): Promise<WriteResult[]> {
  const outcomes = await sn.importRows(
    staging,
    items.map((i) => i.payload),
  );
  return items.map((item, i) => outcomeResult(outcomes[i], `${item.record.label} -> ${staging}`));
}

/**
 * Documents with lines: headers first, then the lines of the headers that were accepted (ServiceNow
 * rejects a line whose header is not there yet). A document fails when its header or any of its lines
 * fails; its hash is then not stored, so the next version or a replay re-sends it whole.
 *
 * The headers go in groups of one Import Set each, and a group's lines follow as soon as that
 * group's headers are in: a line needs its own header, not every header of the batch, so the lines
 * of the first group are loading while the later headers still are.
 */
export async function importDocuments(
  sn: ServiceNowClient,
  headerStaging: string,
  lineStaging: string,
  items: WriteItem<DocumentPayload>[],
): Promise<WriteResult[]> {
  const groups: WriteItem<DocumentPayload>[][] = [];
  for (let i = 0; i < items.length; i += sn.batchSize) groups.push(items.slice(i, i + sn.batchSize));
  const results = await Promise.all(
    groups.map((group) => importDocumentGroup(sn, headerStaging, lineStaging, group)),
  );
  return results.flat();
}

async function importDocumentGroup(
  sn: ServiceNowClient,
  headerStaging: string,
  lineStaging: string,
  items: WriteItem<DocumentPayload>[],
): Promise<WriteResult[]> {
  const headerOutcomes = await sn.importRows(
    headerStaging,
    items.map((i) => i.payload.header),
  );
  const results: WriteResult[] = items.map((item, i) =>
    outcomeResult(headerOutcomes[i], `${item.record.label} -> ${headerStaging}`),
  );
  const lineRows: StagingRow[] = [];
  const owners: number[] = [];
  items.forEach((item, i) => {
    if (!results[i]?.ok) return;
    for (const line of item.payload.lines) {
      lineRows.push(line);
      owners.push(i);
    }
  });
  if (lineRows.length === 0) return results;
  const lineOutcomes = await sn.importRows(lineStaging, lineRows);
  const lineResponses = new Map<number, ImportOutcome[]>();
  lineOutcomes.forEach((outcome, n) => {
    const i = owners[n] as number;
    const list = lineResponses.get(i) ?? [];
    list.push(outcome);
    lineResponses.set(i, list);
    const result = results[i] as WriteResult;
    if (!result.ok) return;
    const line = outcomeResult(outcome, `${items[i]!.record.label} line ${list.length} -> ${lineStaging}`);
    if (!line.ok)
      results[i] = { ok: false, error: line.error, response: { header: headerOutcomes[i], lines: list } };
  });
  return results.map((r, i) =>
    r.ok
      ? {
          ok: true,
          targetId: r.targetId,
          response: { header: headerOutcomes[i], lines: lineResponses.get(i) ?? [] },
        }
      : r,
  );
}
