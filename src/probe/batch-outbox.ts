// Sends a batch's results back on its port as they come, a few at a time, and closes the port after
// the last one. Results wait at most FLUSH_MS, so a busy thread posts one message per handful of
// results rather than one per probe.
import type { MessagePort } from 'node:worker_threads';
import type { ProbeResult } from '../domain/index.js';
import type { ResultSink } from './probe-runner.js';

const FLUSH_MS = 10;
const FLUSH_COUNT = 100;

export class BatchOutbox implements ResultSink {
  private pending: ProbeResult[] = [];
  private delivered = 0;
  private timer: NodeJS.Timeout | null = null;
  readonly done: Promise<void>;
  private finish = (): void => undefined;

  constructor(
    private readonly port: MessagePort,
    private readonly expected: number,
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    if (expected === 0) this.close();
  }

  deliver(result: ProbeResult): void {
    this.pending.push(result);
    this.delivered++;
    if (this.delivered >= this.expected) this.close();
    else if (this.pending.length >= FLUSH_COUNT) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    this.port.postMessage(this.pending);
    this.pending = [];
  }

  private close(): void {
    this.flush();
    this.port.close();
    this.finish();
  }
}
