// The bench's command line: sizes, --quick for the smoke sizes, and which steps run.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { STEPS, type Sizes } from './report/figures.js';

export const HELP = `npm run bench [-- options]

  --services N           services in the full cycle, the /metrics and the registration figures (default 10000)
  --large-services N     services for the large-registry peak RSS (default 100000)
  --schedule-services N  services polled every second for schedule accuracy (default 1000)
  --load-services N      services probed every second in the steady-load step (default 10000)
  --protocol-services N  targets of each protocol (HTTP, gRPC, TCP) in the protocols step (default 1000)
  --quick                small sizes, a few seconds in all: what the smoke test runs
  --only STEP[,STEP]     run only these steps: ${STEPS.join(', ')} (the others are reported as skipped),
                         or cluster: SQLite beside 1 and 2 replicas on PostgreSQL at 127.0.0.1:5432, only when named,
                         or status-page: the status page at --services services in Chromium, only when named
  --skip-100k            leave out the large registry (its figures are reported as skipped)
  --skip-day             leave out the simulated day of probes (likewise)
  --skip-load            leave out the steady load (likewise)
  --skip-protocols       leave out the probes per protocol (likewise)
  --out FILE             where the results go (default bench/results/latest.json)
  --help`;

/**
 * `cluster` needs a PostgreSQL server and `status-page` Chromium, so they run only when --only names
 * them; the default run needs neither.
 */
export const NAMED_ONLY_STEPS = ['cluster', 'status-page'] as const;
export const BENCH_STEPS = [...STEPS, ...NAMED_ONLY_STEPS] as const;

export type BenchStep = (typeof BENCH_STEPS)[number];

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
  /** The steady-load step: settling after the registrations, then probing alone, then scraped. */
  readonly loadWarmUpMs: number;
  readonly loadQuietMs: number;
  readonly loadScrapedMs: number;
  readonly loadMetricsEveryMs: number;
  /** The cluster step: services probed every second in each setup, settling, then the counted window. */
  readonly clusterServices: number;
  readonly clusterWarmUpMs: number;
  readonly clusterProbeMs: number;
  /** The protocols step: settling after each protocol's registrations, then the counted window. */
  readonly protocolWarmUpMs: number;
  readonly protocolWindowMs: number;
  /** The status-page step: page loads measured (each page), after one to start Chromium. */
  readonly statusPageLoads: number;
  /** The steps that run, after --only and the --skip flags. */
  readonly steps: ReadonlySet<BenchStep>;
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

function stepList(value: string): BenchStep[] {
  const names = value.split(',').map((name) => name.trim());
  const known: ReadonlySet<string> = new Set(BENCH_STEPS);
  const unknown = names.find((name) => !known.has(name));
  if (unknown !== undefined)
    throw new UsageError(
      `--only takes steps among ${STEPS.join(', ')}, not "${unknown}" (or ${NAMED_ONLY_STEPS.join(', ')}, when named)`,
    );
  return names as BenchStep[];
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
        'load-services': { type: 'string' },
        only: { type: 'string' },
        'skip-day': { type: 'boolean', default: false },
        'skip-load': { type: 'boolean', default: false },
        'protocol-services': { type: 'string' },
        'skip-protocols': { type: 'boolean', default: false },
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
  const loadServices = count('load-services', values['load-services'], quick ? 200 : 10_000, 1);
  const protocolServices = count('protocol-services', values['protocol-services'], quick ? 50 : 1000, 1);
  const steps = new Set<BenchStep>(values.only === undefined ? STEPS : stepList(values.only));
  if (values['skip-100k']) steps.delete('large');
  if (values['skip-day']) steps.delete('day');
  if (values['skip-load']) steps.delete('load');
  if (values['skip-protocols']) steps.delete('protocols');
  return {
    sizes: {
      services,
      largeServices,
      scheduleServices,
      scheduleIntervalSec: 1,
      scheduleLatencyMs: 5,
      rawConnections: 5,
      daySimulationServices: quick ? 200 : 10_000,
      loadServices,
      protocolServices,
    },
    quick,
    rawDurationSec: quick ? 1 : 5,
    registrationLanes: 64,
    readEveryMs: quick ? 5 : 10,
    metricsRequests: quick ? 5 : 20,
    scheduleSettleMs: quick ? 300 : 2000,
    scheduleWindowMs: quick ? 2000 : 10_000,
    largeIntervalSec: quick ? 2 : 20,
    largeCapMs: quick ? 10_000 : 60_000,
    dayProbesPerService: quick ? 24 : 288,
    loadWarmUpMs: quick ? 500 : 5000,
    loadQuietMs: quick ? 600 : 15_000,
    loadScrapedMs: quick ? 1000 : 15_000,
    loadMetricsEveryMs: 250,
    clusterServices: quick ? 200 : 10_000,
    clusterWarmUpMs: quick ? 1000 : 5000,
    clusterProbeMs: quick ? 2000 : 12_000,
    protocolWarmUpMs: quick ? 500 : 3000,
    protocolWindowMs: quick ? 1000 : 10_000,
    statusPageLoads: quick ? 2 : 5,
    steps,
    out: values.out ?? fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url)),
  };
}
