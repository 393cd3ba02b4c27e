// The bench's command line: sizes, --quick for the smoke sizes, and what to skip.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Sizes } from './report/figures.js';

export const HELP = `npm run bench [-- options]

  --services N           services in the full cycle, the /metrics and the registration figures (default 10000)
  --large-services N     services for the large-registry peak RSS (default 100000)
  --schedule-services N  services polled every second for schedule accuracy (default 1000)
  --quick                small sizes, a few seconds in all: what the smoke test runs
  --skip-100k            leave out the large registry (its figures are reported as skipped)
  --skip-day             leave out the simulated day of probes (likewise)
  --out FILE             where the results go (default bench/results/latest.json)
  --help`;

export interface Plan {
  readonly sizes: Sizes;
  readonly quick: boolean;
  readonly rawDurationSec: number;
  readonly registrationLanes: number;
  /** One GET /services/:id this often while the full cycle runs. */
  readonly readEveryMs: number;
  readonly metricsRequests: number;
  readonly scheduleSettleMs: number;
  readonly scheduleWindowMs: number;
  /** Short, so the monitor probes the restored registry continuously from the start. */
  readonly largeIntervalSec: number;
  readonly largeCapMs: number;
  readonly dayProbesPerService: number;
  readonly skipLarge: boolean;
  readonly skipDay: boolean;
  readonly out: string;
}

export class UsageError extends Error {}

export function count(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, not "${value}"`);
  const parsed = Number(value);
  if (parsed < min) throw new UsageError(`--${name} must be at least ${min}, not ${parsed}`);
  return parsed;
}

/** `null` when --help was asked for. */
export function parsePlan(argv: readonly string[]): Plan | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        services: { type: 'string' },
        'large-services': { type: 'string' },
        'schedule-services': { type: 'string' },
        quick: { type: 'boolean', default: false },
        'skip-100k': { type: 'boolean', default: false },
        'skip-day': { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return null;
  const quick = values.quick;
  // At least 10: the held cycle has one service, and the measured one must be told apart from it.
  const services = count('services', values.services, quick ? 200 : 10_000, 10);
  const largeServices = count('large-services', values['large-services'], quick ? 2000 : 100_000, 10);
  const scheduleServices = count('schedule-services', values['schedule-services'], quick ? 50 : 1000, 1);
  return {
    sizes: {
      services,
      largeServices,
      scheduleServices,
      scheduleIntervalSec: 1,
      scheduleLatencyMs: 5,
      rawConnections: 5,
      daySimulationServices: quick ? 200 : 10_000,
    },
    quick,
    rawDurationSec: quick ? 1 : 5,
    registrationLanes: 64,
    readEveryMs: quick ? 5 : 10,
    metricsRequests: quick ? 5 : 20,
    scheduleSettleMs: quick ? 1000 : 2000,
    scheduleWindowMs: quick ? 3000 : 10_000,
    largeIntervalSec: quick ? 2 : 20,
    largeCapMs: quick ? 10_000 : 60_000,
    dayProbesPerService: quick ? 24 : 288,
    skipLarge: values['skip-100k'],
    skipDay: values['skip-day'],
    out: values.out ?? fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url)),
  };
}
