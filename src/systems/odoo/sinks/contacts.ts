import { RecordError } from '../../../errors.js';
import type { OdooClient } from '../client.js';
import type { UpsertResult } from '../types.js';

/**
 * A contact person from another system: either one Odoo already knows (`partnerId`), written in
 * place, or a new one keyed by `ref` (res.partner `ref`, e.g. `salesforce:<id>`) through
 * `upsertByRef`, so that a repeated write finds the contact it created.
 */
export interface ContactRow {
  partnerId: number | null;
  ref: string;
  name: string;
  email: string | null;
  phone: string | null;
  parentId: number;
  companyId: number | null;
}

function vals(r: ContactRow): Record<string, unknown> {
  return {
    name: r.name,
    email: r.email ?? false,
    phone: r.phone ?? false,
    parent_id: r.parentId,
    is_company: false,
    ...(r.companyId === null ? {} : { company_id: r.companyId }),
  };
}

/** One result per row, in order; a refused row is a result with its RecordError. */
export async function upsertContacts(odoo: OdooClient, rows: readonly ContactRow[]): Promise<UpsertResult[]> {
  const out = new Array<UpsertResult>(rows.length);
  const byRef: Array<{ i: number; row: ContactRow }> = [];
  for (const [i, row] of rows.entries()) {
    if (row.partnerId === null) {
      byRef.push({ i, row });
      continue;
    }
    try {
      await odoo.write('res.partner', [row.partnerId], vals(row));
      out[i] = { ref: row.ref, id: row.partnerId, created: false };
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      out[i] = { ref: row.ref, id: row.partnerId, error: err };
    }
  }
  if (byRef.length > 0) {
    const results = await odoo.upsertByRef(
      'res.partner',
      'ref',
      byRef.map(({ row }) => ({ ref: row.ref, vals: vals(row) })),
    );
    byRef.forEach(({ i }, k) => (out[i] = results[k] as UpsertResult));
  }
  return out;
}
