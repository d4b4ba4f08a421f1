import { SnReader } from './readers.js';

/** One transform map reading a staging table (`sys_transform_map` + its `sys_transform_entry` rows). */
export interface TransformMapInfo {
  sysId: string;
  name: string;
  targetTable: string;
  /** `copy_empty` ("Copy empty fields"): empty staging values overwrite target fields (api notes §3.1, §8). */
  copyEmpty: boolean;
  /** Staging columns of the field maps marked coalesce. */
  coalesce: string[];
  /** Staging columns of every field map. */
  sources: string[];
}

/** What the instance says about a staging table: its columns (`sys_dictionary`) and its active maps. */
export interface StagingInfo {
  staging: string;
  exists: boolean;
  columns: Array<{ name: string; label: string; mandatory: boolean }>;
  maps: TransformMapInfo[];
}

/**
 * Staging-table metadata. `refreshStaging` reads it fresh for any number of staging tables in three
 * bulk reads (dictionary and maps at once, then their field maps): cheap enough for the start of
 * every pass, which must see an admin's change to a map. `stagingInfo` answers from what was read
 * last (the writers need the coalesce and mandatory columns of every batch) and reads what it lacks.
 */
export class SnStaging extends SnReader {
  private readonly infos = new Map<string, Promise<StagingInfo>>();

  /** The description of a staging table as last read (read now when it was not). */
  stagingInfo(staging: string): Promise<StagingInfo> {
    let p = this.infos.get(staging);
    if (!p) {
      p = this.readStagings([staging]).then((infos) => infos[0] as StagingInfo);
      p.catch(() => this.infos.delete(staging));
      this.infos.set(staging, p);
    }
    return p;
  }

  /** Fresh descriptions of the staging tables, in name order; they replace what was read before. */
  async refreshStaging(stagings: string[]): Promise<StagingInfo[]> {
    const names = [...new Set(stagings)].sort();
    if (names.length === 0) return [];
    const infos = await this.readStagings(names);
    for (const info of infos) this.infos.set(info.staging, Promise.resolve(info));
    return infos;
  }

  private async readStagings(names: string[]): Promise<StagingInfo[]> {
    const [dictionary, maps] = await Promise.all([
      this.queryAll('sys_dictionary', {
        query: `nameIN${names.join(',')}`,
        fields: ['name', 'element', 'column_label', 'mandatory'],
      }),
      this.queryAll('sys_transform_map', {
        query: `source_tableIN${names.join(',')}^active!=false`,
        fields: ['name', 'source_table', 'target_table', 'copy_empty'],
      }),
    ]);
    const entries =
      maps.length === 0
        ? []
        : await this.queryAll('sys_transform_entry', {
            query: `mapIN${maps.map((m) => m.sys_id).join(',')}`,
            fields: ['map', 'source_field', 'target_field', 'coalesce'],
          });
    return names.map((staging): StagingInfo => {
      const own = dictionary.filter((d) => d.name === staging);
      const columns = own
        .filter((d) => d.element)
        .map((d) => ({
          name: d.element as string,
          label: d.column_label ?? '',
          mandatory: d.mandatory === 'true',
        }));
      const described = maps
        .filter((m) => m.source_table === staging)
        .map((m): TransformMapInfo => {
          const fieldMaps = entries.filter((e) => e.map === m.sys_id);
          const sources = fieldMaps.map((e) => e.source_field ?? '').filter(Boolean);
          return {
            sysId: m.sys_id,
            name: m.name ?? m.sys_id,
            targetTable: m.target_table ?? '',
            copyEmpty: m.copy_empty === 'true',
            coalesce: fieldMaps
              .filter((e) => e.coalesce === 'true')
              .map((e) => e.source_field ?? '')
              .filter(Boolean),
            sources: [...new Set(sources)],
          };
        });
      return { staging, exists: own.length > 0, columns, maps: described };
    });
  }
}
