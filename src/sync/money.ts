/**
 * Exact decimal sums for reconcile totals: amounts are added as scaled integers (six decimals), never
 * as floats, so 10,000 amounts of 0.10 add up to exactly 1000.00.
 */
const SCALE = 6;
const FACTOR = 10n ** BigInt(SCALE);

export function toUnits(amount: string | number): bigint {
  const text = typeof amount === 'number' ? amount.toFixed(SCALE) : amount.trim();
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === ''))
    throw new TypeError(`not a decimal amount: ${JSON.stringify(amount)}`);
  const whole = BigInt(m[2] || '0');
  const frac = BigInt(((m[3] ?? '') + '0'.repeat(SCALE)).slice(0, SCALE));
  const units = whole * FACTOR + frac;
  return m[1] ? -units : units;
}

export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / FACTOR;
  const frac = (abs % FACTOR).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac.length < 2 ? `.${frac.padEnd(2, '0')}` : `.${frac}`}`;
}
