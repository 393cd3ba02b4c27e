// The soak's command line: how long, how big, how fast the churn, and the memory rule's thresholds.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { count, UsageError } from '../options.js';
import { DEFAULT_GROWTH_RULE, type GrowthRule } from './growth.js';

export const SOAK_HELP = `npm run soak [-- options]

  --duration-sec N           how long the churn and the reads run, after the services are registered (default 600)
  --services N               services registered at the start, in the mix of docs/soak.md (default 2000)
  --churn-per-sec N          extra services registered, and as many deleted, per second (default 50)
  --churn-lifetime-sec N     how long a churned service lives before it is deleted (default 5)
  --poll-interval-sec N      every service's poll interval (default 30)
  --max-concurrency N        the monitor's MAX_CONCURRENCY (default 100; see docs/soak.md)
  --sample-sec N             seconds between samples (default 5)
  --warm-up-sec N            samples before this are not judged for memory growth (default: a fifth of the duration)
  --cycle-stall-sec N        fail when no probing cycle has ended for this long (default 60)
  --metrics-gap-ms N         pause between two GET /metrics (default 100)
  --max-growth-mb-per-min X  memory growth rule: the slope limit (default ${DEFAULT_GROWTH_RULE.maxSlopeMbPerMin})
  --growth-margin-mb X       memory growth rule: the least rise of the last third over the middle third (default ${DEFAULT_GROWTH_RULE.marginMb})
  --out FILE                 where the results go (default bench/results/soak-latest.json)
  --help`;

export interface SoakPlan {
  readonly durationSec: number;
  readonly services: number;
  readonly churnPerSec: number;
  readonly churnLifetimeSec: number;
  readonly pollIntervalSec: number;
  readonly maxConcurrency: number;
  readonly sampleSec: number;
  readonly cycleStallSec: number;
  readonly metricsGapMs: number;
  readonly growth: GrowthRule;
  readonly out: string;
}

function decimal(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`--${name} must be a number of at least 0, not "${value}"`);
  return Number(value);
}

/** `null` when --help was asked for. */
export function parseSoakPlan(argv: readonly string[]): SoakPlan | null {
  const names = [
    'duration-sec',
    'services',
    'churn-per-sec',
    'churn-lifetime-sec',
    'poll-interval-sec',
    'max-concurrency',
    'sample-sec',
    'warm-up-sec',
    'cycle-stall-sec',
    'metrics-gap-ms',
    'max-growth-mb-per-min',
    'growth-margin-mb',
    'out',
  ] as const;
  let values: Partial<Record<(typeof names)[number], string>> & { help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
        help: { type: 'boolean', default: false },
      },
    }) as { values: typeof values });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return null;
  const durationSec = count('duration-sec', values['duration-sec'], 600, 10);
  const sampleSec = count('sample-sec', values['sample-sec'], 5, 1);
  const warmUpSec = count('warm-up-sec', values['warm-up-sec'], Math.round(durationSec / 5), 0);
  if (warmUpSec >= durationSec)
    throw new UsageError(`--warm-up-sec must be shorter than --duration-sec (${durationSec}), not ${warmUpSec}`);
  // At least the monitor's default probe timeout (2 s): a registration's timeout may not exceed its interval.
  const pollIntervalSec = count('poll-interval-sec', values['poll-interval-sec'], 30, 2);
  const cycleStallSec = count('cycle-stall-sec', values['cycle-stall-sec'], 60, 1);
  // With nothing else due, cycles come one poll interval apart: a shorter stall limit would fail a healthy monitor.
  if (cycleStallSec <= pollIntervalSec) {
    throw new UsageError(
      `--cycle-stall-sec must be longer than the poll interval (${pollIntervalSec} s), not ${cycleStallSec}`,
    );
  }
  return {
    durationSec,
    services: count('services', values.services, 2000, 1),
    churnPerSec: count('churn-per-sec', values['churn-per-sec'], 50, 0),
    churnLifetimeSec: count('churn-lifetime-sec', values['churn-lifetime-sec'], 5, 1),
    pollIntervalSec,
    maxConcurrency: count('max-concurrency', values['max-concurrency'], 100, 1),
    sampleSec,
    cycleStallSec,
    metricsGapMs: count('metrics-gap-ms', values['metrics-gap-ms'], 100, 0),
    growth: {
      ...DEFAULT_GROWTH_RULE,
      warmUpSec,
      maxSlopeMbPerMin: decimal(
        'max-growth-mb-per-min',
        values['max-growth-mb-per-min'],
        DEFAULT_GROWTH_RULE.maxSlopeMbPerMin,
      ),
      marginMb: decimal('growth-margin-mb', values['growth-margin-mb'], DEFAULT_GROWTH_RULE.marginMb),
    },
    out: values.out ?? fileURLToPath(new URL('../../../bench/results/soak-latest.json', import.meta.url)),
  };
}
