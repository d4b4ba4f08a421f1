/**
 * The simulator's own exact money arithmetic on decimal strings (integer cents through BigInt), kept
 * apart from the client's so that a bug in one cannot hide in the other.
 */
/** Cents of a decimal string, rounded half away from zero past two places. */
export function cents(text: string): bigint {
  const s = text.trim();
  const [w = '0', f = ''] = s.replace('-', '').split('.');
  let v = BigInt((w || '0') + f.padEnd(2, '0').slice(0, 2));
  if ((f[2] ?? '0') >= '5') v += 1n;
  return s.startsWith('-') ? -v : v;
}
/** Decimal string of cents. */
export function money(c: bigint): string {
  const neg = c < 0n;
  const d = (neg ? -c : c).toString().padStart(3, '0');
  return `${neg ? '-' : ''}${d.slice(0, -2)}.${d.slice(-2)}`;
}
/** quantity × cost rounded half up to cents, exactly (quantities with up to 4 places). */
export function lineTotal(quantity: string, cost: string): string {
  const [qw = '0', qf = ''] = quantity.split('.');
  const q = BigInt(qw + qf.padEnd(4, '0').slice(0, 4));
  const raw = q * cents(cost);
  return money((raw + 5000n) / 10000n);
}
/** Exact sum. */
export function addMoney(values: string[]): string {
  return money(values.reduce((a, v) => a + cents(v), 0n));
}
