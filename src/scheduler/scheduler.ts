// The cycle loop: snapshot what is due and has no probe in flight, dispatch it, and sleep until the
// next due time or until a result makes a service due. A cycle never waits for an earlier one's probes.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ProbeJob, ProbeOutcome, ProbeResult } from '../domain/index.js';
import { protocolNameOf } from '../probe/probe-table.js';
import { noOutcomes, type LagSummary } from '../store/events.js';
import type { ServiceStore } from '../store/store.js';
import type { Prober } from './prober.js';
import { Sleeper } from './sleeper.js';

export interface SchedulerOptions {
  readonly store: ServiceStore;
  readonly prober: Prober;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
}

function summariseLags(lags: number[]): LagSummary | null {
  if (lags.length === 0) return null;
  lags.sort((a, b) => a - b);
  const at = (fraction: number): number => lags[Math.min(lags.length - 1, Math.floor(fraction * lags.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}

export class Scheduler {
  private readonly sleeper = new Sleeper();
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly unsubscribe: () => void;
  /** Cycles whose probes are not all back yet; stop() waits for their results to be applied. */
  private readonly running = new Set<Promise<void>>();
  private sleeping = false;
  /** When the current sleep ends (epoch ms); `null`: not before something wakes it. */
  private wakeAt: number | null = null;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? Date.now;
    // Every batch in flight listens on the one shutdown signal; hundreds are expected, not a leak.
    setMaxListeners(Infinity, this.abort.signal);
    // New work: a registration, or services of shards this replica just took over (cluster mode).
    const onNewWork = (): void => this.sleeper.wake();
    options.store.events.on('registered', onNewWork);
    options.store.events.on('adopted', onNewWork);
    this.unsubscribe = () => {
      options.store.events.off('registered', onNewWork);
      options.store.events.off('adopted', onNewWork);
    };
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops starting cycles, abandons probes in flight, and resolves once results already back are applied. */
  async stop(): Promise<void> {
    this.unsubscribe();
    this.abort.abort();
    this.sleeper.wake();
    await this.loop;
    await Promise.all(this.running);
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.startCycle();
        if (this.abort.signal.aborted) break;
        const next = this.options.store.nextDueAt();
        this.wakeAt = next;
        this.sleeping = true;
        await this.sleeper.sleep(next === null ? null : next - this.now());
        this.sleeping = false;
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.options.onError?.(error);
        // A failing cycle must not spin: wait a moment before the next attempt.
        await this.sleeper.sleep(1000);
      }
    }
  }

  /** Takes what is due and dispatches it; the cycle's results are applied as they come. */
  private async startCycle(): Promise<void> {
    const startedAt = this.now();
    const jobs = await this.options.store.takeDue(startedAt);
    if (jobs.length === 0 || this.abort.signal.aborted) return;
    const cycle = this.runCycle(jobs, startedAt).catch((error: unknown) => {
      if (!this.abort.signal.aborted) this.options.onError?.(error);
    });
    this.running.add(cycle);
    void cycle.finally(() => this.running.delete(cycle));
  }

  private async runCycle(jobs: readonly ProbeJob[], startedAt: number): Promise<void> {
    const { store, prober } = this.options;
    const loopAtStart = performance.eventLoopUtilization();
    const pending: Promise<number>[] = [];
    const outcomes: Record<string, Record<ProbeOutcome['kind'], number>> = {};
    const byId = new Map(jobs.map((job) => [job.serviceId, job]));
    const lags: number[] = [];
    const onResults = (results: ProbeResult[]): void => {
      for (const result of results) {
        const job = byId.get(result.serviceId);
        (outcomes[job === undefined ? 'unknown' : protocolNameOf(job.url)] ??= noOutcomes())[result.outcome.kind]++;
        if (job !== undefined) lags.push(Math.max(0, result.startedAt - job.dueAt));
      }
      pending.push(store.applyResults(results).then((applied) => (this.wakeIfDueSooner(), applied)));
    };
    await prober.probeAll(jobs, onResults, this.abort.signal);
    const applied = (await Promise.all(pending)).reduce((sum, count) => sum + count, 0);
    if (this.abort.signal.aborted) return;
    const { utilization } = performance.eventLoopUtilization(loopAtStart);
    store.recordCycle({
      startedAt,
      durationMs: this.now() - startedAt,
      size: jobs.length,
      applied,
      outcomes,
      eventLoopUtilization: utilization,
      scheduleLagMs: summariseLags(lags),
    });
  }

  /**
   * A result frees its service for a later cycle: wake if that makes something due before the planned
   * wake-up. An awake loop needs no wake: it reads the next due time after its snapshot.
   */
  private wakeIfDueSooner(): void {
    if (!this.sleeping) return;
    const next = this.options.store.nextDueAt();
    if (next !== null && (this.wakeAt === null || next < this.wakeAt)) this.sleeper.wake();
  }
}
