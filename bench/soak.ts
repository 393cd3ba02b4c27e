// `npm run soak`: the monitor under a long, mixed load with churn, watched for memory that keeps growing.
// docs/soak.md says what is measured and what fails it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UsageError } from './options.js';
import { ApiClient, registerMany } from './lib/api-client.js';
import { startMonitor, type MonitorProcess } from './lib/monitor-process.js';
import { progress } from './lib/progress.js';
import { MIB } from './lib/stats.js';
import { sleep } from './lib/time.js';
import { describeMachine } from './report/machine.js';
import { startFarm, type Farm } from './start-farm.js';
import { startChurn } from './soak/churn.js';
import { judgeGrowth } from './soak/growth.js';
import { startHealthzWatch } from './soak/healthz-watch.js';
import { startMetricsReader, type MetricsRead } from './soak/metrics-reader.js';
import { mixCounts, registrationOf } from './soak/mix.js';
import { errorLines } from './soak/monitor-log.js';
import { parseSoakPlan, SOAK_HELP, type SoakPlan } from './soak/options.js';
import { cycleSummary, latencySummary, seriesSummary, type SoakResults, type SoakSample } from './soak/results.js';
import { describeSample, takeSample } from './soak/sample.js';
import { renderSoakTable } from './soak/table.js';
import { runFailures } from './soak/verdict.js';

/** How long the churn's last requests may take to answer once it stops. */
const CHURN_GRACE_MS = 10_000;

