import { main } from '../../src/cli.js';
import type { CliRun } from '../helpers/cli.js';

export { tempDir, TEST_MASTER_KEY } from '../helpers/tmp.js';

/** Runs the real CLI entry in-process, with standard input and a TTY flag when a test needs them. */
export async function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { stdin?: string; isTty?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'mlc', ...args], {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
    env,
    isTty: options.isTty ?? false,
    ...(options.stdin === undefined ? {} : { stdin: async () => options.stdin as string }),
  });
  return { code, stdout, stderr };
}
