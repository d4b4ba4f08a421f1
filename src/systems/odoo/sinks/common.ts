/**
 * What every Odoo sink shares: its result per item, the company it writes in, and the turning of a
 * refused model (access rights, a company the bot user may not enter) into one clear failure per
 * record rather than a stopped pass.
 */
import { RecordError, isMlcError } from '../../../errors.js';
import type { OdooClient } from '../client.js';
import type { UpsertResult } from '../types.js';

export type SinkResult = { ok: true; id: number; created: boolean } | { ok: false; error: RecordError };

/** The company a sink writes in: every record it creates carries it, every call runs in it. */
export interface SinkScope {
  company: number;
}

/** The call context of a company: its records visible, its sequences and company-dependent values used. */
export function companyContext(scope: SinkScope): Record<string, unknown> {
  return { allowed_company_ids: [scope.company] };
}

const REFUSED = new Set(['odoo.access_error', 'odoo.company_not_allowed']);

/**
 * Runs a sink's batch; when Odoo refuses the model or the company to the bot user, each item fails
 * with a RecordError naming what is refused (audited, replayable once the right is granted).
 */
export async function refusedAsRecords(
  count: number,
  what: string,
  run: () => Promise<SinkResult[]>,
): Promise<SinkResult[]> {
  try {
    return await run();
  } catch (err) {
    if (!isMlcError(err) || !REFUSED.has(err.code)) throw err;
    const error = new RecordError(`Odoo refused to write ${what}: ${err.message}`, {
      code: 'odoo.access_denied',
      hint: err.hint ?? "grant the bot user's groups the right to create and write these records",
      ...(err.status === undefined ? {} : { status: err.status }),
    });
    return Array.from({ length: count }, () => ({ ok: false as const, error }));
  }
}

export function fromUpsert(r: UpsertResult): SinkResult {
  if (r.error) return { ok: false, error: r.error };
  if (r.id === undefined)
    return {
      ok: false,
      error: new RecordError(`Odoo wrote no record for ${r.ref}`, { code: 'odoo.not_written' }),
    };
  return { ok: true, id: r.id, created: r.created === true };
}

/** Runs a business method on one record; a RecordError is the record's failure, anything else is thrown. */
export async function method(
  odoo: OdooClient,
  model: string,
  name: string,
  id: number,
  scope: SinkScope,
): Promise<RecordError | undefined> {
  try {
    await odoo.callMethod(model, name, [id], { context: companyContext(scope) });
    return undefined;
  } catch (err) {
    if (err instanceof RecordError) return err;
    if (isMlcError(err) && REFUSED.has(err.code))
      return new RecordError(`Odoo refused ${model}.${name}: ${err.message}`, {
        code: 'odoo.access_denied',
        ...(err.hint === undefined ? {} : { hint: err.hint }),
      });
    throw err;
  }
}

/** ref → {id, state} of existing records (archived included), in the sink's company. */
export async function existingByRef(
  odoo: OdooClient,
  model: string,
  refField: string,
  refs: string[],
  scope: SinkScope,
  extra: string[] = ['state'],
): Promise<Map<string, Record<string, unknown> & { id: number }>> {
  const out = new Map<string, Record<string, unknown> & { id: number }>();
  if (refs.length === 0) return out;
  const rows = await odoo.searchRead(model, [[refField, 'in', refs]], {
    fields: ['id', refField, ...extra],
    order: 'id asc',
    context: { active_test: false, ...companyContext(scope) },
  });
  for (const row of rows) {
    const ref = row[refField];
    if (typeof ref === 'string' && !out.has(ref)) out.set(ref, row);
  }
  return out;
}

/** One2many commands that replace every line (`[5]` clear, then `[0, 0, vals]` per line). */
export function replaceLines(lines: Record<string, unknown>[], existing: boolean): unknown[] {
  return [...(existing ? [[5, 0, 0]] : []), ...lines.map((l) => [0, 0, l])];
}
