import { Command, CommanderError, Option } from 'commander';
import chalk from 'chalk';
import { defaultConfigPath } from './config/load.js';
import { ConfigError, isMlcError, toMlcError } from './errors.js';
import { EXIT } from './exit.js';
import { tuneHeap } from './heap.js';
import { redact, redactValue } from './http/redact.js';
import { createLogger } from './log.js';
import { openRuntime, type Runtime } from './runtime.js';
import { parseSince, runAuditFailures, runAuditList, runAuditShow } from './commands/audit.js';
import { runPing } from './commands/ping.js';
import { runReplay } from './commands/replay.js';
import { openSecretStore, readStdin } from './commands/secret.js';
import { runSync } from './commands/sync.js';
import { exitCodeOf } from './commands/sync.js';
import {
  renderAuditList,
  renderAuditShow,
  renderFailures,
  renderPing,
  renderReplay,
  renderSync,
} from './output.js';

interface Globals {
  config?: string;
  json?: boolean;
  verbose?: boolean;
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
 * The command line: commander wiring, and the one place that prints errors and picks exit codes.
 * Every command returns data; `--json` prints it as JSON, otherwise it is rendered short.
 */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('mlc');
  program
    .description(
      'mlc keeps purchase orders, bills, vendors, GL accounts and cost centers in step between an ERP and a work system',
    )
    .version('0.1.0')
    .option('-c, --config <file>', 'config file (default: $MLC_CONFIG or ./mlc.yaml)')
    .option('--json', 'print results as JSON')
    .option('-v, --verbose', 'say more: per-flow counts on success, debug logs on stderr')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run mlc --help for usage)');

  const globals = (cmd: Command): Globals => cmd.optsWithGlobals<Globals>();
  const print = (g: Globals, data: unknown, human: () => string): void => {
    if (g.json) io.out(`${redact(JSON.stringify(redactValue(data), null, 2))}\n`);
    else {
      const text = human();
      if (text) io.out(`${redact(text)}\n`);
    }
  };
  const withRuntime = async <T>(cmd: Command, fn: (rt: Runtime, g: Globals) => Promise<T>): Promise<T> => {
    const g = globals(cmd);
    const log = createLogger(
      { verbose: Boolean(g.verbose) || io.env.MLC_LOG === 'debug', json: Boolean(g.json) },
      io.err,
    );
    const rt = openRuntime(defaultConfigPath(g.config, io.env), log, io.env);
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
        const result = await runPing(rt, names);
        print(g, result, () => renderPing(result));
        exitCode = result.exitCode;
      });
    });

  program
    .command('sync')
    .description('run one incremental pass of a pair (for cron)')
    .argument('[pair]', 'pair name, e.g. odoo-servicenow')
    .option('--all', 'every pair in the config, one after the other')
    .option('--dry-run', 'read, map and check; write nothing; show what would be written')
    .option('--full', 're-read from the beginning (idempotent: unchanged records are not re-written)')
    .option('--flow <names...>', 'only these flows')
    .action(
      async (
        pair: string | undefined,
        o: { all?: boolean; dryRun?: boolean; full?: boolean; flow?: string[] },
        cmd: Command,
      ) => {
        await withRuntime(cmd, async (rt, g) => {
          const pairs = o.all ? Object.keys(rt.config.pairs) : pair ? [pair] : [];
          if (pairs.length === 0) {
            throw new ConfigError(
              o.all ? `no pairs configured in ${rt.config.file}` : 'name a pair, or pass --all',
              {
                code: 'usage.no_pair',
                hint: `configured pairs: ${Object.keys(rt.config.pairs).join(', ') || '(none)'}`,
              },
            );
          }
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
          print(g, result, () => renderSync(result, Boolean(g.verbose) || io.isTty || Boolean(o.dryRun)));
          exitCode = result.exitCode;
        });
      },
    );

  const audit = program
    .command('audit')
    .description('what happened to each record: list, show one, group failures')
    .option('--pair <pair>')
    .option('--flow <flow>')
    .addOption(new Option('--outcome <outcome>').choices(['written', 'unchanged', 'failed', 'skipped']))
    .option('--since <time>', 'ISO time or a duration back from now (30m, 2h, 7d)')
    .option('--until <time>')
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
        await withRuntime(cmd, async (rt, g) => {
          const entries = runAuditList(rt, {
            pair: o.pair,
            flow: o.flow,
            outcome: o.outcome,
            since: parseSince(o.since),
            until: parseSince(o.until),
            sourceId: o.sourceId,
            limit: positiveInt(o.limit, '--limit'),
          });
          print(g, entries, () => renderAuditList(entries));
        });
      },
    );
  audit
    .command('show')
    .description('one entry: what was read, sent, answered, and why it failed')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      await withRuntime(cmd, async (rt, g) => {
        const detail = runAuditShow(rt, positiveInt(id, 'audit id'));
        print(g, detail, () => renderAuditShow(detail));
      });
    });
  audit
    .command('failures')
    .description('records whose latest outcome is a failure')
    .addOption(new Option('--group-by <what>').choices(['cause']).default('cause'))
    .option('--pair <pair>')
    .action(async (o: { pair?: string }, cmd: Command) => {
      await withRuntime(cmd, async (rt, g) => {
        const groups = runAuditFailures(rt, o.pair ?? (cmd.parent?.opts() as { pair?: string }).pair);
        print(g, groups, () => renderFailures(groups));
        if (groups.length > 0) exitCode = EXIT.failedRecords;
      });
    });

  program
    .command('replay')
    .description('re-send audited records once the cause is fixed (idempotent: never a duplicate)')
    .argument('[ids...]', 'audit entry ids')
    .option('--failed', 'every record whose latest outcome is a failure')
    .option('--pair <pair>', 'with --failed: only this pair')
    .option('--dry-run', 'show what would change; write nothing')
    .action(async (ids: string[], o: { failed?: boolean; pair?: string; dryRun?: boolean }, cmd: Command) => {
      if (!o.failed && ids.length === 0)
        throw new ConfigError('name audit ids to replay, or pass --failed', {
          code: 'usage.replay',
          hint: 'mlc audit failures lists them',
        });
      await withRuntime(cmd, async (rt, g) => {
        tuneHeap();
        const result = await runReplay(rt, {
          ids: ids.map((i) => positiveInt(i, 'audit id')),
          failed: Boolean(o.failed),
          pair: o.pair,
          dryRun: Boolean(o.dryRun),
        });
        print(g, result, () => renderReplay(result));
        exitCode = result.exitCode;
      });
    });

  const secret = program.command('secret').description('the encrypted credential store (AES-256-GCM)');
  secret
    .command('set')
    .description('store a secret; the value is read from standard input, never from the command line')
    .argument('<name>', '<connection>.<what>, e.g. odoo.api_key')
    .action(async (name: string, _o, cmd: Command) => {
      const g = globals(cmd);
      const { store, close } = openSecretStore(defaultConfigPath(g.config, io.env), io.env);
      try {
        store.set(name, await (io.stdin ?? readStdin)());
        print(g, { stored: name }, () => (io.isTty ? `stored ${name}` : ''));
      } finally {
        close();
      }
    });
  secret
    .command('list')
    .description('names of stored secrets (never their values)')
    .action((_o, cmd: Command) => {
      const g = globals(cmd);
      const { store, close } = openSecretStore(defaultConfigPath(g.config, io.env), io.env);
      try {
        const list = store.list();
        print(
          g,
          list,
          () =>
            list.map((s) => `${s.name}  (connection ${s.connection}, updated ${s.updatedAt})`).join('\n') ||
            'no secrets stored',
        );
      } finally {
        close();
      }
    });
  secret
    .command('rm')
    .description('remove a secret')
    .argument('<name>')
    .action((name: string, _o, cmd: Command) => {
      const g = globals(cmd);
      const { store, close } = openSecretStore(defaultConfigPath(g.config, io.env), io.env);
      try {
        if (!store.remove(name))
          throw new ConfigError(`no secret named ${name}`, {
            code: 'secret.missing',
            hint: 'mlc secret list shows the names',
          });
        print(g, { removed: name }, () => '');
      } finally {
        close();
      }
    });

  program
    .command('sim')
    .description('run the built-in simulators on 127.0.0.1 in the foreground')
    .option('--systems <list>', 'comma-separated: odoo, servicenow, acumatica', 'odoo,servicenow')
    .option('--seed <seed>', 'demo | volume:N | empty', 'demo')
    .option('--latency-ms <n>', 'added to every answer', '0')
    .option('--port <n>', 'first port (the others follow); default: ephemeral')
    .option('--odoo-version <n>', '17 | 18 | 19', '19')
    .option(
      '--write-config <file>',
      'write a ready mlc.yaml pointing at the simulators (never over an existing file; simulator credentials go to a state file of their own next to it)',
    )
    .option('--force', 'with --write-config: replace an existing file')
    .action(
      async (
        o: {
          systems: string;
          seed: string;
          latencyMs: string;
          port?: string;
          odooVersion: string;
          writeConfig?: string;
          force?: boolean;
        },
        cmd: Command,
      ) => {
        const g = globals(cmd);
        // The simulators (and the demo) load only when asked for: cron's `mlc sync` never needs them.
        const { runSim } = await import('./commands/sim.js');
        await runSim(
          {
            systems: o.systems
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
            seed: o.seed,
            latencyMs: nonNegativeInt(o.latencyMs, '--latency-ms'),
            ...(o.port === undefined ? {} : { port: positiveInt(o.port, '--port') }),
            odooVersion: positiveInt(o.odooVersion, '--odoo-version'),
            ...(o.writeConfig === undefined ? {} : { writeConfig: o.writeConfig }),
            force: Boolean(o.force),
            json: Boolean(g.json),
          },
          io,
        );
      },
    );

  program
    .command('demo')
    .description('run a pair end to end on the built-in simulators, no setup needed')
    .argument('[pair]', 'odoo-servicenow', 'odoo-servicenow')
    .action(async (pair: string, _o, cmd: Command) => {
      const g = globals(cmd);
      const { runDemo } = await import('./commands/demo.js');
      const result = await runDemo(pair, { json: Boolean(g.json), verbose: Boolean(g.verbose) }, io);
      exitCode = result.exitCode;
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.config;
    }
    return reportError(err, Boolean(program.opts<Globals>().json), io);
  }
}

function reportError(err: unknown, json: boolean, io: Io): number {
  const e = toMlcError(err);
  if (json) {
    io.out(`${redact(JSON.stringify({ error: e.toJSON() }, null, 2))}\n`);
  } else {
    const label = e.kind === 'internal' ? 'internal error' : `${e.kind} error`;
    io.err(
      `${chalk.red(`mlc: ${label}:`)} ${redact(e.message)}${e.hint ? `\n  hint: ${redact(e.hint)}` : ''}\n`,
    );
    if (e.kind === 'internal' && !isMlcError(err) && err instanceof Error && err.stack)
      io.err(`${redact(err.stack)}\n`);
  }
  return exitCodeOf(e);
}

function positiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`${what} must be a positive whole number, got "${value}"`, {
      code: 'usage.bad_number',
    });
  return n;
}

function nonNegativeInt(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${what} must be a whole number >= 0, got "${value}"`, {
      code: 'usage.bad_number',
    });
  return n;
}

export type { Io };
