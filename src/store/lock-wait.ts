// Waiting out another connection's write lock without blocking the thread: short attempts with
// pauses between them, so the API keeps answering reads while a write waits.
import { setTimeout as pause } from 'node:timers/promises';
import { StorageError } from './persistence.js';

const FIRST_PAUSE_MS = 10;
/** Attempts at least this often, so a lock let go is noticed within ~100 ms. */
const MAX_PAUSE_MS = 100;

/**
 * Runs `attempt` until it succeeds, fails for a reason other than a lock, or `deadline` (a
 * `performance.now()` time) has passed; the last lock error then says how long the write waited.
 */
export async function retryWhileLocked<T>(attempt: () => Promise<T>, deadline: number): Promise<T> {
  const startedAt = performance.now();
  let nextPause = FIRST_PAUSE_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StorageError) || !error.locked) throw error;
      const left = deadline - performance.now();
      // A single attempt (no time to wait: an expiry no one waits for) says only that the lock was held.
      if (left <= 0) throw nextPause === FIRST_PAUSE_MS ? error : stillLocked(error, performance.now() - startedAt);
      await pause(Math.min(nextPause, left));
      nextPause = Math.min(2 * nextPause, MAX_PAUSE_MS);
    }
  }
}

function stillLocked(last: StorageError, waitedMs: number): StorageError {
  const code = last.code === null ? '' : ` (${last.code})`;
  return new StorageError(
    `the database could not commit the change: another connection held its write lock${code} for the ${Math.round(waitedMs)} ms the monitor waited; nothing was changed, and a retry may succeed`,
    { cause: last, locked: true, code: last.code },
  );
}
