// Runs submitted jobs strictly one at a time, in submission order, even when a job awaits I/O.

export class Mailbox {
  private tail: Promise<unknown> = Promise.resolve();
  private count = 0;

  /** Jobs submitted so far: a job is still the last one while this has not moved on. */
  get submitted(): number {
    return this.count;
  }

  submit<T>(job: () => T | Promise<T>): Promise<T> {
    this.count++;
    const run = this.tail.then(job);
    // A failed job answers its own caller; it must not stop the jobs queued after it.
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every job submitted so far has finished. */
  drain(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
