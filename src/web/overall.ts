// The status page's banner: one verdict over every service, as status pages word it, with the counts.
import type { Health } from '../domain/index.js';

export type Overall = 'operational' | 'degraded' | 'partial_outage' | 'major_outage';

export const OVERALL_TEXT: Record<Overall, string> = {
  operational: 'All systems operational',
  degraded: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};

export type HealthCounts = Record<Health, number>;

export function countHealth(healths: Iterable<Health>): HealthCounts {
  const counts: HealthCounts = { healthy: 0, degraded: 0, unhealthy: 0, dead: 0, unknown: 0 };
  for (const health of healths) counts[health]++;
  return counts;
}

/**
 * Down (unhealthy or dead) services make an outage: a major one once at least half of the services
 * whose state is known are down. Unknown services (not probed yet) do not count either way.
 */
export function overallOf(counts: HealthCounts): Overall {
  const down = counts.unhealthy + counts.dead;
  const known = counts.healthy + counts.degraded + down;
  if (down > 0) return down * 2 >= known ? 'major_outage' : 'partial_outage';
  return counts.degraded > 0 ? 'degraded' : 'operational';
}
