import { toMlcError } from '../errors.js';
import { EXIT } from '../exit.js';
import { loadedPair } from '../pairs/registry.js';
import { connect, type Runtime } from '../runtime.js';
import { systemAdapter } from '../systems/registry.js';
import type { PingResult } from '../systems/types.js';

export interface PingCommandResult {
  results: PingResult[];
  exitCode: number;
}

/**
 * Tests each connection: authentication, reachability, server version, and that the tables, fields
 * and coalesce keys every configured pair needs on it exist.
 */
export async function runPing(rt: Runtime, names: string[]): Promise<PingCommandResult> {
  const wanted = names.length > 0 ? names : Object.keys(rt.config.connections);
  const results: PingResult[] = [];
  for (const name of wanted) {
    const conn = rt.config.connections[name];
    if (!conn) {
      results.push({
        connection: name,
        system: '?',
        url: '',
        ok: false,
        checks: [{ name: 'config', ok: false, detail: `no connection named "${name}" in ${rt.config.file}` }],
      });
      continue;
    }
    const requirements: unknown[] = [];
    for (const options of Object.values(rt.config.pairs)) {
      const def = loadedPair(options.type);
      if (!def) continue;
      const req = def.requirements(options as never);
      if (options.source === name) requirements.push(...req.source);
      if (options.target === name) requirements.push(...req.target);
    }
    let opened: ReturnType<typeof connect> | undefined;
    try {
      opened = connect(rt, name);
      results.push(await systemAdapter(conn.system).ping(opened.client, requirements));
    } catch (err) {
      const e = toMlcError(err);
      results.push({
        connection: name,
        system: conn.system,
        url: conn.url,
        ok: false,
        checks: [
          {
            name: e.kind === 'auth' ? 'auth' : 'connect',
            ok: false,
            detail: `${e.message}${e.hint ? ` (${e.hint})` : ''}`,
          },
        ],
      });
    } finally {
      await opened?.close();
    }
  }
  return { results, exitCode: results.every((r) => r.ok) ? EXIT.ok : EXIT.config };
}
