// The service page: its 90-day bar, and the response-time chart drawn by uPlot from the series the
// server put in #chart's data-series (p50 solid, p95 dashed, so the lines differ by more than colour).
import uPlot from './uplot.esm.js';
import { drawBars } from './uptime-bars.js';

const CHART_HEIGHT = 280;

function colours() {
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return { text: read('--muted'), line: read('--line'), p50: read('--focus'), p95: read('--warn') };
}

function drawChart() {
  const container = document.getElementById('chart');
  if (!container) return;
  const series = JSON.parse(container.dataset.series ?? '{"t":[],"p50":[],"p95":[]}');
  const colour = colours();
  const axis = { stroke: colour.text, grid: { stroke: colour.line, width: 1 }, ticks: { stroke: colour.line } };
  const options = {
    width: Math.max(240, container.clientWidth - 16),
    height: CHART_HEIGHT,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(10, (max ?? 10) * 1.1)] } },
    axes: [axis, { ...axis, label: 'ms', size: 60 }],
    series: [
      {},
      { label: 'p50', stroke: colour.p50, width: 2, points: { show: true, size: 4 } },
      { label: 'p95', stroke: colour.p95, width: 2, dash: [6, 4], points: { show: true, size: 4 } },
    ],
  };
  const plot = new uPlot(options, [series.t, series.p50, series.p95], container);
  new ResizeObserver(() =>
    plot.setSize({ width: Math.max(240, container.clientWidth - 16), height: CHART_HEIGHT }),
  ).observe(container);
}

drawBars();
drawChart();
performance.mark('ready');
document.documentElement.dataset.ready = 'true';
