// The cycle loop: snapshot what is due, probe it all, apply results, sleep until the next due time.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ProbeResult } from '../domain/index.js';
import type { LagSummary } from '../store/events.js';
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

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? Date.now;
    // Every batch in flight listens on the one shutdown signal; hundreds are expected, not a leak.
    setMaxListeners(Infinity, this.abort.signal);
    const onRegistered = (): void => this.sleeper.wake();
    options.store.events.on('registered', onRegistered);
    this.unsubscribe = () => options.store.events.off('registered', onRegistered);
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
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const ranCycle = await this.cycle();
        if (!ranCycle && !this.abort.signal.aborted) {
          const next = this.options.store.nextDueAt();
          await this.sleeper.sleep(next === null ? null : next - this.now());
        }
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.options.onError?.(error);
        // A failing cycle must not spin: wait a moment before the next attempt.
        await this.sleeper.sleep(1000);
      }
    }
  }

  /** Resolves `false` when nothing was due. */
  private async cycle(): Promise<boolean> {
    const { store, prober } = this.options;
    const startedAt = this.now();
    const loopAtStart = performance.eventLoopUtilization();
    const jobs = await store.takeDue(startedAt);
    if (jobs.length === 0) return false;
    const pending: Promise<number>[] = [];
    const outcomes = { answered: 0, http_status: 0, invalid_body: 0, unreachable: 0, monitor_error: 0 };
    const dueAt = new Map(jobs.map((job) => [job.serviceId, job.dueAt]));
    const lags: number[] = [];
    const onResults = (results: ProbeResult[]): void => {
      for (const result of results) {
        outcomes[result.outcome.kind]++;
        const due = dueAt.get(result.serviceId);
        if (due !== undefined) lags.push(Math.max(0, result.startedAt - due));
      }
      pending.push(store.applyResults(results));
    };
    await prober.probeAll(jobs, onResults, this.abort.signal);
    const applied = (await Promise.all(pending)).reduce((sum, count) => sum + count, 0);
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
    return true;
  }
}
