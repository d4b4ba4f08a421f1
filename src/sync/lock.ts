import { TransientError } from '../errors.js';
import type { LockRow, StateStore } from '../state/store.js';
import type { Logger } from '../systems/types.js';

export class LockedError extends Error {
  constructor(
    readonly pair: string,
    readonly holder: Pick<LockRow, 'pid' | 'host' | 'acquired_at' | 'heartbeat_at'>,
  ) {
    super(
      `another pass of ${pair} is running (pid ${holder.pid} on ${holder.host}, started ${holder.acquired_at}, last heartbeat ${holder.heartbeat_at})`,
    );
  }
}

/** The pass lock as its holder sees it. */
export interface PairLock {
  readonly pair: string;
  readonly owner: string;
  /** Names the run the lock covers (its status becomes `crashed` if another pass takes the lock over). */
  setRun(runId: number): void;
  /**
   * Throws when the lock is no longer this holder's: a pass paused longer than the stale time (a
   * stopped VM, a debugger, a swapped-out host) may have been replaced by another, and must not write
   * another record or move a cursor once it resumes.
   */
  verify(): void;
}

/**
 * Holds the pair's pass lock for the duration of `fn`, with a heartbeat. A lock left by a killed
 * process (dead pid, or no heartbeat for lockStaleMs) is taken over. The lock is released only if it
 * is still this holder's.
 */
export async function withPairLock<T>(
  store: StateStore,
  pair: string,
  options: { lockStaleMs: number; heartbeatMs?: number; log?: Logger },
  fn: (lock: PairLock) => Promise<T>,
): Promise<T> {
  const taken = store.acquireLock(pair, options.lockStaleMs);
  if (!taken.ok) throw new LockedError(pair, taken.holder);
  if (taken.tookOverFrom) {
    options.log?.warn(`took over a stale lock of ${pair} held by pid ${taken.tookOverFrom.pid}`);
  }
  const owner = taken.owner;
  let lost = false;
  const lock: PairLock = {
    pair,
    owner,
    setRun: (runId) => store.setLockRun(pair, owner, runId),
    verify() {
      if (lost || !store.holdsLock(pair, owner)) {
        lost = true;
        const holder = store.lockHolder(pair);
        throw new TransientError(
          `this pass of ${pair} lost its lock${holder ? ` to pid ${holder.pid} on ${holder.host} (taken ${holder.acquired_at})` : ''}: it was paused longer than lockStaleSeconds, so it stopped without writing further`,
          {
            code: 'lock.lost',
            // Not a passing failure of one request: nothing may be retried once the lock is gone.
            data: { retryHere: false },
            hint: 'nothing is lost: the pass that holds the lock now (or the next one) handles the rest; raise lockStaleSeconds if passes are often paused this long',
          },
        );
      }
    },
  };
  const timer = setInterval(() => {
    // A timer's exception would end the process: a heartbeat the state file could not take now (busy,
    // a full disk) is simply missed; the checks before each write still decide.
    try {
      if (!lost && !store.heartbeat(pair, owner)) lost = true;
    } catch (err) {
      options.log?.debug(`heartbeat of ${pair} not stored: ${(err as Error).message}`);
    }
  }, options.heartbeatMs ?? 5_000);
  timer.unref();
  try {
    return await fn(lock);
  } finally {
    clearInterval(timer);
    store.releaseLock(pair, owner);
  }
}
