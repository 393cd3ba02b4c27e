// One receiver's notices: a bounded FIFO, delivered one at a time so they arrive in order and a slow
// receiver only ever holds up itself.
import { deliver, type DeliveryOptions, type DeliveryResult } from './deliver.js';
import type { Notice } from './notice.js';

export type DeliveryOutcome = 'delivered' | 'retried' | 'failed' | 'dropped';

export interface ReceiverQueueOptions extends DeliveryOptions {
  /** Notices waiting behind the one in flight; the oldest is dropped to make room. */
  readonly maxQueued: number;
  readonly onOutcome: (outcome: DeliveryOutcome) => void;
  /** A notice given up on after its last attempt. */
  readonly onFailed: (notice: Notice, result: Extract<DeliveryResult, { kind: 'failed' }>) => void;
  /** Nothing queued or in flight any more. */
  readonly onIdle: () => void;
}

export class ReceiverQueue {
  private readonly waiting: Notice[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];
  /** Notices shutdown kept from being delivered: cut in flight or never started. */
  private interruptedCount = 0;

  constructor(
    readonly url: string,
    private readonly options: ReceiverQueueOptions,
  ) {}

  /** Returns at once: delivery happens later, off the caller's turn of the event loop. */
  enqueue(notice: Notice): void {
    if (this.waiting.length >= this.options.maxQueued) {
      // The oldest goes: the newest notices describe the state that is still true.
      this.waiting.shift();
      this.options.onOutcome('dropped');
    }
    this.waiting.push(notice);
    if (this.running) return;
    this.running = true;
    setImmediate(() => void this.run());
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
    const count = this.waiting.length;
    this.waiting.length = 0;
    this.interruptedCount += count;
    for (let i = 0; i < count; i++) this.options.onOutcome('dropped');
  }

  private async run(): Promise<void> {
    try {
      for (let notice = this.waiting.shift(); notice !== undefined; notice = this.waiting.shift()) {
        const result = await deliver(this.url, notice, this.options, () => this.options.onOutcome('retried'));
        if (result.kind === 'delivered') this.options.onOutcome('delivered');
        else if (result.kind === 'failed') {
          this.options.onOutcome('failed');
          this.options.onFailed(notice, result);
        } else {
          this.interruptedCount++;
          this.options.onOutcome('dropped');
        }
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
}
