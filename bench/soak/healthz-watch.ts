// GET /healthz once a second: the monitor's last cycle as it reports it, every distinct cycle seen
// (by its start time), and how long since a cycle last ended, which is how a stuck scheduler shows.
import type { ApiClient } from '../lib/api-client.js';
import type { CycleView, Healthz } from '../lib/healthz.js';
import { sleep } from '../lib/time.js';

export interface HealthzWatch {
  latest(): Healthz | null;
  /** Every cycle seen so far, oldest first. */
  cycles(): CycleView[];
  /** Milliseconds since the last seen cycle ended, or since the watch began when none has. */
  sinceLastCycleEndMs(now: number): number;
  reads(): { ok: number; failed: number };
  stop(): Promise<void>;
}

export function startHealthzWatch(client: ApiClient, everyMs: number): HealthzWatch {
  const startedAt = Date.now();
  const seen = new Map<string, CycleView>();
  let latest: Healthz | null = null;
  let ok = 0;
  let failed = 0;
  let lastEndAt: number | null = null;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        latest = await client.getJson<Healthz>('/healthz');
        ok++;
        const cycle = latest.last_cycle;
        if (cycle !== null) {
          seen.set(cycle.started_at, cycle);
          lastEndAt = Math.max(lastEndAt ?? 0, Date.parse(cycle.started_at) + cycle.duration_ms);
        }
      } catch {
        failed++;
      }
      await sleep(everyMs);
    }
  })();
  return {
    latest: () => latest,
    cycles: () => [...seen.values()],
    sinceLastCycleEndMs: (now) => now - (lastEndAt ?? startedAt),
    reads: () => ({ ok, failed }),
    async stop() {
      running = false;
      await loop;
    },
  };
}
