// One timer for every service's reminders, however many services are bad.

/** setTimeout treats a longer delay as 1 ms (with a warning); a year-long reminder period must not fire at once. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export class ReminderWheel {
  /**
   * Service id → monotonic ms its next reminder is due. Every entry is added as "now + period", and
   * the period is the same for all, so insertion order is due order: the first entry is the earliest.
   */
  private readonly due = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly periodMs: number,
    private readonly onDue: (serviceId: string) => void,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** (Re)starts the service's reminder clock: its next reminder is one period from now. */
  track(serviceId: string): void {
    this.due.delete(serviceId);
    this.due.set(serviceId, this.clock() + this.periodMs);
    this.arm();
  }

  untrack(serviceId: string): void {
    this.due.delete(serviceId);
    if (this.due.size === 0) this.disarm();
  }

  get size(): number {
    return this.due.size;
  }

  stop(): void {
    this.due.clear();
    this.disarm();
  }

  private arm(): void {
    if (this.timer !== null) return;
    const first = this.due.values().next();
    if (first.done === true) return;
    const delay = Math.min(MAX_TIMER_DELAY_MS, Math.max(0, first.value - this.clock()));
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private fire(): void {
    this.timer = null;
    const now = this.clock();
    const dueNow: string[] = [];
    for (const [serviceId, at] of this.due) {
      if (at > now) break;
      dueNow.push(serviceId);
    }
    try {
      for (const serviceId of dueNow) {
        // Rescheduled before the callback, which may untrack the service instead.
        this.due.delete(serviceId);
        this.due.set(serviceId, now + this.periodMs);
        this.onDue(serviceId);
      }
    } finally {
      this.arm();
    }
  }
}
