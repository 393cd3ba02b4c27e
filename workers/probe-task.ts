// The Piscina task: probe a batch of services, at most `lanes` at once and within the global cap.
import { workerData } from 'node:worker_threads';
import type { ProbeBatchTask, ProbeResult, ProbeWorkerData } from '../src/domain/index.js';
import { InFlightLimit } from './in-flight-limit.js';
import { runProbe } from './run-probe.js';

const { inFlight, maxInFlight, lanes } = workerData as ProbeWorkerData;
const limit = new InFlightLimit(inFlight, maxInFlight);

export default async function probeBatch(task: ProbeBatchTask): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < task.jobs.length) {
      const job = task.jobs[next++];
      if (!job) break;
      await limit.acquire();
      try {
        results.push(await runProbe(job));
      } finally {
        limit.release();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, task.jobs.length) }, lane));
  return results;
}
