// The shape of bench/results/latest.json, how the bench builds it, and the check that it is well formed
// (used by the bench before it writes, and by tests/bench/bench-smoke.test.ts).
import {
  FIGURES,
  FIGURE_KEYS,
  type FigureKey,
  type FigureSpec,
  type Sizes,
  type Target,
  type Unit,
} from './figures.js';
import type { Machine } from './machine.js';

export interface FigureResult {
  readonly section: string;
  readonly label: string;
  /** `null` only when the step was skipped. */
  readonly value: number | null;
  readonly unit: Unit;
  readonly target: (Target & { readonly text: string }) | null;
  /** `null` when there is no target or no value. */
  readonly met: boolean | null;
  readonly skipped?: true;
}

export interface BenchResults {
  readonly at: string;
  readonly machine: Machine;
  readonly sizes: Sizes;
  /** Wall-clock seconds the whole run took. */
  readonly run_sec: number;
  readonly figures: Record<FigureKey, FigureResult>;
}

export const specOf = (key: FigureKey): FigureSpec => FIGURES[key];

export function targetText(target: Target, unit: Unit): string {
  const op = target.op === '>=' ? '≥' : '≤';
  if (unit === 'ratio') return `${op} ${Math.round(target.value * 100)}%`;
  if (unit === 'per_sec') return `${op} ${target.value.toLocaleString('en-US')}/s`;
  return `${op} ${target.value.toLocaleString('en-US')} ${unit === 'us' ? 'µs' : unit}`;
}

const meets = (value: number, target: Target): boolean =>
  target.op === '>=' ? value >= target.value : value <= target.value;

/** Digits kept in latest.json: enough to read, not the noise of a float. */
function rounded(value: number, unit: Unit): number {
  const digits = unit === 'ratio' ? 3 : unit === 'ms' || unit === 'us' || unit === 'MB' ? 1 : 0;
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

export function buildResults(
  values: Readonly<Record<FigureKey, number | null>>,
  context: { at: Date; machine: Machine; sizes: Sizes; runSec: number },
): BenchResults {
  const figures = Object.fromEntries(
    FIGURE_KEYS.map((key): [FigureKey, FigureResult] => {
      const spec = specOf(key);
      const raw = values[key];
      const value = raw === null ? null : rounded(raw, spec.unit);
      const target = spec.target ? { ...spec.target, text: targetText(spec.target, spec.unit) } : null;
      return [
        key,
        {
          section: spec.section,
          label: spec.label(context.sizes),
          value,
          unit: spec.unit,
          target,
          met: target === null || value === null ? null : meets(value, target),
          ...(value === null ? { skipped: true as const } : {}),
        },
      ];
    }),
  ) as Record<FigureKey, FigureResult>;
  return {
    at: context.at.toISOString(),
    machine: context.machine,
    sizes: context.sizes,
    run_sec: Math.round(context.runSec),
    figures,
  };
}

/** Every problem with a results object, one sentence each; empty when it is well formed. */
export function resultProblems(results: unknown, options: { allowSkipped?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (typeof results !== 'object' || results === null) return ['the results are not an object'];
  const { at, machine, figures } = results as Partial<Record<keyof BenchResults, unknown>>;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) problems.push('"at" is not a date');
  if (typeof machine !== 'object' || machine === null) problems.push('"machine" is missing');
  else {
    const { cpu, cpus, memory_gib: memory, node } = machine as Partial<Record<keyof Machine, unknown>>;
    if (typeof cpu !== 'string' || cpu === '') problems.push('machine.cpu is not named');
    if (typeof cpus !== 'number' || cpus < 1) problems.push('machine.cpus is not a count');
    if (typeof memory !== 'number' || memory <= 0) problems.push('machine.memory_gib is not positive');
    if (typeof node !== 'string' || !node.startsWith('v')) problems.push('machine.node is not a Node version');
  }
  if (typeof figures !== 'object' || figures === null) return [...problems, '"figures" is missing'];
  for (const key of FIGURE_KEYS) {
    const figure = (figures as Record<string, Partial<FigureResult> | undefined>)[key];
    if (figure === undefined) {
      problems.push(`figure ${key} is missing`);
      continue;
    }
    const spec = specOf(key);
    const { value, met } = figure;
    if (value === null && figure.skipped === true && options.allowSkipped === true) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`figure ${key} is ${JSON.stringify(value)}, not a number`);
      continue;
    }
    if (spec.sign === 'positive' ? value <= 0 : value < 0)
      problems.push(`figure ${key} is ${value}, must be ${spec.sign}`);
    if (spec.target !== undefined && typeof met !== 'boolean')
      problems.push(`figure ${key} has a target but no met / not met`);
    if (spec.target !== undefined && met !== meets(value, spec.target))
      problems.push(
        `figure ${key} says met: ${String(met)} for ${value} against ${targetText(spec.target, spec.unit)}`,
      );
  }
  return problems;
}
