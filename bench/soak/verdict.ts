// What fails a soak once it has run its course (docs/soak.md, "What fails the soak"): one sentence per
// reason. The reasons that end a soak at once (the monitor or the farm dead, a cycle that never ends)
// are found while it runs.
import type { CycleView } from '../lib/healthz.js';
import type { ChurnCounts } from './churn.js';
import type { GrowthVerdict } from './growth.js';
import type { MetricsRead } from './metrics-reader.js';

export interface RunOutcome {
  readonly growth: GrowthVerdict;
  readonly churn: ChurnCounts;
  /** Churn requests still unanswered after the grace period, and that period. */
  readonly unanswered: number;
  readonly graceSec: number;
  readonly metricsReads: readonly MetricsRead[];
  readonly healthzFailed: number;
  readonly cycles: readonly CycleView[];
  readonly monitorErrors: { readonly count: number; readonly first: readonly string[] };
}

export function runFailures(outcome: RunOutcome): string[] {
  const { growth, churn } = outcome;
  const failures: string[] = [];
  if (!growth.judged || growth.growing) failures.push(growth.reason);
  if (churn.serverErrors > 0)
    failures.push(`the churn got ${churn.serverErrors} answers of 5xx: ${churn.firstFailures.join('; ')}`);
  const otherFailures = churn.registrationsFailed + churn.deletionsFailed - churn.serverErrors;
  // A 404 on deleting an acknowledged registration would be a registration lost.
  if (otherFailures > 0)
    failures.push(`${otherFailures} churn requests failed without a 5xx: ${churn.firstFailures.join('; ')}`);
  if (outcome.unanswered > 0)
    failures.push(`${outcome.unanswered} churn requests had no answer ${outcome.graceSec} s after the churn stopped`);
  const failedReads = outcome.metricsReads.filter((read) => read.status !== 200);
  if (failedReads.length > 0) {
    const serverErrors = failedReads.filter((read) => read.status >= 500).length;
    const statuses = [
      ...new Set(failedReads.map((read) => (read.status === 0 ? 'no answer' : String(read.status)))),
    ].join(', ');
    failures.push(`${failedReads.length} GET /metrics failed (${serverErrors} with 5xx; ${statuses})`);
  }
  if (outcome.healthzFailed > 0) failures.push(`${outcome.healthzFailed} GET /healthz failed`);
  if (outcome.cycles.length === 0) failures.push('no probing cycle completed during the soak');
  if (outcome.monitorErrors.count > 0) {
    failures.push(
      `the monitor logged ${outcome.monitorErrors.count} errors; the first:\n${outcome.monitorErrors.first.join('\n')}`,
    );
  }
  return failures;
}
