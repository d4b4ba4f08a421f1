import { redact } from './http/redact.js';
import type { Logger } from './systems/types.js';

/** Logs go to stderr, one line each, redacted; debug lines only with --verbose or MLC_LOG=debug. */
export function createLogger(
  options: { verbose: boolean; json: boolean },
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const emit = (level: string, message: string, data?: Record<string, unknown>): void => {
    if (options.json) {
      write(`${redact(JSON.stringify({ level, time: new Date().toISOString(), message, ...data }))}\n`);
    } else {
      write(`${redact(`mlc ${level}: ${message}${data ? ` ${JSON.stringify(data)}` : ''}`)}\n`);
    }
  };
  return {
    debug: (m, d) => {
      if (options.verbose) emit('debug', m, d);
    },
    info: (m, d) => {
      if (options.verbose) emit('info', m, d);
    },
    warn: (m, d) => emit('warn', m, d),
  };
}
