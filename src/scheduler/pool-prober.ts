// Runs probes on a Piscina pool: batches per task, results back on a port per batch as they come, a
// shared counter capping probes in flight.
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ProbeJob, ProbeResult } from '../domain/index.js';
import { createInFlightCounter, reclaimSlotsOfExited } from '../probe/in-flight-limit.js';
import type { ProbeBatchTask, ProbeWorkerData } from '../probe/thread-messages.js';
import type { Prober } from './prober.js';

/** The pool never grows past this many threads, whatever the concurrency. */
export const MAX_PROBE_THREADS = 5;
/** When no thread count is given (tests, benches); the monitor's default is the config's, one per spare core. */
export const DEFAULT_PROBE_THREADS = 1;
const MAX_BATCH = 100;
/** Batches a thread holds at once: no real limit, as the runner's slots are what bound the probes. */
const TASKS_PER_THREAD = 1_000_000;
/** Several batches per thread, so one slow batch does not leave the other threads idle. */
const BATCHES_PER_THREAD = 4;
/**
 * The probe thread's old-generation cap: without one V8 lets a worker's garbage pile up before a full
 * collection. 1 GB leaves room for ~100 probes each holding a 1 MiB body (docs/probe-engine-performance.md).
 */
const WORKER_OLD_GENERATION_MB = 1024;
/** The probe thread's young-generation cap: less peak memory for a little more GC (docs/probe-engine-performance.md, round 2). */
const WORKER_YOUNG_GENERATION_MB = 8;

export interface PoolProberOptions {
  readonly maxConcurrency: number;
  /** Probe threads (default DEFAULT_PROBE_THREADS), capped at MAX_PROBE_THREADS and at maxConcurrency. */
  readonly threads?: number;
  /** The built task file; tests inject a failing one. */
  readonly taskFile?: URL | string;
  /** ALLOW_TARGETS, checked by the probe threads before every connection (default `null`: any target but link-local and metadata addresses). */
  readonly allowTargets?: readonly string[] | null;
  /** Cluster mode: named in every HTTP probe's `health-monitor-replica` header. */
  readonly replicaId?: string | null;
}

export const DEFAULT_TASK_FILE = new URL('../../workers/probe-task.js', import.meta.url);

