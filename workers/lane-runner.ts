// Worker-wide probe lanes: every batch a thread holds feeds the same lanes, so no lane waits for
// the slowest probe of its batch while other batches are queued.

interface Batch<J, R> {
  readonly jobs: readonly J[];
  readonly results: R[];
  next: number;
  failed: boolean;
  readonly resolve: (results: R[]) => void;
  readonly reject: (error: unknown) => void;
}

export class LaneRunner<J, R> {
  private readonly queue: Batch<J, R>[] = [];
  private running = 0;

  /** `work` is expected not to throw; if it does, that job's batch fails and its other jobs are skipped. */
  constructor(
    private readonly lanes: number,
    private readonly work: (job: J) => Promise<R>,
  ) {
    if (!Number.isInteger(lanes) || lanes < 1) throw new RangeError(`lanes must be a positive integer, got ${lanes}`);
  }

  /** Resolves with one result per job, in completion order. */
  run(jobs: readonly J[]): Promise<R[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    return new Promise<R[]>((resolve, reject) => {
      this.queue.push({ jobs, results: [], next: 0, failed: false, resolve, reject });
      // Every running lane is busy with a job right now (a lane with nothing to take has ended), and
      // jobs only wait in the queue when all lanes run: so the new jobs need up to this many lanes.
      const wanted = Math.min(this.lanes - this.running, jobs.length);
      for (let i = 0; i < wanted; i++) {
        this.running++;
        void this.lane();
      }
    });
  }

  private async lane(): Promise<void> {
    for (;;) {
      const batch = this.queue[0];
      if (batch === undefined) break;
      const job = batch.jobs[batch.next++] as J;
      if (batch.next >= batch.jobs.length) this.queue.shift();
      try {
        const result = await this.work(job);
        if (batch.failed) continue;
        batch.results.push(result);
        if (batch.results.length === batch.jobs.length) batch.resolve(batch.results);
      } catch (error) {
        this.fail(batch, error);
      }
    }
    this.running--;
  }

  private fail(batch: Batch<J, R>, error: unknown): void {
    if (batch.failed) return;
    batch.failed = true;
    const index = this.queue.indexOf(batch);
    if (index !== -1) this.queue.splice(index, 1);
    batch.reject(error);
  }
}
