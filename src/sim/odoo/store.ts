/**
 * The in-memory ORM of the simulated Odoo: records, create/write/unlink/read/search, domains,
 * ordering, stored computes and the `write_date` rules of the api notes §2.3 and §8. Built in
 * layers, each in its own file: store-base.ts (tables, transactions, companies), computed.ts
 * (values), search.ts (domain evaluation), writes.ts, actions.ts (business actions).
 */
import { microsToNaive } from './domain.js';
import { type FieldDef } from './models.js';
import { LOG } from './store-base.js';
import { StoreActions } from './actions.js';

export type { Env, Rec, WriteOptions } from './store-base.js';

export class OdooStore extends StoreActions {
  fieldsGet(
    modelName: string,
    allfields: unknown,
    attributes: unknown,
  ): Record<string, Record<string, unknown>> {
    const model = this.model(modelName);
    const names =
      Array.isArray(allfields) && allfields.length > 0
        ? (allfields as string[]).filter((n) => model.fields[n])
        : Object.keys(model.fields);
    const attrs = Array.isArray(attributes) && attributes.length > 0 ? (attributes as string[]) : undefined;
    const out: Record<string, Record<string, unknown>> = {};
    for (const name of names) {
      const def = model.fields[name] as FieldDef;
      const full: Record<string, unknown> = {
        type: def.type,
        string: def.string,
        required: def.report?.required ?? def.required === true,
        readonly: def.report?.readonly ?? (def.readonly === true || def.computed === true),
        store:
          def.report?.store ??
          (!(
            def.computed && !['amount_untaxed', 'amount_tax', 'amount_total', 'date_planned'].includes(name)
          ) &&
            def.type !== 'one2many'),
        sortable: def.type !== 'one2many',
        company_dependent: def.report?.company_dependent ?? false,
      };
      if (def.relation) full.relation = def.relation;
      if (def.inverse) full.relation_field = def.inverse;
      if (def.selection)
        full.selection = def.selection.map((s) => [
          s,
          s.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()),
        ]);
      out[name] = attrs ? Object.fromEntries(Object.entries(full).filter(([k]) => attrs.includes(k))) : full;
    }
    return out;
  }

  /** Rows of a model for `/_sim/state`, with microsecond timestamps and pending-transaction flags. */
  dump(modelName: string): Array<Record<string, unknown>> {
    const model = this.model(modelName);
    return [...this.table(modelName).values()].map((rec) => {
      const row: Record<string, unknown> = { id: rec.id };
      for (const name of Object.keys(model.fields)) {
        if (LOG.has(name) || model.fields[name]?.type === 'one2many') continue;
        row[name] = this.render(model, rec, name, '_classic_read');
      }
      row.create_date = microsToNaive(rec.createUs, true);
      row.write_date = microsToNaive(rec.writeUs, true);
      row.write_date_us = rec.writeUs;
      row.pending = rec.txn !== undefined && this.pendingTxns.has(rec.txn);
      return row;
    });
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, table] of this.tables) if (table.size > 0) out[name] = table.size;
    return out;
  }
}
