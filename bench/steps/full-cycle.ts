// One round that probes every registered service once, all due together, timed from outside the monitor.
// Every probe slot is held at the farm while the N register, so they queue and run back to back on
// release (docs/benchmarks.md, "One full cycle of 10,000 services").
import { registerMany, type ApiClient } from '../lib/api-client.js';
import { mainThreadCpuMs } from '../lib/monitor-process.js';
import { startServiceReader, type Read } from '../lib/service-reader.js';
import { waitUntil } from '../lib/time.js';
import type { Farm } from '../start-farm.js';

/** An hour: none of the N falls due again by itself while the bench runs. */
const LONG_INTERVAL_SEC = 3600;

export const serviceId = (index: number): string => `svc-${String(index).padStart(6, '0')}`;

export interface HeldRegistration {
  readonly ids: readonly string[];
  readonly registrationsPerSec: number;
}

/**
 * Holds a cycle open with the service `holdId`, then registers `count` services through the API, `lanes`
 * at a time. Run again with another `holdId`, it registers the same services again, unchanged.
 */
export async function registerWhileHeld(
  client: ApiClient,
  farm: Farm,
  count: number,
  lanes: number,
  holdId: string,
  slots: number,
): Promise<HeldRegistration> {
  // The longest timeout the API accepts: the held probes must outlast every registration.
  const heldBefore = await farm.held();
  for (let i = 0; i < slots; i++) {
    await client.register({
      id: `${holdId}-${i}`,
      url: `${farm.url}/held/${holdId}/${i}`,
      poll_interval_sec: 86_400,
      timeout_ms: 600_000,
    });
  }
  await waitUntil(
    async () => ((await farm.held()) >= heldBefore + slots ? true : undefined),
    'the monitor to probe the held services',
    10_000,
  );
  const registrationsPerSec = await registerMany(client, count, lanes, (i) => ({
    id: serviceId(i),
    url: `${farm.url}/s/${i}`,
    attributes: { env: 'bench', team: `team-${i % 20}` },
    poll_interval_sec: LONG_INTERVAL_SEC,
  }));
  if ((await farm.held()) < slots)
    throw new Error('a held probe ended before the registrations did: the measured round would not hold every service');
  return { ids: Array.from({ length: count }, (_, i) => serviceId(i)), registrationsPerSec };
}

export interface FullCycle {
  readonly services: number;
  /** When the held probes were released (ms since the epoch). */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly probesPerSec: number;
  /** The API thread's CPU time over the round's wall time (0–1), from /proc. */
  readonly eventLoopUtilization: number;
  /**
   * GET /services/:id requests sent while the cycle ran (by their send time, give or take one read
   * period either side, so even a cycle of a few milliseconds has a read in it).
   */
  readonly reads: readonly Read[];
  /** Health requests the farm answered during the step: a check that the probes really happened. */
  readonly farmAnswered: number;
}

export interface FullCycleOptions {
  readonly monitorPid: number;
  /** Held probes the release answers besides the N. */
  readonly heldSlots: number;
  readonly reader: ApiClient;
  readonly farm: Farm;
  readonly ids: readonly string[];
  /** One GET /services/:id this often while the cycle runs. */
  readonly readEveryMs: number;
  readonly timeoutMs: number;
}

/** Releases the held probes and polls the farm until every one of the N services has been answered. */
export async function runFullCycle(options: FullCycleOptions): Promise<FullCycle> {
  const { farm, ids } = options;
  const servedBefore = await farm.served();
  const reader = startServiceReader(options.reader, ids, options.readEveryMs);
  let reads: Read[] = [];
  let endedAt = 0;
  const startedAt = Date.now();
  const cpuBefore = mainThreadCpuMs(options.monitorPid);
  let cpuMs = 0;
  try {
    await farm.release();
    await waitUntil(
      // The released held probes are answered too.
      async () => ((await farm.served()) - servedBefore >= ids.length + options.heldSlots ? true : undefined),
      `the farm to answer all ${ids.length} services`,
      options.timeoutMs,
    );
    endedAt = Date.now();
    cpuMs = mainThreadCpuMs(options.monitorPid) - cpuBefore;
  } finally {
    reads = await reader.stop();
  }
  const farmAnswered = (await farm.served()) - servedBefore;
  const failed = reads.find((read) => read.status !== 200);
  if (failed) throw new Error(`GET /services/:id answered ${failed.status} during the round`);
  const durationMs = Math.max(1, endedAt - startedAt);
  return {
    services: ids.length,
    startedAt,
    durationMs,
    probesPerSec: (ids.length / durationMs) * 1000,
    eventLoopUtilization: Math.min(1, cpuMs / durationMs),
    reads: reads.filter(
      (read) => read.sentAt >= startedAt - options.readEveryMs && read.sentAt <= endedAt + options.readEveryMs,
    ),
    farmAnswered,
  };
}
