/**
 * Authentication of the simulated Odoo: API keys (expiry, scope, passwords that XML-RPC accepts and
 * JSON-2 bearer auth refuses), `common.authenticate` answering `false` on bad credentials, the
 * per-address login cooldown, and the credential check of every `execute_kw` (api notes §1, §8, §9).
 */
import { randomBytes } from 'node:crypto';
import { type SimRequest } from '../common/server.js';
import { COOLDOWN_MESSAGE, OdooException } from './exceptions.js';
import type { SimVersion } from './models.js';
import { BOT_UID } from './seed.js';
import { OdooOrm } from './orm.js';

export interface OdooSimOptions {
  version?: SimVersion;
  db?: string;
  login?: string;
  apiKey?: string;
  seed?: string;
  /** Login cooldown (api notes §1.1): failures before it starts and its length. */
  cooldownAfter?: number;
  cooldownMs?: number;
}

export interface ApiKey {
  key: string;
  uid: number;
  /** null = global scope (the only one RPC and bearer auth accept, §8). */
  scope: string | null;
  expiresAt: number | null;
  expired: boolean;
  /** A login password: accepted by XML-RPC, not as a JSON-2 bearer token (§8). */
  password?: boolean;
}

export class OdooAuth extends OdooOrm {
  readonly db: string;
  readonly login: string;
  protected keys: ApiKey[] = [];
  protected readonly originalKey: string;
  protected failures = new Map<string, { count: number; at: number }>();
  protected readonly cooldownAfter: number;
  protected readonly cooldownMs: number;

  constructor(options: OdooSimOptions = {}) {
    super(options.version ?? 19);
    this.db = options.db ?? 'acme';
    this.login = options.login ?? 'mlc-bot';
    this.originalKey = options.apiKey ?? randomBytes(20).toString('hex');
    this.cooldownAfter = options.cooldownAfter ?? 5;
    this.cooldownMs = options.cooldownMs ?? 60_000;
    this.restoreKey();
  }

  get apiKey(): string {
    return this.originalKey;
  }

  get credentials(): { db: string; login: string; apiKey: string } {
    return { db: this.db, login: this.login, apiKey: this.originalKey };
  }

  protected restoreKey(): void {
    this.keys = [{ key: this.originalKey, uid: BOT_UID, scope: null, expiresAt: null, expired: false }];
  }

  // ------------------------------------------------------------ auth

  protected onCooldown(ip: string, now: number): boolean {
    const f = this.failures.get(ip);
    return f !== undefined && f.count >= this.cooldownAfter && now - f.at < this.cooldownMs;
  }

  protected recordFailure(ip: string, now: number): void {
    const f = this.failures.get(ip);
    this.failures.set(ip, { count: (f?.count ?? 0) + 1, at: now });
  }

  protected validKey(key: unknown, now: number, bearer = false): ApiKey | undefined {
    if (typeof key !== 'string') return undefined;
    return this.keys.find(
      (k) =>
        k.key === key &&
        !(bearer && k.password) &&
        !k.expired &&
        (k.expiresAt === null || k.expiresAt > now) &&
        (k.scope === null || k.scope === 'rpc'),
    );
  }

  protected checkDb(db: unknown): void {
    if (db !== this.db) {
      throw new OdooException(
        'database',
        `connection to server at "localhost" (127.0.0.1), port 5432 failed: FATAL:  database "${String(db)}" does not exist`,
      );
    }
  }

  /** `common.authenticate`: uid, or `false` on bad credentials or during the cooldown (§1.2, §8). */
  protected authenticate(args: unknown[], req: SimRequest): number | false {
    const [db, login, key] = args;
    this.checkDb(db);
    const now = req.receivedAt;
    if (this.onCooldown(req.remoteAddress, now)) return false;
    const found = this.validKey(key, now);
    const user = found ? this.store.get('res.users', found.uid) : undefined;
    if (!found || !user || user.v.login !== login) {
      this.recordFailure(req.remoteAddress, now);
      return false;
    }
    this.failures.delete(req.remoteAddress);
    return found.uid;
  }

  /** `object.execute_kw` credential check: fault 3 "Access Denied" or the cooldown text. */
  protected checkRpcCredentials(db: unknown, uid: unknown, key: unknown, req: SimRequest): number {
    this.checkDb(db);
    const now = req.receivedAt;
    if (this.onCooldown(req.remoteAddress, now)) throw new OdooException('access_denied', COOLDOWN_MESSAGE);
    const found = this.validKey(key, now);
    // §9: a good key with a uid that does not exist is a MissingError on res.users (fault 2).
    if (found && found.uid !== uid && typeof uid === 'number' && !this.store.get('res.users', uid)) {
      throw new OdooException(
        'missing',
        `Record does not exist or has been deleted.\n(Record: res.users(${uid},), User: ${uid})`,
      );
    }
    if (!found || found.uid !== uid) {
      this.recordFailure(req.remoteAddress, now);
      throw new OdooException('access_denied', 'Access Denied');
    }
    this.failures.delete(req.remoteAddress);
    return found.uid;
  }
}
