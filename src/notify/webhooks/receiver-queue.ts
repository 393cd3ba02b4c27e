// One receiver's notices: a bounded FIFO, delivered one at a time so they arrive in order and a slow
// receiver only ever holds up itself.
import { deliver, type DeliveryOptions, type DeliveryResult } from './deliver.js';
import type { Notice } from './notice.js';
import type { NoticeHolder, PendingNotice, PendingNotices } from './pending-notices.js';

export type DeliveryOutcome = 'delivered' | 'retried' | 'failed' | 'dropped';

export interface ReceiverQueueOptions extends DeliveryOptions {
  /** Notices waiting behind the one in flight; the oldest is dropped to make room. */
  readonly maxQueued: number;
  /** Every receiver's waiting notices, under one bound: told whenever a notice stops waiting here. */
  readonly pending: PendingNotices<ReceiverQueue>;
  readonly onOutcome: (outcome: DeliveryOutcome) => void;
  /** Asked just before a notice is sent: `false` drops it (cluster mode: its service's lease was lost). */
  readonly stillWanted?: (notice: Notice) => boolean;
  /** A notice this receiver has had every attempt at, delivered or not. */
  readonly onFinished?: (notice: Notice) => void;
  /** A notice given up on after its last attempt. */
  readonly onFailed: (notice: Notice, result: Extract<DeliveryResult, { kind: 'failed' }>) => void;
  /** Nothing queued or in flight any more. */
  readonly onIdle: () => void;
}

type Waiting = PendingNotice<ReceiverQueue>;

/** The delivery in flight, and how to cut it short when its service is deleted. */
interface InFlight {
  readonly notice: Notice;
  readonly abort: AbortController;
  cancelled: boolean;
}

export class ReceiverQueue implements NoticeHolder {
  private readonly waiting: Waiting[] = [];
  private running = false;
  private current: InFlight | null = null;
  private idleWaiters: (() => void)[] = [];
  /** Notices shutdown kept from being delivered: cut in flight or never started. */
  private interruptedCount = 0;

  constructor(
    readonly url: string,
    private readonly options: ReceiverQueueOptions,
  ) {}

  /** Returns at once: delivery happens later, off the caller's turn of the event loop. */
  enqueue(pending: Waiting): void {
    if (this.waiting.length >= this.options.maxQueued) {
      // The oldest goes: the newest notices describe the state that is still true.
      const oldest = this.waiting.shift();
      if (oldest !== undefined) this.options.pending.release(oldest, this);
      this.options.onOutcome('dropped');
    }
    this.waiting.push(pending);
    if (this.running) return;
    this.running = true;
    setImmediate(() => void this.run());
  }

  /** The global bound let go of `pending`: it is the oldest anywhere, so the head here. */
  evict(pending: Waiting): void {
    const index = this.waiting[0] === pending ? 0 : this.waiting.indexOf(pending);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  /**
   * Forgets every notice about `serviceId`, waiting or in flight (its retries included); returns how
   * many. The caller does this as the service is deleted, so a later registration's notices are never touched.
   */
  forgetService(serviceId: string): number {
    let forgotten = 0;
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const pending = this.waiting[i];
      if (pending === undefined || pending.notice.service !== serviceId) continue;
      this.waiting.splice(i, 1);
      this.options.pending.release(pending, this);
      forgotten++;
    }
    const current = this.current;
    if (current !== null && !current.cancelled && current.notice.service === serviceId) {
      current.cancelled = true;
      current.abort.abort(new Error(`service ${serviceId} was deleted`));
      forgotten++;
    }
    return forgotten;
  }

  get idle(): boolean {
    return !this.running && this.waiting.length === 0;
  }

  /** Resolves once nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get interrupted(): number {
    return this.interruptedCount;
  }

  /** At shutdown: forgets every waiting notice, counting each as dropped. */
  discard(): void {
    const waiting = this.waiting.splice(0);
    for (const pending of waiting) this.options.pending.release(pending, this);
    this.interruptedCount += waiting.length;
    for (let i = 0; i < waiting.length; i++) this.options.onOutcome('dropped');
  }

  private async run(): Promise<void> {
    try {
      for (let pending = this.waiting.shift(); pending !== undefined; pending = this.waiting.shift()) {
        // In flight, it no longer waits: the global bound counts only what it could drop.
        this.options.pending.release(pending, this);
        if (this.options.stillWanted?.(pending.notice) === false) {
          this.options.onOutcome('dropped');
          continue;
        }
        const result = await this.deliverOne(pending.notice);
        if (result === 'cancelled') {
          // Counted when its service was deleted.
        } else if (result.kind === 'delivered') this.options.onOutcome('delivered');
        else if (result.kind === 'failed') {
          this.options.onOutcome('failed');
          this.options.onFailed(pending.notice, result);
        } else {
          this.interruptedCount++;
          this.options.onOutcome('dropped');
        }
        if (result !== 'cancelled' && result.kind !== 'interrupted') this.options.onFinished?.(pending.notice);
        if (this.options.shutdown.aborted) break;
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
      if (this.waiting.length === 0) this.options.onIdle();
    }
  }

  /** One notice, cut short by shutdown or by its service's deletion; `cancelled` was counted by `forgetService`. */
  private async deliverOne(notice: Notice): Promise<DeliveryResult | 'cancelled'> {
    const { shutdown } = this.options;
    const current: InFlight = { notice, abort: new AbortController(), cancelled: false };
    const onShutdown = (): void => current.abort.abort(shutdown.reason);
    if (shutdown.aborted) onShutdown();
    else shutdown.addEventListener('abort', onShutdown, { once: true });
    this.current = current;
    try {
      const result = await deliver(this.url, notice, { ...this.options, shutdown: current.abort.signal }, () =>
        this.options.onOutcome('retried'),
      );
      return current.cancelled ? 'cancelled' : result;
    } finally {
      this.current = null;
      shutdown.removeEventListener('abort', onShutdown);
    }
  }
}
