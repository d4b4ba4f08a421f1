/**
 * `mlc ping` on Odoo: version, authentication, and per model a flow uses its fields, one real read
 * and the write rights the flows need (api notes §9).
 */

import { AuthError, ConfigError, InternalError, isMlcError } from '../../errors.js';
import { redact } from '../../http/redact.js';
import type { PingCheck, PingResult } from '../types.js';
import { FIELD_ALIASES } from './entities.js';
import { OdooLoader } from './loads.js';

export class OdooPing extends OdooLoader {
  /**
   * Whether the user may `operation` records of `model` (ACLs): `has_access` from 18,
   * `check_access_rights(operation, raise_exception=False)` before (api notes §9).
   */
  async hasAccess(model: string, operation: 'read' | 'write' | 'create' | 'unlink'): Promise<boolean> {
    const major = (await this.version()).major;
    const raw = await this.retry(`odoo.${model}.has_access`, true, () =>
      major >= 18
        ? this.orm(model, 'has_access', [], { operation })
        : this.orm(model, 'check_access_rights', undefined, { operation, raise_exception: false }),
    );
    if (typeof raw !== 'boolean')
      throw new InternalError(`Odoo ${model} access check: expected a boolean, got ${JSON.stringify(raw)}`, {
        code: 'odoo.bad_payload',
      });
    return raw;
  }

  /**
   * Version, authentication and, per model a flow uses: its fields exist, one real read
   * (`search_read` limit 1: `fields_get` answers even without read rights, §9), and the write
   * rights (`access`) a flow needs.
   */
  async ping(
    required: Record<string, string[]> = {},
    access: Record<string, Array<'write' | 'create' | 'unlink'>> = {},
  ): Promise<PingResult> {
    const checks: PingCheck[] = [];
    let serverVersion: string | undefined;
    const step = async (name: string, fn: () => Promise<string>): Promise<boolean> => {
      try {
        checks.push({ name, ok: true, detail: await fn() });
        return true;
      } catch (err) {
        const e = isMlcError(err) ? err : new InternalError(String(err), { code: 'internal.unexpected' });
        checks.push({ name, ok: false, detail: redact(`${e.message}${e.hint ? ` — ${e.hint}` : ''}`) });
        return false;
      }
    };
    const reachable = await step('version', async () => {
      const v = await this.version();
      serverVersion = v.serverVersion;
      return `Odoo ${v.serverVersion} (${await this.transport()})`;
    });
    const authed =
      reachable &&
      (await step(
        'authenticate',
        async () => `uid ${await this.authenticate()} (${this.conn.login}@${this.conn.db})`,
      ));
    if (authed) {
      for (const [model, fields] of Object.entries(required)) {
        await step(`model ${model}`, async () => {
          const have = await this.fieldsGet(model);
          const missing: string[] = [];
          for (const f of fields) {
            const candidates = FIELD_ALIASES[model]?.[f] ?? [f];
            if (!candidates.some((c) => c in have)) missing.push(f);
          }
          if (missing.length > 0) {
            throw new ConfigError(`missing fields on ${model}: ${missing.join(', ')}`, {
              code: 'odoo.missing_field',
              data: { model, missing },
            });
          }
          await this.searchRead(model, [], { fields: ['id'], limit: 1 });
          return `${fields.length} fields present, readable`;
        });
      }
      for (const [model, ops] of Object.entries(access)) {
        await step(`rights ${model}`, async () => {
          const refused: string[] = [];
          for (const op of ops) if (!(await this.hasAccess(model, op))) refused.push(op);
          if (refused.length > 0) {
            throw new AuthError(
              `the Odoo user ${this.conn.login} may not ${refused.join(', ')} ${model} records`,
              {
                code: 'odoo.access_error',
                hint: "grant the bot user's groups the rights a flow needs (Settings > Users > Access Rights)",
                data: { model, refused },
              },
            );
          }
          return `may ${ops.join(', ')}`;
        });
      }
    }
    return {
      connection: this.ctx.connection,
      system: 'odoo',
      url: this.conn.url,
      ok: checks.every((c) => c.ok),
      ...(serverVersion === undefined ? {} : { serverVersion }),
      checks,
    };
  }
}
