import type { FaultRule } from '../sim/common/server.js';
import type { FaultEnv } from './env.js';

/**
 * The fault matrix: scenarios (what goes wrong) × pairs (what is synced). Every cell starts the pair's
 * simulators, runs the built CLI as child processes while faults are injected through `/_sim/`, runs
 * clean passes until one exits 0, then judges the result from both systems' own data (never from
 * mlc's counters or state file).
 */

/** One record the target should hold, as the source says it should look. */
export interface ExpectedRecord {
  /** The kind of record ("order", "order line", "supplier", …). */
  kind: string;
  /** The source reference the target row carries (PO number, invoice number + line id, …). */
  key: string;
  /** A few mapped values compared with the target's (amounts, names, GL account, cost center). */
  fields: Record<string, string>;
}

/** One row the target holds, keyed by the source reference it carries. */
export type ActualRecord = ExpectedRecord;

/** Per-system fault vocabulary: the routes and fault rules a scenario asks of "the source" or "the target". */
export interface SystemFaults {
  /** `METHOD /path` regular expression of the reads a pass makes. */
  reads: string;
  /** Regular expression of the writes a pass makes (creates, updates, imports). */
  writes: string;
  /** A 429 with Retry-After, in the system's own wire format. */
  rateLimit(retryAfter: number): Omit<FaultRule, 'match' | 'times' | 'skip'>;
  /** A 5xx in the system's own format. */
  serverError(): Omit<FaultRule, 'match' | 'times' | 'skip'>;
  /** Bodies that break the API's contract, each for reads (and writes where it makes sense). */
  malformed(): FaultRule[];
  /** The credential itself revoked (and later restored) by control routes, where the simulator can. */
  credential?: { revokeRoute: string; restoreRoute: string };
  /** Access-token expiry and revocation, where the system has tokens. */
  tokens?: { expireRoute?: string; revoke?: FaultRule };
  /**
   * A write that the server commits while the client never receives the answer. `true` means the
   * system has a kind that commits first and then holds the answer; `false` means the rule only
   * approximates it (the write is applied after the client gave up).
   */
  lostAnswer(delayMs: number): { rule: FaultRule; exact: boolean };
  /** One row of an import batch rejected by the target while the others are written. */
  rowError?: FaultRule;
  /** A whole write batch rejected (the transaction cancelled server-side). */
  batchFailure?: FaultRule;
  /** Error answers that echo a credential back to the client. */
  echo(secret: string): FaultRule[];
}

/** A pair under test: one small entry per pair. */
export interface PairDescriptor {
  name: string;
  source: string;
  target: string;
  /** Seed both simulators start with (`volume:N` keeps a clean pass at exit 0). */
  seed: string;
  /** Pair options written to mlc.yaml besides source and target. */
  settings: Record<string, unknown>;
  /**
   * What a pass runs (default `sync <name> -v`): a pair set up as several instances (one per tenant)
   * in `prepare` runs them all (`sync --all -v`).
   */
  syncArgs?: string[];
  /** Brings the simulators to the pair's starting data after the seed (optional). */
  prepare?(env: FaultEnv): Promise<void>;
  /** What the target (and, for return paths, the source) should hold, read from the systems directly. */
  sourceOracle(env: FaultEnv): Promise<ExpectedRecord[]>;
  /** What they do hold. */
  targetOracle(env: FaultEnv): Promise<ActualRecord[]>;
  /** Makes `count` source records share one change stamp (ties across page boundaries). */
  tieBurst(env: FaultEnv, count: number): Promise<void>;
  /**
   * Commits `count` source records whose change stamp lies `seconds` back (a transaction that began
   * long before it committed); absent where the source simulator cannot.
   */
  lateCommit?(env: FaultEnv, count: number, seconds: number): Promise<void>;
  /** Config edits that make pages small, so ties and kills cross page boundaries. */
  smallPages(config: Record<string, unknown>): void;
}

/** Result of one mlc child process. */
export interface PassRun {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Set when the harness itself ended the process (SIGKILL); its exit is not judged. */
  killedByHarness: boolean;
}

/** What one run of a cell observed. */
export interface RunResult {
  missed: number;
  duplicated: number;
  wrong: number;
  unexpectedExits: number;
  secretsFound: number;
  /** Writes a pass made after it lost its lock (lock scenario only). */
  staleWrites: number;
  /** Fault rules the simulators applied (proof that the scenario injected something). */
  faultsFired: number;
  /** Human-readable findings: what differed, which exit, where a secret was. */
  notes: string[];
}

export interface CellResult extends Omit<RunResult, 'notes'> {
  scenario: string;
  pair: string;
  runs: number;
  seconds: number;
  /** Set when the scenario cannot run yet (what it waits for). */
  pending?: string;
  /** Set when the simulators cannot produce this fault (what they lack). */
  unsupported?: string;
  notes: string[];
}
