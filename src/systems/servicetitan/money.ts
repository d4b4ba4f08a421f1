/**
 * Money as exact decimal strings. ServiceTitan's accounting module sends decimals as strings
 * (`"total": "125.50"`), CRM and inventory as JSON numbers (`"total": 125.5`); both are read into the
 * same canonical decimal string, never through a binary float. JSON numbers are turned into strings
 * in the raw response text before `JSON.parse` (see `quoteMoneyNumbers`), so even a value with more
 * digits than a double holds arrives exactly as the server wrote it.
 *
 * The canonical form: optional `-`, integer digits without leading zeros, and a fraction of at least
 * two digits (trailing zeros beyond two removed): `125.5` → `"125.50"`, `"0.125"` → `"0.125"`.
 */
export type Money = string;

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses a money value from the wire (decimal string or JSON number already quoted); throws on anything else. */
export function parseMoney(value: unknown): Money {
  if (typeof value === 'number') {
    // Only reached for numbers that did not pass through quoteMoneyNumbers (e.g. a caller's literal).
    if (!Number.isFinite(value)) throw new TypeError(`not a money amount: ${String(value)}`);
    return parseMoney(String(value));
  }
  if (typeof value !== 'string') throw new TypeError(`not a money amount: ${JSON.stringify(value)}`);
  const m = DECIMAL.exec(value.trim());
  if (!m) throw new TypeError(`not a money amount: ${JSON.stringify(value)}`);
  const [, sign = '', intPart = '0', frac = '', exp] = m;
  let digits = intPart + frac;
  let point = intPart.length + (exp === undefined ? 0 : Number(exp));
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  let whole = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  let fraction = digits.slice(point).replace(/0+$/, '');
  if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
  if (whole === '') whole = '0';
  const zero = /^0+$/.test(whole + fraction);
  return `${sign === '-' && !zero ? '-' : ''}${whole}.${fraction}`;
}

/** Optional money: null/undefined stay null. */
export function parseMoneyOrNull(value: unknown): Money | null {
  return value === null || value === undefined || value === '' ? null : parseMoney(value);
}

/** Scaled integer of a money string: `toUnits("12.345", 3)` = 12345n. Throws if digits would be lost. */
export function toUnits(money: Money, scale = 2): bigint {
  const m = /^(-)?(\d+)\.(\d+)$/.exec(parseMoney(money));
  if (!m) throw new TypeError(`not a money amount: ${money}`);
  const [, sign, whole = '0', frac = ''] = m;
  if (frac.replace(/0+$/, '').length > scale)
    throw new RangeError(`${money} has more than ${scale} decimal places`);
  const units = BigInt(whole + frac.padEnd(scale, '0').slice(0, scale));
  return sign ? -units : units;
}

/** Integer cents (exact; throws when the amount has fractions of a cent). */
export function toCents(money: Money): bigint {
  return toUnits(money, 2);
}

/** The money string of a scaled integer. */
export function fromUnits(units: bigint, scale = 2): Money {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return parseMoney(`${negative ? '-' : ''}${text}`);
}

/** Exact sum of money strings (any number of decimal places). */
export function sumMoney(values: readonly Money[]): Money {
  const scale = Math.max(2, ...values.map((v) => parseMoney(v).split('.')[1]?.length ?? 0));
  return fromUnits(
    values.reduce((acc, v) => acc + toUnits(v, scale), 0n),
    scale,
  );
}

/** Exact product of a quantity and a unit price, rounded half away from zero to `scale` places. */
export function multiplyMoney(quantity: Money, price: Money, scale = 2): Money {
  const qs = parseMoney(quantity).split('.')[1]?.length ?? 2;
  const ps = parseMoney(price).split('.')[1]?.length ?? 2;
  const raw = toUnits(quantity, qs) * toUnits(price, ps);
  const drop = qs + ps - scale;
  if (drop <= 0) return fromUnits(raw * 10n ** BigInt(-drop), scale);
  const div = 10n ** BigInt(drop);
  const half = div / 2n;
  const rounded = raw >= 0n ? (raw + half) / div : -((-raw + half) / div);
  return fromUnits(rounded, scale);
}

/**
 * JSON number for a request body. ServiceTitan's write models declare decimals as numbers; a
 * decimal string of at most 15 significant digits round-trips through a double exactly, so the
 * number sent prints as the same decimal. Longer amounts are refused rather than silently rounded.
 */
export function moneyToJsonNumber(money: Money): number {
  const canonical = parseMoney(money);
  const significant = canonical.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  if (significant.length > 15)
    throw new RangeError(`${canonical} has more significant digits than a JSON number carries exactly`);
  return Number(canonical);
}

/**
 * Rewrites the JSON numbers of the named keys into strings in raw JSON text, so that `JSON.parse`
 * never turns a money amount into a binary float. A key can only be matched where it is a real key:
 * inside a JSON string every `"` is escaped, so `{` or `,` followed by an unescaped `"key":` cannot
 * occur there.
 */
export function quoteMoneyNumbers(text: string, keys: readonly string[]): string {
  if (keys.length === 0) return text;
  const re = moneyKeyPattern(keys);
  return text.replace(re, (_all, head: string, num: string) => `${head}"${num}"`);
}

const patterns = new Map<string, RegExp>();
function moneyKeyPattern(keys: readonly string[]): RegExp {
  const id = keys.join('|');
  let re = patterns.get(id);
  if (!re) {
    const names = keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    re = new RegExp(`([{,]\\s*"(?:${names})"\\s*:\\s*)(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`, 'g');
    patterns.set(id, re);
  }
  re.lastIndex = 0;
  return re;
}
