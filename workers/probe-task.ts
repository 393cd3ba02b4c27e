// The probe threads' Piscina task file. The engine is src/probe (probe-thread.ts); this only starts it.
import { threadId, workerData } from 'node:worker_threads';
import { startProbeThread, type ProbeBatchTask, type ProbeWorkerData } from '../src/probe/probe-thread.js';

const thread = await startProbeThread(workerData as ProbeWorkerData, threadId);

/** For tests' task files that queue a batch's jobs themselves (tests/helpers/dying-probe-task.ts). */
export const { openOutbox, probeInto } = thread;

export default function probeBatch(task: ProbeBatchTask): Promise<void> {
  return thread.probeBatch(task);
}
