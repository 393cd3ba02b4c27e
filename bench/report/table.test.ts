// The table at the end of a run: every figure on its own row, a skipped step on one line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIGURE_KEYS, figuresOf, FIGURES, type FigureKey, type Sizes } from './figures.js';
import { buildResults } from './results.js';
import { renderTable } from './table.js';

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

function table(values: Partial<Record<FigureKey, number | null>>): string {
  const all = Object.fromEntries(FIGURE_KEYS.map((key) => [key, 1])) as Record<FigureKey, number | null>;
  return renderTable(
    buildResults(
      { ...all, ...values },
      { at: new Date('2026-12-05T12:00:00Z'), machine: MACHINE, sizes: SIZES, runSec: 7 },
    ),
  );
}

test('each figure is a row with its value, target and verdict', () => {
  const text = table({ load_api_cpu_us_per_result: 9.46, load_peak_rss_mb: 151 });
  assert.match(text, /API-thread CPU per probe result, probing alone +9\.5 µs +≤ 12 µs +met/);
  assert.match(text, /peak RSS, 200 services probed every second +151 MB +≤ 150 MB +NOT MET/);
});

test('a step that did not run takes one line per section, and its targets are not counted', () => {
  const text = table(Object.fromEntries(figuresOf('load').map((key) => [key, null])));
  assert.match(text, /\nsteady load: [^\n]*: skipped\n/);
  assert.doesNotMatch(text, /API-thread CPU per probe result/);
  const targets = FIGURE_KEYS.filter((key) => 'target' in FIGURES[key] && FIGURES[key].step !== 'load').length;
  assert.match(text, new RegExp(`targets met: \\d+ of ${targets};`));
});
