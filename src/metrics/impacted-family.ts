// health_monitor_service_impacted{service,by}: 1 for each dependency of a service that is down now.
// Read at each scrape, not cached with the service's own lines: it changes with other services.
import { impactedBy, type Health } from '../domain/index.js';
import type { ServiceRecord } from '../store/service-record.js';
import { escapeLabelValue, familyHeader } from './text-format.js';

export const IMPACTED_FAMILY = 'health_monitor_service_impacted';
const HELP =
  "1 for each of a service's depends_on that is unhealthy or dead now: the service's notices are held back meanwhile.";

/** The family's text, HELP and TYPE first, no final line feed. */
export function impactedFamily(records: readonly ServiceRecord[]): string {
  let text = familyHeader(IMPACTED_FAMILY, HELP, 'gauge');
  const dependants = records.filter((record) => (record.request.dependsOn?.length ?? 0) > 0);
  if (dependants.length === 0) return text;
  const health = new Map<string, Health>(records.map((record) => [record.request.id, record.state.health]));
  for (const record of dependants) {
    const service = escapeLabelValue(record.request.id);
    for (const by of impactedBy(record.request.dependsOn, (id) => health.get(id)))
      text += `\n${IMPACTED_FAMILY}{service="${service}",by="${escapeLabelValue(by)}"} 1`;
  }
  return text;
}
