// Progress lines on stderr, each with the seconds since the bench started; the table goes to stdout.
import { performance } from 'node:perf_hooks';

const startedAt = performance.now();

export function progress(message: string): void {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}
