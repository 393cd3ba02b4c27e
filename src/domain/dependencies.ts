// Services a registration says it depends on: who holds a dependant's notices back, and which
// registrations would close a loop.
import { isFailure, type Health } from './health.js';

export const MAX_DEPENDENCIES = 32;

/** The dependencies that are down (`unhealthy` or `dead`) now, in the order the registration lists them. */
export function impactedBy(
  dependsOn: readonly string[] | undefined,
  healthOf: (id: string) => Health | undefined,
): string[] {
  if (dependsOn === undefined || dependsOn.length === 0) return [];
  return dependsOn.filter((id) => {
    const health = healthOf(id);
    return health !== undefined && isFailure(health);
  });
}

/**
 * The loop `id` depending on `dependsOn` would close, as the path from `id` back to itself
 * (`['a', 'b', 'a']`), or `null`. `dependenciesOf` gives the registered services' own lists.
 */
export function dependencyCycle(
  id: string,
  dependsOn: readonly string[],
  dependenciesOf: (id: string) => readonly string[] | undefined,
): string[] | null {
  const seen = new Set<string>();
  const walk = (current: string, path: string[]): string[] | null => {
    if (current === id) return [...path, id];
    if (seen.has(current)) return null;
    seen.add(current);
    for (const next of dependenciesOf(current) ?? []) {
      const found = walk(next, [...path, current]);
      if (found !== null) return found;
    }
    return null;
  };
  for (const dependency of dependsOn) {
    const found = walk(dependency, [id]);
    if (found !== null) return found;
  }
  return null;
}
