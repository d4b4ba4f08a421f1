import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { usageError } from './usage.js';

/** The version in package.json (one place to change it). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Every command path (`audit show`) with its options, from the commander tree. */
function commandTree(program: Command): Array<{ path: string; options: string[]; subcommands: string[] }> {
  const out: Array<{ path: string; options: string[]; subcommands: string[] }> = [];
  const walk = (cmd: Command, prefix: string[]): void => {
    const path = [...prefix, cmd.name()];
    out.push({
      path: path.slice(1).join(' '),
      options: cmd.options.map((o) => o.long ?? o.short ?? '').filter(Boolean),
      subcommands: cmd.commands.map((c) => c.name()),
    });
    for (const c of cmd.commands) walk(c, path);
  };
  walk(program, []);
  return out;
}

/** A completion script for bash or zsh: commands, subcommands and options. */
export function completionScript(program: Command, shell: string): string {
  if (shell !== 'bash' && shell !== 'zsh')
    throw usageError(`no completion for "${shell}"`, 'completion_shell', 'use bash or zsh');
  const tree = commandTree(program);
  const cases = tree
    .map((t) => `    "${t.path}") words="${[...t.subcommands, ...t.options].join(' ')}" ;;`)
    .join('\n');
  const all = `|${tree
    .filter((t) => t.path !== '')
    .map((t) => t.path)
    .join('|')}|`;
  const fn = `_mlc_complete() {
  local cur w i candidate words path=""
  local paths="${all}"
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    candidate="\${path:+$path }$w"
    case "$paths" in *"|$candidate|"*) path="$candidate" ;; esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}`;
  const lines = [
    `# mlc ${shell} completion: eval "$(mlc completion ${shell})", or add it to your shell's rc file`,
    ...(shell === 'zsh' ? ['autoload -U +X bashcompinit && bashcompinit'] : []),
    fn,
    'complete -F _mlc_complete mlc',
    '',
  ];
  return lines.join('\n');
}

/** Examples, environment and exit codes, after `mlc --help`. */
export const HELP_AFTER = `
Examples:
  mlc init odoo-servicenow              write a commented mlc.yaml to start from
  mlc ping                              check every connection and what the flows need
  mlc sync acme-us --dry-run            what one pass would write
  mlc sync --all                        one pass of every pair instance (for cron)
  mlc status --max-age 30m              last run of each pair; exit 3 when one needs a look
  mlc audit --since 2h --outcome failed what failed in the last two hours
  mlc audit failures                    open failures grouped by cause
  mlc replay --failed --pair acme-us    re-send them once the cause is fixed

Environment:
  MLC_CONFIG       config file (instead of ./mlc.yaml)
  MLC_HOME         folder of the state file and master key (default: .mlc next to the config)
  MLC_MASTER_KEY   the master key, 64 hex characters (instead of the key file)
  MLC_LOG=debug    debug logs on stderr (as -v)
  NO_COLOR=1       no colours

Exit codes:
  0 ok   1 internal error   2 usage, configuration or credential error (nothing synced)
  3 some records failed (or status: a pair needs a look)   4 stopped on transient errors
  5 another pass of the pair holds the lock
`;
