/**
 * Reading from Odoo: `search_read` with explicit fields, the windowed id-keyset loop (api notes
 * §2.3), `read`, field metadata (`fields_get`) and the validation of rows.
 */

import { ConfigError, InternalError } from '../../errors.js';
import { redact } from '../../http/redact.js';
import type { ReadWindow } from '../types.js';
import { FIELD_ALIASES } from './entities.js';
import { domainDatetime, fieldsGetSchema, rowsSchemaFor } from './schemas.js';
import { OdooTransport } from './transport.js';
import type { FieldInfo, OdooRow } from './types.js';

export class OdooReader extends OdooTransport {
  /** `search_read` with an explicit field list; rows validated and `false` → null (non-boolean fields). */
  async searchRead(
    model: string,
    domain: unknown[],
    opts: {
      fields: string[];
      order?: string;
      limit?: number;
      offset?: number;
      context?: Record<string, unknown>;
    },
  ): Promise<OdooRow[]> {
    if (opts.fields.length === 0) {
      throw new InternalError(`searchRead(${model}) needs an explicit field list`, {
        code: 'odoo.no_fields',
      });
    }
    const kwargs: Record<string, unknown> = { domain, fields: opts.fields };
    if (opts.order !== undefined) kwargs.order = opts.order;
    if (opts.limit !== undefined) kwargs.limit = opts.limit;
    if (opts.offset !== undefined) kwargs.offset = opts.offset;
    if (opts.context !== undefined) kwargs.context = opts.context;
    const raw = await this.retry(`odoo.${model}.search_read`, true, () =>
      this.orm(model, 'search_read', undefined, kwargs),
    );
    return this.parseRows(model, raw, opts.fields);
  }

  /**
   * The windowed id-keyset loop (api notes §2.3): `write_date >= since`, `< until`, `id > last`,
   * `order id asc`, pages of `pageSize`; a short page ends it. `>=` (not `>`) because Odoo 19 rounds
   * `>` up to the next whole second (§8). Offsets are never used (§6.4).
   */
  async *readChanged(
    model: string,
    opts: {
      fields: string[];
      window: ReadWindow;
      domain?: unknown[];
      pageSize?: number;
      activeTest?: boolean;
      /** Extra context, e.g. `allowed_company_ids` for company-dependent values (§9). */
      context?: Record<string, unknown>;
    },
  ): AsyncGenerator<OdooRow[]> {
    const pageSize = opts.pageSize ?? this.pageSize;
    const { since, until } = opts.window;
    const windowDomain: unknown[] = [...(opts.domain ?? [])];
    // Second-aligned bounds: since floored, until rounded up, so that no stored microsecond falls
    // between two consecutive windows.
    if (since)
      windowDomain.push([
        'write_date',
        '>=',
        domainDatetime(new Date(Math.floor(since.getTime() / 1000) * 1000)),
      ]);
    windowDomain.push([
      'write_date',
      '<',
      domainDatetime(new Date(Math.ceil(until.getTime() / 1000) * 1000)),
    ]);
    const merged = { ...(opts.activeTest === false ? { active_test: false } : {}), ...opts.context };
    const context = Object.keys(merged).length > 0 ? merged : undefined;
    let lastId = 0;
    while (true) {
      const page = await this.searchRead(model, [...windowDomain, ['id', '>', lastId]], {
        fields: opts.fields,
        order: 'id asc',
        limit: pageSize,
        ...(context === undefined ? {} : { context }),
      });
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      lastId = (page[page.length - 1] as OdooRow).id;
    }
  }

  /** `read` of ids; a missing id is simply absent from the answer (§8). */
  async read(model: string, ids: number[], fields: string[]): Promise<OdooRow[]> {
    if (ids.length === 0) return [];
    const raw = await this.retry(`odoo.${model}.read`, true, () => this.orm(model, 'read', ids, { fields }));
    return this.parseRows(model, raw, fields);
  }

  /**
   * Starts `fields_get` for several models at once (the flows need each before their first read);
   * failures are left for the call that needs the model to report.
   */
  prefetchFields(models: readonly string[]): void {
    for (const model of models) this.fieldsGet(model).catch(() => undefined);
  }

  /** `fields_get` (type, string, relation, required), cached per model. */
  fieldsGet(model: string): Promise<Record<string, FieldInfo>> {
    let cached = this.fieldsCache.get(model);
    if (!cached) {
      cached = this.retry(`odoo.${model}.fields_get`, true, () =>
        this.orm(model, 'fields_get', undefined, { attributes: ['type', 'string', 'relation', 'required'] }),
      ).then((raw) => {
        const parsed = fieldsGetSchema.safeParse(raw);
        if (!parsed.success)
          throw new InternalError(`Odoo ${model}.fields_get: unexpected answer`, {
            code: 'odoo.bad_payload',
          });
        const out: Record<string, FieldInfo> = {};
        for (const [name, info] of Object.entries(parsed.data)) {
          out[name] = {
            type: info.type,
            ...(info.string === undefined ? {} : { string: info.string }),
            ...(info.relation === undefined ? {} : { relation: info.relation }),
            ...(info.required === undefined ? {} : { required: info.required }),
          };
        }
        return out;
      });
      cached.catch(() => this.fieldsCache.delete(model));
      this.fieldsCache.set(model, cached);
    }
    return cached;
  }

  /** This server's name for a logical field (e.g. PO line `tax_ids` vs `taxes_id`, §4/§8). */
  async fieldName(model: string, logical: string): Promise<string> {
    const fields = await this.fieldsGet(model);
    const candidates = FIELD_ALIASES[model]?.[logical] ?? [logical];
    const found = candidates.find((c) => c in fields);
    if (!found) {
      throw new ConfigError(`Odoo model ${model} has no field ${candidates.join(' / ')} on this server`, {
        code: 'odoo.missing_field',
        data: { model, field: logical },
      });
    }
    return found;
  }

  // ------------------------------------------------------------------ parsing

  /** Validates raw rows with zod by field type and maps `false` → null for non-boolean fields. */
  protected async parseRows(model: string, raw: unknown, fields: string[]): Promise<OdooRow[]> {
    if (!Array.isArray(raw))
      throw new InternalError(`Odoo ${model}: expected a list of rows`, { code: 'odoo.bad_payload' });
    const types = await this.fieldsGet(model);
    const typeOf = (f: string): string => types[f]?.type ?? 'unknown';
    const key = `${model}:${fields.join(',')}`;
    let schema = this.rowSchemas.get(key);
    if (!schema) this.rowSchemas.set(key, (schema = rowsSchemaFor(fields, typeOf)));
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const [index, field] = (issue?.path ?? []) as [number | undefined, string | undefined];
      if (field === undefined || field === 'id')
        throw new InternalError(`Odoo ${model}: row without an integer id`, { code: 'odoo.bad_payload' });
      const value = (raw[index ?? 0] as Record<string, unknown> | undefined)?.[field];
      throw new InternalError(
        `Odoo ${model}.${field}: unexpected value ${redact(JSON.stringify(value) ?? 'undefined').slice(0, 120)} (${issue?.message ?? 'invalid'})`,
        { code: 'odoo.bad_payload', data: { model, field, type: typeOf(field) } },
      );
    }
    const rows = parsed.data as OdooRow[];
    // Odoo's `false` for empty is null here, except in boolean fields.
    const nullable = fields.filter((f) => typeOf(f) !== 'boolean');
    for (const row of rows) for (const f of nullable) if (row[f] === false) row[f] = null;
    return rows;
  }
}
