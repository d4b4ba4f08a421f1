import { z } from 'zod';
import { allowanceExhausted } from './errors.js';

/**
 * The org's daily API allowance: a rolling 24 h count of REST calls, reported on every counted
 * response as `Sforce-Limit-Info: api-usage=<used>/<max>` (optionally followed by
 * `; per-app-api-usage=…` and `; api-bursts=…`) and by `GET /limits` as `DailyApiRequests`
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm).
 */
export interface ApiUsage {
  used: number;
  max: number;
}

/** Reads `api-usage=891/15000` out of the header; undefined when the response carries none. */
export function parseLimitInfo(header: string | string[] | undefined): ApiUsage | undefined {
  const raw = Array.isArray(header) ? header.join(';') : header;
  if (!raw) return undefined;
  const m = /(?:^|[;\s])api-usage=(\d+)\/(\d+)/.exec(raw);
  if (!m) return undefined;
  return { used: Number(m[1]), max: Number(m[2]) };
}

export const limitsBody = z
  .object({ DailyApiRequests: z.object({ Max: z.number(), Remaining: z.number() }) })
  .loose();

/**
 * A pass's budget: at most `share` of what remained of the daily allowance when the budget first
 * learned the usage. Each counted call is admitted only if the usage it would reach (the latest
 * server-reported usage, plus the calls admitted since that report) stays within the ceiling;
 * otherwise it is refused before it is sent, with the clean-stop error. Usage by the org's other
 * integrations counts too, since the server's figure includes it.
 */
export class ApiBudget {
  private ceiling: number | undefined;
  private usage: ApiUsage | undefined;
  /** Calls admitted whose response has not reported the usage yet. */
  private inFlight = 0;
  /** Counted calls this budget admitted. */
  spent = 0;

  constructor(readonly share: number) {}

  /** The latest usage the org reported. */
  get current(): ApiUsage | undefined {
    return this.usage;
  }

  /** Records a usage report; the first one fixes the ceiling. */
  observe(usage: ApiUsage): void {
    if (this.ceiling === undefined) {
      this.ceiling = usage.used + Math.floor(this.share * Math.max(0, usage.max - usage.used));
    }
    if (!this.usage || usage.used >= this.usage.used || usage.max !== this.usage.max) this.usage = usage;
  }

  /**
   * Admits one counted call or throws the clean-stop error. Before the first report there is no
   * ceiling: the first call is admitted and its own header primes the budget.
   */
  admit(what: string): void {
    if (this.ceiling !== undefined && this.usage) {
      const wouldReach = this.usage.used + this.inFlight + 1;
      if (wouldReach > this.ceiling) {
        throw allowanceExhausted(
          `Salesforce ${what}: not sent, it would pass this connection's share of the daily API allowance (${this.usage.used}/${this.usage.max} used, this pass may go up to ${this.ceiling})`,
          { source: 'share', used: this.usage.used, max: this.usage.max, ceiling: this.ceiling },
        );
      }
    }
    this.inFlight += 1;
    this.spent += 1;
  }

  /** The admitted call answered (with or without a usage report). */
  settle(usage: ApiUsage | undefined): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (usage) this.observe(usage);
  }
}
