/**
 * What the flows of servicetitan-odoo share for one pass: the two clients, the options, the scope
 * (tenant and Odoo company, resolved once from Odoo), and a flow skeleton that reads ServiceTitan
 * the same way for every entity.
 */
import { ConfigError, InternalError } from '../../errors.js';
import type { OdooClient } from '../../systems/odoo/client.js';
import type { SinkResult } from '../../systems/odoo/sinks/index.js';
import {
  toSourceRecord,
  type ServiceTitanClient,
  type StEntityName,
  type StRow,
} from '../../systems/servicetitan/index.js';
import type { Flow, FlowContext, MapResult, SourceRecord, WriteItem, WriteResult } from '../../sync/types.js';
import type { ServiceTitanOdooOptions } from './options.js';
import { stRefPrefix, type RefKind, type Scope } from './refs.js';

export interface PairContext {
  st: ServiceTitanClient;
  odoo: OdooClient;
  options: ServiceTitanOdooOptions;
  /** The tenant and its Odoo company (resolved on first use). */
  scope(): Promise<Scope>;
  /** The scope once resolved (mapping is pure: it runs after a read or fetch resolved it). */
  resolved(): Scope;
}

export function pairContext(
  st: ServiceTitanClient,
  odoo: OdooClient,
  options: ServiceTitanOdooOptions,
): PairContext {
  let pending: Promise<Scope> | undefined;
  let done: Scope | undefined;
  const scope = (): Promise<Scope> => {
    pending ??= resolveCompany(odoo, st.tenant, options).then(
      (company) => (done = { tenant: st.tenant, ...company }),
    );
    pending.catch(() => (pending = undefined));
    return pending;
  };
  return {
    st,
    odoo,
    options,
    scope,
    resolved: () => {
      if (!done)
        throw new InternalError('the Odoo company is resolved before mapping', { code: 'pair.no_scope' });
      return done;
    },
  };
}

async function resolveCompany(
  odoo: OdooClient,
  tenant: string,
  options: ServiceTitanOdooOptions,
): Promise<{ company: number; companyName: string }> {
  const wanted = options.companies[tenant];
  if (wanted === undefined)
    throw new ConfigError(`ServiceTitan tenant ${tenant} is mapped to no Odoo company`, {
      code: 'config.company_unmapped',
      hint: `add companies: { "${tenant}": <Odoo company name> } to the pair's options`,
    });
  const rows = await odoo.searchRead(
    'res.company',
    [typeof wanted === 'number' ? ['id', '=', wanted] : ['name', '=', wanted]],
    { fields: ['id', 'name'], limit: 1 },
  );
  const row = rows[0];
  if (row === undefined)
    throw new ConfigError(`Odoo has no company ${JSON.stringify(wanted)} (mapped to tenant ${tenant})`, {
      code: 'config.company_missing',
      hint: 'check the company name in Settings > Companies, and that the bot user is allowed into it',
    });
  return { company: row.id, companyName: typeof row.name === 'string' ? row.name : String(row.id) };
}

/** ref -> id of the Odoo records this scope wrote for one kind (dimension sets). */
export async function loadRefs(
  pc: PairContext,
  model: string,
  field: string,
  kind: RefKind,
): Promise<Map<string, string>> {
  const scope = await pc.scope();
  const rows = await pc.odoo.searchRead(model, [[field, '=like', `${stRefPrefix(scope, kind)}%`]], {
    fields: ['id', field],
    order: 'id asc',
    context: { active_test: false, allowed_company_ids: [scope.company] },
  });
  const out = new Map<string, string>();
  for (const r of rows)
    if (typeof r[field] === 'string' && !out.has(r[field])) out.set(r[field], String(r.id));
  return out;
}

/** Sink results as the engine's write results. */
export function toWriteResults(results: SinkResult[]): WriteResult[] {
  return results.map((r) => (r.ok ? { ok: true, targetId: String(r.id) } : { ok: false, error: r.error }));
}

export interface StFlowSpec<P> {
  name: string;
  entity: string;
  source: StEntityName;
  target: string;
  description: string;
  /** Adds what the mapping needs besides the row (survivors, contacts, names). */
  enrich?(rows: StRow[]): Promise<StRow[]>;
  /** Extra records to read after the window's own (e.g. customers whose contacts changed). */
  more?(window: { since: Date | null; until: Date }, seen: Set<number>): AsyncIterable<StRow[]>;
  map(row: StRow, scope: Scope): MapResult<P>;
  write(items: WriteItem<P>[], ctx: FlowContext, scope: Scope): Promise<WriteResult[]>;
  provides?: { kind: string; key(payload: P): string };
}

/** A ServiceTitan -> Odoo flow: windowed reads of one entity, re-reads by id, a pure map, a sink. */
export function stFlow<P>(pc: PairContext, spec: StFlowSpec<P>): Flow {
  const { st } = pc;
  const records = async (rows: StRow[]): Promise<SourceRecord<StRow>[]> =>
    (spec.enrich ? await spec.enrich(rows) : rows).map((r) => toSourceRecord(st.tenant, spec.source, r));
  const flow: Flow<StRow, P> = {
    name: spec.name,
    entity: spec.entity,
    direction: 'servicetitan -> odoo',
    description: spec.description,
    serverTime: () => st.serverTime(),
    async *read(window) {
      await pc.scope();
      const seen = new Set<number>();
      for await (const page of st.readChanged(spec.source, { window })) {
        for (const r of page) seen.add(r.id);
        yield await records(page);
      }
      if (spec.more)
        for await (const page of spec.more(window, seen)) if (page.length > 0) yield await records(page);
    },
    async fetch(ids) {
      await pc.scope();
      // Ids of another tenant (an event meant for another instance) are not this flow's records.
      const own = ids
        .map((id) => /^(\d+)\/(\d+)$/.exec(id))
        .filter((m): m is RegExpExecArray => m !== null && m[1] === st.tenant)
        .map((m) => Number(m[2]));
      if (own.length === 0) return [];
      return records(await st.getByIds(spec.source, own));
    },
    map: (record) => spec.map(record.data, pc.resolved()),
    write: async (items, ctx) => spec.write(items, ctx, await pc.scope()),
    ...(spec.provides ? { provides: spec.provides } : {}),
  };
  return flow as unknown as Flow;
}
