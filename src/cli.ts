import { Command, CommanderError, Option } from 'commander';
import chalk from 'chalk';
import { defaultConfigPath } from './config/load.js';
import { checkConfigPath } from './config/paths.js';
import { ConfigError, isMlcError, toMlcError } from './errors.js';
import { EXIT } from './exit.js';
import { tuneHeap } from './heap.js';
import { redact, redactValue } from './http/redact.js';
import { createLogger, quietRetries } from './log.js';
import { openRuntime, type Runtime } from './runtime.js';
import { runAuditFailures, runAuditList, runAuditShow } from './commands/audit.js';
import { HELP_AFTER, VERSION } from './commands/meta.js';
import { registerTools } from './commands/tools.js';
import { runPing } from './commands/ping.js';
import { DEFAULT_RECONCILE_DAYS, runReconcile } from './commands/reconcile.js';
import { runReplay } from './commands/replay.js';
import { runStatus } from './commands/status.js';
import { exitCodeOf, runSync } from './commands/sync.js';
import {
  checkFlows,
  checkPairs,
  choices,
  collectList,
  parseDuration,
  parseTime,
  positiveInt,
  usageError,
} from './commands/usage.js';
import {
  envelope,
  errorClass,
  renderAuditList,
  renderAuditShow,
  renderFailures,
  renderPing,
  renderReconcile,
  renderReplay,
  renderStatus,
  renderSync,
} from './output.js';

interface Globals {
  config?: string;
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  isTty: boolean;
  /** Standard input, read whole (for `mlc secret set`). */
  stdin?: () => Promise<string>;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
  isTty: Boolean(process.stdout.isTTY),
};

