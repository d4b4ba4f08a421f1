import type { z } from 'zod';
import type { AuditEntry } from '../commands/audit.js';
import type { ReplayCommandResult } from '../commands/replay.js';
import type { SyncResult } from '../commands/sync.js';
import type { StateStore } from '../state/store.js';
import type { EventsResult, WebhookSpec } from '../sync/events.js';
import type { Dimensions, Flow } from '../sync/types.js';
import type { Logger } from '../systems/types.js';

/** Everything a pair's flows are built from. */
export interface PairEnv<O> {
  name: string;
  options: O & PairCommonOptions;
  source: unknown;
  target: unknown;
  store: StateStore;
  log: Logger;
}

export interface PairCommonOptions {
  source: string;
  target: string;
  overlapSeconds: number;
  settleSeconds: number;
  batchSize: number;
  lockStaleSeconds: number;
  safetyNet: { everyPasses: number; lookbackHours: number };
}

export interface PairRuntime {
  /** In dependency order: reference data before the documents that name it. */
  flows: Flow[];
  makeDims(): Dimensions;
  /** Wraps a pass or a replay (e.g. one signed-in Acumatica session, always signed out). */
  session?<T>(fn: () => Promise<T>): Promise<T>;
}

export interface PairDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  description: string;
  systems: { source: string; target: string };
  /** The pair's own options in mlc.yaml (besides source, target, overlapSeconds…). */
  options: z.ZodObject<Shape>;
  /** What `mlc ping` must verify on each side for these options. */
  requirements(options: z.infer<z.ZodObject<Shape>>): { source: unknown[]; target: unknown[] };
  build(env: PairEnv<z.infer<z.ZodObject<Shape>>>): PairRuntime;
  /** Pair options that fit the simulators' demo seeds (`mlc sim --write-config`, `mlc demo`, bench). */
  simSettings?: Record<string, unknown>;
  /** The story `mlc demo <pair>` tells on the simulators. */
  demo?: DemoStory;
  /** What the pair receives by webhook (`mlc serve`), if anything. */
  webhooks?: WebhookSpec;
}

/** A pair's demo: which simulators it needs and the scenario it plays. */
export interface DemoStory {
  /** Systems whose simulators the story runs on (connections are named after them). */
  systems: string[];
  /** Plays the scenario; answers whether everything happened as the story says. */
  play(kit: DemoKit): Promise<boolean>;
}

/** What a demo story can do: run mlc's own commands on the demo config, and tell what happened. */
export interface DemoKit {
  pair: string;
  say(line: string): void;
  /** One pass of the pair, as `mlc sync` runs it. */
  sync(options?: { full?: boolean; flows?: string[] }): Promise<SyncResult>;
  /** Prints a pass's per-flow counts. */
  sayPass(result: SyncResult): void;
  /** Records written by a pass, over every flow. */
  written(result: SyncResult): number;
  /** The pair's audit entries, newest first. */
  audit(filter?: { flow?: string; outcome?: string; limit?: number }): AuditEntry[];
  /** Replays an audit entry, then once more to show that the second changes nothing. */
  replayTwice(auditId: number): Promise<ReplayCommandResult>;
  /** Prints a record's audit trail, oldest first. */
  trail(entry: AuditEntry): void;
  /** A client of one of the demo's connections (named after its system). */
  connect<C>(connection: string): { client: C; close(): Promise<void> };
  /** POSTs to a demo simulator's `/_sim/` control API (e.g. `webhooks`, to point a sender at the receiver). */
  simControl(system: string, route: string, body?: unknown): Promise<unknown>;
  /**
   * Starts the pair's webhook receiver as `mlc serve` runs it (the demo config's `serve` block and
   * signing key) on 127.0.0.1 and a free port; closed by the demo at the latest when it ends. Only
   * for pairs that declare `webhooks`.
   */
  serve(): Promise<DemoReceiver>;
  /** Prints the per-flow counts of webhook events handled. */
  sayEvents(result: EventsResult): void;
  /** Prints the verdict and how to try it by hand; answers `ok`. */
  finish(ok: boolean, tryIt: string): boolean;
}

/** The pair's webhook receiver, running for a demo. */
export interface DemoReceiver {
  /** Where it listens (http://127.0.0.1:<port>); the pair's routes are paths under it. */
  url: string;
  /** The key a sender signs posts with (the demo config's `serve.hmacKey`). */
  hmacKey: string;
  /**
   * Waits (up to 10 s) until `count` events have been stored since the receiver started, then has
   * every stored event handled down the record path; answers what the runs since the last call did.
   */
  settled(count: number): Promise<EventsResult>;
  close(): Promise<void>;
}

export { LazyDimensions } from '../sync/dimensions.js';
