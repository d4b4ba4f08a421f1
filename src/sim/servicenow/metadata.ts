import { envelope } from './auth.js';
import type { SimResponse } from '../common/server.js';
import type { Row } from './query.js';
import { IMPORT_ROW_FIELDS, SYSTEM_FIELDS, type FieldDef, type FieldType, type TableDef } from './schema.js';
import type { Store } from './store.js';

/**
 * The schema as an instance keeps it: a `sys_db_object` row is a table, a `sys_dictionary` row with
 * an `element` is a column (its `internal_type`, `reference`, `column_label`, `mandatory`). Creating,
 * changing or deleting those rows through the Table API reshapes the simulator's tables at once, so a
 * staging table, its columns and (through `sys_transform_map` / `sys_transform_entry` rows, which the
 * transform engine reads on every import) its transform map can be set up over REST as an admin does.
 */
const NAME = /^[a-z][a-z0-9_]{0,79}$/;
const TYPES = new Set<FieldType>([
  'string',
  'reference',
  'glide_date_time',
  'glide_date',
  'integer',
  'decimal',
  'currency',
  'boolean',
]);

function fieldOf(row: Row): FieldDef {
  const type = TYPES.has(row.internal_type as FieldType) ? (row.internal_type as FieldType) : 'string';
  return {
    type,
    ...(type === 'reference' && row.reference ? { ref: row.reference } : {}),
    ...(row.column_label ? { label: row.column_label } : {}),
    mandatory: row.mandatory === 'true',
  };
}

/** Refuses a metadata row the platform would refuse (bad names, duplicates, unknown tables). */
export function checkMetadata(
  store: Store,
  table: string,
  values: Record<string, unknown>,
): SimResponse | undefined {
  const text = (k: string): string =>
    values[k] === undefined || values[k] === null ? '' : String(values[k]);
  if (table === 'sys_db_object') {
    const name = text('name');
    if (!NAME.test(name)) return envelope(400, 'Invalid table name', `"${name}" is not a valid table name`);
    if (store.def(name)) return envelope(400, 'Operation Failed', `Table ${name} already exists`);
    const parent = text('super_class');
    if (parent && parent !== 'sys_import_set_row' && !store.def(parent))
      return envelope(400, 'Operation Failed', `Parent table ${parent} does not exist`);
  }
  if (table === 'sys_dictionary') {
    const name = text('name');
    const element = text('element');
    const def = store.def(name);
    if (!def) return envelope(400, 'Operation Failed', `Table ${name} does not exist`);
    if (element === '')
      return envelope(400, 'Operation Failed', `Table ${name} already has its collection entry`);
    if (!NAME.test(element))
      return envelope(400, 'Invalid column name', `"${element}" is not a valid column name`);
    if (element in def.fields)
      return envelope(400, 'Operation Failed', `Column ${name}.${element} already exists`);
    if (text('internal_type') === 'reference' && !store.def(text('reference')))
      return envelope(400, 'Operation Failed', `Referenced table ${text('reference')} does not exist`);
  }
  return undefined;
}

/** Keeps the store's table definitions in step with its `sys_db_object` and `sys_dictionary` rows. */
export function applyMetadata(store: Store, at: () => number): Store['onWrite'] {
  return (table, row, op) => {
    if (table === 'sys_db_object') {
      const name = row.name ?? '';
      if (op === 'delete') return store.drop(name);
      if (op !== 'insert' || store.def(name)) return;
      const staging = row.super_class === 'sys_import_set_row';
      const def: TableDef = {
        name,
        label: row.label || name,
        display: 'sys_id',
        ...(staging ? { staging: true } : {}),
        fields: { ...SYSTEM_FIELDS, ...(staging ? IMPORT_ROW_FIELDS : {}) },
      };
      store.define(def);
      // The platform adds the collection entry that describes the table itself.
      store.insert(
        'sys_dictionary',
        {
          name,
          element: '',
          column_label: def.label,
          internal_type: 'collection',
          mandatory: 'false',
          active: 'true',
        },
        at(),
        row.sys_created_by ?? 'admin',
      );
      return;
    }
    if (table !== 'sys_dictionary' || !row.element) return;
    const def = store.def(row.name ?? '');
    if (!def) return;
    const fields = { ...def.fields };
    if (op === 'delete') {
      if (!(row.element in SYSTEM_FIELDS)) delete fields[row.element];
    } else {
      const existing = fields[row.element];
      const next = fieldOf(row);
      if (!existing) fields[row.element] = next;
      else if (op === 'insert')
        return; // the seeded entry of a built-in column
      else if (
        (existing.label ?? '') === (next.label ?? '') &&
        (existing.mandatory ?? false) === next.mandatory
      )
        return;
      else fields[row.element] = { ...existing, label: next.label ?? '', mandatory: next.mandatory ?? false };
    }
    store.define({ ...def, fields });
  };
}
