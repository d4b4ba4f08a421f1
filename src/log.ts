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

/**
 * A logger for clients and the engine in which retry notices and a flow's stop notice are debug
 * lines: the command reports a stop once, in its result; retries show with --verbose only.
 */
export function quietRetries(log: Logger): Logger {
  const routine = (m: string): boolean => /\bretry(ing)?\b/i.test(m) || /^[\w-]+\/[\w-]+ stopped: /.test(m);
  return {
    debug: (m, d) => log.debug(m, d),
    info: (m, d) => log.info(m, d),
    warn: (m, d) => (routine(m) ? log.debug(m, d) : log.warn(m, d)),
  };
}
