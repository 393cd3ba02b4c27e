// The Piscina task: queue a batch of probes on this thread's runner, within the global cap, and send
// the results back on the batch's port as they come.
import { threadId, workerData } from 'node:worker_threads';
import { runBehindTheApiThread } from '../src/background-priority.js';
import { targetPolicy, type ProbeBatchTask, type ProbeJob, type ProbeWorkerData } from '../src/domain/index.js';
import { BatchOutbox } from './batch-outbox.js';
import { InFlightLimit } from './in-flight-limit.js';
import { ProbeRunner } from './probe-runner.js';
import { createProbeTable } from './probes/index.js';
import { finish, nextAttempt, startProbe } from './run-probe.js';

runBehindTheApiThread();
const { inFlight, maxInFlight, lanes, allowTargets } = workerData as ProbeWorkerData;
const limit = new InFlightLimit(inFlight, maxInFlight, threadId);
const probes = createProbeTable({ connectionsPerOrigin: lanes, targetPolicy: targetPolicy(allowTargets) });

const runner = new ProbeRunner(
  lanes,
  limit,
  startProbe,
  (probe) => nextAttempt(probe, probes),
  (probe, error) => finish(probe, { kind: 'monitor_error', error: `the probe failed unexpectedly: ${error instanceof Error ? error.message : String(error)}` }),
);

/** The batch's results will go to this outbox; tests that stand in for the task queue jobs into it themselves. */
export function openOutbox(task: ProbeBatchTask): BatchOutbox {
  return new BatchOutbox(task.results, task.jobs.length);
}

export function probeInto(jobs: readonly ProbeJob[], outbox: BatchOutbox): void {
  runner.enqueue(jobs, outbox);
}

/** Resolves once every result of the batch has been sent. */
export default function probeBatch(task: ProbeBatchTask): Promise<void> {
  const outbox = openOutbox(task);
  probeInto(task.jobs, outbox);
  return outbox.done;
}
