import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { DEFAULT_SIGNATURE_HEADER, signBody, type SignatureEncoding } from '../../serve/signature.js';

/**
 * The V2 webhook sender (api notes §6, §9): POSTs a JSON event to the callback URL of its event
 * type, signs the raw body with HMAC-SHA256 under the app's HMAC key (header and encoding as
 * configured), and counts only a 2xx as delivered; anything else is retried after 10, 30, 60 and
 * 300 s (https://developer.servicetitan.io/docs/faqs-v2-webhooks), after which the event waits in
 * the failed list for a manual replay. `timeScale` shrinks the schedule for tests.
 */
export interface WebhookConfig {
  /** Callback URL per event type; `*` for every type. */
  urls: Record<string, string>;
  /** 32–64 characters (an empty key sends unsigned events). */
  hmacKey: string;
  header: string;
  encoding: SignatureEncoding;
  timeScale: number;
  /** Per-delivery timeout, ms. */
  timeoutMs: number;
}

export interface WebhookEvent {
  eventId: string;
  eventType: string;
  tenantId: number;
  createdOn: string;
  data: Record<string, unknown>;
}

export interface DeliveryAttempt {
  eventId: string;
  eventType: string;
  attempt: number;
  at: number;
  status: number | 'error';
}

export const RETRY_SCHEDULE_S = [10, 30, 60, 300];

export class WebhookEmitter {
  config: WebhookConfig | undefined;
  readonly attempts: DeliveryAttempt[] = [];
  readonly delivered: string[] = [];
  readonly failed: WebhookEvent[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  configure(input: Partial<WebhookConfig> & { url?: string }): WebhookConfig {
    const urls = { ...(input.urls ?? {}), ...(input.url ? { '*': input.url } : {}) };
    if (Object.keys(urls).length === 0) throw new Error('expected url or urls');
    const hmacKey = input.hmacKey ?? '';
    if (hmacKey !== '' && (hmacKey.length < 32 || hmacKey.length > 64))
      throw new Error('the HMAC key must have 32 to 64 characters');
    this.config = {
      urls,
      hmacKey,
      header: (input.header ?? DEFAULT_SIGNATURE_HEADER).toLowerCase(),
      encoding: input.encoding ?? 'hex',
      timeScale: input.timeScale ?? 1,
      timeoutMs: input.timeoutMs ?? 10_000,
    };
    return this.config;
  }

  /** Sends an event now (and on the retry schedule until a 2xx). Answers the event, or undefined when no URL takes it. */
  emit(eventType: string, tenantId: string, data: Record<string, unknown>): WebhookEvent | undefined {
    const url = this.config?.urls[eventType] ?? this.config?.urls['*'];
    if (!this.config || !url) return undefined;
    const event: WebhookEvent = {
      eventId: randomUUID(),
      eventType,
      tenantId: Number(tenantId),
      createdOn: new Date().toISOString(),
      data,
    };
    void this.deliver(event, url, 0);
    return event;
  }

  /** Sends the failed events again (the portal's manual replay). */
  replayFailed(): number {
    const events = this.failed.splice(0);
    for (const e of events) {
      const url = this.config?.urls[e.eventType] ?? this.config?.urls['*'];
      if (url) void this.deliver(e, url, 0);
    }
    return events.length;
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  reset(): void {
    this.stop();
    this.config = undefined;
    this.attempts.length = 0;
    this.delivered.length = 0;
    this.failed.length = 0;
  }

  private async deliver(event: WebhookEvent, url: string, retry: number): Promise<void> {
    const config = this.config;
    if (!config) return;
    const body = Buffer.from(JSON.stringify(event));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': 'ServiceTitan-Webhooks/2.0 (simulator)',
    };
    if (config.hmacKey !== '') headers[config.header] = signBody(config.hmacKey, body, config.encoding);
    const status = await post(url, headers, body, config.timeoutMs);
    this.attempts.push({
      eventId: event.eventId,
      eventType: event.eventType,
      attempt: retry + 1,
      at: Date.now(),
      status,
    });
    if (typeof status === 'number' && status >= 200 && status < 300) {
      this.delivered.push(event.eventId);
      return;
    }
    const wait = RETRY_SCHEDULE_S[retry];
    if (wait === undefined) {
      this.failed.push(event);
      return;
    }
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        void this.deliver(event, url, retry + 1);
      },
      wait * 1000 * config.timeScale,
    );
    this.timers.add(timer);
  }
}

function post(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs: number,
): Promise<number | 'error'> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 'error'));
      res.on('error', () => resolve('error'));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve('error'));
    req.end(body);
  });
}
