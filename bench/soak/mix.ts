// The soak's population: which behaviour the n-th service gets. A repeating pattern of 40, so any
// number of services has the same proportions: half healthy, a fifth slow, a fifth failing, a tenth
// hostile (docs/soak.md).
import { targetPath, TARGET_KINDS, type TargetKind, type TargetSpec } from '../farm/target-paths.js';

/** Over the monitor's 1 MiB limit on a /health body. */
const BIG_BODY_BYTES = 2 * 1024 * 1024;
/** Healthy for 10 s, failing for 10 s. */
const FLAP_HALF_PERIOD_SEC = 10;

const PATTERN: readonly TargetKind[] = [
  ...Array<TargetKind>(20).fill('healthy'),
  ...Array<TargetKind>(8).fill('slow'),
  ...Array<TargetKind>(3).fill('http500'),
  ...Array<TargetKind>(3).fill('bad-json'),
  ...Array<TargetKind>(2).fill('flap'),
  'hang',
  'trickle',
  'big',
  'reset',
];

/** 200–800 ms, spread over the slow services so their answers do not arrive in step. */
export const slowLatencyMs = (n: number): number => 200 + ((n * 37) % 601);

export function targetOf(n: number): TargetSpec {
  const kind = PATTERN[n % PATTERN.length] ?? 'healthy';
  const param =
    kind === 'slow' ? slowLatencyMs(n) : kind === 'flap' ? FLAP_HALF_PERIOD_SEC : kind === 'big' ? BIG_BODY_BYTES : 0;
  return { kind, param };
}

export type RegistrationBody = Record<string, unknown> & { readonly id: string };

/** The POST /register body of the n-th service, under `prefix` (base services and churned ones differ). */
export function registrationOf(farmUrl: string, prefix: string, n: number, pollIntervalSec: number): RegistrationBody {
  const target = targetOf(n);
  return {
    id: `${prefix}-${n}`,
    url: `${farmUrl}${targetPath(target, n)}`,
    attributes: { service: `${target.kind}-${n % 50}`, env: 'soak', team: `team-${n % 7}` },
    poll_interval_sec: pollIntervalSec,
  };
}

/** How many of the first `services` services get each behaviour. */
export function mixCounts(services: number): Record<TargetKind, number> {
  const counts = Object.fromEntries(TARGET_KINDS.map((kind) => [kind, 0])) as Record<TargetKind, number>;
  for (let n = 0; n < services; n++) counts[targetOf(n).kind]++;
  return counts;
}
