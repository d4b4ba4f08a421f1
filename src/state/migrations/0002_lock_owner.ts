/**
 * The pass lock names its holder by an owner token drawn when it is taken, not by pid alone: a pass
 * checks before each write that the lock is still its own (a pass paused past the stale time may
 * have been replaced by another process, or by another pass of the same process).
 */
export const sql = `
ALTER TABLE locks ADD COLUMN owner TEXT;
`;
