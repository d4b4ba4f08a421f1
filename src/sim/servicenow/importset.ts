import type { Row } from './query.js';
import type { Store } from './store.js';

/** One element of an Import Set API answer: one per transform map that ran (§3.1). */
export interface ImportResult {
  transform_map: string;
  table: string;
  display_name: string;
  display_value: string;
  record_link: string;
  status: 'inserted' | 'updated' | 'ignored' | 'skipped' | 'error';
  sys_id: string;
  status_message?: string;
  error_message?: string;
}

const lower = (v: string | undefined): string => (v ?? '').toLowerCase();

interface Plan {
  maps: Row[];
  entries: Map<string, Row[]>;
  mandatory: string[];
}

/**
 * The transform engine of the Import Set API (§3.1), driven by the instance's own configuration
 * rows: `sys_transform_map` (active maps of the staging table), `sys_transform_entry` (field maps:
 * coalesce, reference resolution by `referenced_value_field` with `choice_action` reject | ignore,
 * a source script inverting a boolean) and `sys_dictionary` (mandatory staging columns). Editing
 * those rows through the Table API changes how rows transform, as on an instance.
 *
 * Coalesce: all coalesce target fields must match (case-insensitive); match -> update (or ignored
 * when no value changes), none -> insert, an empty coalesce value -> skipped. Empty source values are
 * not copied unless the map sets `copy_empty` ("Copy empty fields", default false); the reserved value
 * `NULL` (capitals only; `null` and `Null` are ordinary text) clears the target field either way
 * (api notes §3.1, §8).
 */
export class Transformer {
  /** Messages of pending `row_error` faults: the next rows transformed fail with them. */
  readonly rowErrors: string[] = [];

  /** Transform maps, their entries and the mandatory staging columns, per staging table. */
  private readonly plans = new Map<string, { generation: string; plan: Plan }>();

  constructor(private readonly store: Store) {}

  /** The staging table's transform setup, re-read whenever a map, entry or dictionary row changes. */
  private plan(staging: string): Plan {
    const generation = ['sys_transform_map', 'sys_transform_entry', 'sys_dictionary']
      .map((t) => this.store.generation(t))
      .join('/');
    const cached = this.plans.get(staging);
    if (cached?.generation === generation) return cached.plan;
    const maps = this.store.query(
      'sys_transform_map',
      `source_table=${staging}^active=true^ORDERBYsys_created_on`,
    );
    const plan: Plan = {
      maps,
      entries: new Map(
        maps.map((m) => [
          m.sys_id as string,
          this.store.query('sys_transform_entry', `map=${m.sys_id}^ORDERBYsys_created_on`),
        ]),
      ),
      mandatory: this.store
        .query('sys_dictionary', `name=${staging}^mandatory=true`)
        .map((d) => d.element ?? '')
        .filter((c) => c !== ''),
    };
    this.plans.set(staging, { generation, plan });
    return plan;
  }

  /** The staging row's import set for synchronous posts: one open set per staging table. */
  syncImportSet(staging: string, at: number, user: string): Row {
    const open = this.store.query(
      'sys_import_set',
      `table_name=${staging}^mode=synchronous^state=loading`,
    )[0];
    return (
      open ??
      this.store.insert(
        'sys_import_set',
        { table_name: staging, state: 'loading', mode: 'synchronous' },
        at,
        user,
      )
    );
  }

  /** Inserts a staging row (state pending). */
  load(
    staging: string,
    values: Record<string, unknown>,
    importSet: string,
    index: number,
    at: number,
    user: string,
  ): Row {
    return this.store.insert(
      staging,
      {
        ...this.stagingValues(staging, values),
        sys_import_set: importSet,
        sys_import_row: String(index),
        sys_import_state: 'pending',
      },
      at,
      user,
    );
  }