/**
 * The command line: commander wiring, and the one place that prints results and errors and picks
 * exit codes. Every command returns data: under `--json` it is printed as one envelope
 * (schemas/envelope.schema.json) on stdout, otherwise rendered short. Results go to stdout; errors,
 * warnings and logs to stderr.
 */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  let printed = false;
  const args = argv.slice(2);
  const wantsJson = (): boolean => Boolean(program.opts<Globals>().json) || args.includes('--json');
  const colorWanted = !args.includes('--no-color') && !io.env.NO_COLOR && io.isTty && io.env.TERM !== 'dumb';
  const restoreColor = chalk.level;
  chalk.level = colorWanted ? restoreColor || 1 : 0;
  const program = new Command('mlc');
  program
    .description(
      'mlc keeps purchase orders, bills, vendors, GL accounts and cost centers in step between an ERP and a work system',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .option('-c, --config <file>', 'config file (default: $MLC_CONFIG or ./mlc.yaml)')
    .option('--json', 'print one JSON envelope on stdout: {ok, command, exitCode, data, error}')
    .option('-v, --verbose', 'say more: per-flow counts on success, retries and debug logs on stderr')
    .option('--no-color', 'no colours (also NO_COLOR=1, or when stdout is not a terminal)')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: () => {} })
    .addHelpText('after', HELP_AFTER);

  let current = 'mlc';
  program.hook('preAction', (_program, action) => {
    current = commandName(action);
  });
  const globals = (cmd: Command): Globals => cmd.optsWithGlobals<Globals>();
  const commandName = (cmd: Command): string => {
    const names: string[] = [];
    for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
    return names.join(' ');
  };
  /** Prints a command's result: the envelope under --json, else the human text (stdout) and problems (stderr). */
  const finish = (
    cmd: Command,
    data: unknown,
    code: number,
    human: () => string | { out?: string; err?: string },
  ): void => {
    const g = globals(cmd);
    exitCode = code;
    printed = true;
    if (g.json) {
      io.out(`${redact(JSON.stringify(redactValue(envelope(commandName(cmd), code, data)), null, 2))}\n`);
      return;
    }
    const text = human();
    const parts = typeof text === 'string' ? { out: text } : text;
    if (parts.out) io.out(`${redact(parts.out)}\n`);
    if (parts.err) io.err(`${redact(parts.err)}\n`);
  };
  const logger = (g: Globals) =>
    quietRetries(
      createLogger(
        { verbose: Boolean(g.verbose) || io.env.MLC_LOG === 'debug', json: Boolean(g.json) },
        io.err,
      ),
    );
  const configPath = (g: Globals): string => {
    const path = defaultConfigPath(g.config, io.env);
    checkConfigPath(path);
    return path;
  };
  const withRuntime = async <T>(cmd: Command, fn: (rt: Runtime, g: Globals) => Promise<T>): Promise<T> => {
    const g = globals(cmd);
    const rt = await openRuntime(configPath(g), logger(g), io.env);
    try {
      return await fn(rt, g);
    } finally {
      rt.close();
    }
  };

  program
    .command('ping')
    .description(
      'test credentials, reachability, server version, and the tables/fields/coalesce keys the flows need',
    )
    .argument('[connections...]', 'connection names (default: all)')
    .action(async (names: string[], _o, cmd: Command) => {
      await withRuntime(cmd, async (rt, g) => {
        const known = Object.keys(rt.config.connections);
        for (const n of names)
          if (!known.includes(n))
            throw usageError(
              `no connection named "${n}" in ${rt.config.file}`,
              'unknown_connection',
              choices('connections', n, known),
            );
        const result = await runPing(rt, names);
        finish(cmd, result, result.exitCode, () => renderPing(result, Boolean(g.verbose)));
      });
    });

  program
    .command('sync')
    .description('run one incremental pass of a pair instance (for cron); quiet when all is well')
    .argument('[pair]', 'pair instance name from the config, e.g. odoo-servicenow or acme-us')
    .option('--all', 'every pair instance in the config, one after the other')
    .option('--dry-run', 'read, map and check; write nothing; show what would be written')
    .option('--full', 're-read from the beginning (idempotent: unchanged records are not re-written)')
    .option('--flow <names>', 'only these flows (comma-separated, or repeat --flow)', collectList)
    .action(
      async (
        pair: string | undefined,
        o: { all?: boolean; dryRun?: boolean; full?: boolean; flow?: string[] },
        cmd: Command,
      ) => {
        await withRuntime(cmd, async (rt, g) => {
          if (o.all && pair)
            throw usageError(`name a pair or pass --all, not both (got "${pair}" and --all)`, 'pair_and_all');
          const pairs = o.all ? Object.keys(rt.config.pairs) : pair ? [pair] : [];
          if (pairs.length === 0) {
            throw usageError(
              o.all ? `no pairs configured in ${rt.config.file}` : 'name a pair instance, or pass --all',
              'no_pair',
              `configured pairs: ${Object.keys(rt.config.pairs).join(', ') || '(none)'}`,
            );
          }
          checkPairs(rt.config, pairs);
          checkFlows(rt.config, pairs, o.flow);
          const progress = io.isTty && !g.json ? (line: string) => io.err(`\r\x1b[2K${line}`) : undefined;
          tuneHeap();
          const result = await runSync(rt, {
            pairs,
            dryRun: Boolean(o.dryRun),
            full: Boolean(o.full),
            flows: o.flow,
            onProgress: progress,
          });
          if (progress) io.err('\r\x1b[2K');
          finish(cmd, result, result.exitCode, () =>
            renderSync(result, Boolean(g.verbose) || io.isTty || Boolean(o.dryRun)),
          );
        });
      },
    );

  program
    .command('status')
    .description('per pair instance: last run, outcome and age, open failures, lock holder')
    .argument('[pairs...]', 'pair instance names (default: all configured)')
    .option(
      '--max-age <duration>',
      'a pair whose last good pass is older than this is stale (e.g. 30m, 2h)',
      '1h',
    )
    .action(async (names: string[], o: { maxAge: string }, cmd: Command) => {
      await withRuntime(cmd, async (rt) => {
        checkPairs(rt.config, names);
        const maxAgeMs = parseDuration(o.maxAge, '--max-age');
        const result = runStatus(rt, names, maxAgeMs);
        finish(cmd, result, result.exitCode, () => renderStatus(result));
      });
    });

  const audit = program
    .command('audit')
    .description('what happened to each record: list, show one, group failures')
    .option('--pair <pair>', 'pair instance name')
    .option('--flow <flow>')
    .addOption(new Option('--outcome <outcome>').choices(['written', 'unchanged', 'failed', 'skipped']))
    .option('--since <time>', 'a duration back (30m, 2h, 3d), an ISO time with zone, or a local time')
    .option('--until <time>', 'same forms as --since')
    .option('--source-id <id>', 'source id or reference (e.g. P00012)')
    .option('--limit <n>', 'at most this many rows', '100')
    .action(
      async (
        o: {
          pair?: string;
          flow?: string;
          outcome?: string;
          since?: string;
          until?: string;
          sourceId?: string;
          limit: string;
        },
        cmd: Command,
      ) => {
        const filter = {
          pair: o.pair,
          flow: o.flow,
          outcome: o.outcome,
          since: o.since === undefined ? undefined : parseTime(o.since, '--since'),
          until: o.until === undefined ? undefined : parseTime(o.until, '--until'),
          sourceId: o.sourceId,
          limit: positiveInt(o.limit, '--limit'),
        };
        await withRuntime(cmd, async (rt) => {
          const entries = runAuditList(rt, filter);
          finish(cmd, { entries }, EXIT.ok, () => renderAuditList(entries));
        });
      },
    );
  audit
    .command('show')
    .description('one entry: what was read, sent, answered, and why it failed')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      const n = positiveInt(id, 'audit id');
      await withRuntime(cmd, async (rt) => {
        const detail = runAuditShow(rt, n);
        finish(cmd, detail, EXIT.ok, () => renderAuditShow(detail));
      });
    });
  audit
    .command('failures')
    .description('records whose latest outcome is a failure (exit 3 when there are any)')
    .addOption(new Option('--group-by <what>').choices(['cause']).default('cause'))
    .option('--pair <pair>')
    .action(async (o: { pair?: string }, cmd: Command) => {
      await withRuntime(cmd, async (rt) => {
        const groups = runAuditFailures(rt, o.pair ?? (cmd.parent?.opts() as { pair?: string }).pair);
        finish(cmd, { groups }, groups.length > 0 ? EXIT.failedRecords : EXIT.ok, () =>
          renderFailures(groups),
        );
      });
    });

  program
    .command('replay')
    .description('re-send audited records once the cause is fixed (idempotent: never a duplicate)')
    .argument('[ids...]', 'audit entry ids')
    .option('--failed', 'every record whose latest outcome is a failure')
    .option('--pair <pair>', 'with --failed: only this pair instance')
    .option('--dry-run', 'show what would change; write nothing')
    .action(async (ids: string[], o: { failed?: boolean; pair?: string; dryRun?: boolean }, cmd: Command) => {
      if (!o.failed && ids.length === 0)
        throw usageError(
          'name audit ids to replay, or pass --failed',
          'replay',
          'mlc audit failures lists them',
        );
      if (o.failed && ids.length > 0) throw usageError('name audit ids or pass --failed, not both', 'replay');
      const numbers = ids.map((i) => positiveInt(i, 'audit id'));
      await withRuntime(cmd, async (rt) => {
        if (o.pair) checkPairs(rt.config, [o.pair]);
        tuneHeap();
        const result = await runReplay(rt, {
          ids: numbers,
          failed: Boolean(o.failed),
          pair: o.pair,
          dryRun: Boolean(o.dryRun),
        });
        finish(cmd, result, result.exitCode, () => renderReplay(result));
      });
    });

  program
    .command('setup')
    .description('create or check the staging tables, columns and transform maps the flows need (servicenow)')
    .argument('<system>', 'the system to set up: servicenow')
    .argument('[pairs...]', 'pair instance names (default: every pair writing to it)')
    .option('--dry-run', 'list what would be created or changed; change nothing')
    .option('--force', 'also change transform maps mlc did not create')
    .action(
      async (system: string, pairs: string[], o: { dryRun?: boolean; force?: boolean }, cmd: Command) => {
        await withRuntime(cmd, async (rt) => {
          checkPairs(rt.config, pairs);
          const { runSetup, renderSetup } = await import('./commands/setup.js');
          const result = await runSetup(rt, system, pairs, {
            dryRun: Boolean(o.dryRun),
            force: Boolean(o.force),
          });
          finish(cmd, result, result.exitCode, () => renderSetup(result));
        });
      },
    );

  program
    .command('reconcile')
    .description(
      'compare source and target over a period: counts, money totals, and each record that differs',
    )
    .argument('<pair>', 'pair instance name from the config')
    .option(
      '--since <time>',
      `a duration back from now, an ISO time, or a local time (default: ${DEFAULT_RECONCILE_DAYS}d)`,
    )
    .option('--until <time>', 'a duration back from now, an ISO time, or a local time (default: now)')
    .option('--flow <names>', 'only these flows (comma-separated, or repeat --flow)', collectList)
    .option(
      '--repair',
      'send the missing and different records through the normal record path (audited, idempotent)',
    )
    .action(
      async (
        pair: string,
        o: { since?: string; until?: string; flow?: string[]; repair?: boolean },
        cmd: Command,
      ) => {
        const since = new Date(parseTime(o.since ?? `${DEFAULT_RECONCILE_DAYS}d`, '--since'));
        const until = o.until === undefined ? new Date() : new Date(parseTime(o.until, '--until'));
        await withRuntime(cmd, async (rt) => {
          checkPairs(rt.config, [pair]);
          checkFlows(rt.config, [pair], o.flow);
          tuneHeap();
          const result = await runReconcile(rt, {
            pair,
            since,
            until,
            repair: Boolean(o.repair),
            flows: o.flow,
          });
          finish(cmd, result, result.exitCode, () => renderReconcile(result));
        });
      },
    );

  program
    .command('serve')
    .description(
      'receive the webhooks of a pair instance until stopped (SIGINT/SIGTERM); TLS belongs to a reverse proxy',
    )
    .argument('<pair>', 'pair instance name from the config')
    .option('--port <n>', 'listen on this port instead of serve.port')
    .option('--host <address>', 'listen on this address instead of serve.host (default 127.0.0.1)')
    .action(async (pair: string, o: { port?: string; host?: string }, cmd: Command) => {
      const port = o.port === undefined ? undefined : positiveInt(o.port, '--port');
      await withRuntime(cmd, async (rt) => {
        checkPairs(rt.config, [pair]);
        const { runServe } = await import('./commands/serve.js');
        const served = await runServe(rt, pair, {
          ...(port === undefined ? {} : { port }),
          ...(o.host === undefined ? {} : { host: o.host }),
        });
        io.err(`mlc serve ${pair}: listening on ${served.receiver.url}\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await served.close();
        finish(cmd, { pair, stats: served.receiver.stats() }, EXIT.ok, () => '');
      });
    });

  registerTools(program, { io, globals, finish, configPath, printed: () => (printed = true) });

  try {
    await program.parseAsync(argv);
    if (!printed && program.args.length === 0 && args.filter((a) => !a.startsWith('-')).length === 0) {
      // `mlc` alone: the help, on stderr, as a usage error.
      io.err(program.helpInformation());
      return EXIT.config;
    }
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      if (err.code === 'commander.help') return EXIT.config;
      const message = err.message.replace(/^error: /, '');
      const unknown = /unknown command '([^']+)'/.exec(message)?.[1];
      const names = program.commands.map((c) => c.name());
      const hint = unknown ? choices('commands', unknown, names) : 'run mlc --help, or mlc <command> --help';
      return reportError(new ConfigError(message, { code: err.code, hint }), wantsJson(), io, 'mlc');
    }
    return reportError(err, wantsJson(), io, current);
  } finally {
    chalk.level = restoreColor;
  }
}

/** Prints an error: the envelope on stdout under --json, else one paragraph on stderr. */
function reportError(err: unknown, json: boolean, io: Io, command: string): number {
  const e = toMlcError(err);
  const code = exitCodeOf(e);
  if (json) {
    io.out(`${redact(JSON.stringify(envelope(command, code, null, e), null, 2))}\n`);
  } else {
    io.err(
      `${chalk.red(`mlc: ${errorClass(e)} error:`)} ${redact(e.message)}${e.hint ? `\n  hint: ${redact(e.hint)}` : ''}\n`,
    );
    if (e.kind === 'internal' && !isMlcError(err) && err instanceof Error && err.stack)
      io.err(`${redact(err.stack)}\n`);
  }
  return code;
}

export type { Io };
