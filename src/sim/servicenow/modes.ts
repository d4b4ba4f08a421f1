import type { SimRequest, SimResponse } from '../common/server.js';
import { envelope } from './auth.js';

export interface RateRule {
  sys_id: string;
  resource: string;
  method: string;
  path: RegExp;
  limit: number;
  windowSeconds: number;
  windows: Map<string, { start: number; count: number }>;
}

/**
 * The instance settings a test switches through `/_sim/` control routes: rate-limit rules (§5), field
 * ACLs enforced on queries (§8), import request limits, the longest URL accepted, unreadable tables and
 * the `sys_import_row` base.
 */
export class SimModes {
  rateRules: RateRule[] = [];
  fieldAcl = { enforce: false, denied: new Map<string, Set<string>>() };
  importLimits: { maxRows?: number; poison?: string } = {};
  maxUrl = 0;
  /** Tables the integration user may not read at all (a table ACL, or no import_admin for staging). */
  readonly unreadable = new Set<string>();
  rowBase: number;

  constructor(private readonly defaultRowBase: number) {
    this.rowBase = defaultRowBase;
  }

  reset(): void {
    this.rateRules = [];
    this.fieldAcl = { enforce: false, denied: new Map() };
    this.importLimits = {};
    this.maxUrl = 0;
    this.unreadable.clear();
    this.rowBase = this.defaultRowBase;
  }

  /** Inbound REST rate-limit rules (§5): per user and window; headers only when a rule matches. */
  rateLimit(req: SimRequest, user: string): { denied?: SimResponse; headers: Record<string, string> } {
    const rule = this.rateRules.find(
      (r) => (r.method === '*' || r.method === req.method) && r.path.test(req.path),
    );
    if (!rule) return { headers: {} };
    const now = Date.now();
    let w = rule.windows.get(user);
    if (!w || now >= w.start + rule.windowSeconds * 1000) {
      w = { start: now, count: 0 };
      rule.windows.set(user, w);
    }
    w.count += 1;
    const reset = Math.ceil((w.start + rule.windowSeconds * 1000) / 1000);
    const headers = {
      'X-RateLimit-Limit': String(rule.limit),
      'X-RateLimit-Reset': String(reset),
      'X-RateLimit-Rule': rule.sys_id,
    };
    if (w.count <= rule.limit) return { headers };
    const retryAfter = Math.max(1, reset - Math.floor(now / 1000));
    return {
      headers,
      denied: envelope(
        429,
        'Rate limit exceeded',
        `Rate limit of ${rule.limit} requests per hour for ${rule.resource} exceeded`,
        { ...headers, 'Retry-After': String(retryAfter) },
      ),
    };
  }
}
