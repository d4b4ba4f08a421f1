import chalk from 'chalk';
import type { ReconcileCommandResult } from './commands/reconcile.js';
import { isUsageCode } from './commands/usage.js';
import type { InitResult } from './commands/init.js';
import type { StatusResult } from './commands/status.js';
import type { MlcError } from './errors.js';
import type { AuditDetail, AuditEntry, FailureGroup } from './commands/audit.js';
import type { PairOutcome, SyncResult } from './commands/sync.js';
import type { PingCommandResult } from './commands/ping.js';
import type { ReplayCommandResult } from './commands/replay.js';
import { EXIT } from './exit.js';
import type { FlowStats } from './sync/types.js';

/** What `--json` prints for every command (schemas/envelope.schema.json). */
export interface Envelope {
  ok: boolean;
  command: string;
  exitCode: number;
  data: unknown;
  error: { code: string; class: string; message: string; hint: string | null } | null;
}

export function envelope(command: string, exitCode: number, data: unknown, error?: MlcError): Envelope {
  return {
    ok: exitCode === 0,
    command,
    exitCode,
    data: data ?? null,
    error: error
      ? { code: error.code, class: errorClass(error), message: error.message, hint: error.hint ?? null }
      : null,
  };
}

/** usage (the command line), config, auth, transient, record or internal. */
export function errorClass(e: MlcError): string {
  return e.kind === 'config' && isUsageCode(e.code) ? 'usage' : e.kind;
}

/** An ISO UTC time shown in this machine's zone, with its offset: 2026-03-01 11:00:05+01:00. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const off = -d.getTimezoneOffset();
  const pad = (n: number): string => String(Math.abs(Math.trunc(n))).padStart(2, '0');
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19).replace('T', ' ');
  return `${local}${off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(off / 60)}:${pad(off % 60)}`}`;
}

/** A duration in words: 45 s, 12 min, 3 h, 2 d. */
export function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/**
 * Human renderings of command results. Commands return data; these turn it into short text.
 * Success is quiet unless asked (`verbose`), because cron mails whatever is printed.
 */
export function renderSync(result: SyncResult, verbose: boolean): { out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  for (const o of result.outcomes) {
    if (o.kind === 'locked') {
      err.push(
        `${chalk.yellow('locked')} ${o.message}; nothing done (the running pass will finish the work)`,
      );
      continue;
    }
    if (o.kind === 'error') {
      err.push(
        o.exitCode === EXIT.transient
          ? `${status('stopped')} ${o.pair}: nothing written\n  gave up after ${age(o.triedMs)}: ${String(o.error.message)}\n  nothing is lost: the next pass resumes`
          : `${chalk.red('error')} ${o.pair}: ${String(o.error.message)}${o.error.hint ? `\n  hint: ${String(o.error.hint)}` : ''}`,
      );
      continue;
    }
    const quiet = o.status === 'ok' && !verbose && o.runId !== null;
    if (quiet) continue;
    (o.status === 'ok' || o.runId === null ? out : err).push(renderPass(o, verbose));
  }
  return { out: out.join('\n'), err: err.join('\n') };
}

function renderPass(o: Extract<PairOutcome, { kind: 'pass' }>, verbose: boolean): string {
  const dry = o.runId === null;
  const total = sum(o.flows);
  const head = dry
    ? `${o.pair} (dry run): ${total.read} read, would write ${o.flows.reduce((n, f) => n + (f.wouldWrite?.filter((w) => !(w.payload as { error?: string })?.error).length ?? 0), 0)}, ${total.failed} would fail`
    : `${o.pair}: ${total.written} written, ${total.unchanged} unchanged, ${total.skipped} skipped, ${total.failed} failed (run ${o.runId})`;
  const lines = [status(o.status) + ' ' + head];
  for (const f of o.flows) {
    if (!verbose && !dry && f.failed === 0 && f.status !== 'stopped') continue;
    lines.push(
      `  ${f.flow.padEnd(28)} ${f.status === 'ok' ? '' : chalk.yellow(f.status) + ' '}read ${f.read}, written ${f.written}, unchanged ${f.unchanged}, skipped ${f.skipped}, failed ${f.failed}${f.alreadyHandled ? `, ${f.alreadyHandled} already handled` : ''}`,
    );
    if (f.error && o.status !== 'stopped')
      lines.push(`    ${chalk.red(String(f.error.code))}: ${String(f.error.message)}`);
    if (dry) {
      for (const w of (f.wouldWrite ?? []).slice(0, verbose ? 1000 : 10)) {
        const p = w.payload as { error?: string };
        lines.push(
          `    ${p?.error ? chalk.red('would fail') : 'would write'} ${w.label}${p?.error ? `: ${p.error}` : ''}`,
        );
      }
      const n = f.wouldWrite?.length ?? 0;
      if (!verbose && n > 10) lines.push(`    … and ${n - 10} more (--verbose or --json shows all)`);
    }
  }
  if (o.status === 'failed_records')
    lines.push(
      `  see the failures: mlc audit failures --pair ${o.pair}   re-send after a fix: mlc replay <id>`,
    );
  if (o.status === 'stopped') {
    const tried = Date.parse(o.finishedAt) - Date.parse(o.startedAt);
    lines.push(
      `  gave up after ${age(tried)}: ${String(o.error?.message ?? 'a system did not answer')}${o.flows.some((f) => f.status === 'not_run') ? '; the flows after it did not run' : ''}`,
      `  nothing is lost: the cursor did not move past it and the next pass resumes`,
    );
  }
  return lines.join('\n');
}

