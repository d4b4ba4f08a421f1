/**
 * Per-connection limiter: at most `concurrency` calls in flight and, when `perMinute` is set, at most
 * that many calls started in any sliding 60 s window.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly starts: number[] = [];

  constructor(
    readonly concurrency: number,
    readonly perMinute?: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.active >= this.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    if (this.perMinute !== undefined) {
      for (;;) {
        const now = Date.now();
        while (this.starts.length > 0 && (this.starts[0] ?? 0) <= now - 60_000) this.starts.shift();
        if (this.starts.length < this.perMinute) break;
        await new Promise((r) => setTimeout(r, (this.starts[0] ?? now) + 60_000 - now + 1));
      }
      this.starts.push(Date.now());
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight, preserving result order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  });
  await Promise.all(workers);
  return results;
}
