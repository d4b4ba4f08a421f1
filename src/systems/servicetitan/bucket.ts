import { createHash } from 'node:crypto';

/**
 * A token bucket: `capacity` requests may start at once, then one every `1000 / refillPerSecond` ms.
 * Waiters are served first come, first served. In any one-second window at most
 * `capacity + refillPerSecond` requests start, so a budget of N per second is kept by choosing
 * `capacity + refillPerSecond < N` (see `bucketFor`).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queue: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = this.now();
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.queue.push(resolve);
      this.schedule();
    });
  }

  /** Requests waiting for a token. */
  get waiting(): number {
    return this.queue.length;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.refillPerSecond) / 1000);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.refillPerSecond));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.queue.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.queue.shift()?.();
      }
      if (this.queue.length > 0) this.schedule();
    }, wait);
    // The timer stays referenced: a pending promise does not keep Node alive, so with every request
    // of a pass waiting here an unreferenced timer would let the process end, silently and with exit 0,
    // mid-pass.
  }
}

const buckets = new Map<string, TokenBucket>();

/**
 * The one bucket of an (app key, tenant) pair in this process, shared by every client, flow and
 * concurrent call: ServiceTitan allows 60 requests per second per application and tenant
 * (https://developer.servicetitan.io/docs/faqs-v2-webhooks). The server counts arrivals, not
 * sends: requests released together while a connection is being opened, or after a pause of the
 * network, arrive bunched. So the bucket keeps a small burst (a twentieth of the budget) and
 * refills at 80 % of it: at most 51 of 60 leave in any second, and nine may bunch.
 */
export function bucketFor(appKey: string, tenant: string, perSecond = 60): TokenBucket {
  const key = `${createHash('sha256').update(appKey).digest('hex').slice(0, 16)}|${tenant}|${perSecond}`;
  let bucket = buckets.get(key);
  if (!bucket) {
    const capacity = Math.max(1, Math.floor(perSecond / 20));
    const refill = Math.max(0.5, Math.floor(perSecond * 0.8));
    bucket = new TokenBucket(capacity, refill);
    buckets.set(key, bucket);
  }
  return bucket;
}