function logTail(monitor: MonitorProcess): string {
  try {
    return readFileSync(monitor.logPath, 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}

/** Something that ends the soak at once: the monitor or the farm gone, or the scheduler stuck. */
function fatalProblem(monitor: MonitorProcess, farm: Farm, sinceCycleEndMs: number, plan: SoakPlan): string | null {
  const monitorExit = monitor.exitStatus();
  if (monitorExit !== null) return `the monitor died (${monitorExit}); the end of its log:\n${logTail(monitor)}`;
  const farmExit = farm.exitStatus();
  if (farmExit !== null) return `the target farm died (${farmExit})`;
  if (sinceCycleEndMs > plan.cycleStallSec * 1000) {
    return `no probing cycle ended in the last ${Math.round(sinceCycleEndMs / 1000)} s (limit ${plan.cycleStallSec} s): a cycle never completes`;
  }
  return null;
}

async function soak(plan: SoakPlan, dir: string): Promise<SoakResults> {
  const machine = describeMachine();
  const at = new Date();
  const monitorArgs = ['--max-concurrency', String(plan.maxConcurrency)];
  const farm = await startFarm(0);
  const monitor = await startMonitor({ dbPath: join(dir, 'soak.db'), logDir: dir, extraArgs: monitorArgs });
  const registrar = new ApiClient(monitor.url, 64);
  const churnClient = new ApiClient(monitor.url, 16);
  const metricsClient = new ApiClient(monitor.url, 1);
  const healthzClient = new ApiClient(monitor.url, 1);
  const failures: string[] = [];
  try {
    progress(`farm on ${farm.url}, monitor pid ${monitor.pid} on ${monitor.url} (${monitorArgs.join(' ')})`);
    const mix = mixCounts(plan.services);
    progress(
      `registering ${plan.services} services: ${Object.entries(mix)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(', ')}`,
    );
    const registrationStarted = performance.now();
    await registerMany(registrar, plan.services, 64, (n) => registrationOf(farm.url, 'base', n, plan.pollIntervalSec));
    const registrationSec = (performance.now() - registrationStarted) / 1000;
    progress(`  registered in ${registrationSec.toFixed(1)} s; RSS ${Math.round(monitor.rssBytes() / MIB)} MB`);

    progress(
      `soaking for ${plan.durationSec} s: churn ${plan.churnPerSec}/s each way, /metrics without pause, a sample every ${plan.sampleSec} s`,
    );
    const healthz = startHealthzWatch(healthzClient, 1000);
    const metrics = startMetricsReader(metricsClient, plan.metricsGapMs);
    const churn = startChurn({
      api: churnClient,
      perSec: plan.churnPerSec,
      lifetimeMs: plan.churnLifetimeSec * 1000,
      registration: (n) => registrationOf(farm.url, 'churn', n, plan.pollIntervalSec),
    });
    const startedAt = Date.now();
    const samples: SoakSample[] = [];
    const allReads: MetricsRead[] = [];
    for (let k = 0; ; k++) {
      await sleep(Math.max(0, startedAt + k * plan.sampleSec * 1000 - Date.now()));
      const fatal = fatalProblem(monitor, farm, healthz.sinceLastCycleEndMs(Date.now()), plan);
      if (fatal !== null) {
        failures.push(fatal);
        progress(`FAILED: ${fatal}`);
        break;
      }
      const reads = metrics.drain();
      allReads.push(...reads);
      const sample = takeSample({ startedAt, monitor, healthz, churn, heapUsedMb: metrics.heapUsedMb() }, reads);
      samples.push(sample);
      progress(describeSample(sample));
      if (Date.now() - startedAt >= plan.durationSec * 1000) break;
    }

    progress('stopping the churn and the readers');
    const { unanswered } = await churn.stop(CHURN_GRACE_MS);
    await Promise.all([metrics.stop(), healthz.stop()]);
    allReads.push(...metrics.drain());
    const growth = judgeGrowth(
      samples.map((sample) => ({ tSec: sample.t_sec, rssMb: sample.rss_mb })),
      plan.growth,
    );
    progress(growth.reason);

    const diedBeforeStop = monitor.exitStatus();
    if (diedBeforeStop !== null && !failures.some((failure) => failure.startsWith('the monitor died'))) {
      failures.push(`the monitor died (${diedBeforeStop}); the end of its log:\n${logTail(monitor)}`);
    }
    progress('stopping the monitor');
    await monitor.stop();
    const monitorExit = monitor.exitStatus();
    if (diedBeforeStop === null && monitorExit !== 'exit code 0') {
      failures.push(
        `the monitor did not shut down cleanly on SIGTERM (${monitorExit}); the end of its log:\n${logTail(monitor)}`,
      );
    }
    const monitorErrors = await errorLines(monitor.logPath);
    const churnCounts = churn.counts();
    const cycles = healthz.cycles();
    failures.push(
      ...runFailures({
        growth,
        churn: churnCounts,
        unanswered,
        graceSec: CHURN_GRACE_MS / 1000,
        metricsReads: allReads,
        healthzFailed: healthz.reads().failed,
        cycles,
        monitorErrors,
      }),
    );
    const { out: _out, ...settings } = plan;
    const rss = seriesSummary(samples.map((sample) => sample.rss_mb));
    const heap = seriesSummary(samples.map((sample) => sample.heap_used_mb));
    return {
      at: at.toISOString(),
      machine,
      settings: { ...settings, monitor_args: monitorArgs },
      mix,
      registration_sec: Math.round(registrationSec * 10) / 10,
      samples,
      summary: {
        rss_mb: { first: rss.first, max: rss.max, last: rss.last },
        heap_used_mb: { min: heap.min, max: heap.max, last: heap.last },
        cycles: cycleSummary(cycles),
        churn: { ...churnCounts, unanswered },
        metrics: {
          json: latencySummary(allReads, 'json'),
          prometheus: latencySummary(allReads, 'prometheus'),
          failed: allReads.filter((read) => read.status !== 200).length,
          server_errors: allReads.filter((read) => read.status >= 500).length,
        },
        healthz: healthz.reads(),
        monitor_errors: monitorErrors,
        monitor_exit: monitorExit,
      },
      growth,
      passed: failures.length === 0,
      failures,
    };
  } finally {
    await Promise.all([registrar.close(), churnClient.close(), metricsClient.close(), healthzClient.close()]);
    await monitor.stop();
    await farm.stop();
  }
}

async function main(): Promise<void> {
  const plan = parseSoakPlan(process.argv.slice(2));
  if (plan === null) return void process.stdout.write(`${SOAK_HELP}\n`);
  const machine = describeMachine();
  progress(`${machine.cpus} × ${machine.cpu}, ${machine.memory_gib} GiB, Node ${machine.node}`);
  const dir = mkdtempSync(join(tmpdir(), 'health-monitor-soak-'));
  // Also on an interrupt, when the finally below never runs.
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  let results: SoakResults;
  try {
    results = await soak(plan, dir);
  } finally {
    removeDir();
  }
  mkdirSync(dirname(plan.out), { recursive: true });
  writeFileSync(plan.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderSoakTable(results)}\nwritten to ${plan.out}\n`);
  if (!results.passed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`soak: ${error.message}\n\n${SOAK_HELP}\n`);
    process.exit(2);
  }
  process.stderr.write(`soak: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
