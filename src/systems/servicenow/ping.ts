import { redact } from '../../http/redact.js';
import type { PingCheck, PingResult } from '../types.js';
import type { SnWriter } from './importset.js';
import { isMlcError } from '../../errors.js';
import type { StagingInfo } from './staging.js';

/**
 * What a pair asks ServiceNow to verify: a staging table it writes (its columns exist, its transform
 * maps coalesce on `coalesceOn` and handle empty values safely), or a table it reads with the query
 * and fields it uses (a query naming an unreadable or unknown field answers 403, api notes §8).
 */
export type ServiceNowRequirement =
  | { staging: string; columns: string[]; coalesceOn: string[] }
  | { table: string; query?: string; fields?: string[] };

export type StagingRequirement = Extract<ServiceNowRequirement, { staging: string }>;
export type TableRequirement = Extract<ServiceNowRequirement, { table: string }>;

/** What made a check fail, when it was an error: a preflight passes on what is not a refusal. */
const causes = new WeakMap<PingCheck, unknown>();

const failed = (name: string, err: unknown): PingCheck => {
  const check = { name, ok: false, detail: err instanceof Error ? redact(err.message) : redact(String(err)) };
  causes.set(check, err);
  return check;
};

/** A real one-row read of each table, with the query and fields the flows use. */
async function tableChecks(client: SnWriter, tables: TableRequirement[]): Promise<PingCheck[]> {
  const seen = new Set<string>();
  const unique = tables.filter((t) => {
    const k = `${t.table}?${t.query ?? ''}#${(t.fields ?? []).join(',')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return Promise.all(
    unique.map(async (t) => {
      const name = `table ${t.table}${t.query ? ` (${t.query})` : ''}`;
      try {
        await client.first(t.table, t.query ?? '', t.fields ?? ['sys_id']);
        return { name, ok: true, detail: 'readable' };
      } catch (err) {
        return failed(name, err);
      }
    }),
  );
}

function mapChecks(req: StagingRequirement, info: StagingInfo): PingCheck[] {
  const checks: PingCheck[] = [];
  if (info.maps.length === 0)
    checks.push({
      name: `staging ${req.staging} transform`,
      ok: false,
      detail: 'no active transform map reads this staging table',
    });
  const sent = new Set(req.columns);
  for (const map of info.maps) {
    const missingKeys = req.coalesceOn.filter((c) => !map.coalesce.includes(c));
    const ok = map.coalesce.length > 0 && missingKeys.length === 0;
    checks.push({
      name: `transform map "${map.name}" coalesce`,
      ok,
      detail: ok
        ? `coalesces on ${map.coalesce.join(', ')}: a re-sent row updates the record it created`
        : map.coalesce.length === 0
          ? `has no coalesce field: every retry or replay would insert a duplicate into ${map.targetTable}. Mark ${req.coalesceOn.join(' + ')} as coalesce in the field maps; the flow is refused until then`
          : `coalesces on ${map.coalesce.join(', ')} but not on ${missingKeys.join(', ')}: a re-sent row could update another source's record or miss its own. Mark ${req.coalesceOn.join(' + ')} as coalesce, or set the coalesce columns in mlc.yaml to what the map uses`,
    });
    // mlc sends NULL for a value cleared in the source (it clears the field whatever the map says).
    // "Copy empty fields" on a map that also maps columns mlc never sends would blank those fields on
    // every update, so such a map is refused; without it, nothing else is overwritten.
    const unsent = map.sources.filter((s) => !sent.has(s));
    checks.push(
      map.copyEmpty && unsent.length > 0
        ? {
            name: `transform map "${map.name}" empty values`,
            ok: false,
            detail: `"Copy empty fields" is on and the map also copies ${unsent.join(', ')}, which mlc does not send: every update would blank those fields of ${map.targetTable}. Turn "Copy empty fields" off (mlc sends NULL for a value cleared in the source, which clears the field either way); the flow is refused until then`,
          }
        : {
            name: `transform map "${map.name}" empty values`,
            ok: true,
            detail: map.copyEmpty
              ? 'copies empty values, and maps only columns mlc sends'
              : 'does not copy empty values; mlc sends NULL for a value cleared in the source, which clears the field',
          },
    );
  }
  return checks;
}

