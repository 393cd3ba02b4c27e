// Peak memory of a monitor holding a large registry, written into its database file in-process (through
// the API it would take minutes) and then loaded and probed as a user would (docs/benchmarks.md, "Memory").
import { join } from 'node:path';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import { ServiceStore } from '../../src/store/store.js';
import { startMonitor } from '../lib/monitor-process.js';
import { sleep } from '../lib/time.js';
import type { Farm } from '../start-farm.js';

/** Registrations handed to the store together: they share commits, as concurrent API calls do. */
const CHUNK = 1000;

export interface LargeRegistry {
  readonly services: number;
  readonly peakRssBytes: number;
  readonly rssAtSampleBytes: number;
  readonly registryLoadMs: number;
  /** Probes the farm answered before the sample: at least `services` unless the cap came first. */
  readonly probed: number;
  readonly sampledAfterMs: number;
}

export interface LargeRegistryOptions {
  readonly farm: Farm;
  readonly dir: string;
  readonly services: number;
  readonly intervalSec: number;
  readonly capMs: number;
  readonly onProgress: (message: string) => void;
}

async function writeRegistry(path: string, farm: Farm, services: number, intervalSec: number): Promise<void> {
  const store = await ServiceStore.open({
    persistence: SqlitePersistence.open(path),
    defaults: {
      pollIntervalMs: intervalSec * 1000,
      probeTimeoutMs: 2000,
      probeRetries: 2,
      errorRateThreshold: 0.2,
      deregisterAfterSec: null,
    },
  });
  try {
    for (let first = 0; first < services; first += CHUNK) {
      const chunk = Array.from({ length: Math.min(CHUNK, services - first) }, (_, k) => first + k);
      await Promise.all(
        chunk.map((i) =>
          store.register({
            id: `big-${String(i).padStart(6, '0')}`,
            url: `${farm.url}/s/${i}`,
            attributes: { env: 'bench', team: `team-${i % 20}` },
            pollIntervalSec: intervalSec,
          }),
        ),
      );
    }
  } finally {
    await store.close();
  }
}

export async function measureLargeRegistry(options: LargeRegistryOptions): Promise<LargeRegistry> {
  const { farm, services } = options;
  const dbPath = join(options.dir, 'large.db');
  options.onProgress(`writing ${services} services into ${dbPath}`);
  await writeRegistry(dbPath, farm, services, options.intervalSec);
  const servedBefore = await farm.served();
  options.onProgress(
    `starting the monitor on it; sampling once every service was probed (at most ${Math.round(options.capMs / 1000)} s)`,
  );
  const monitor = await startMonitor({ dbPath, logDir: options.dir });
  try {
    const started = Date.now();
    let probed = 0;
    while (Date.now() - started < options.capMs) {
      probed = (await farm.served()) - servedBefore;
      if (probed >= services) break;
      await sleep(250);
    }
    return {
      services,
      peakRssBytes: monitor.peakRssBytes(),
      rssAtSampleBytes: monitor.rssBytes(),
      registryLoadMs: monitor.registryLoadMs,
      probed,
      sampledAfterMs: Date.now() - started,
    };
  } finally {
    await monitor.stop();
  }
}
