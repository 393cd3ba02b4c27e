// A sleep that can be cut short: by a new registration (wake) or by shutdown.

/** Longest single sleep, so a wall-clock jump never strands the scheduler. */
const MAX_SLEEP_MS = 60_000;

export class Sleeper {
  private wakeCurrent: (() => void) | null = null;
  private wokenEarly = false;

  /** Resolves after `ms` (`null`: until woken), or at once if woken since the last sleep. */
  sleep(ms: number | null): Promise<void> {
    if (this.wokenEarly) {
      this.wokenEarly = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wakeCurrent = null;
        resolve();
      };
      const timer = setTimeout(finish, Math.min(Math.max(0, ms ?? MAX_SLEEP_MS), MAX_SLEEP_MS));
      this.wakeCurrent = finish;
    });
  }

  /** Ends the current sleep, or makes the next one return at once. */
  wake(): void {
    if (this.wakeCurrent) this.wakeCurrent();
    else this.wokenEarly = true;
  }
}
