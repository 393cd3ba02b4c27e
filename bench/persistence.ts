// Persistence figures: registrations per second through the API with SQLite on, the database size
// per 10,000 services after a simulated day of probes, and the time to restore them at start.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HOUR_MS, type ProbeOutcome, type ProbeResult } from '../src/domain/index.js';
import { SqlitePersistence } from '../src/store/sqlite/sqlite-persistence.js';
import { ServiceStore } from '../src/store/store.js';
import { startFarm } from './start-farm.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '64' },
    'probes-per-day': { type: 'string', default: '288' },
    out: { type: 'string', default: fileURLToPath(new URL('../../bench/results/persistence.json', import.meta.url)) },
  },
});
const services = Number(values.services);
const concurrency = Number(values.concurrency);
const probesPerDay = Number(values['probes-per-day']);
const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);
const dir = mkdtempSync(join(tmpdir(), 'health-monitor-bench-'));
const mainJs = fileURLToPath(new URL('../src/main.js', import.meta.url));

interface Monitor {
  url: string;
  loadMs: number;
  startMs: number;
  stop: () => Promise<void>;
}

/** Starts the monitor as a user would; resolves once it listens, with its own registry-load time. */
function startMonitor(dbPath: string): Promise<Monitor> {
  const started = performance.now();
  const child = spawn(process.execPath, [mainJs, '--port', '0', '--host', '127.0.0.1', '--db-path', dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  return new Promise((resolve, reject) => {
    // A named listener: removeAllListeners('exit') would also drop Node's own, and 'exit' would never fire again.
    const onEarlyExit = (code: number | null): void => reject(new Error(`monitor exited with ${code}: ${output}`));
    child.once('exit', onEarlyExit);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const port = /"port":(\d+),"msg":"listening"/.exec(output)?.[1];
      const loadMs = /"ms":(\d+),"msg":"registry loaded"/.exec(output)?.[1];
      if (port && loadMs) {
        child.off('exit', onEarlyExit);
        resolve({
          url: `http://127.0.0.1:${port}`,
          loadMs: Number(loadMs),
          startMs: performance.now() - started,
          stop: () => new Promise((done) => (child.once('exit', () => done()), child.kill('SIGTERM'))),
        });
      }
    });
  });
}

/** Every registration names a distinct endpoint of a live farm, so the monitor probes while it registers, as it would in use. */
async function registerAll(url: string, farmPort: number, count: number, lanes: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < count) {
        const i = next++;
        const response = await fetch(`${url}/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: `svc-${i}`, url: `http://127.0.0.1:${farmPort}/s/${i}`, attributes: { env: 'bench', team: `t${i % 20}` }, poll_interval_sec: 10 }),
        });
        if (response.status !== 201) throw new Error(`registration ${i} answered ${response.status}`);
        await response.arrayBuffer();
      }
    }),
  );
  return (count / (performance.now() - started)) * 1000;
}

const fileSize = (path: string): number => [path, `${path}-wal`, `${path}-shm`].reduce((sum, p) => sum + (existsSync(p) ? statSync(p).size : 0), 0);

try {
  // 1. Registrations through the HTTP API, each acknowledged only after its commit.
  const apiDb = join(dir, 'api.db');
  const farm = await startFarm();
  const monitor = await startMonitor(apiDb);
  log(`registering ${services} services through the API, ${concurrency} at a time`);
  const registrationsPerSec = await registerAll(monitor.url, farm.port, services, concurrency);
  log(`registered: ${Math.round(registrationsPerSec)}/s`);
  await monitor.stop();

  // 2. Restoring them at start.
  log('restarting on the same file');
  const restarted = await startMonitor(apiDb);
  await restarted.stop();
  farm.stop();

  // 3. A simulated day of probes into a store on a file, with a clock moved by hand.
  log(`simulating a day: ${probesPerDay} probes per service`);
  const dayDb = join(dir, 'day.db');
  let now = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const store = await ServiceStore.open({
    persistence: SqlitePersistence.open(dayDb),
    defaults: { pollIntervalMs: 10_000, probeTimeoutMs: 2000, probeRetries: 2, errorRateThreshold: 0.2, deregisterAfterSec: null },
    now: () => now,
  });
  const generations: number[] = [];
  for (let i = 0; i < services; i++) {
    generations.push((await store.register({ id: `svc-${i}`, url: `http://10.0.0.1:8080/${i}`, attributes: { env: 'bench' } })).record.generation);
  }
  const stepMs = (24 * HOUR_MS) / probesPerDay;
  const simulationStart = performance.now();
  for (let round = 0; round < probesPerDay; round++) {
    now += stepMs;
    for (let first = 0; first < services; first += 100) {
      const batch: ProbeResult[] = [];
      for (let i = first; i < Math.min(services, first + 100); i++) {
        // 2% of services flap every hour; the rest answer with slowly rising counters.
        const down = i % 50 === 0 && Math.floor(now / HOUR_MS) % 2 === 0;
        const outcome: ProbeOutcome = down
          ? { kind: 'http_status', status: 503 }
          : { kind: 'answered', report: { uptimeSec: round * 300, requestCount: round * 100, errorCount: round, attributes: { version: '1.4.2' } } };
        batch.push({ serviceId: `svc-${i}`, generation: generations[i] ?? 0, startedAt: now, durationMs: 2 + (i % 40), attempts: 1, outcome });
      }
      await store.applyResults(batch);
    }
    if (round % 48 === 0) log(`  simulated ${Math.round((round / probesPerDay) * 24)} h`);
  }
  const simulationSec = (performance.now() - simulationStart) / 1000;
  await store.close();

  const results = {
    at: new Date().toISOString(),
    services,
    api_registrations_per_sec: Math.round(registrationsPerSec),
    api_registration_concurrency: concurrency,
    restore_ms: restarted.loadMs,
    start_to_listening_ms: Math.round(restarted.startMs),
    simulated_probes_per_service_per_day: probesPerDay,
    database_mb_after_one_day: Math.round((fileSize(dayDb) / 2 ** 20) * 10) / 10,
    simulated_probe_results_per_sec: Math.round((services * probesPerDay) / simulationSec),
  };
  writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);
  const rows: [string, string][] = [
    ['registrations per second through the API (SQLite, each durable before its answer)', String(results.api_registrations_per_sec)],
    [`restore ${services} services at start (registry load)`, `${results.restore_ms} ms`],
    ['process start to listening, with that registry', `${results.start_to_listening_ms} ms`],
    [`database size per ${services} services after one day`, `${results.database_mb_after_one_day} MB`],
    ['probe results written per second (simulation)', String(results.simulated_probe_results_per_sec)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(`\n${rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n')}\n\nwritten to ${values.out}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
