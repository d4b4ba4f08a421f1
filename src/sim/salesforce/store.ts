import { randomBytes } from 'node:crypto';
import { toId18 } from '../../systems/salesforce/ids.js';
import type { Schema } from './schema.js';

/** A stored record: canonical field names; datetimes as epoch ms, dates as `YYYY-MM-DD`. */
export type Rec = Record<string, unknown> & { Id: string };

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `2024-01-15T10:02:11.000+0000`: how the API renders datetimes (always UTC, no colon). */
export function sfTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/**
 * The org's records, with an index per external-id field and an undo journal: a Composite or
 * Collections call with `allOrNone` rolls back every write it made when one of them fails.
 */
export class Store {
  readonly tables = new Map<string, Map<string, Rec>>();
  private readonly extIndex = new Map<string, Map<string, Set<string>>>();
  private counter = 0;
  private readonly pod = randomBytes(2).toString('hex').slice(0, 3).toUpperCase();
  private journal: Array<() => void> | undefined;
  /** The user the org's own writes (seeds, mlc's calls) are stamped with as LastModifiedById. */
  integrationUserId = '';
  /** A person's user: `/_sim/exec` edits are stamped with it. */
  adminUserId = '';
  private actingUser: string | undefined;

  constructor(readonly schema: Schema) {
    for (const name of schema.objects.keys()) this.tables.set(name, new Map());
  }

  table(name: string): Map<string, Rec> {
    const t = this.tables.get(name);
    if (!t) throw new Error(`no table ${name}`);
    return t;
  }

  /** Stamps are whole seconds, as the API renders them (`.000`). */
  now(): number {
    return Math.floor(Date.now() / 1000) * 1000;
  }

  newId(object: string): string {
    const prefix = this.schema.object(object)?.prefix ?? '000';
    let n = ++this.counter;
    let tail = '';
    for (let i = 0; i < 9; i++) {
      tail = (BASE62[n % 62] as string) + tail;
      n = Math.floor(n / 62);
    }
    return toId18(`${prefix}${this.pod}${tail}`);
  }

  get(object: string, id: string): Rec | undefined {
    return this.tables.get(object)?.get(id.length === 15 ? toId18(id) : id);
  }

  /** Ids of the records whose external-id field holds `value`. */
  byExternalId(object: string, field: string, value: string): string[] {
    return [...(this.extIndex.get(`${object}.${field}`)?.get(value) ?? [])].filter(
      (id) => this.get(object, id)?.IsDeleted !== true,
    );
  }

  /** Inserts or replaces a record (stamping it), keeping the indexes and the journal. */
  put(object: string, rec: Rec, stamp = true, userId = this.actingUser ?? this.integrationUserId): Rec {
    const t = this.table(object);
    const before = t.get(rec.Id);
    const now = this.now();
    const next: Rec = stamp
      ? {
          ...rec,
          CreatedDate: before?.CreatedDate ?? rec.CreatedDate ?? now,
          CreatedById: before?.CreatedById ?? rec.CreatedById ?? userId,
          LastModifiedDate: now,
          LastModifiedById: userId,
          SystemModstamp: now,
          IsDeleted: rec.IsDeleted ?? false,
        }
      : rec;
    this.unindex(object, before);
    t.set(rec.Id, next);
    this.index(object, next);
    this.journal?.push(() => {
      this.unindex(object, next);
      if (before) {
        t.set(rec.Id, before);
        this.index(object, before);
      } else t.delete(rec.Id);
    });
    return next;
  }

  private index(object: string, rec: Rec | undefined): void {
    if (!rec) return;
    for (const f of this.schema.object(object)?.fields ?? []) {
      if (!f.externalId) continue;
      const v = rec[f.name];
      if (v === null || v === undefined || v === '') continue;
      const key = `${object}.${f.name}`;
      let m = this.extIndex.get(key);
      if (!m) this.extIndex.set(key, (m = new Map()));
      let ids = m.get(String(v));
      if (!ids) m.set(String(v), (ids = new Set()));
      ids.add(rec.Id);
    }
  }

  private unindex(object: string, rec: Rec | undefined): void {
    if (!rec) return;
    for (const f of this.schema.object(object)?.fields ?? []) {
      if (!f.externalId) continue;
      this.extIndex.get(`${object}.${f.name}`)?.get(String(rec[f.name]))?.delete(rec.Id);
    }
  }

  /** Runs `fn` inside an undo journal; `rollback` undoes every write it made. */
  transaction<T>(fn: (rollback: () => void) => T): T {
    const outer = this.journal;
    const mine: Array<() => void> = [];
    this.journal = mine;
    const rollback = (): void => {
      for (const undo of mine.reverse()) undo();
      mine.length = 0;
    };
    try {
      return fn(rollback);
    } finally {
      this.journal = outer;
      if (outer) outer.push(...mine.map((u) => u));
    }
  }

  /** Runs `fn` with its writes stamped as made by `userId`. */
  actAs<T>(userId: string, fn: () => T): T {
    const before = this.actingUser;
    this.actingUser = userId;
    try {
      return fn();
    } finally {
      this.actingUser = before;
    }
  }

  /** Every stamp moves `seconds` into the past. */
  age(seconds: number): void {
    const ms = seconds * 1000;
    for (const t of this.tables.values())
      for (const rec of t.values())
        for (const f of ['CreatedDate', 'LastModifiedDate', 'SystemModstamp'])
          if (typeof rec[f] === 'number') rec[f] = (rec[f] as number) - ms;
  }

  count(object: string): number {
    return [...(this.tables.get(object)?.values() ?? [])].filter((r) => r.IsDeleted !== true).length;
  }
}
