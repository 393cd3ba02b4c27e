// Expiry of long-dead services, as Consul's deregister_critical_service_after does.
import type { ServiceState } from './service-state.js';

export const MIN_DEREGISTER_AFTER_SEC = 60;

/** `null` when the service should stay, else the reason it expired. */
export function expiryReason(state: ServiceState, deregisterAfterMs: number | null, now: number): string | null {
  if (deregisterAfterMs === null || state.badSince === null) return null;
  const badForMs = now - state.badSince;
  if (badForMs < deregisterAfterMs) return null;
  return `expired: ${state.health} for ${Math.floor(badForMs / 1000)} s, longer than deregister_after_sec ${deregisterAfterMs / 1000}`;
}