/** The staging tables: they exist, have the columns sent, are readable (outcomes), and their maps. */
async function stagingChecks(client: SnWriter, reqs: StagingRequirement[]): Promise<PingCheck[]> {
  if (reqs.length === 0) return [];
  let infos: StagingInfo[];
  try {
    infos = await client.refreshStaging(reqs.map((r) => r.staging));
  } catch (err) {
    return [failed('staging tables', err)];
  }
  const byName = new Map(infos.map((i) => [i.staging, i]));
  const perTable = await Promise.all(
    reqs.map(async (req): Promise<PingCheck[]> => {
      const info = byName.get(req.staging);
      if (!info?.exists)
        return [
          {
            name: `staging ${req.staging}`,
            ok: false,
            detail: 'no such staging table (is the Source-to-Pay integration plugin installed?)',
          },
        ];
      const have = new Set(info.columns.map((c) => c.name));
      const missing = req.columns.filter((c) => !have.has(c));
      const checks: PingCheck[] = [
        {
          name: `staging ${req.staging} columns`,
          ok: missing.length === 0,
          detail:
            missing.length === 0
              ? `${req.columns.length} columns present`
              : `missing column(s) ${missing.join(', ')}: rename them under tables/coalesce in mlc.yaml or add them to the staging table`,
        },
      ];
      // insertMultiple answers no per-row outcome (§8): mlc reads the staging rows to learn them.
      try {
        await client.first(req.staging, '', ['sys_import_state', ...req.coalesceOn]);
        checks.push({
          name: `staging ${req.staging} rows`,
          ok: true,
          detail: 'readable (each row’s outcome is read from it; write access is proven by the first import)',
        });
      } catch (err) {
        checks.push(failed(`staging ${req.staging} rows`, err));
      }
      return [...checks, ...mapChecks(req, info)];
    }),
  );
  return perTable.flat();
}

/** Every check of the requirements, passed and failed, in a stable order. */
export async function requirementChecks(
  client: SnWriter,
  requirements: ServiceNowRequirement[],
): Promise<PingCheck[]> {
  const tables = requirements.filter((r): r is TableRequirement => 'table' in r);
  const staging = requirements.filter((r): r is StagingRequirement => 'staging' in r);
  const [t, s] = await Promise.all([tableChecks(client, tables), stagingChecks(client, staging)]);
  return [...t, ...s];
}

/**
 * The refusals `mlc ping` would print for these requirements (its failed checks, same names and
 * texts), without the auth and version checks. Cheap enough for the start of every pass: staging
 * metadata is re-read only when the change stamps of its maps moved (see `refreshStaging`).
 */
export async function preflight(
  client: SnWriter,
  requirements: ServiceNowRequirement[],
): Promise<PingCheck[]> {
  const refused = (await requirementChecks(client, requirements)).filter((c) => !c.ok);
  // An instance that cannot be reached, or credentials refused, stop the pass as such (exit 4 or 2
  // with their own words), not as a configuration ping refuses; a table the user may not read (403)
  // is such a refusal.
  for (const check of refused) {
    const cause = causes.get(check);
    if (isMlcError(cause) && (cause.kind === 'transient' || (cause.kind === 'auth' && cause.status !== 403)))
      throw cause;
  }
  return refused;
}

/** `mlc ping` for ServiceNow: auth and clock, the version, then every requirement. */
export async function pingServiceNow(
  client: SnWriter,
  requirements: ServiceNowRequirement[],
  meta: { connection: string; url: string; authKind: string },
): Promise<PingResult> {
  const checks: PingCheck[] = [];
  const result: PingResult = {
    connection: meta.connection,
    system: 'servicenow',
    url: meta.url,
    ok: false,
    checks,
  };
  try {
    const time = await client.serverTime();
    checks.push({
      name: 'auth',
      ok: true,
      detail:
        meta.authKind === 'basic'
          ? 'basic auth accepted'
          : `OAuth ${meta.authKind === 'oauth_password' ? 'password' : 'client credentials'} grant: token issued and accepted`,
    });
    checks.push({ name: 'reachable', ok: true, detail: `server time ${time.toISOString()}` });
    const build = await client
      .first('sys_properties', 'name=glide.buildname', ['value'])
      .catch(() => undefined);
    if (build?.value) result.serverVersion = build.value;
  } catch (err) {
    checks.push(failed('auth', err));
    return result;
  }
  checks.push(...(await requirementChecks(client, requirements)));
  result.ok = checks.every((c) => c.ok);
  return result;
}