export function splitIntoBatches<T>(items: readonly T[], threads: number): T[][] {
  const size = Math.max(1, Math.min(MAX_BATCH, Math.ceil(items.length / (threads * BATCHES_PER_THREAD))));
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

export class PoolProber implements Prober {
  /** Created on first use, and again after an abandoned cycle retired the previous one. */
  private pool: ProbePool | null = null;
  /** Pools being torn down after an abandoned cycle; close() waits for them. */
  private readonly retiring: Promise<void>[] = [];
  private readonly threads: number;

  constructor(private readonly options: PoolProberOptions) {
    if (!Number.isInteger(options.maxConcurrency) || options.maxConcurrency < 1) {
      throw new RangeError(`maxConcurrency must be a positive integer, got ${options.maxConcurrency}`);
    }
    const threads = options.threads ?? DEFAULT_PROBE_THREADS;
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads must be a positive integer, got ${threads}`);
    this.threads = Math.min(MAX_PROBE_THREADS, options.maxConcurrency, threads);
    this.pool = this.createPool();
  }

  private activePool(): ProbePool {
    this.pool ??= this.createPool();
    return this.pool;
  }

  private createPool(): ProbePool {
    const { options } = this;
    const lanes = Math.ceil(options.maxConcurrency / this.threads);
    const inFlight = createInFlightCounter();
    const workerData: ProbeWorkerData = {
      inFlight,
      maxInFlight: options.maxConcurrency,
      lanes,
      allowTargets: options.allowTargets ?? null,
      replicaId: options.replicaId ?? null,
    };
    const taskFile = options.taskFile ?? DEFAULT_TASK_FILE;
    const pool = new Piscina({
      filename: taskFile instanceof URL ? taskFile.href : taskFile,
      minThreads: this.threads,
      maxThreads: this.threads,
      // A task only queues its batch on the thread's runner, so a thread takes every batch at once:
      // none waits in Piscina's queue behind a batch held open by a hanging probe.
      concurrentTasksPerWorker: TASKS_PER_THREAD,
      idleTimeout: Infinity,
      workerData,
      resourceLimits: {
        maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB,
        maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
      },
    });
    // A thread that dies mid-cycle gives its slots back, or the lanes of its replacement would wait for
    // them until the end of a cycle that cannot end.
    pool.on('workerDestroy', () =>
      reclaimSlotsOfExited(
        inFlight,
        pool.threads.map((thread) => thread.threadId).filter((id) => id >= 0),
      ),
    );
    return { piscina: pool, inFlight };
  }

  /**
   * Runs an empty batch on every thread, so the first cycle is not delayed by threads still loading
   * their modules (about 100 ms, enough to make the first probe of a 1 s service visibly late).
   */
  async warmUp(): Promise<void> {
    const { piscina } = this.activePool();
    await Promise.all(
      Array.from({ length: this.threads }, () => {
        const { port1, port2 } = new MessageChannel();
        port1.close();
        const empty: ProbeBatchTask = { jobs: [], results: port2 };
        return piscina.run(empty, { transferList: [port2] });
      }),
    );
  }

  /**
   * Probes every job once; calls may overlap (the cap is global, and a service never comes twice:
   * the store does not hand out a service whose probe is in flight). Results arrive as they come.
   */
  async probeAll(
    jobs: readonly ProbeJob[],
    onResults: (results: ProbeResult[]) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted || jobs.length === 0) return;
    const pool = this.activePool();
    // No signal goes to Piscina (it would end the whole thread): an abandoned call retires the pool,
    // which ends its probes as surely.
    let onAbort = (): void => undefined;
    const abandoned = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const finished = Promise.all(
      splitIntoBatches(jobs, this.threads).map((batch) => runBatch(pool.piscina, batch, onResults, signal)),
    );
    try {
      await Promise.race([finished, abandoned]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (signal.aborted && this.pool === pool) {
      this.pool = null;
      const retired = pool.piscina.destroy();
      this.retiring.push(retired);
      await retired;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.retiring, this.pool?.piscina.destroy()]);
    this.pool = null;
  }
}

/**
 * Sends one batch to a thread and hears its results on a port of its own, as they come. Once the task
 * has settled and the results it sent have had time to arrive, every job not answered is reported as
 * lost with the worker (its thread died).
 */
function runBatch(
  piscina: Piscina,
  jobs: readonly ProbeJob[],
  onResults: (results: ProbeResult[]) => void,
  signal: AbortSignal,
): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const unanswered = new Map(jobs.map((job) => [job.serviceId, job]));
  return new Promise((resolve) => {
    const end = (lostReason: string | null): void => {
      if (unanswered.size > 0 && lostReason !== null && !signal.aborted) {
        onResults([...unanswered.values()].map((job) => workerFailure(job, lostReason)));
      }
      unanswered.clear();
      port1.close();
      resolve();
    };
    port1.on('message', (results: ProbeResult[]) => {
      for (const result of results) unanswered.delete(result.serviceId);
      // At shutdown nothing is reported: an abandoned probe says nothing about its target.
      if (!signal.aborted) onResults(results);
      if (unanswered.size === 0) end(null);
    });
    const task: ProbeBatchTask = { jobs, results: port2 };
    // The task settles on Piscina's own port, so results sent just before may still be on their way.
    const endLater = (reason: string): void => {
      if (unanswered.size > 0) setTimeout(() => end(reason), LATE_RESULTS_MS).unref();
    };
    piscina.run(task, { transferList: [port2] }).then(
      () => endLater('it ended the batch without every result'),
      (error: unknown) => endLater(error instanceof Error ? error.message : String(error)),
    );
  });
}

/** How long results sent just before a task settled may take to arrive on their own port. */
const LATE_RESULTS_MS = 200;

/** A pool and its own in-flight counter: a retiring pool's threads never touch the next one's. */
interface ProbePool {
  readonly piscina: Piscina;
  readonly inFlight: SharedArrayBuffer;
}

/**
 * The real task never rejects (every probe failure is a result), so a failed task means its thread
 * died: it exited, or an uncaught error ended it. Piscina's reason is only the error, which for an
 * uncaught one does not say that the thread is gone.
 */
function workerFailure(job: ProbeJob, reason: string): ProbeResult {
  return {
    serviceId: job.serviceId,
    generation: job.generation,
    startedAt: Date.now(),
    durationMs: 0,
    attempts: 0,
    outcome: { kind: 'monitor_error', error: `the probe worker died before returning this result (${reason})` },
  };
}