  /** Keeps the staging table's own columns from a posted body (unknown names are dropped, no dot-walking). */
  private stagingValues(staging: string, values: Record<string, unknown>): Record<string, unknown> {
    const def = this.store.def(staging);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values))
      if (def && k in def.fields && !k.startsWith('sys_')) out[k] = v;
    return out;
  }

  /** Runs every active transform map of the staging table on one staging row. */
  transform(staging: string, row: Row, at: number, user: string, baseUrl: string): ImportResult[] {
    const { maps } = this.plan(staging);
    const results = maps.map((map) => this.runMap(staging, map, row, at, user, baseUrl));
    const worst =
      results.find((r) => r.status === 'error') ?? results.find((r) => r.status === 'skipped') ?? results[0];
    this.store.assign(staging, row, {
      sys_import_state: worst?.status ?? 'skipped',
      sys_import_state_comment: worst
        ? (worst.error_message ?? worst.status_message ?? '')
        : 'No transform map',
      sys_row_error: worst?.status === 'error' ? (worst.error_message ?? '') : '',
      sys_target_sys_id: worst && worst.status !== 'error' && worst.status !== 'skipped' ? worst.sys_id : '',
      sys_target_table: worst?.table ?? '',
      sys_transform_map: maps[0]?.sys_id ?? '',
    });
    return results;
  }

  /** The answer for a staging row already transformed (GET /api/now/import/{staging}/{sys_id}). */
  describe(staging: string, row: Row, baseUrl: string): ImportResult[] {
    const map = row.sys_transform_map
      ? this.store.get('sys_transform_map', row.sys_transform_map)
      : undefined;
    const table = row.sys_target_table || (map?.target_table ?? '');
    const state = (row.sys_import_state || 'skipped') as ImportResult['status'];
    const targetId = row.sys_target_sys_id ?? '';
    const comment = row.sys_import_state_comment ?? '';
    return [
      {
        transform_map: map?.name ?? '',
        table,
        display_name: this.store.def(table)?.display ?? '',
        display_value: targetId ? this.store.display(table, targetId) : '',
        record_link: `${baseUrl}/api/now/table/${targetId ? table : staging}/${targetId || row.sys_id}`,
        status: state,
        sys_id: targetId || (row.sys_id as string),
        ...(state === 'error' ? { error_message: comment } : comment ? { status_message: comment } : {}),
      },
    ];
  }

  private runMap(
    staging: string,
    map: Row,
    row: Row,
    at: number,
    user: string,
    baseUrl: string,
  ): ImportResult {
    const target = map.target_table ?? '';
    const targetDef = this.store.def(target);
    const base = { transform_map: map.name ?? '', table: target, display_name: targetDef?.display ?? '' };
    const fail = (status: 'error' | 'skipped', message: string): ImportResult => ({
      ...base,
      display_value: '',
      record_link: `${baseUrl}/api/now/table/${staging}/${row.sys_id}`,
      status,
      sys_id: row.sys_id as string,
      ...(status === 'error'
        ? { error_message: message, status_message: message }
        : { status_message: message }),
    });
    const injected = this.rowErrors.shift();
    if (injected !== undefined) return fail('error', injected);
    if (!targetDef) return fail('error', `Target table ${target} does not exist`);
    const plan = this.plan(staging);
    const entries = plan.entries.get(map.sys_id as string) ?? [];
    const coalesce = entries.filter((e) => e.coalesce === 'true');
    const emptyKey = coalesce.find(
      (e) => (row[e.source_field ?? ''] ?? '') === '' && e.coalesce_empty_fields !== 'true',
    );
    if (emptyKey) return fail('skipped', `Row skipped: coalesce field ${emptyKey.source_field} is empty`);
    const mandatory = plan.mandatory.filter((c) => (row[c] ?? '') === '');
    if (mandatory.length > 0) return fail('error', `Mandatory field(s) missing: ${mandatory.join(', ')}`);

    const values: Record<string, string> = {};
    const keys: Record<string, string> = {};
    for (const e of entries) {
      const field = e.target_field ?? '';
      const fdef = targetDef.fields[field];
      if (!fdef) continue;
      let value = row[e.source_field ?? ''] ?? '';
      if (value === 'NULL' && e.coalesce !== 'true') {
        values[field] = '';
        continue;
      }
      if (e.use_source_script === 'true') value = lower(value) === 'true' ? 'false' : 'true';
      if (value !== '' && fdef.type === 'reference' && fdef.ref) {
        const by = e.referenced_value_field || this.store.def(fdef.ref)?.display || 'name';
        const [found] = this.store.findBy(fdef.ref, by, value);
        if (!found) {
          if (e.choice_action === 'reject') {
            return fail(
              'error',
              `Reference value '${value}' of ${e.source_field} not found in ${fdef.ref}.${by} (choice action reject): row rejected`,
            );
          }
          if (e.coalesce === 'true') keys[field] = '';
          continue;
        }
        value = found.sys_id as string;
      }
      if (e.coalesce === 'true') keys[field] = value;
      if (value === '' && map.copy_empty !== 'true') continue;
      values[field] = value;
    }

    const keyList = Object.entries(keys);
    const [match] = this.store.findByAll(target, keyList);
    const done = (
      status: 'inserted' | 'updated' | 'ignored',
      record: Row,
      message?: string,
    ): ImportResult => ({
      ...base,
      display_value: record[targetDef.display] ?? '',
      record_link: `${baseUrl}/api/now/table/${target}/${record.sys_id}`,
      status,
      sys_id: record.sys_id as string,
      ...(message ? { status_message: message } : {}),
    });
    if (match) {
      const changed = this.store.update(target, match.sys_id as string, values, at, user);
      return changed.length === 0
        ? done('ignored', match, 'No field values changed')
        : done('updated', match);
    }
    return done('inserted', this.store.insert(target, values, at, user));
  }
}
