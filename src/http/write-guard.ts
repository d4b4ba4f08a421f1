import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The check a write must pass right before its request leaves (the pass still holds its lock). The
 * engine runs each sink call inside `withWriteGuard`; clients call `checkWriteGuard()` before every
 * request that writes, so a pass paused mid-batch (a stopped VM) sends nothing more once it resumes
 * without its lock, not even the rest of a batch it had begun.
 */
const guards = new AsyncLocalStorage<() => void>();

export function withWriteGuard<T>(guard: (() => void) | undefined, fn: () => Promise<T>): Promise<T> {
  return guard ? guards.run(guard, fn) : fn();
}

/** Throws what the guard of the current write throws; does nothing outside a guarded write. */
export function checkWriteGuard(): void {
  guards.getStore()?.();
}
