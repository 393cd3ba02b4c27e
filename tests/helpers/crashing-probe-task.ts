// A probe task that kills its thread while holding every in-flight slot, for a batch holding a job
// named `crash`; any other batch runs the real task. It stands in for an OOM or an uncaught error.
import { threadId, workerData } from 'node:worker_threads';
import { InFlightLimit } from '../../src/probe/in-flight-limit.js';
import type { ProbeBatchTask, ProbeWorkerData } from '../../src/probe/thread-messages.js';
import probeBatch from '../../workers/probe-task.js';

const { inFlight, maxInFlight } = workerData as ProbeWorkerData;

export default async function crashOrProbe(task: ProbeBatchTask): Promise<void> {
  if (!task.jobs.some((job) => job.serviceId === 'crash')) return probeBatch(task);
  const limit = new InFlightLimit(inFlight, maxInFlight, threadId);
  for (let i = 0; i < maxInFlight; i++) await limit.acquire();
  process.exit(1);
}
