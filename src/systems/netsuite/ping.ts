import { isMlcError } from '../../errors.js';
import type { PingCheck, PingResult } from '../types.js';
import type { SuiteQl } from './suiteql.js';

/**
 * `mlc ping` for NetSuite: signs in (the first call fetches a token or is TBA-signed) and reads one
 * row of each table the flows use through SuiteQL, which proves the role's permission on each (a
 * missing one is INSUFFICIENT_PERMISSION or an unknown-table 400).
 */
export async function pingNetSuite(
  suiteql: SuiteQl,
  info: { connection: string; url: string; account: string },
  tables: string[],
): Promise<PingResult> {
  const checks: PingCheck[] = [];
  for (const table of ['subsidiary', ...tables.filter((t) => t !== 'subsidiary')]) {
    try {
      await suiteql.page(`SELECT * FROM ${table}`, { limit: 1 });
      checks.push({ name: `table ${table}`, ok: true, detail: 'readable through SuiteQL' });
    } catch (err) {
      if (isMlcError(err) && (err.kind === 'transient' || err.kind === 'internal')) throw err;
      const detail = isMlcError(err) ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : String(err);
      checks.push({ name: `table ${table}`, ok: false, detail });
      // Without the subsidiary read nothing else will work: the credentials themselves are refused.
      if (table === 'subsidiary' && isMlcError(err) && err.kind === 'auth') break;
    }
  }
  return {
    connection: info.connection,
    system: 'netsuite',
    url: info.url,
    ok: checks.every((c) => c.ok),
    serverVersion: `account ${info.account}`,
    checks,
  };
}
