// The check the smoke test relies on must itself catch what it is there to catch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIGURE_KEYS, figuresOf, STEPS, type FigureKey, type Sizes } from './figures.js';
import { buildResults, resultProblems, type BenchResults } from './results.js';

const SIZES: Sizes = {
  services: 200,
  largeServices: 2000,
  scheduleServices: 50,
  scheduleIntervalSec: 1,
  scheduleLatencyMs: 5,
  rawConnections: 5,
  daySimulationServices: 200,
  loadServices: 200,
  protocolServices: 200,
};
const MACHINE = { cpu: 'Test CPU', cpus: 2, memory_gib: 8, node: 'v20.20.2', os: 'Linux 6' };

function build(overrides: Partial<Record<FigureKey, number | null>> = {}): BenchResults {
  const values = Object.fromEntries(FIGURE_KEYS.map((key) => [key, 1])) as Record<FigureKey, number | null>;
  return buildResults(
    { ...values, ...overrides },
    { at: new Date('2026-11-24T12:00:00Z'), machine: MACHINE, sizes: SIZES, runSec: 12 },
  );
}

test('results with every figure a number of the right sign have no problems', () => {
  assert.deepEqual(resultProblems(build({ schedule_lag_ms_p50: 0 })), []);
});

test('targets are judged and written out: met, not met, and the text beside the figure', () => {
  const results = build({ probes_to_raw_limit: 0.31, registrations_per_sec: 4999, service_read_ms_p99: 10 });
  assert.deepEqual(results.figures.probes_to_raw_limit.target, { op: '>=', value: 0.3, text: '≥ 30%' });
  assert.equal(results.figures.probes_to_raw_limit.met, true);
  assert.equal(results.figures.registrations_per_sec.met, false);
  assert.equal(results.figures.registrations_per_sec.target?.text, '≥ 5,000/s');
  assert.equal(results.figures.service_read_ms_p99.met, true, 'the bound itself meets a ≤ target');
  assert.equal(results.figures.load_api_cpu_us_per_result.target?.text, '≤ 12 µs');
  assert.equal(results.figures.full_cycle_ms.met, null, 'no target, no verdict');
  assert.equal(results.figures.full_cycle_ms.label, 'full cycle of 200 services');
});

test('a missing, non-numeric, zero or misjudged figure is reported by name', () => {
  const missing = build();
  delete (missing.figures as Partial<Record<FigureKey, unknown>>).peak_rss_mb;
  assert.deepEqual(resultProblems(missing), ['figure peak_rss_mb is missing']);
  assert.deepEqual(resultProblems(build({ probes_per_sec: Number.NaN })), [
    'figure probes_per_sec is null, not a number',
  ]);
  assert.deepEqual(resultProblems(build({ full_cycle_ms: 0 })), ['figure full_cycle_ms is 0, must be positive']);
  assert.deepEqual(resultProblems(build({ schedule_lag_ms_p99: -1 })), [
    'figure schedule_lag_ms_p99 is -1, must be non-negative',
  ]);
  const misjudged = build({ metrics_json_ms_p50: 40 });
  const figure = misjudged.figures.metrics_json_ms_p50;
  (misjudged.figures as Record<FigureKey, unknown>).metrics_json_ms_p50 = { ...figure, met: true };
  assert.deepEqual(resultProblems(misjudged), ['figure metrics_json_ms_p50 says met: true for 40 against ≤ 15 ms']);
});

test('skipped steps pass only when skipping is allowed, and the machine must be described', () => {
  const skipped = build(Object.fromEntries(figuresOf('large').map((key) => [key, null])));
  assert.equal(skipped.figures.peak_rss_mb_large.skipped, true);
  assert.deepEqual(resultProblems(skipped, { allowSkipped: true }), []);
  assert.equal(resultProblems(skipped).length, figuresOf('large').length);
  assert.deepEqual(resultProblems({ ...build(), machine: { ...MACHINE, cpu: '' } }), ['machine.cpu is not named']);
  assert.deepEqual(resultProblems('nonsense'), ['the results are not an object']);
});

test('every step makes figures, so skipping one shows in the results', () => {
  for (const step of STEPS) assert.ok(figuresOf(step).length > 0, step);
  assert.equal(
    STEPS.reduce((sum, step) => sum + figuresOf(step).length, 0),
    FIGURE_KEYS.length,
  );
});
