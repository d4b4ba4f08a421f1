import type { SnWriter } from './importset.js';
import type { StagingRequirement } from './ping.js';
import { STAGING_BY_NAME, columnLabel, type StagingTable } from './s2p-staging.js';
import type { StagingInfo, TransformMapInfo } from './staging.js';

/**
 * `mlc setup servicenow`: creates, through the Table API, the staging tables, their `u_` columns and
 * the transform maps (field maps, coalesce keys, "Copy empty fields" off) the configured flows need.
 * Maps mlc creates carry the name prefix `MLC_MAP_PREFIX`; any other map is changed only when forced.
 * Table API: https://www.servicenow.com/docs/r/yokohama/api-reference/rest-apis/c_TableAPI.html
 * Field maps: https://www.servicenow.com/docs/r/yokohama/integrate-applications/system-import-sets/t_CreatingAFieldMap.html
 */
export const MLC_MAP_PREFIX = 'mlc: ';

export type SetupStatus = 'in place' | 'planned' | 'done' | 'refused';

export interface SetupStep {
  staging: string;
  action: string;
  status: SetupStatus;
  detail: string;
}

export interface SetupOptions {
  dryRun: boolean;
  force: boolean;
}

/** One requirement per staging table: the columns and coalesce keys every flow writing it needs. */
export function mergeStaging(reqs: StagingRequirement[]): StagingRequirement[] {
  const by = new Map<string, StagingRequirement>();
  for (const r of reqs) {
    const had = by.get(r.staging);
    by.set(
      r.staging,
      had
        ? {
            staging: r.staging,
            columns: [...new Set([...had.columns, ...r.columns])],
            coalesceOn: [...new Set([...had.coalesceOn, ...r.coalesceOn])],
          }
        : {
            staging: r.staging,
            columns: [...new Set([...r.columns, ...r.coalesceOn])],
            coalesceOn: r.coalesceOn,
          },
    );
  }
  return [...by.values()].sort((a, b) => a.staging.localeCompare(b.staging));
}

class Steps {
  readonly list: SetupStep[] = [];
  constructor(
    private readonly staging: string,
    private readonly opts: SetupOptions,
  ) {}
  ok(action: string, detail: string): void {
    this.list.push({ staging: this.staging, action, status: 'in place', detail });
  }
  refuse(action: string, detail: string): void {
    this.list.push({ staging: this.staging, action, status: 'refused', detail });
  }
  async change(action: string, detail: string, run: () => Promise<unknown>): Promise<void> {
    if (!this.opts.dryRun) await run();
    this.list.push({ staging: this.staging, action, status: this.opts.dryRun ? 'planned' : 'done', detail });
  }
}

const entryRecord = (
  mapId: string,
  def: StagingTable,
  source: string,
  target: string,
  coalesce: boolean,
): Record<string, string> => {
  const m = def.maps.find((x) => x.source === source && x.target === target);
  return {
    map: mapId,
    source_table: def.name,
    source_field: source,
    target_table: def.target,
    target_field: target,
    coalesce: coalesce ? 'true' : 'false',
    coalesce_case_sensitive: 'false',
    coalesce_empty_fields: 'false',
    choice_action: m?.ref?.action ?? 'create',
    referenced_value_field: m?.ref?.field ?? '',
    use_source_script: m?.invert ? 'true' : 'false',
    source_script: m?.invert ? `answer = source.${source} == 'true' ? 'false' : 'true';` : '',
  };
};

/** The field maps of the shared definition for the columns needed (each needed column at least once). */
function fieldMapsFor(req: StagingRequirement, def: StagingTable): Array<{ source: string; target: string }> {
  return def.maps
    .filter((m) => req.columns.includes(m.source))
    .map((m) => ({ source: m.source, target: m.target }));
}

