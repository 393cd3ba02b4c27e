// GET /metrics read without end, JSON and Prometheus text by turns, as dashboards and scrapers would
// while the monitor probes and churns. Each read is timed; the Prometheus text also carries the
// monitor's own heap size (prom-client's nodejs_heap_size_used_bytes), the soak's heap figure.
import type { ApiClient } from '../lib/api-client.js';
import { MIB } from '../lib/stats.js';
import { sleep } from '../lib/time.js';

export type MetricsFormat = 'json' | 'prometheus';

const PATHS: Readonly<Record<MetricsFormat, string>> = { json: '/metrics', prometheus: '/metrics?format=prometheus' };
const HEAP_USED = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+?\d+)?)$/m;

export interface MetricsRead {
  readonly format: MetricsFormat;
  /** 0: no answer at all. */
  readonly status: number;
  readonly ms: number;
  /** Size of the answer: a Prometheus text that grows while the services do not means series left behind. */
  readonly bytes: number;
}

export interface MetricsReader {
  /** The reads since the last call. */
  drain(): MetricsRead[];
  /** The monitor's main-thread heap at the last Prometheus read; `null` before one. */
  heapUsedMb(): number | null;
  stop(): Promise<void>;
}

export function parseHeapUsedMb(exposition: string): number | null {
  const value = HEAP_USED.exec(exposition)?.[1];
  return value === undefined ? null : Number(value) / MIB;
}

export function startMetricsReader(client: ApiClient, gapMs: number): MetricsReader {
  let reads: MetricsRead[] = [];
  let heapMb: number | null = null;
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const format: MetricsFormat = i % 2 === 0 ? 'json' : 'prometheus';
      try {
        const answer = await client.timedGetText(PATHS[format]);
        reads.push({ format, status: answer.status, ms: answer.ms, bytes: answer.bytes });
        if (format === 'prometheus' && answer.status === 200) heapMb = parseHeapUsedMb(answer.text) ?? heapMb;
      } catch {
        reads.push({ format, status: 0, ms: NaN, bytes: 0 });
        // No answer: do not spin on a monitor that is gone.
        await sleep(1000);
      }
      if (gapMs > 0) await sleep(gapMs);
    }
  })();
  return {
    drain() {
      const drained = reads;
      reads = [];
      return drained;
    },
    heapUsedMb: () => heapMb,
    async stop() {
      running = false;
      await loop;
    },
  };
}
