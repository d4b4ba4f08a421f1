import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitCodeOf } from '../../src/commands/sync.js';
import { toMlcError } from '../../src/errors.js';
import { openDb } from '../../src/state/db.js';
import { EXIT } from '../../src/exit.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, TEST_MASTER_KEY } from '../helpers/tmp.js';

describe('failures of the state file', () => {
  it('a full disk stops the pass as a transient failure (exit 4) with what to do, not as a bug', () => {
    const e = toMlcError(new Database.SqliteError('database or disk is full', 'SQLITE_FULL'));
    expect(e).toMatchObject({ kind: 'transient', code: 'state.disk_full' });
    expect(e.hint).toMatch(/free space/);
    expect(exitCodeOf(e)).toBe(EXIT.transient);
  });

  it('a write the disk refuses (a file size limit, a failing device) is transient too, with what to do', () => {
    const e = toMlcError(new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'));
    expect(e).toMatchObject({ kind: 'transient', code: 'state.io_error' });
    expect(exitCodeOf(e)).toBe(EXIT.transient);
    const readOnly = toMlcError(
      new Database.SqliteError('attempt to write a readonly database', 'SQLITE_READONLY'),
    );
    expect(exitCodeOf(readOnly)).toBe(EXIT.config);
  });

  it('a damaged state file is named as such (exit 2) with how to recover', () => {
    const tmp = tempDir();
    const path = join(tmp.dir, 'state.sqlite');
    writeFileSync(path, 'this is not a database, it is a text file that got in the way '.repeat(200));
    let thrown: unknown;
    try {
      openDb(path).close();
    } catch (err) {
      thrown = err;
    }
    const e = toMlcError(thrown);
    expect(e).toMatchObject({ kind: 'config', code: 'state.corrupt' });
    expect(exitCodeOf(e)).toBe(EXIT.config);
    tmp.cleanup();
  });

  it('the CLI reports a damaged state file with its hint and exit 2, never "report a bug"', async () => {
    const tmp = tempDir();
    const config = join(tmp.dir, 'mlc.yaml');
    writeFileSync(config, 'connections: {}\npairs: {}\n');
    writeFileSync(join(tmp.dir, 'state.sqlite'), 'garbage '.repeat(1000));
    const env = { PATH: process.env.PATH, HOME: tmp.dir, MLC_MASTER_KEY: TEST_MASTER_KEY, MLC_HOME: tmp.dir };
    const run = await runCli(['--config', config, 'audit'], env);
    expect(run.code).toBe(EXIT.config);
    const said = run.stdout + run.stderr;
    expect(said).toMatch(/damaged or is not an mlc state file/);
    expect(said).toMatch(/move it aside/);
    expect(said).not.toMatch(/bug/i);
    tmp.cleanup();
  });
});
