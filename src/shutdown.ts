// Graceful shutdown on SIGINT/SIGTERM within a deadline; a second signal exits at once.
import type { Logger } from 'pino';

export const SHUTDOWN_DEADLINE_MS = 5000;

export interface ShutdownStep {
  readonly name: string;
  readonly run: () => Promise<void>;
}

/** Runs the steps in order on the first signal, then exits 0 (1 if a step failed or the deadline passed). */
export function onShutdownSignal(steps: readonly ShutdownStep[], logger: Logger): void {
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Leave a margin under the deadline for the process itself to exit.
    const deadline = setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS - 500);
    deadline.unref();
    let failed = false;
    for (const step of steps) {
      try {
        await step.run();
      } catch (error) {
        failed = true;
        logger.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));
}
