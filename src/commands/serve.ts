import { ConfigError } from '../errors.js';
import { registerSecret } from '../http/redact.js';
import type { ReceiverSettings } from '../serve/options.js';
import { startReceiver, type RunningReceiver } from '../serve/index.js';
import { openPair, type Runtime } from '../runtime.js';
import { processEvents, type EventsResult } from '../sync/events.js';
import { LockedError } from '../sync/lock.js';

export interface ServeHandle {
  receiver: RunningReceiver;
  /** Verified events stored since the receiver started (a sender's repeat of a stored event id not counted). */
  readonly stored: number;
  /** What each run over the stored events did, oldest first (runs that found no event left out). */
  readonly handled: readonly EventsResult[];
  /** Processes what is stored now (and waits for a run already going); for tests and shutdown. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Stored events are handled this long after the last one arrived, in one run. */
const DEBOUNCE_MS = 200;
/** When another pass holds the lock, or a system is unreachable, the events wait this long. */
const RETRY_MS = 5_000;

/**
 * `mlc serve <pair>`: the webhook receiver of a pair instance. Each verified post is stored in the
 * state file before it is answered 2xx; stored events are then processed down the record path under
 * the pair lock, so a pass of the same pair and the receiver never write the same record at once.
 * The scheduled pass stays the source of truth: an event lost before it was stored is read by the
 * next pass.
 */
export async function runServe(
  rt: Runtime,
  pair: string,
  overrides: { port?: number; host?: string } = {},
): Promise<ServeHandle> {
  const opened = openPair(rt, pair);
  const spec = opened.def.webhooks;
  if (!spec) {
    await opened.close();
    throw new ConfigError(`pair ${pair} (${opened.def.name}) receives no webhooks`, {
      code: 'usage.no_webhooks',
      hint: 'mlc sync runs it on a schedule',
    });
  }
  const settings = (opened.options as { serve?: ReceiverSettings }).serve;
  if (!settings) {
    await opened.close();
    throw new ConfigError(`pairs.${pair}.serve is not set in ${rt.config.file}`, {
      code: 'config.serve_missing',
      hint: `add serve: { port: 8787, hmacKey: secret:<connection>.webhook_key } under pairs.${pair}`,
    });
  }
  const hmacKey = settings.hmacKey === undefined ? undefined : resolveKey(rt, settings.hmacKey);
  await opened.preflight();

  let timer: NodeJS.Timeout | undefined;
  let stored = 0;
  const handled: EventsResult[] = [];
  let running: Promise<void> = Promise.resolve();
  const process = (): Promise<void> => {
    running = running.then(async () => {
      let result: EventsResult | undefined;
      try {
        const work = () =>
          processEvents(
            rt.store,
            pair,
            opened.runtime.flows,
            opened.runtime.makeDims,
            spec,
            {
              batchSize: opened.options.batchSize,
              lockStaleMs: opened.options.lockStaleSeconds * 1000,
              maxAttempts: 10,
            },
            rt.log,
          );
        result = opened.runtime.session ? await opened.runtime.session(work) : await work();
      } catch (err) {
        if (!(err instanceof LockedError))
          rt.log.warn(`${pair}: webhook events not processed: ${(err as Error).message}`);
        schedule(RETRY_MS);
        return;
      }
      if (result.events > 0) handled.push(result);
      if (result.pending > 0) schedule(RETRY_MS);
    });
    return running;
  };
  const schedule = (ms: number): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void process(), ms);
    timer.unref();
  };

  const receiver = await startReceiver({
    routes: spec.routes,
    ...(hmacKey === undefined ? {} : { hmacKey }),
    ...(settings.signatureHeader === undefined ? {} : { signatureHeader: settings.signatureHeader }),
    ...(settings.signatureEncodings === undefined ? {} : { signatureEncodings: settings.signatureEncodings }),
    allowUnsigned: settings.allowUnsigned,
    host: overrides.host ?? settings.host,
    port: overrides.port ?? settings.port,
    ...(settings.maxBodyBytes === undefined ? {} : { maxBodyBytes: settings.maxBodyBytes }),
    ...(settings.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: settings.bodyTimeoutMs }),
    ...(settings.maxConnections === undefined ? {} : { maxConnections: settings.maxConnections }),
    store: async (event) => {
      const id = spec.eventId({ route: event.route, body: event.body, raw: event.raw });
      if (rt.store.storeEvent(pair, event.route, id, event.body)) stored += 1;
      schedule(DEBOUNCE_MS);
    },
    audit: (entry) => {
      if (entry.outcome !== 'accepted')
        rt.log.warn(
          `${pair}: webhook ${entry.outcome} (${entry.status}) from ${entry.remoteAddress}${entry.route ? ` on ${entry.route}` : ''}${entry.reason ? `: ${entry.reason}` : ''}`,
        );
    },
  });
  // Events stored before a restart are handled at once.
  schedule(0);
  return {
    receiver,
    get stored() {
      return stored;
    },
    handled,
    drain: async () => {
      if (timer) clearTimeout(timer);
      await process();
    },
    close: async () => {
      if (timer) clearTimeout(timer);
      await receiver.close();
      await running;
      await opened.close();
    },
  };
}

/** The HMAC key from the secret store (`secret:<connection>.<what>`) or as given (already `${ENV}`-resolved). */
function resolveKey(rt: Runtime, ref: string): string {
  const value = ref.startsWith('secret:') ? rt.secrets.get(ref.slice('secret:'.length)) : ref;
  registerSecret(value);
  return value;
}
