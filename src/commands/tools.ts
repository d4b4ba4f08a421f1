import { resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultConfigPath } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { EXIT } from '../exit.js';
import { PAIR_NAMES } from '../pairs/registry.js';
import { SecretStore } from '../secrets/store.js';
import { envelope, renderInit } from '../output.js';
import { runInit } from './init.js';
import { completionScript } from './meta.js';
import { openSecretStore, readStdin } from './secret.js';
import { collectList, nonNegativeInt, positiveInt } from './usage.js';

/** What the command definitions below need from the command line's entry. */
export interface CliContext {
  io: {
    out: (text: string) => void;
    err: (text: string) => void;
    env: NodeJS.ProcessEnv;
    isTty: boolean;
    stdin?: () => Promise<string>;
  };
  globals(cmd: Command): { config?: string; json?: boolean; verbose?: boolean };
  /** Prints a command's result (the envelope under --json) and sets the exit code. */
  finish(
    cmd: Command,
    data: unknown,
    code: number,
    human: () => string | { out?: string; err?: string },
  ): void;
  /** The config path after the usage checks. */
  configPath(g: { config?: string }): string;
  /** Tells the entry that a command printed its own result. */
  printed(): void;
}

/**
 * The commands that need no state file of a config: the secret store, init, completion, the
 * simulators and the demo.
 */
export function registerTools(program: Command, c: CliContext): void {
  const { io, globals, finish, configPath } = c;
  const secret = program.command('secret').description('the encrypted credential store (AES-256-GCM)');
  const withSecrets = async (
    cmd: Command,
    fn: (store: SecretStore) => Promise<void> | void,
  ): Promise<void> => {
    const { store, close } = openSecretStore(configPath(globals(cmd)), io.env);
    try {
      await fn(store);
    } finally {
      close();
    }
  };
  secret
    .command('set')
    .description('store a secret; the value is read from standard input, never from the command line')
    .argument('<name>', '<connection>.<what>, e.g. odoo.api_key')
    .action(async (name: string, _o, cmd: Command) => {
      SecretStore.validateName(name);
      await withSecrets(cmd, async (store) => {
        store.set(name, await (io.stdin ?? readStdin)());
        finish(cmd, { stored: name }, EXIT.ok, () => (io.isTty ? `stored ${name}` : ''));
      });
    });
  secret
    .command('list')
    .description('names of stored secrets (never their values)')
    .action(async (_o, cmd: Command) => {
      await withSecrets(cmd, (store) => {
        const secrets = store.list();
        finish(
          cmd,
          { secrets },
          EXIT.ok,
          () =>
            secrets
              .map((s) => `${s.name}  (connection ${s.connection}, updated ${s.updatedAt})`)
              .join('\n') || 'no secrets stored',
        );
      });
    });
  secret
    .command('rm')
    .description('remove a secret')
    .argument('<name>')
    .action(async (name: string, _o, cmd: Command) => {
      SecretStore.validateName(name);
      await withSecrets(cmd, (store) => {
        if (!store.remove(name))
          throw new ConfigError(`no secret named ${name}`, {
            code: 'secret.missing',
            hint: 'mlc secret list shows the names',
          });
        finish(cmd, { removed: name }, EXIT.ok, () => '');
      });
    });

  program
    .command('init')
    .description(
      'write a commented config for a pair type, with ${ENV} and secret: references (never overwrites)',
    )
    .argument('<pair-type>', `one of ${PAIR_NAMES.join(', ')}`)
    .option('-o, --output <file>', 'where to write it (default: the --config path, else ./mlc.yaml)')
    .option('--name <instance>', 'the pair instance name (default: the pair type)')
    .action(async (type: string, o: { output?: string; name?: string }, cmd: Command) => {
      const g = globals(cmd);
      const file = resolve(o.output ?? defaultConfigPath(g.config, io.env));
      const result = await runInit(type, file, o.name);
      finish(cmd, result, EXIT.ok, () => renderInit(result));
    });

  program
    .command('completion')
    .description('print a shell completion script: mlc completion bash >> ~/.bashrc')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string, _o, cmd: Command) => {
      const script = completionScript(program, shell);
      finish(cmd, { shell, script }, EXIT.ok, () => script.trimEnd());
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
    .option(
      '--without-staging',
      'ServiceNow without the S2P staging tables and transform maps, as an instance before `mlc setup servicenow`',
    )
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
          withoutStaging?: boolean;
        },
        cmd: Command,
      ) => {
        const g = globals(cmd);
        const options = {
          systems: collectList(o.systems, []),
          seed: o.seed,
          latencyMs: nonNegativeInt(o.latencyMs, '--latency-ms'),
          ...(o.port === undefined ? {} : { port: positiveInt(o.port, '--port') }),
          odooVersion: positiveInt(o.odooVersion, '--odoo-version'),
          ...(o.writeConfig === undefined ? {} : { writeConfig: o.writeConfig }),
          force: Boolean(o.force),
          withoutStaging: Boolean(o.withoutStaging),
          json: Boolean(g.json),
        };
        // The simulators (and the demo) load only when asked for: cron's `mlc sync` never needs them.
        const { runSim } = await import('./sim.js');
        await runSim(
          {
            ...options,
            ...(g.json
              ? {
                  onReady: (info) => {
                    // One line: a caller reads it as soon as the simulators listen.
                    io.out(`${JSON.stringify(envelope('sim', EXIT.ok, info))}\n`);
                  },
                }
              : {}),
          },
          io,
        );
        c.printed();
      },
    );

  program
    .command('demo')
    .description('run a pair end to end on the built-in simulators, no setup needed')
    .argument('[pair]', 'odoo-servicenow or acumatica-servicenow', 'odoo-servicenow')
    .action(async (pair: string, _o, cmd: Command) => {
      const g = globals(cmd);
      const { runDemo } = await import('./demo.js');
      const result = await runDemo(
        pair,
        { json: false, quiet: Boolean(g.json), verbose: Boolean(g.verbose) },
        io,
      );
      finish(cmd, { ok: result.exitCode === EXIT.ok, story: result.story }, result.exitCode, () => '');
    });
}
