import { matchOutcomes } from '../../src/systems/servicenow/importset.js';
import type { SnRow } from '../../src/systems/servicenow/client.js';

const staged = (row: string, code: string, state: string, target = ''): SnRow => ({
  sys_id: `s${row}`,
  sys_import_row: row,
  sys_import_state: state,
  sys_target_sys_id: target,
  u_code: code,
});

describe('matching insertMultiple staging rows to the rows sent', () => {
  it('pairs rows by their coalesce value, not by position, and repeated keys in sys_import_row order', () => {
    const out = matchOutcomes(
      [{ u_code: 'A' }, { u_code: 'B' }, { u_code: 'A' }],
      [staged('3', 'A', 'updated', 't1'), staged('2', 'B', 'error'), staged('1', 'A', 'inserted', 't1')],
      ['u_code'],
      'set1',
    );
    expect(out.map((o) => o.status)).toEqual(['inserted', 'error', 'updated']);
  });

  it('pairs a row whose key the instance stored cut short with the one staging row left over', () => {
    const long = 'X'.repeat(60);
    const out = matchOutcomes(
      [{ u_code: 'A' }, { u_code: long }],
      [staged('1', 'A', 'inserted', 't1'), staged('2', long.slice(0, 40), 'inserted', 't2')],
      ['u_code'],
      'set1',
    );
    expect(out.map((o) => o.sysId)).toEqual(['t1', 't2']);
  });

  it('names the key of a row the import set does not hold', () => {
    const out = matchOutcomes(
      [{ u_code: 'A' }, { u_code: 'B' }],
      [staged('1', 'A', 'inserted', 't1')],
      ['u_code'],
      'set9',
    );
    expect(out[1]).toEqual({
      status: 'error',
      message: 'no staging row of import set set9 carries u_code=B',
    });
  });
});
