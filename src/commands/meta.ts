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
