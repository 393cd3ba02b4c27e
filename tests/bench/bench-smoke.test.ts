// The benchmark at smoke sizes, run as `npm run bench` runs it, so it never rots: every figure the
// issue asks for comes out as a number with the sign it must have, and each target says met or not.
// No figure is compared with its target here: on a shared CI machine they are not meaningful.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FigureKey } from '../../bench/report/figures.js';
import { resultProblems, type BenchResults } from '../../bench/report/results.js';
import { tempDir } from '../helpers/temp-dir.js';

const RUN_JS = fileURLToPath(new URL('../../bench/run.js', import.meta.url));

/** The figures, named here rather than taken from the bench, so dropping one fails this test. */
const REQUIRED: readonly FigureKey[] = [
  'probes_per_sec',
  'raw_limit_per_sec',
  'probes_to_raw_limit',
  'event_loop_utilization',
  'service_read_ms_p50',
  'service_read_ms_p99',
  'steady_probes_per_sec',
  'steady_probes_to_raw_limit',
  'steady_event_loop_utilization',
  'steady_service_read_ms_p99',
  'peak_rss_mb',
  'peak_rss_mb_large',
  'metrics_json_ms_p50',
  'metrics_prometheus_ms_p50',
  'schedule_lag_ms_p50',
  'schedule_lag_ms_p99',
  'schedule_lag_ms_p99_wide',
  'registrations_per_sec',
  'load_peak_rss_mb',
  'load_api_cpu_us_per_result',
  'load_metrics_json_ms_p50',
  'load_probes_per_sec',
  'load_probes_to_demand',
  'load_raw_limit_per_sec',
  'load_probes_to_raw_limit',
  'protocols_http_probes_per_sec',
  'protocols_grpc_probes_per_sec',
  'protocols_tcp_probes_per_sec',
];
const WITH_TARGETS: readonly FigureKey[] = [
  'probes_to_raw_limit',
  'event_loop_utilization',
  'service_read_ms_p99',
  'steady_probes_to_raw_limit',
  'steady_event_loop_utilization',
  'steady_service_read_ms_p99',
  'peak_rss_mb',
  'peak_rss_mb_large',
  'metrics_json_ms_p50',
  'schedule_lag_ms_p99',
  'registrations_per_sec',
  'load_peak_rss_mb',
  'load_api_cpu_us_per_result',
  'load_metrics_json_ms_p50',
  'load_probes_to_raw_limit',
];

test('npm run bench at smoke sizes writes well-formed results and prints the table', { timeout: 90_000 }, async (t) => {
  const out = join(tempDir(t), 'latest.json');
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [RUN_JS, '--quick', '--out', out], {
    timeout: 80_000,
  });
  const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;

  assert.deepEqual(
    resultProblems(results),
    [],
    'every figure present, a number, with its sign, met / not met beside each target',
  );
  for (const key of REQUIRED) {
    const { value } = results.figures[key];
    // A lag may be 0 (on time); anything else at 0 means nothing was measured.
    const least = key.startsWith('schedule_lag') ? 0 : Number.MIN_VALUE;
    assert.ok(typeof value === 'number' && Number.isFinite(value) && value >= least, `${key} is ${value}`);
  }
  for (const key of WITH_TARGETS) {
    assert.notEqual(results.figures[key].target, null, `${key} has its target`);
    assert.equal(typeof results.figures[key].met, 'boolean', `${key} says met or not met`);
  }
  assert.equal(results.sizes.services, 200, 'the quick sizes were used');
  assert.ok(results.figures.full_cycle_ms.label.includes('200 services'), results.figures.full_cycle_ms.label);
  assert.ok(
    results.figures.large_registry_probed.value !== null && results.figures.large_registry_probed.value > 0,
    'the large registry was probed',
  );

  for (const figure of Object.values(results.figures))
    assert.ok(stdout.includes(figure.label), `the table shows "${figure.label}"`);
  const withTarget = Object.values(results.figures).filter((figure) => figure.target !== null).length;
  assert.ok(withTarget >= WITH_TARGETS.length, `${withTarget} figures have targets`);
  assert.match(stdout, new RegExp(`targets met: \\d+ of ${withTarget};`));
  assert.match(stdout, new RegExp(`${results.machine.cpus} × `), 'the table names the machine');
  assert.match(stderr, /\[bench +\d+\.\ds\] releasing the held probe/, 'progress goes to stderr as the run goes');
});
