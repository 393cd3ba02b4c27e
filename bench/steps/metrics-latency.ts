// GET /metrics latency, JSON and Prometheus text, one request at a time over a kept-alive connection,
// while no cycle runs (every service's interval is an hour), so the figure is the exposition alone.
import type { ApiClient } from '../lib/api-client.js';
import { median, percentile } from '../lib/stats.js';

/** The first requests warm the JIT and the connection up; they are not counted. */
const WARM_UPS = 2;

export interface ExpositionLatency {
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly bytes: number;
  readonly requests: number;
}

async function time(client: ApiClient, path: string, requests: number): Promise<ExpositionLatency> {
  const took: number[] = [];
  let bytes = 0;
  for (let i = 0; i < WARM_UPS + requests; i++) {
    const answer = await client.timedGet(path);
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}`);
    bytes = answer.bytes;
    if (i >= WARM_UPS) took.push(answer.ms);
  }
  return { medianMs: median(took), p95Ms: percentile(took, 0.95), bytes, requests };
}

export async function measureMetricsLatency(
  client: ApiClient,
  requests: number,
): Promise<{ json: ExpositionLatency; prometheus: ExpositionLatency }> {
  const json = await time(client, '/metrics', requests);
  const prometheus = await time(client, '/metrics?format=prometheus', requests);
  return { json, prometheus };
}
