import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/** Refuses to replace an existing file unless `force`; a directory is never replaced. */
export function checkWritable(file: string, force: boolean, flag = '--force'): void {
  const path = resolve(file);
  if (!existsSync(path)) {
    if (!existsSync(dirname(path)))
      throw new ConfigError(`cannot write ${path}: the folder ${dirname(path)} does not exist`, {
        code: 'usage.no_such_dir',
      });
    return;
  }
  if (statSync(path).isDirectory())
    throw new ConfigError(`${path} is a directory`, {
      code: 'usage.is_directory',
      hint: 'name a file, e.g. mlc.yaml',
    });
  if (!force)
    throw new ConfigError(`${path} exists; not overwriting it`, {
      code: 'usage.file_exists',
      hint: `choose another name, or pass ${flag} to replace it`,
    });
}
