// One probing cycle of every registered service, observed from outside the monitor process.
//
// How to get exactly one cycle of all N services when registrations trickle in through the API: the
// monitor starts a cycle as soon as something is due, and a registration arriving during a cycle is
// probed in the next one (docs/decisions.md, "Scheduling"). So the bench first registers one service
// whose health path the farm holds unanswered (`/held/…`), waits until the farm holds that probe (a
// cycle of one is now running and cannot end), then registers the N services with a long interval.
// When the farm releases the held probe, that cycle ends and the next one takes all N at once: the first
// cycle, in which every service goes from unknown to healthy.
//
// The steady-state cycle is made the same way: a second held service opens a cycle, the N services are
// registered again unchanged (same URL: they keep their state, and a registration is due at once), and
// the release starts one cycle of all N in which nothing changes state, without waiting out their
// interval.
//
// The registrations, made while that one probe is held, give the registrations-per-second figure: the
// API, the store and the SQLite commit, with no probing competing for the two cores.
import { registerMany, type ApiClient } from '../lib/api-client.js';
import type { CycleView, Healthz } from '../lib/healthz.js';
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
export async function registerWhileHeld(client: ApiClient, farm: Farm, count: number, lanes: number, holdId: string): Promise<HeldRegistration> {
  // The longest timeout the API accepts: the held probe must outlast every registration.
  await client.register({ id: holdId, url: `${farm.url}/held`, poll_interval_sec: 86_400, timeout_ms: 600_000 });
  await waitUntil(async () => ((await farm.held()) >= 1 ? true : undefined), 'the monitor to probe the held service', 10_000);
  const registrationsPerSec = await registerMany(client, count, lanes, (i) => ({
    id: serviceId(i),
    url: `${farm.url}/s/${i}`,
    attributes: { env: 'bench', team: `team-${i % 20}` },
    poll_interval_sec: LONG_INTERVAL_SEC,
  }));
  if ((await farm.held()) < 1) throw new Error('the held probe ended before the registrations did: the measured cycle would not hold every service');
  return { ids: Array.from({ length: count }, (_, i) => serviceId(i)), registrationsPerSec };
}

export interface FullCycle {
  readonly services: number;
  /** When the monitor started the cycle (ms since the epoch), from /healthz. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly probesPerSec: number;
  /** The API thread's event-loop utilisation during the cycle, as the monitor measured it. */
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
  readonly healthz: ApiClient;
  readonly reader: ApiClient;
  readonly farm: Farm;
  readonly ids: readonly string[];
  /** One GET /services/:id this often while the cycle runs. */
  readonly readEveryMs: number;
  readonly timeoutMs: number;
}

/**
 * Releases the held probe and watches /healthz until the cycle of every service that starts after
 * `previous` (if given) has ended.
 */
export async function runFullCycle(options: FullCycleOptions, previous?: FullCycle): Promise<FullCycle> {
  const { healthz, farm, ids } = options;
  const servedBefore = await farm.served();
  const reader = startServiceReader(options.reader, ids, options.readEveryMs);
  let reads: Read[] = [];
  let cycle: CycleView;
  try {
    await farm.release();
    cycle = await waitUntil(
      async () => {
        const { last_cycle: last } = await healthz.getJson<Healthz>('/healthz');
        const after = previous === undefined || (last !== null && Date.parse(last.started_at) > previous.startedAt);
        return last !== null && last.services === ids.length && after ? last : undefined;
      },
      `the cycle of ${ids.length} services to end`,
      options.timeoutMs,
    );
  } finally {
    reads = await reader.stop();
  }
  const farmAnswered = (await farm.served()) - servedBefore;
  // Every one of the N must have reached the farm (the held probe is answered too, in the first cycle).
  if (farmAnswered < ids.length) throw new Error(`the farm answered ${farmAnswered} probes during a cycle of ${ids.length} services`);
  const failed = reads.find((read) => read.status !== 200);
  if (failed) throw new Error(`GET /services/:id answered ${failed.status} during the cycle`);
  const startedAt = Date.parse(cycle.started_at);
  const during = reads.filter((read) => read.sentAt >= startedAt - options.readEveryMs && read.sentAt <= startedAt + cycle.duration_ms + options.readEveryMs);
  return {
    services: cycle.services,
    startedAt,
    durationMs: cycle.duration_ms,
    probesPerSec: (cycle.services / Math.max(1, cycle.duration_ms)) * 1000,
    eventLoopUtilization: cycle.event_loop_utilization,
    reads: during,
    farmAnswered,
  };
}
