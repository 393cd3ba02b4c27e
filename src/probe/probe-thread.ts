// A probe thread's engine, started once by the thread's entry file (workers/probe-task.ts): batches
// are queued on one runner, within the global in-flight limit, and results go back as they come.
import { runBehindTheApiThread } from '../background-priority.js';
import { targetPolicy, type ProbeJob } from '../domain/index.js';
import { BatchOutbox } from './batch-outbox.js';
import { InFlightLimit } from './in-flight-limit.js';
import { ProbeRunner } from './probe-runner.js';
import { createProbeTable } from './probe-table.js';
import { finish, nextAttempt, startProbe } from './run-probe.js';
import type { ProbeBatchTask, ProbeWorkerData } from './thread-messages.js';

export type { ProbeBatchTask, ProbeWorkerData } from './thread-messages.js';

export interface ProbeThread {
  /** The Piscina task: resolves once every result of the batch has been sent. */
  probeBatch(task: ProbeBatchTask): Promise<void>;
  /** The batch's results will go to this outbox; tests that stand in for the task queue jobs into it themselves. */
  openOutbox(task: ProbeBatchTask): BatchOutbox;
  probeInto(jobs: readonly ProbeJob[], outbox: BatchOutbox): void;
}

/** Call it on a probe thread, once: it lowers the calling thread's priority below the API thread's. */
export async function startProbeThread(data: ProbeWorkerData, threadId: number): Promise<ProbeThread> {
  runBehindTheApiThread();
  const { inFlight, maxInFlight, lanes, allowTargets, replicaId } = data;
  const limit = new InFlightLimit(inFlight, maxInFlight, threadId);
  const probes = await createProbeTable({
    connectionsPerOrigin: lanes,
    targetPolicy: targetPolicy(allowTargets),
    replicaId,
  });
  const runner = new ProbeRunner(
    lanes,
    limit,
    startProbe,
    (probe) => nextAttempt(probe, probes),
    (probe, error) =>
      finish(probe, {
        kind: 'monitor_error',
        error: `the probe failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
      }),
  );
  const openOutbox = (task: ProbeBatchTask): BatchOutbox => new BatchOutbox(task.results, task.jobs.length);
  const probeInto = (jobs: readonly ProbeJob[], outbox: BatchOutbox): void => runner.enqueue(jobs, outbox);
  return {
    openOutbox,
    probeInto,
    probeBatch(task) {
      const outbox = openOutbox(task);
      probeInto(task.jobs, outbox);
      return outbox.done;
    },
  };
}
