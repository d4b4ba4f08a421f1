import { redact } from '../../http/redact.js';
import type { PingCheck, PingResult, ReadWindow } from '../types.js';
import type { AcumaticaReader } from './readers.js';
import type { AcumaticaTransport } from './transport.js';
import type { AcumaticaProbe } from './types.js';

/**
 * `mlc ping`: signs in, checks via `GET /entity` that the pinned endpoint name + version is offered
 * (a mismatch is reported with the versions the server offers), sends each probe's real query (its
 * window, `$filter`, `$select` and `$expand`) with `$top=1`, and signs out. A field the entity lacks
 * fails here instead of at sync time.
 */
export async function pingAcumatica(
  t: AcumaticaTransport,
  reader: AcumaticaReader,
  probes: Array<string | AcumaticaProbe>,
): Promise<PingResult> {
  const checks: PingCheck[] = [];
  const result: PingResult = {
    connection: t.ctx.connection,
    system: 'acumatica',
    url: t.conn.url,
    ok: false,
    checks,
  };
  const fail = (name: string, err: unknown): void => {
    checks.push({ name, ok: false, detail: redact(err instanceof Error ? err.message : String(err)) });
  };
  try {
    await t.signIn();
    checks.push({
      name: 'auth',
      ok: true,
      detail: t.conn.auth.kind === 'cookie' ? 'cookie session login' : 'OAuth 2.0 password grant',
    });
  } catch (err) {
    fail('auth', err);
    return result;
  }
  try {
    let endpointOk = false;
    try {
      const ep = await reader.endpoints();
      result.serverVersion = ep.build;
      endpointOk = ep.endpoints.some((e) => e.name === t.endpointName && e.version === t.endpointVersion);
      const offered = ep.endpoints.filter((e) => e.name === t.endpointName).map((e) => e.version);
      checks.push({
        name: 'endpoint',
        ok: endpointOk,
        detail: endpointOk
          ? `endpoint ${t.endpointName} ${t.endpointVersion} is offered (build ${ep.build})`
          : `endpoint ${t.endpointName} ${t.endpointVersion} is not offered by this server; it offers ${t.endpointName} ${offered.length ? offered.join(', ') : '(none)'} — set endpointVersion to one of them`,
      });
    } catch (err) {
      fail('endpoint', err);
    }
    if (endpointOk) {
      const until = new Date();
      const window: ReadWindow = { since: new Date(until.getTime() - 86_400_000), until };
      for (const probe of probes.map((p) => (typeof p === 'string' ? { entity: p } : p))) {
        const name = probe.flow ? `${probe.flow}: ${probe.entity}` : `entity ${probe.entity}`;
        try {
          await reader.fetchPage(probe.entity, {
            filter: probe.windowed
              ? reader.changedFilter(probe.entity, window, probe.filter)
              : (probe.filter ?? ''),
            ...(probe.select ? { select: probe.select } : {}),
            ...(probe.expand ? { expand: probe.expand } : {}),
            top: 1,
            skip: 0,
          });
          checks.push({
            name,
            ok: true,
            detail: probe.filter || probe.select || probe.expand ? 'its query is accepted' : 'readable',
          });
        } catch (err) {
          fail(name, err);
        }
      }
    }
  } finally {
    try {
      await t.signOut();
    } catch (err) {
      fail('sign-out', err);
    }
  }
  result.ok = checks.every((c) => c.ok);
  return result;
}
