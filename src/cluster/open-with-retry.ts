// PostgreSQL unreachable at start: keep trying with backoff instead of exiting into a crash loop, and
// say why on /healthz meanwhile. A schema newer than this monitor is not worth retrying.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { redactedDatabaseUrl } from '../domain/index.js';
import { PostgresPersistence } from '../store/postgres/postgres-persistence.js';
import { SchemaError } from '../store/sqlite/migrations.js';

export const FIRST_RETRY_MS = 500;
export const MAX_RETRY_MS = 10_000;

export interface StartingState {
  /** Why the database could not be opened yet; `null` before the first failure. */
  reason: string | null;
}

/**
 * Resolves once the database is open and migrated. `onWaiting` runs after the first failure (the
 * caller starts answering /healthz with 503 then); a SchemaError rejects at once.
 */
export async function openPostgresWithRetry(
  url: string,
  logger: Logger,
  state: StartingState,
  onWaiting: () => void,
): Promise<PostgresPersistence> {
  let delay = FIRST_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await PostgresPersistence.open(url);
    } catch (error) {
      if (error instanceof SchemaError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      if (state.reason === null) onWaiting();
      state.reason = `PostgreSQL at ${redactedDatabaseUrl(url)} cannot be reached: ${reason}`;
      logger.warn({ attempt, retryInMs: delay, reason: state.reason }, 'database unreachable: retrying');
      await sleep(delay);
      delay = Math.min(MAX_RETRY_MS, delay * 2);
    }
  }
}