function sum(flows: FlowStats[]): {
  read: number;
  written: number;
  unchanged: number;
  skipped: number;
  failed: number;
} {
  return flows.reduce(
    (t, f) => ({
      read: t.read + f.read,
      written: t.written + f.written,
      unchanged: t.unchanged + f.unchanged,
      skipped: t.skipped + f.skipped,
      failed: t.failed + f.failed,
    }),
    { read: 0, written: 0, unchanged: 0, skipped: 0, failed: 0 },
  );
}

function status(s: string): string {
  switch (s) {
    case 'ok':
      return chalk.green('ok');
    case 'failed_records':
      return chalk.yellow('failed records');
    case 'stopped':
      return chalk.yellow('stopped');
    default:
      return chalk.red(s);
  }
}

export function renderPing(result: PingCommandResult, verbose = false): { out: string; err: string } {
  const text = (ok: boolean): string =>
    result.results
      .filter((r) => r.ok === ok)
      .map((r) => {
        const head = `${r.ok ? chalk.green('ok') : chalk.red('FAIL')} ${r.connection} (${r.system} ${r.url}${r.serverVersion ? `, ${r.serverVersion}` : ''})`;
        const checks = r.checks
          .filter((c) => !r.ok || !c.ok || verbose)
          .map((c) => `  ${c.ok ? chalk.green('✓') : chalk.red('✗')} ${c.name}: ${c.detail}`);
        return [head, ...checks].join('\n');
      })
      .join('\n');
  return { out: text(true), err: text(false) };
}

export function renderAuditList(entries: AuditEntry[]): string {
  if (entries.length === 0) return 'no audit entries match';
  return entries
    .map(
      (e) =>
        `${String(e.id).padStart(6)}  ${localTime(e.time)}  ${e.pair}/${e.flow}  ${e.label}  ${outcome(e.outcome)}${e.message ? `  ${e.message}` : ''}${e.replayOf ? `  (replay of ${e.replayOf})` : ''}`,
    )
    .join('\n');
}

function outcome(o: string): string {
  return o === 'failed' ? chalk.red(o) : o === 'written' ? chalk.green(o) : o;
}

export function renderAuditShow(d: AuditDetail): string {
  const json = (v: unknown): string =>
    JSON.stringify(v, null, 2)
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
  const lines = [
    `audit entry ${d.id} (run ${d.runId}, ${localTime(d.time)})`,
    `  record    ${d.pair}/${d.flow} ${d.label} (source id ${d.sourceId}, version ${d.version ?? '-'})`,
    `  outcome   ${outcome(d.outcome)}${d.targetId ? ` -> target ${d.targetId}` : ''}${d.replayOf ? ` (replay of ${d.replayOf})` : ''}`,
  ];
  if (d.message) lines.push(`  why       ${d.message}${d.errorCode ? ` [${d.errorCode}]` : ''}`);
  if (d.hint) lines.push(`  next      ${d.hint.replace('<audit id>', String(d.id))}`);
  if (d.read !== null) lines.push('  read from the source:', json(d.read));
  if (d.sent !== null) lines.push('  sent to the target:', json(d.sent));
  if (d.answered !== null) lines.push('  the target answered:', json(d.answered));
  if (d.later.length > 0)
    lines.push(
      '  later:',
      ...d.later.map(
        (e) => `    ${e.id} ${localTime(e.time)} ${e.outcome}${e.message ? ` ${e.message}` : ''}`,
      ),
    );
  return lines.join('\n');
}

export function renderFailures(groups: FailureGroup[]): string {
  if (groups.length === 0) return 'no open failures';
  return groups
    .map(
      (g) =>
        `${String(g.count).padStart(5)}  ${g.cause}\n       e.g. ${g.example.pair}/${g.example.flow} ${g.example.label} (audit ${g.example.id}): ${g.example.message ?? ''}${g.hint ? `\n       next: ${g.hint.replace('<audit id>', String(g.example.id))}` : ''}\n       ids: ${g.ids.slice(0, 20).join(' ')}${g.ids.length > 20 ? ' …' : ''}`,
    )
    .join('\n');
}

