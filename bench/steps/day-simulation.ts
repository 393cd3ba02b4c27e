// The database a day of probing leaves behind: services probed every 5 minutes for 24 hours, written
// through the store into a file with a clock moved by hand, so a day takes a minute. 2% of services
// flap every hour, so transitions and hourly aggregates are written as well as states.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HOUR_MS, type ProbeOutcome, type ProbeResult } from '../../src/domain/index.js';
import { SqlitePersistence } from '../../src/store/sqlite/sqlite-persistence.js';
import { ServiceStore } from '../../src/store/store.js';

export interface DaySimulation {
  readonly services: number;
  readonly probesPerServicePerDay: number;
  readonly databaseBytes: number;
  readonly probeResultsPerSec: number;
}

const fileSize = (path: string): number =>
  [path, `${path}-wal`, `${path}-shm`].reduce((sum, p) => sum + (existsSync(p) ? statSync(p).size : 0), 0);

export async function simulateDay(
  dir: string,
  services: number,
  probesPerDay: number,
  onProgress: (message: string) => void,
): Promise<DaySimulation> {
  const dbPath = join(dir, 'day.db');
  let now = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const store = await ServiceStore.open({
    persistence: SqlitePersistence.open(dbPath),
    defaults: {
      pollIntervalMs: 300_000,
      probeTimeoutMs: 2000,
      probeRetries: 2,
      errorRateThreshold: 0.2,
      deregisterAfterSec: null,
    },
    now: () => now,
  });
  const generations = (
    await Promise.all(
      Array.from({ length: services }, (_, i) =>
        store.register({ id: `svc-${i}`, url: `http://10.0.0.1:8080/${i}`, attributes: { env: 'bench' } }),
      ),
    )
  ).map(({ record }) => record.generation);
  const stepMs = (24 * HOUR_MS) / probesPerDay;
  const started = performance.now();
  for (let round = 0; round < probesPerDay; round++) {
    now += stepMs;
    for (let first = 0; first < services; first += 100) {
      const batch: ProbeResult[] = [];
      for (let i = first; i < Math.min(services, first + 100); i++) {
        const down = i % 50 === 0 && Math.floor(now / HOUR_MS) % 2 === 0;
        const outcome: ProbeOutcome = down
          ? { kind: 'http_status', status: 503 }
          : {
              kind: 'answered',
              report: {
                uptimeSec: round * 300,
                requestCount: round * 100,
                errorCount: round,
                attributes: { version: '1.4.2' },
              },
            };
        batch.push({
          serviceId: `svc-${i}`,
          generation: generations[i] ?? 0,
          startedAt: now,
          durationMs: 2 + (i % 40),
          attempts: 1,
          outcome,
        });
      }
      await store.applyResults(batch);
    }
    if (round > 0 && round % Math.max(1, Math.floor(probesPerDay / 4)) === 0)
      onProgress(`  simulated ${Math.round((round / probesPerDay) * 24)} h`);
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return {
    services,
    probesPerServicePerDay: probesPerDay,
    databaseBytes: fileSize(dbPath),
    probeResultsPerSec: (services * probesPerDay) / seconds,
  };
}
