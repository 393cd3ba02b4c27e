// A probe thread's runner: every batch the thread holds feeds one queue, and a probe starts as soon as
// this thread has a free lane and the global limit a free slot for its kind of target. A probe that
// failed an attempt gives its slot back and waits for the next one as a slow target.
import type { ProbeJob, ProbeResult } from '../domain/index.js';
import { Fifo } from './fifo.js';

/** What the runner needs of the global cap (InFlightLimit). */
export interface SlotLimit {
  tryAcquire(slow: boolean): boolean;
  release(slow: boolean): void;
  /** Resolves when a slot may have been released elsewhere. */
  changed(): Promise<void>;
}

/** Where one probe's result goes. */
export interface ResultSink {
  deliver(result: ProbeResult): void;
}

/** One step of a probe: resolves its result, or `null` when another attempt is due. */
export type AttemptStep<P> = (probe: P) => Promise<ProbeResult | null>;

interface Entry<P> {
  readonly probe: P;
  readonly sink: ResultSink;
  slow: boolean;
  /** Arrival order across both queues: the oldest probe that may start goes first. */
  order: number;
}

export class ProbeRunner<P> {
  private readonly fast = new Fifo<Entry<P>>();
  private readonly slow = new Fifo<Entry<P>>();
  private running = 0;
  private arrivals = 0;
  private waitingForSlot = false;

  constructor(
    private readonly lanes: number,
    private readonly limit: SlotLimit,
    private readonly start: (job: ProbeJob) => P,
    private readonly step: AttemptStep<P>,
    private readonly failure: (probe: P, error: unknown) => ProbeResult,
  ) {
    if (!Number.isInteger(lanes) || lanes < 1) throw new RangeError(`lanes must be a positive integer, got ${lanes}`);
  }

  enqueue(jobs: readonly ProbeJob[], sink: ResultSink): void {
    for (const job of jobs) this.queue({ probe: this.start(job), sink, slow: job.slow, order: 0 });
    this.pump();
  }

  /** Probes queued or running on this thread (for tests). */
  get size(): number {
    return this.fast.size + this.slow.size + this.running;
  }

  private queue(entry: Entry<P>): void {
    entry.order = this.arrivals++;
    (entry.slow ? this.slow : this.fast).push(entry);
  }

  private pump(): void {
    while (this.running < this.lanes) {
      const entry = this.admit();
      if (entry === undefined) break;
      this.running++;
      void this.run(entry);
    }
    if (this.running < this.lanes && this.fast.size + this.slow.size > 0 && !this.waitingForSlot) {
      this.waitingForSlot = true;
      void this.limit.changed().then(() => {
        this.waitingForSlot = false;
        this.pump();
      });
    }
  }

  /** The oldest queued probe that the limit lets start now, holding its slot. */
  private admit(): Entry<P> | undefined {
    const fast = this.fast.peek();
    const slow = this.slow.peek();
    const slowFirst = slow !== undefined && (fast === undefined || slow.order < fast.order);
    if (slowFirst && this.limit.tryAcquire(true)) return this.slow.shift();
    if (fast !== undefined && this.limit.tryAcquire(false)) return this.fast.shift();
    if (!slowFirst && slow !== undefined && this.limit.tryAcquire(true)) return this.slow.shift();
    return undefined;
  }

  private async run(entry: Entry<P>): Promise<void> {
    let result: ProbeResult | null;
    try {
      result = await this.step(entry.probe);
    } catch (error) {
      result = this.failure(entry.probe, error);
    } finally {
      this.limit.release(entry.slow);
      this.running--;
    }
    if (result === null) {
      entry.slow = true;
      this.queue(entry);
    } else {
      entry.sink.deliver(result);
    }
    this.pump();
  }
}
