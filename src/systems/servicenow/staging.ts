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
 * when the change stamps of their maps, field maps or dictionary entries moved — three one-row reads
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
   * them changed since the last call (the newest `sys_updated_on` and the row counts), else cached.
   */
  async refreshStaging(stagings: string[]): Promise<StagingInfo[]> {
    const names = [...new Set(stagings)].sort();
    if (names.length === 0) return [];
    const maps = await this.queryAll('sys_transform_map', {
      query: `source_tableIN${names.join(',')}`,
      fields: ['sys_updated_on'],
    });
    const newest = async (table: string, query: string): Promise<string> => {
      const page = await this.page(table, `${query}^ORDERBYDESCsys_updated_on`, ['sys_updated_on'], 1, 0);
      return `${page.rows[0]?.sys_updated_on ?? ''}#${page.total ?? page.rows.length}`;
    };
    const stamps = [
      names.join(','),
      maps
        .map((m) => `${m.sys_id}@${m.sys_updated_on ?? ''}`)
        .sort()
        .join(','),
      maps.length > 0
        ? await newest('sys_transform_entry', `mapIN${maps.map((m) => m.sys_id).join(',')}`)
        : '',
      await newest('sys_dictionary', `nameIN${names.join(',')}`),
    ].join('|');
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
