import { json, type SimResponse } from '../common/server.js';

/**
 * The licence's request limits as the server applies them (Acumatica Integration Development Guide,
 * "License Restrictions for API Users":
 * https://help.myob.com.au/advanced/Docs/Published/IntegrationDevelopmentGuide/IS__con_License_Restrictions_API_Users.html):
 *
 * - Maximum number of concurrent API requests: requests above it wait in a queue; a request is
 *   declined (429) only when more than `queueLimit` (20) wait already or it has waited more than
 *   `queueTimeoutMs` (10 minutes).
 * - Maximum API requests per minute: once the past minute has used half of it, each new request is
 *   DELAYED by (time left in that minute) / (requests left); the limit does not reject by itself.
 *
 * Sign-out requests skip the queue (the caller does not pass them through `admit`).
 */
export interface LicenceLimits {
  /** Licence "maximum number of concurrent API requests"; unset = no cap. */
  concurrentRequests?: number | undefined;
  /** Licence "maximum API requests per minute"; unset = no cap. */
  requestsPerMinute?: number | undefined;
  /** Requests that may wait at once before more are declined, default 20. */
  queueLimit?: number | undefined;
  /** Longest wait before a queued request is declined, default 10 minutes. */
  queueTimeoutMs?: number | undefined;
}

const MINUTE = 60_000;

export class LicenceGate {
  private active = 0;
  private waiting = 0;
  private readonly slots: Array<() => void> = [];
  /** Start times of the requests admitted in the past minute. */
  private readonly starts: number[] = [];
  counters = { queued: 0, delayed: 0, declined: 0 };

  constructor(private readonly limits: LicenceLimits) {}

  /**
   * Waits for the request's turn and runs it, or answers the 429 a declined request gets. The 429
   * carries no Retry-After: none is documented or recorded.
   */
  async admit(run: () => Promise<SimResponse> | SimResponse): Promise<SimResponse> {
    const { concurrentRequests, requestsPerMinute } = this.limits;
    if (concurrentRequests === undefined && requestsPerMinute === undefined) return run();
    const deadline = Date.now() + (this.limits.queueTimeoutMs ?? 10 * MINUTE);
    const mustWait =
      (concurrentRequests !== undefined && this.active >= concurrentRequests) ||
      this.perMinuteDelay(Date.now()) > 0;
    if (mustWait && this.waiting >= (this.limits.queueLimit ?? 20)) return this.decline();
    if (mustWait) {
      this.counters.queued += 1;
      this.waiting += 1;
    }
    try {
      if (!(await this.waitForSlot(deadline))) return this.decline();
      if (!(await this.waitForMinute(deadline))) return this.decline();
    } finally {
      if (mustWait) this.waiting -= 1;
    }
    try {
      return await run();
    } finally {
      this.release();
    }
  }

  private decline(): SimResponse {
    this.counters.declined += 1;
    return json(429, { message: 'API request limit has been exceeded.' });
  }

  private async waitForSlot(deadline: number): Promise<boolean> {
    const cap = this.limits.concurrentRequests;
    if (cap === undefined || this.active < cap) {
      this.active += 1;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const grant = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          const i = this.slots.indexOf(grant);
          if (i >= 0) this.slots.splice(i, 1);
          resolve(false);
        },
        Math.max(0, deadline - Date.now()),
      );
      this.slots.push(grant);
    });
  }

  /**
   * Holds an admitted request for its per-minute delay (once), or until the minute frees a request
   * when none is left; false (slot released) past the deadline.
   */
  private async waitForMinute(deadline: number): Promise<boolean> {
    for (;;) {
      const now = Date.now();
      const { delay, exhausted } = this.perMinute(now);
      if (now + delay > deadline) {
        this.release();
        return false;
      }
      if (delay > 0) {
        this.counters.delayed += 1;
        await new Promise((r) => setTimeout(r, delay));
      }
      if (!exhausted) {
        this.starts.push(Date.now());
        return true;
      }
    }
  }

  private perMinuteDelay(now: number): number {
    return this.perMinute(now).delay;
  }

  /** (time left in the minute) / (requests left) once half the minute's requests are used. */
  private perMinute(now: number): { delay: number; exhausted: boolean } {
    const limit = this.limits.requestsPerMinute;
    if (limit === undefined) return { delay: 0, exhausted: false };
    while (this.starts.length > 0 && (this.starts[0] ?? 0) <= now - MINUTE) this.starts.shift();
    const used = this.starts.length;
    if (used < limit / 2) return { delay: 0, exhausted: false };
    const timeLeft = (this.starts[0] ?? now) + MINUTE - now;
    const left = limit - used;
    return left <= 0
      ? { delay: timeLeft + 1, exhausted: true }
      : { delay: Math.ceil(timeLeft / left), exhausted: false };
  }

  private release(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.active -= 1;
  }

  state(): Record<string, number> {
    return { inFlight: this.active, queuedNow: this.waiting, ...this.counters };
  }
}
