// Health and readiness: the two separate verdicts the monitor keeps for every service.

export const HEALTH_STATES = ['healthy', 'degraded', 'unhealthy', 'dead', 'unknown'] as const;
export type Health = (typeof HEALTH_STATES)[number];

export interface HealthVerdict {
  readonly health: Health;
  readonly ready: boolean;
}

/** A failure is what flap damping counts towards `failure_threshold`; `unknown` is neither. */
export function isFailure(health: Health): boolean {
  return health === 'dead' || health === 'unhealthy';
}

export function isSuccess(health: Health): boolean {
  return health === 'healthy' || health === 'degraded';
}
