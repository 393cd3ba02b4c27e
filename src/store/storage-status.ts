// Whether the database takes writes: set by every write the store tries, read by /healthz, and a
// timer that keeps trying while it does not, so the monitor notices recovery even when idle.

export interface StorageStatusOptions {
  readonly now: () => number;
  /** While failing, writes nobody waits for are tried at most this often, and the retry runs this often. */
  readonly retryMs: number;
  /** Called when the status turns `failing` or back to `ok`. */
  readonly onChange: (status: 'ok' | 'failing') => void;
  /** Called every `retryMs` while failing: tries the database again and reports back. */
  readonly retry: () => void;
}

export class StorageStatus {
  private since: number | null = null;
  private lastError: string | null = null;
  private lastLocked = false;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: StorageStatusOptions) {}

  get failing(): boolean {
    return this.since !== null;
  }

  /** When the first refused write of the current failure was tried (epoch ms); `null` while `ok`. */
  get failingSince(): number | null {
    return this.since;
  }

  get error(): string | null {
    return this.lastError;
  }

  /** Whether the latest refusal was another connection's lock, which can be checked for without writing. */
  get lockedOut(): boolean {
    return this.failing && this.lastLocked;
  }

  /** True while failing and a write was refused less than `retryMs` ago: not worth trying again yet. */
  get recentlyRefused(): boolean {
    return this.failing && performance.now() - this.lastAttempt < this.options.retryMs;
  }

  attempted(): void {
    this.lastAttempt = performance.now();
  }

  failed(error: unknown, locked: boolean): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.lastLocked = locked;
    if (this.since === null) {
      this.since = this.options.now();
      this.options.onChange('failing');
    }
    this.scheduleRetry();
  }

  worked(): void {
    if (this.since === null) return;
    this.since = null;
    this.lastError = null;
    this.options.onChange('ok');
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private scheduleRetry(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.failing) this.options.retry();
    }, this.options.retryMs);
    // Never what keeps the process alive.
    this.timer.unref();
  }
}
