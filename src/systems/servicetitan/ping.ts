import { isMlcError } from '../../errors.js';
import { redact } from '../../http/redact.js';
import type { PingCheck, PingResult } from '../types.js';
import { ST_ENTITIES, stEntity, type StEntityName } from './entities.js';
import type { StTransport } from './transport.js';

/** What a pair asks `mlc ping` to verify on ServiceTitan: the entities its flows read or write. */
export interface ServiceTitanRequirement {
  entity: StEntityName;
  /** The flow writes payments: their types must be readable (`typeId`). */
  writesPayments?: boolean;
}

/**
 * Signs in, then reads one row of every endpoint the flows need (their list, and their export when
 * they read it), and the payment types when payments are written: each answers with the scope,
 * app key and tenant in force, so a missing scope shows up here rather than mid-pass.
 */
export async function ping(
  t: StTransport,
  connection: string,
  requirements: readonly ServiceTitanRequirement[],
): Promise<PingResult> {
  const checks: PingCheck[] = [];
  const result: PingResult = { connection, system: 'servicetitan', url: t.apiUrl, ok: false, checks };
  let serverTime: Date;
  try {
    serverTime = await t.serverTime();
    checks.push({
      name: 'auth',
      ok: true,
      detail: `token for tenant ${t.tenant}; server time ${serverTime.toISOString()}`,
    });
  } catch (err) {
    checks.push({ name: 'auth', ok: false, detail: message(err) });
    return result;
  }
  const names =
    requirements.length > 0
      ? [...new Set(requirements.map((r) => r.entity))]
      : (Object.keys(ST_ENTITIES) as StEntityName[]);
  for (const name of names) {
    const e = stEntity(name);
    const path = e.via === 'export' && e.export ? e.export : e.list;
    const params: Record<string, string> =
      e.via === 'export' ? { from: serverTime.toISOString() } : { page: '1', pageSize: '1' };
    if (e.windowRequired) params.modifiedBefore = serverTime.toISOString();
    checks.push(await probe(t, `${name}`, e.module, path, params));
  }
  if (requirements.some((r) => r.writesPayments))
    checks.push(
      await probe(t, 'payment_types', 'accounting', 'payment-types', { page: '1', pageSize: '50' }),
    );
  result.ok = checks.every((c) => c.ok);
  return result;
}

async function probe(
  t: StTransport,
  name: string,
  module: Parameters<StTransport['call']>[1],
  path: string,
  params: Record<string, string>,
): Promise<PingCheck> {
  try {
    await t.call('GET', module, path, {
      op: `servicetitan.ping.${name}`,
      kind: 'list',
      idempotent: true,
      searchParams: params,
    });
    return { name, ok: true, detail: `GET /${t.path(module, path)} answers` };
  } catch (err) {
    return { name, ok: false, detail: message(err) };
  }
}

function message(err: unknown): string {
  if (isMlcError(err)) return `${err.message}${err.hint ? ` (${err.hint})` : ''}`;
  return redact(err instanceof Error ? err.message : String(err));
}
