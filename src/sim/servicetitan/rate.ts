/**
 * The server side of the request budget: a token bucket of `perSecond` requests (capacity and
 * refill both `perSecond`) per (app key, tenant), over which a call answers 429 with
 * `Retry-After: 1` (api notes §5, §8). Every API request that reaches the bucket is also recorded,
 * so that `/_sim/stats` can tell the highest number that arrived within any one second.
 */
export class SimRateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly arrivals = new Map<string, number[]>();
  private readonly peaks = new Map<string, number>();
  requests = 0;
  throttled = 0;

  constructor(public perSecond: number) {}

  /** Records the arrival and takes a token; false when the bucket is empty. */
  take(key: string, now: number): boolean {
    this.requests += 1;
    const times = this.arrivals.get(key) ?? [];
    times.push(now);
    while (times.length > 0 && (times[0] ?? 0) <= now - 1000) times.shift();
    this.arrivals.set(key, times);
    this.peaks.set(key, Math.max(this.peaks.get(key) ?? 0, times.length));
    const b = this.buckets.get(key) ?? { tokens: this.perSecond, at: now };
    b.tokens = Math.min(this.perSecond, b.tokens + ((now - b.at) * this.perSecond) / 1000);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) {
      this.throttled += 1;
      return false;
    }
    b.tokens -= 1;
    return true;
  }

  /** `{requests, throttled, maxPerSecond, byKey: {tenant: maxPerSecond}}` (app keys are not shown). */
  stats(): Record<string, unknown> {
    const byTenant: Record<string, number> = {};
    for (const [key, peak] of this.peaks) {
      const tenant = key.split('|')[1] ?? key;
      byTenant[tenant] = Math.max(byTenant[tenant] ?? 0, peak);
    }
    return {
      requests: this.requests,
      throttled: this.throttled,
      limitPerSecond: this.perSecond,
      maxPerSecond: Math.max(0, ...this.peaks.values()),
      maxPerSecondByTenant: byTenant,
    };
  }

  reset(): void {
    this.buckets.clear();
    this.arrivals.clear();
    this.peaks.clear();
    this.requests = 0;
    this.throttled = 0;
  }
}
