import { toMlcError } from '../errors.js';
import type { StateStore } from '../state/store.js';
import type { Logger } from '../systems/types.js';
import { withPairLock } from './lock.js';
import { auditOf, emptyStats, handleRecords } from './records.js';
import type { Dimensions, Flow, FlowContext, FlowStats } from './types.js';

/**
 * What a pair receives by webhook: the paths it listens on, and the records an event names. An event
 * is only a pointer: the record is read again from the source's API (as a replay reads it), so a
 * forged, stale or reordered event can never write content the source does not hold.
 */
export interface WebhookSpec {
  routes: Array<{ path: string; name: string }>;
  /** The flow that reads each record the event names, and its source id (as that flow's reader gives it). */
  resolve(event: { route: string; body: unknown }): Array<{ flow: string; sourceId: string }>;
  /** The event's own id, for de-duplicating a sender's retries. */
  eventId(event: { route: string; body: unknown; raw: Buffer }): string;
}

export interface EventsResult {
  events: number;
  flows: FlowStats[];
  /** Events left for a later try (the source or target was unreachable). */
  pending: number;
  /** Events given up on (unreadable, or failing past the attempts allowed). */
  failed: number;
}

/**
 * Processes the stored events of a pair down the record path, under the pair lock (so `mlc serve`
 * and `mlc sync` never write the same record at once), in the pair's flow order (reference data
 * before documents). Records are re-read from the source; versions already handled are skipped, so an
 * event for a record the scheduled pass already wrote writes nothing.
 */
export async function processEvents(
  store: StateStore,
  pair: string,
  flows: Flow[],
  makeDims: () => Dimensions,
  spec: WebhookSpec,
  options: { batchSize: number; lockStaleMs: number; maxAttempts: number },
  log: Logger,
): Promise<EventsResult> {
  return withPairLock(store, pair, { lockStaleMs: options.lockStaleMs, log }, async (lock) => {
    const events = store.pendingEvents(pair);
    const result: EventsResult = { events: events.length, flows: [], pending: 0, failed: 0 };
    if (events.length === 0) return result;
    const runId = store.startRun(pair, 'webhook', false);
    lock.setRun(runId);
    const wanted = new Map<string, { ids: Set<string>; events: Set<number> }>();
    for (const event of events) {
      let refs: Array<{ flow: string; sourceId: string }>;
      try {
        refs = spec.resolve({ route: event.route, body: event.body });
        const unknown = refs.find((r) => !flows.some((f) => f.name === r.flow));
        if (unknown) throw new Error(`names flow ${unknown.flow}, which ${pair} does not have`);
      } catch (err) {
        store.finishEvents([event.id], 'failed', `event ${event.eventId}: ${(err as Error).message}`);
        result.failed += 1;
        continue;
      }
      for (const ref of refs) {
        const w = wanted.get(ref.flow) ?? { ids: new Set(), events: new Set() };
        w.ids.add(ref.sourceId);
        w.events.add(event.id);
        wanted.set(ref.flow, w);
      }
      if (refs.length === 0) store.finishEvents([event.id], 'done');
    }
    const ctx: FlowContext = {
      pair,
      log,
      dims: makeDims(),
      dryRun: false,
      targetIdOf: (entity, sourceId) => store.getId(pair, entity, sourceId)?.targetId ?? undefined,
    };
    const attempts = new Map(events.map((e) => [e.id, e.attempts]));
    let stopped: Error | undefined;
    for (const flow of flows) {
      const w = wanted.get(flow.name);
      if (!w) continue;
      const ids = [...w.events];
      if (stopped) {
        store.finishEvents(ids, 'pending', stopped.message);
        result.pending += ids.length;
        continue;
      }
      const stats = emptyStats(flow.name);
      try {
        const records = await flow.fetch([...w.ids], ctx);
        await handleRecords(
          {
            store,
            pair,
            flow,
            ctx,
            stats,
            dryRun: false,
            skipSeen: true,
            batchSize: flow.batchSize ?? options.batchSize,
            audit: auditOf(store, runId, pair, flow.name),
            guard: () => lock.verify(),
          },
          records,
        );
        stats.read = records.length;
        store.finishEvents(ids, 'done');
      } catch (err) {
        // Unreachable source or target, or the lock lost: the events stay for a later try (the
        // scheduled pass reads the same records anyway); past maxAttempts they are given up on.
        const e = toMlcError(err);
        stopped = e;
        stats.status = 'stopped';
        stats.error = e.toJSON();
        const giveUp = ids.filter((id) => (attempts.get(id) ?? 0) + 1 >= options.maxAttempts);
        const retry = ids.filter((id) => !giveUp.includes(id));
        store.finishEvents(giveUp, 'failed', e.message);
        store.finishEvents(retry, 'pending', e.message);
        result.failed += giveUp.length;
        result.pending += retry.length;
        log.warn(`${pair}/${flow.name}: events left for later: ${e.message}`);
      }
      result.flows.push(stats);
    }
    const failedRecords = result.flows.some((f) => f.failed > 0);
    store.finishRun(runId, stopped ? 'stopped' : failedRecords ? 'failed_records' : 'ok', result.flows);
    return result;
  });
}
