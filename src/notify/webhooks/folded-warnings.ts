// Warnings that can come hundreds of times a second (a receiver failing every notice, the global bound
// dropping them): the first is written at once, the rest of each interval folded into one line with a count.
import type { Logger } from 'pino';

interface Window {
  readonly timer: NodeJS.Timeout;
  /** What happened since the last line, and the latest details. */
  count: number;
  last: Readonly<Record<string, unknown>>;
}

export class FoldedWarnings {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs: number,
    /** The message of every line; the count goes in this field. */
    private readonly msg: string,
    private readonly countField: string,
  ) {}

  /**
   * Counts `count` occurrences for `key` (a receiver, say): written at once when the key has been quiet
   * for an interval, otherwise added to the line written when the interval ends, with the latest `details`.
   */
  warn(key: string, count: number, details: Readonly<Record<string, unknown>>): void {
    const open = this.windows.get(key);
    if (open !== undefined) {
      open.count += count;
      open.last = details;
      return;
    }
    this.write(details, count);
    this.openWindow(key);
  }

  /** Writes what is folded and forgets every key: at shutdown, nothing counted goes unsaid. */
  flush(): void {
    for (const [key, window] of this.windows) {
      clearTimeout(window.timer);
      if (window.count > 0) this.write(window.last, window.count);
      this.windows.delete(key);
    }
  }

  private openWindow(key: string): void {
    const timer = setTimeout(() => {
      const window = this.windows.get(key);
      this.windows.delete(key);
      if (window === undefined || window.count === 0) return;
      this.write(window.last, window.count);
      // Still happening: the next interval is folded too.
      this.openWindow(key);
    }, this.intervalMs);
    timer.unref();
    this.windows.set(key, { timer, count: 0, last: {} });
  }

  private write(details: Readonly<Record<string, unknown>>, count: number): void {
    this.log.warn({ ...details, [this.countField]: count }, this.msg);
  }
}
