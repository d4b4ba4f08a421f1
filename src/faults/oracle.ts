import Database from 'better-sqlite3';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultEnv } from './env.js';
import type { ActualRecord, ExpectedRecord } from './types.js';

/** Rows of one table or model as the simulator itself holds them (`GET /_sim/state?name=…`). */
export async function simRows(
  e: FaultEnv,
  system: string,
  name: string,
): Promise<Array<Record<string, unknown>>> {
  const rows = await e.control(system, 'GET', `state?name=${encodeURIComponent(name)}`);
  if (!Array.isArray(rows)) throw new Error(`${system} has no table ${name}`);
  return rows as Array<Record<string, unknown>>;
}

export const money = (v: unknown): string => (Number(v ?? 0) || 0).toFixed(2);

export interface Judgement {
  missed: number;
  duplicated: number;
  wrong: number;
  notes: string[];
}

const MAX_NOTES = 6;

/**
 * Compares what the source says the target should hold with what it holds: a missing source reference
 * is `missed`, every row beyond the first sharing one reference is `duplicated`, a reference whose
 * compared values differ is `wrong`.
 */
export function judge(expected: ExpectedRecord[], actual: ActualRecord[]): Judgement {
  const byKey = new Map<string, ActualRecord[]>();
  for (const a of actual) {
    const k = `${a.kind}|${a.key}`;
    const list = byKey.get(k);
    if (list) list.push(a);
    else byKey.set(k, [a]);
  }
  const j: Judgement = { missed: 0, duplicated: 0, wrong: 0, notes: [] };
  const note = (text: string): void => {
    if (j.notes.length < MAX_NOTES) j.notes.push(text);
  };
  for (const [k, rows] of byKey) {
    if (rows.length > 1) {
      j.duplicated += rows.length - 1;
      note(`duplicated: ${rows.length} target rows for ${k.replace('|', ' ')}`);
    }
  }
  for (const want of expected) {
    const rows = byKey.get(`${want.kind}|${want.key}`);
    if (!rows) {
      j.missed += 1;
      note(`missed: ${want.kind} ${want.key}`);
      continue;
    }
    const diffs = Object.entries(want.fields).filter(([f, v]) => rows.some((r) => (r.fields[f] ?? '') !== v));
    if (diffs.length > 0) {
      j.wrong += 1;
      note(
        `wrong: ${want.kind} ${want.key}: ${diffs
          .map(
            ([f, v]) =>
              `${f} expected ${JSON.stringify(v)}, target has ${rows.map((r) => JSON.stringify(r.fields[f] ?? '')).join('/')}`,
          )
          .join('; ')}`,
      );
    }
  }
  return j;
}

/**
 * Counts the places a credential appears: each output text, every file in the state folder (raw
 * bytes, including the WAL), and a dump of every table and column of the state database.
 */
export function findSecrets(
  e: FaultEnv,
  outputs: Array<{ where: string; text: string }>,
): { found: number; notes: string[] } {
  const notes: string[] = [];
  let found = 0;
  const check = (where: string, text: string | Buffer): void => {
    for (const canary of e.canaries) {
      if (canary.length < 8) continue;
      const hit = typeof text === 'string' ? text.includes(canary) : text.includes(Buffer.from(canary));
      if (hit) {
        found += 1;
        if (notes.length < MAX_NOTES) notes.push(`secret in ${where}: …${excerpt(text, canary)}…`);
      }
    }
  };
  for (const o of outputs) check(o.where, o.text);
  if (!existsSync(e.home)) return { found, notes };
  for (const f of readdirSync(e.home)) {
    const path = join(e.home, f);
    if (statSync(path).isFile()) check(`file .mlc/${f}`, readFileSync(path));
  }
  const dbPath = join(e.home, 'state.sqlite');
  if (existsSync(dbPath)) {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
        name: string;
      }>;
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).iterate() as Iterable<
          Record<string, unknown>
        >) {
          for (const [col, value] of Object.entries(row)) {
            if (value === null || value === undefined) continue;
            check(`state table ${name}.${col}`, Buffer.isBuffer(value) ? value : String(value));
          }
        }
      }
    } finally {
      db.close();
    }
  }
  return { found, notes };
}

function excerpt(text: string | Buffer, canary: string): string {
  const s = (typeof text === 'string' ? text : text.toString('latin1')).replaceAll(canary, '<CANARY>');
  const at = s.indexOf('<CANARY>');
  return s.slice(Math.max(0, at - 60), at + 28).replace(/[^\x20-\x7e]/g, '.');
}
