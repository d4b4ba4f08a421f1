import { SnReader, type SnRow } from './readers.js';

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
 * Staging-table metadata, cached in the client. `stagingInfo` answers from the cache (the writers
 * need the coalesce and mandatory columns of every batch); `refreshStaging` re-reads the tables only
 * when the change stamps of their maps, field maps or dictionary entries moved — three short reads
 * for any number of staging tables, cheap enough to run at the start of every pass.
 */
export class SnStaging extends SnReader {
  private readonly infos = new Map<string, Promise<StagingInfo>>();
  private stamps = '';

  /** The cached description of a staging table (read once when not cached yet). */
  stagingInfo(staging: string): Promise<StagingInfo> {
    let p = this.infos.get(staging);
    if (!p) {
      p = this.readStaging(staging);
      p.catch(() => this.infos.delete(staging));
      this.infos.set(staging, p);
    }
    return p;
  }

  /**
   * Fresh descriptions of the staging tables: re-read when any map, field map or dictionary entry of
   * them was added, removed or changed since the last call, else cached. The stamps are every such
   * row's `sys_id` and `sys_mod_count` (three short reads; `sys_updated_on` alone has one-second
   * precision, so two edits within a second would look like one).
   */
  async refreshStaging(stagings: string[]): Promise<StagingInfo[]> {
    const names = [...new Set(stagings)].sort();
    if (names.length === 0) return [];
    const stampOf = (rows: SnRow[]): string =>
      rows
        .map((r) => `${r.sys_id}:${r.sys_mod_count ?? ''}`)
        .sort()
        .join(',');
    const maps = await this.queryAll('sys_transform_map', {
      query: `source_tableIN${names.join(',')}`,
      fields: ['sys_mod_count'],
    });
    const [entries, dictionary] = await Promise.all([
      maps.length === 0
        ? Promise.resolve([])
        : this.queryAll('sys_transform_entry', {
            query: `mapIN${maps.map((m) => m.sys_id).join(',')}`,
            fields: ['sys_mod_count'],
          }),
      this.queryAll('sys_dictionary', { query: `nameIN${names.join(',')}`, fields: ['sys_mod_count'] }),
    ]);
    const stamps = [names.join(','), stampOf(maps), stampOf(entries), stampOf(dictionary)].join('|');
    if (stamps !== this.stamps) {
      for (const name of names) this.infos.delete(name);
      this.stamps = stamps;
    }
    return Promise.all(names.map((n) => this.stagingInfo(n)));
  }

  private async readStaging(staging: string): Promise<StagingInfo> {
    const dictionary = await this.queryAll('sys_dictionary', {
      query: `name=${staging}`,
      fields: ['element', 'column_label', 'mandatory'],
    });
    const columns = dictionary
      .filter((d) => d.element)
      .map((d) => ({
        name: d.element as string,
        label: d.column_label ?? '',
        mandatory: d.mandatory === 'true',
      }));
    const maps = await this.queryAll('sys_transform_map', {
      query: `source_table=${staging}^active!=false`,
      fields: ['name', 'target_table', 'copy_empty'],
    });
    const described = await Promise.all(
      maps.map(async (m: SnRow): Promise<TransformMapInfo> => {
        const entries = await this.queryAll('sys_transform_entry', {
          query: `map=${m.sys_id}`,
          fields: ['source_field', 'target_field', 'coalesce'],
        });
        const sources = entries.map((e) => e.source_field ?? '').filter(Boolean);
        return {
          sysId: m.sys_id,
          name: m.name ?? m.sys_id,
          targetTable: m.target_table ?? '',
          copyEmpty: m.copy_empty === 'true',
          coalesce: entries
            .filter((e) => e.coalesce === 'true')
            .map((e) => e.source_field ?? '')
            .filter(Boolean),
          sources: [...new Set(sources)],
        };
      }),
    );
    return { staging, exists: dictionary.length > 0, columns, maps: described };
  }
}
