import { main } from '../../src/cli.js';

export { tempDir, TEST_MASTER_KEY } from './tmp.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI entry in-process with captured output and a given environment. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
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
    isTty: false,
  });
  return { code, stdout, stderr };
}
