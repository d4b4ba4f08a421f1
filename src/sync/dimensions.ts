import type { Dimensions } from './types.js';

/** How a target system compares dimension keys: each system says (ServiceNow ignores case, Odoo does not). */
export type KeyNormaliser = (key: string) => string;

/** Keys as they are, but for surrounding spaces: the default for systems whose look-ups are exact. */
export const exactKey: KeyNormaliser = (key) => key.trim();

/**
 * Target-side dimension sets, each loaded lazily once per pass (or replay) and extended by earlier
 * flows' writes (a supplier created in this pass counts). Keys are compared the way the target system
 * compares them.
 */
export class LazyDimensions implements Dimensions {
  private readonly loaded = new Map<string, Promise<Map<string, string>>>();

  constructor(
    private readonly loaders: Record<string, () => Promise<Map<string, string>>>,
    private readonly normalise: KeyNormaliser = exactKey,
  ) {}

  private set(kind: string): Promise<Map<string, string>> {
    let p = this.loaded.get(kind);
    if (!p) {
      const loader = this.loaders[kind];
      if (!loader) throw new Error(`no loader for dimension ${kind}`);
      p = loader().then((m) => new Map([...m].map(([k, v]) => [this.normalise(k), v])));
      this.loaded.set(kind, p);
    }
    return p;
  }

  async has(kind: string, key: string): Promise<boolean> {
    return (await this.set(kind)).has(this.normalise(key));
  }

  async get(kind: string, key: string): Promise<string | undefined> {
    return (await this.set(kind)).get(this.normalise(key));
  }

  add(kind: string, key: string, targetId: string): void {
    const p = this.loaded.get(kind) ?? this.set(kind);
    this.loaded.set(
      kind,
      p.then((m) => m.set(this.normalise(key), targetId)),
    );
  }
}
