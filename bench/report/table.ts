// The table printed at the end of a run: each figure beside its target and whether it is met.
import type { BenchResults, FigureResult } from './results.js';

export function formatValue(figure: FigureResult): string {
  const { value, unit } = figure;
  if (value === null) return 'skipped';
  const whole = (v: number): string => Math.round(v).toLocaleString('en-US');
  switch (unit) {
    case 'ratio':
      return `${(value * 100).toFixed(1)}%`;
    case 'per_sec':
      return `${whole(value)}/s`;
    case 'ms':
      return `${value < 100 ? value.toFixed(1) : whole(value)} ms`;
    case 'us':
      return `${value < 100 ? value.toFixed(1) : whole(value)} µs`;
    case 'MB':
      return `${value < 100 ? value.toFixed(1) : whole(value)} MB`;
    case 'bytes':
      return value >= 2 ** 20 ? `${(value / 2 ** 20).toFixed(1)} MB` : `${(value / 1024).toFixed(1)} KiB`;
    case 'count':
      return whole(value);
  }
}

const verdict = (figure: FigureResult): string => (figure.met === null ? '' : figure.met ? 'met' : 'NOT MET');

export function renderTable(results: BenchResults): string {
  const rows = Object.values(results.figures);
  const cells = rows.map(
    (figure) => [figure.label, formatValue(figure), figure.target?.text ?? '', verdict(figure)] as const,
  );
  const widths = [0, 1, 2].map((column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)));
  const line = (row: readonly string[]): string =>
    `  ${(row[0] ?? '').padEnd(widths[0] ?? 0)}  ${(row[1] ?? '').padStart(widths[1] ?? 0)}  ${(row[2] ?? '').padEnd(widths[2] ?? 0)}  ${row[3] ?? ''}`.trimEnd();
  const out: string[] = [];
  let section = '';
  rows.forEach((figure, i) => {
    if (figure.section === section) return;
    section = figure.section;
    const inSection = rows.flatMap((other, j) => (other.section === section ? [j] : []));
    // A step left out by --only or --skip-… takes one line, not a row per figure.
    if (inSection.every((j) => rows[j]?.skipped === true)) {
      if (!out.at(-1)?.endsWith(': skipped')) out.push('');
      return void out.push(`${section}: skipped`);
    }
    out.push('', section);
    for (const j of inSection) {
      const row = cells[j];
      if (row) out.push(line(row));
    }
  });
  const { machine } = results;
  const met = rows.filter((figure) => figure.met === true).length;
  const targets = rows.filter((figure) => figure.met !== null).length;
  return [
    `health-monitor bench, ${results.at}: ${machine.cpus} × ${machine.cpu}, ${machine.memory_gib} GiB, Node ${machine.node}, ${machine.os}`,
    ...out,
    '',
    `targets met: ${met} of ${targets}; run took ${results.run_sec} s`,
  ].join('\n');
}
