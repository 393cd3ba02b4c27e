// The Piscina task: probe a batch of services on this thread's lanes, within the global cap.
import { threadId, workerData } from 'node:worker_threads';
import { runBehindTheApiThread } from '../src/background-priority.js';
import { targetPolicy, type ProbeBatchTask, type ProbeResult, type ProbeWorkerData } from '../src/domain/index.js';
import { InFlightLimit } from './in-flight-limit.js';
import { LaneRunner } from './lane-runner.js';
import { createProbeTable } from './probes/index.js';
import { runProbe } from './run-probe.js';

runBehindTheApiThread();
const { inFlight, maxInFlight, lanes, allowTargets } = workerData as ProbeWorkerData;
const limit = new InFlightLimit(inFlight, maxInFlight, threadId);
const probes = createProbeTable({ connectionsPerOrigin: lanes, targetPolicy: targetPolicy(allowTargets) });

const runner = new LaneRunner(lanes, async (job: ProbeBatchTask['jobs'][number]): Promise<ProbeResult> => {
  await limit.acquire();
  try {
    return await runProbe(job, probes);
  } finally {
    limit.release();
  }
});

export default function probeBatch(task: ProbeBatchTask): Promise<ProbeResult[]> {
  return runner.run(task.jobs);
}
