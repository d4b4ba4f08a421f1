import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * Makes sure the state file's folder exists and is writable before SQLite opens it, creating the
 * missing folders one level at a time: a path that cannot work (under /proc, through a file, an
 * unwritable folder) fails at once with its name, instead of hanging or failing deep inside SQLite.
 */
export function prepareStatePath(path: string): void {
  if (path === ':memory:') return;
  if (existsSync(path) && statSync(path).isDirectory())
    throw unusable(path, `${path} is a directory`, 'name a file, e.g. state: .mlc/state.sqlite');
  const missing: string[] = [];
  let dir = dirname(path);
  while (!existsSync(dir)) {
    missing.unshift(dir);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (!statSync(dir).isDirectory()) throw unusable(path, `${dir} is not a folder`);
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      throw unusable(
        path,
        `cannot create the folder ${d}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  }
  const folder = dirname(path);
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
    if (existsSync(path)) accessSync(path, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw unusable(
      path,
      `${(err as NodeJS.ErrnoException).code === 'EACCES' ? 'no permission to write' : 'cannot use'} ${existsSync(path) ? path : folder}`,
    );
  }
}

function unusable(path: string, why: string, hint?: string): ConfigError {
  return new ConfigError(`state file ${path} cannot be used: ${why}`, {
    code: 'usage.state_path',
    hint: hint ?? 'set state: in the config, or MLC_HOME, to a folder mlc can write',
  });
}

/** The config path must be a readable file. */
export function checkConfigPath(path: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new ConfigError(`${path} is a directory, not a config file`, {
      code: 'usage.config_is_directory',
      hint: `name the file, e.g. --config ${path.replace(/\/$/, '')}/mlc.yaml`,
    });
  }
}
