// Shared plumbing of the property-based (fast-check) tests: run parameters and a guard on uncaught errors.
import assert from 'node:assert/strict';
import type { Parameters } from 'fast-check';

/**
 * fast-check's parameters, with a failure replayable from the environment: a failing run prints its
 * `seed` and `path`; `FC_SEED=… FC_PATH=… node --test dist/tests/fuzz-….test.js` replays that very case
 * (see docs/fuzzing.md). `FC_RUNS` raises the number of runs for a longer local session.
 * `examples` always run first: the inputs that once found a bug stay checked on every run.
 */
export function fuzzParameters<T>(numRuns: number, examples: T[] = []): Parameters<T> {
  const seed = process.env['FC_SEED'];
  const path = process.env['FC_PATH'];
  const runs = process.env['FC_RUNS'];
  return {
    numRuns: runs !== undefined ? Number(runs) : numRuns,
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(path !== undefined ? { path } : {}),
    examples,
    // The assertion's own message in the report, not only the counterexample.
    includeErrorInReport: true,
  };
}

/**
 * Records every uncaught exception and unhandled rejection from now on; the returned check fails the
 * test if any happened. An error thrown on a socket callback or a forgotten promise never reaches the
 * request that caused it, so only the process sees it.
 */
export function watchUncaughtErrors(t: { after: (fn: () => void) => void }): () => void {
  const seen: unknown[] = [];
  const record = (error: unknown): void => {
    seen.push(error);
  };
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  t.after(() => {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  });
  return () => assert.deepEqual(seen, [], 'uncaught exceptions or unhandled rejections during the run');
}