export function renderReplay(result: ReplayCommandResult): string {
  if (result.outcomes.length === 0) return 'nothing to replay';
  return result.outcomes
    .map((o) => {
      const head = `${o.result === 'failed' ? chalk.red(o.result) : o.result === 'written' ? chalk.green(o.result) : o.result} ${o.pair}/${o.flow} ${o.label} (audit ${o.auditId}${o.newAuditId ? ` -> ${o.newAuditId}` : ''})${o.message ? `: ${o.message}` : ''}`;
      const changes = o.changes
        .slice(0, 20)
        .map((c) => `    ${c.path}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`);
      return [
        head,
        ...(changes.length ? ['  changes since the audited payload:', ...changes] : []),
        ...(o.hint && o.result === 'failed' ? [`  next: ${o.hint}`] : []),
      ].join('\n');
    })
    .join('\n');
}

export function renderReconcile(result: ReconcileCommandResult): string {
  const r = result.report;
  const money = (m: Record<string, string>): string =>
    Object.entries(m)
      .map(([c, a]) => `${a} ${c}`)
      .join(', ');
  const lines = [`${r.pair}: ${r.since} .. ${r.until}`];
  for (const f of r.flows) {
    const verdict = f.agree ? chalk.green('agree') : chalk.red('differ');
    const target = f.target
      ? ` | target ${f.target.count}${money(f.target.money) ? ` (${money(f.target.money)})` : ''}`
      : '';
    lines.push(
      `  ${f.flow} [${verdict}, by ${f.compared}] source ${f.source.count}${money(f.source.money) ? ` (${money(f.source.money)})` : ''}${target}${f.skipped ? `, ${f.skipped} not sent by design` : ''}`,
    );
    for (const g of f.groups.filter((g) => g.target && g.target.count !== g.source.count))
      lines.push(
        `    ${g.company || '-'} ${g.day}: source ${g.source.count}, target ${g.target?.count ?? '?'}`,
      );
    const list = (what: string, items: { label: string; sourceId: string; reason: string }[]): void => {
      for (const d of items.slice(0, 50)) lines.push(`    ${what} ${d.label} (${d.sourceId}): ${d.reason}`);
      if (items.length > 50) lines.push(`    … ${items.length - 50} more ${what} (use --json for all)`);
    };
    list('missing', f.missing);
    list('different', f.different);
    list('extra', f.extra);
    if (f.repaired)
      lines.push(
        `    repaired: ${f.repaired.written} written, ${f.repaired.unchanged} unchanged, ${f.repaired.failed} failed`,
      );
  }
  if (!r.agree && !r.flows.some((f) => f.repaired))
    lines.push('run again with --repair to send the missing and different records (audited, idempotent)');
  return lines.join('\n');
}

export function renderStatus(result: StatusResult): { out: string; err: string } {
  const lines = result.pairs.map((p) => {
    const last = p.lastRun
      ? `last run ${p.lastRun.id} ${p.lastRun.status} ${age(p.lastRun.ageSeconds * 1000)} ago (${localTime(p.lastRun.startedAt)})`
      : 'never run';
    const good = p.lastSuccess
      ? `last good pass ${age(p.lastSuccess.ageSeconds * 1000)} ago`
      : 'no good pass yet';
    const lock = p.lock
      ? `; locked by pid ${p.lock.pid} on ${p.lock.host} since ${localTime(p.lock.acquiredAt)}${p.lock.stale ? ' (stale: the next pass takes it over)' : ''}`
      : '';
    const mark = p.healthy ? chalk.green('ok') : chalk.red('NEEDS A LOOK');
    const problems = p.problems.map((x) => `\n  ${x}`).join('');
    return `${mark} ${p.pair} (${p.type}): ${last}; ${good}; ${p.openFailures} open failure${p.openFailures === 1 ? '' : 's'}${lock}${problems}`;
  });
  const healthy = result.pairs.every((p) => p.healthy);
  return healthy ? { out: lines.join('\n'), err: '' } : { out: '', err: lines.join('\n') };
}

export function renderInit(result: InitResult): string {
  const env = result.env.map((e) => `  export ${e}=…`).join('\n');
  return [
    `wrote ${result.file} for ${result.type} (instance ${result.instance})`,
    'next:',
    '  1. fill in the URLs, database and user names marked CHANGE-ME',
    ...(env ? ['  2. set the environment variables it references:', env] : []),
    `  3. or store credentials encrypted instead: printf %s "$VALUE" | mlc secret set <connection>.<what>`,
    `  4. mlc --config ${result.file} ping`,
  ].join('\n');
}
