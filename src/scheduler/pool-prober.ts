// Runs probes on a Piscina pool: batches per task, a shared counter capping probes in flight.
import { Piscina } from 'piscina';
import type { ProbeBatchTask, ProbeJob, ProbeResult, ProbeWorkerData } from '../domain/index.js';
import { createInFlightCounter, resetInFlightCounter } from '../../workers/in-flight-limit.js';
import type { Prober } from './prober.js';

/** The pool never grows past this many threads, whatever the concurrency. */
export const MAX_PROBE_THREADS = 5;
const MAX_BATCH = 100;
/** Several batches per thread, so one slow batch does not leave the other threads idle. */
const BATCHES_PER_THREAD = 4;

export interface PoolProberOptions {
  readonly maxConcurrency: number;
  /** The built task file; tests inject a failing one. */
  readonly taskFile?: URL | string;
}

export const DEFAULT_TASK_FILE = new URL('../../workers/probe-task.js', import.meta.url);

export function splitIntoBatches<T>(items: readonly T[], threads: number): T[][] {
  const size = Math.max(1, Math.min(MAX_BATCH, Math.ceil(items.length / (threads * BATCHES_PER_THREAD))));
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

export class PoolProber implements Prober {
  private readonly pool: Piscina;
  private readonly inFlight = createInFlightCounter();
  private readonly threads: number;

  constructor(options: PoolProberOptions) {
    this.threads = Math.min(MAX_PROBE_THREADS, options.maxConcurrency);
    const workerData: ProbeWorkerData = {
      inFlight: this.inFlight,
      maxInFlight: options.maxConcurrency,
      lanes: Math.ceil(options.maxConcurrency / this.threads),
    };
    const taskFile = options.taskFile ?? DEFAULT_TASK_FILE;
    this.pool = new Piscina({
      filename: taskFile instanceof URL ? taskFile.href : taskFile,
      minThreads: this.threads,
      maxThreads: this.threads,
      concurrentTasksPerWorker: 1,
      idleTimeout: Infinity,
      workerData,
    });
  }

  /**
   * Runs an empty batch on every thread, so the first cycle is not delayed by threads still loading
   * their modules (about 100 ms, enough to make the first probe of a 1 s service visibly late).
   */
  async warmUp(): Promise<void> {
    const empty: ProbeBatchTask = { jobs: [] };
    await Promise.all(Array.from({ length: this.threads }, () => this.pool.run(empty)));
  }

  async probeAll(
    jobs: readonly ProbeJob[],
    onResults: (results: ProbeResult[]) => void,
    signal: AbortSignal,
  ): Promise<void> {
    // Cycles never overlap, so no probe holds a slot now; this also returns slots a dead worker took.
    resetInFlightCounter(this.inFlight);
    const batches = splitIntoBatches(jobs, this.threads);
    await Promise.all(
      batches.map(async (batch) => {
        try {
          const task: ProbeBatchTask = { jobs: batch };
          onResults((await this.pool.run(task, { signal })) as ProbeResult[]);
        } catch (error) {
          // At shutdown nothing is reported: an abandoned probe says nothing about its target.
          if (signal.aborted) return;
          const reason = error instanceof Error ? error.message : String(error);
          onResults(batch.map((job) => workerFailure(job, reason)));
        }
      }),
    );
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

function workerFailure(job: ProbeJob, reason: string): ProbeResult {
  return {
    serviceId: job.serviceId,
    generation: job.generation,
    startedAt: Date.now(),
    durationMs: 0,
    attempts: 0,
    outcome: { kind: 'monitor_error', error: `probe worker failed: ${reason}` },
  };
}