async function fixMap(
  client: SnWriter,
  req: StagingRequirement,
  def: StagingTable,
  map: TransformMapInfo,
  steps: Steps,
  opts: SetupOptions,
): Promise<void> {
  const ours = map.name.startsWith(MLC_MAP_PREFIX);
  const label = `transform map "${map.name}"`;
  const problems: Array<{ action: string; detail: string; run: () => Promise<unknown> }> = [];
  const missingKeys = req.coalesceOn.filter((c) => !map.coalesce.includes(c));
  if (missingKeys.length > 0 || map.coalesce.length === 0) {
    problems.push({
      action: `${label}: coalesce on ${req.coalesceOn.join(' + ')}`,
      detail: `coalesces on ${map.coalesce.join(', ') || 'nothing'}, not on ${missingKeys.join(', ')}`,
      run: async () => {
        const entries = await client.queryAll('sys_transform_entry', {
          query: `map=${map.sysId}`,
          fields: ['source_field', 'target_field', 'coalesce'],
        });
        for (const key of missingKeys) {
          const have = entries.filter((e) => e.source_field === key);
          if (have.length > 0)
            for (const e of have) await client.patch('sys_transform_entry', e.sys_id, { coalesce: 'true' });
          else
            for (const f of fieldMapsFor({ ...req, columns: [key] }, def))
              await client.insert(
                'sys_transform_entry',
                entryRecord(map.sysId, def, f.source, f.target, true),
              );
        }
      },
    });
  }
  const unmapped = req.columns.filter((c) => !map.sources.includes(c) && !missingKeys.includes(c));
  const addable = fieldMapsFor({ ...req, columns: unmapped }, def);
  if (addable.length > 0)
    problems.push({
      action: `${label}: field maps for ${[...new Set(addable.map((f) => f.source))].join(', ')}`,
      detail: 'columns mlc sends that the map does not copy',
      run: async () => {
        for (const f of addable)
          await client.insert(
            'sys_transform_entry',
            entryRecord(map.sysId, def, f.source, f.target, req.coalesceOn.includes(f.source)),
          );
      },
    });
  if (map.copyEmpty)
    problems.push({
      action: `${label}: "Copy empty fields" off`,
      detail:
        'mlc sends NULL for a value cleared in the source; copying empty values would blank fields mlc does not send',
      run: () => client.patch('sys_transform_map', map.sysId, { copy_empty: 'false' }),
    });
  if (problems.length === 0) {
    steps.ok(
      label,
      `coalesces on ${map.coalesce.join(', ')}, copies the columns mlc sends, "Copy empty fields" off`,
    );
    return;
  }
  for (const p of problems)
    if (ours || opts.force) await steps.change(p.action, p.detail, p.run);
    else
      steps.refuse(
        p.action,
        `${p.detail}; the map was not created by mlc (its name lacks the "${MLC_MAP_PREFIX}" prefix), so it is left alone: fix it by hand or run again with --force`,
      );
}

async function setupOne(
  client: SnWriter,
  req: StagingRequirement,
  info: StagingInfo | undefined,
  opts: SetupOptions,
): Promise<SetupStep[]> {
  const steps = new Steps(req.staging, opts);
  const def = STAGING_BY_NAME.get(req.staging);
  if (!def) {
    steps.refuse(
      'staging table',
      `mlc has no definition of ${req.staging} (a renamed table in mlc.yaml): create it and its transform map by hand (docs/setup/servicenow.md)`,
    );
    return steps.list;
  }
  if (info?.exists) steps.ok(`table ${req.staging}`, 'exists');
  else
    await steps.change(`create table ${req.staging}`, `"${def.label}", extends sys_import_set_row`, () =>
      client.insert('sys_db_object', { name: def.name, label: def.label, super_class: 'sys_import_set_row' }),
    );
  const have = new Set((info?.columns ?? []).map((c) => c.name));
  const missing = req.columns.filter((c) => !have.has(c));
  if (missing.length === 0) steps.ok(`columns of ${req.staging}`, `${req.columns.length} columns present`);
  for (const col of missing) {
    const known = def.columns.find((c) => c.name === col);
    await steps.change(`add column ${req.staging}.${col}`, 'string(255)', () =>
      client.insert('sys_dictionary', {
        name: def.name,
        element: col,
        column_label: known?.label ?? columnLabel(col),
        internal_type: 'string',
        max_length: '255',
        mandatory: known?.mandatory ? 'true' : 'false',
        active: 'true',
      }),
    );
  }
  const maps = info?.maps ?? [];
  if (maps.length === 0) {
    const name = `${MLC_MAP_PREFIX}${def.label}`;
    const fields = fieldMapsFor(req, def);
    await steps.change(
      `create transform map "${name}"`,
      `${def.name} -> ${def.target}, ${fields.length} field maps, coalesce on ${req.coalesceOn.join(' + ')}, "Copy empty fields" off`,
      async () => {
        const map = await client.insert('sys_transform_map', {
          name,
          source_table: def.name,
          target_table: def.target,
          active: 'true',
          run_business_rules: 'true',
          copy_empty: 'false',
        });
        for (const f of fields)
          await client.insert(
            'sys_transform_entry',
            entryRecord(map.sys_id, def, f.source, f.target, req.coalesceOn.includes(f.source)),
          );
      },
    );
  }
  for (const map of maps) await fixMap(client, req, def, map, steps, opts);
  return steps.list;
}

/** Checks, and unless `dryRun` creates, what the staging requirements need; one step per thing. */
export async function setupServiceNow(
  client: SnWriter,
  requirements: StagingRequirement[],
  opts: SetupOptions,
): Promise<SetupStep[]> {
  const reqs = mergeStaging(requirements);
  const infos = await client.refreshStaging(reqs.map((r) => r.staging));
  const byName = new Map(infos.map((i) => [i.staging, i]));
  const out: SetupStep[] = [];
  for (const req of reqs) out.push(...(await setupOne(client, req, byName.get(req.staging), opts)));
  return out;
}
