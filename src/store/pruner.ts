// Runs the store's history pruning in the background: soon after start, then every hour.
import type { Logger } from 'pino';
import type { ServiceStore } from './store.js';

const FIRST_RUN_MS = 30_000;
const EVERY_MS = 3_600_000;

/** Returns a function that stops further runs. */
export function schedulePruning(store: ServiceStore, historyRetentionDays: number, logger: Logger): () => void {
  let running = false;
  const run = (): void => {
    if (running) return;
    running = true;
    store
      .prune(historyRetentionDays)
      .then((deleted) => deleted > 0 && logger.info({ deleted }, 'pruned history'))
      .catch((error: unknown) => logger.error({ err: error }, 'pruning failed'))
      .finally(() => (running = false));
  };
  const first = setTimeout(run, FIRST_RUN_MS);
  const every = setInterval(run, EVERY_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
