import { sql as m0001 } from './0001_init.js';
import { sql as m0002 } from './0002_lock_owner.js';
import { sql as m0003 } from './0003_webhook_events.js';

/** Numbered, append-only. The position in this list is the schema version. */
export const MIGRATIONS: readonly string[] = [m0001, m0002, m0003];
