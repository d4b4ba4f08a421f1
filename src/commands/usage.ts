import { closest } from '../config/closest.js';
import type { LoadedConfig, PairInstance } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { loadedPair } from '../pairs/registry.js';
import { silentLogger } from '../systems/types.js';

/**
 * Checks of the command line made before anything connects or writes. Every one throws a usage
 * error (a ConfigError whose code starts with `usage.`): exit code 2, reported as a usage error.
 */
export function usageError(message: string, code: string, hint?: string): ConfigError {
  return new ConfigError(message, { code: `usage.${code}`, ...(hint === undefined ? {} : { hint }) });
}

export function isUsageCode(code: string): boolean {
  return code.startsWith('usage.') || code.startsWith('commander.');
}

/** "valid: a, b, c; did you mean b?" */
export function choices(what: string, name: string, valid: readonly string[]): string {
  const near = closest(name, valid);
  return `${near ? `did you mean ${near}? ` : ''}${what}: ${valid.join(', ') || '(none)'}`;
}

/** The pair instances a sync, replay or status names, each checked against the config. */
export function checkPairs(config: LoadedConfig, names: readonly string[]): void {
  const valid = Object.keys(config.pairs);
  for (const name of names) {
    if (config.pairs[name]) continue;
    throw usageError(
      `no pair named "${name}" in ${config.file}`,
      'unknown_pair',
      choices('configured pairs', name, valid),
    );
  }
}

/**
 * The flows of a configured instance, by name. The pair's flows are built with stand-in clients
 * that are never called: building a flow list makes no request.
 */
export function flowNames(instance: PairInstance): string[] | undefined {
  const def = loadedPair(instance.type);
  if (!def) return undefined;
  const never = new Proxy(
    {},
    {
      get: () => {
        throw new Error('not connected');
      },
    },
  );
  try {
    return def
      .build({
        name: 'check',
        options: instance as never,
        source: never,
        target: never,
        store: never as never,
        log: silentLogger,
      })
      .flows.map((f) => f.name);
  } catch {
    return undefined;
  }
}

/** Every `--flow` name must be a flow of at least one of the pairs the command runs. */
export function checkFlows(
  config: LoadedConfig,
  pairs: readonly string[],
  flows: readonly string[] | undefined,
): void {
  if (!flows || flows.length === 0) return;
  const known = new Set<string>();
  for (const p of pairs) {
    const instance = config.pairs[p];
    const names = instance ? flowNames(instance) : undefined;
    if (!names) return;
    for (const n of names) known.add(n);
  }
  for (const f of flows) {
    if (known.has(f)) continue;
    throw usageError(
      `no flow named "${f}" in ${pairs.join(', ')}`,
      'unknown_flow',
      choices('flows', f, [...known]),
    );
  }
}

/** `--flow a,b --flow c` → [a, b, c]. */
export function collectList(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

const UNITS = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 } as const;

/**
 * A point in time from the command line, as an ISO UTC string:
 * - a duration back from now: `30m`, `2h`, `3d`, `1w` (also `90s`);
 * - an ISO time with a zone: `2026-03-01T10:00:00Z`, `2026-03-01T10:00+01:00`;
 * - a local time (this machine's zone): `2026-03-01`, `2026-03-01 10:00`, `2026-03-01T10:00:05`.
 */
export function parseTime(value: string, flag: string, now = Date.now()): string {
  const v = value.trim();
  const dur = /^(\d+)\s*([smhdw])$/.exec(v);
  if (dur) return new Date(now - Number(dur[1]) * UNITS[dur[2] as keyof typeof UNITS]).toISOString();
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (m) {
    const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
    const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
    const ms = frac ? Math.round(Number(frac) * 1000) : 0;
    let date: Date;
    if (zone) {
      date = new Date(
        `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`,
      );
    } else {
      date = new Date(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], ms);
    }
    const check = zone ? null : date;
    const valid =
      !Number.isNaN(date.getTime()) &&
      (check === null ||
        (check.getFullYear() === parts[0] &&
          check.getMonth() === parts[1] &&
          check.getDate() === parts[2] &&
          check.getHours() === parts[3])) &&
      parts[1] < 12 &&
      parts[3] < 24 &&
      parts[4] < 60 &&
      parts[5] < 60;
    if (valid) return date.toISOString();
  }
  throw usageError(
    `${flag} ${JSON.stringify(value)} is not a time`,
    'bad_time',
    'use a duration back from now (30m, 2h, 3d, 1w), an ISO time with its zone (2026-03-01T10:00:00Z, 2026-03-01T10:00+01:00), or a local time (2026-03-01, 2026-03-01 10:00)',
  );
}

export function positiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1)
    throw usageError(`${what} must be a positive whole number, got "${value}"`, 'bad_number');
  return n;
}

export function nonNegativeInt(value: string, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 0)
    throw usageError(`${what} must be a whole number >= 0, got "${value}"`, 'bad_number');
  return n;
}

/** `30m`, `2h`, `3d`, `1w` (or `90s`) in milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (!m || Number(m[1]) === 0)
    throw usageError(
      `${flag} ${JSON.stringify(value)} is not a duration`,
      'bad_duration',
      'e.g. 30m, 2h, 3d, 1w',
    );
  return Number(m[1]) * UNITS[m[2] as keyof typeof UNITS];
}
