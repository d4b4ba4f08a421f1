/** Edit distance (insertions, deletions, substitutions, and swaps of two neighbours). */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate nearest to a mistyped name, when it is near enough to be a likely typo (at most a
 * third of the name's length in edits, and at least one) or the one candidate that starts with it.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const dist = distance(lower, c.toLowerCase());
    if (!best || dist < best.d) best = { c, d: dist };
  }
  if (best && best.d <= Math.max(1, Math.floor(name.length / 3))) return best.c;
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(lower) && lower.length > 0);
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
