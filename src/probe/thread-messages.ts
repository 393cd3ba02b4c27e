// The messages between the pool (src/scheduler/pool-prober.ts) and a probe thread: plain types, declared once.
import type { MessagePort } from 'node:worker_threads';
import type { ProbeJob } from '../domain/index.js';

/**
 * One Piscina task: a batch of probes, run by one thread with up to `lanes` in flight. Results go back
 * on `results` as they come (ProbeResult[] messages), and the thread closes the port after the last.
 */
export interface ProbeBatchTask {
  readonly jobs: readonly ProbeJob[];
  readonly results: MessagePort;
}

/** Given to every probe thread at start; the shared counter caps probes in flight across all threads. */
export interface ProbeWorkerData {
  readonly inFlight: SharedArrayBuffer;
  readonly maxInFlight: number;
  readonly lanes: number;
  /** ALLOW_TARGETS (`null`: unset): each thread rebuilds the target policy from it, as functions cannot cross threads. */
  readonly allowTargets: readonly string[] | null;
  /** Cluster mode: sent with every HTTP probe as `health-monitor-replica`, so a target can tell who probed. */
  readonly replicaId: string | null;
}
