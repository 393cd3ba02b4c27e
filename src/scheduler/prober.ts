// What the scheduler needs from whatever runs probes: a batch of jobs in, results as they arrive.
import type { ProbeJob, ProbeResult } from '../domain/index.js';

export interface Prober {
  /**
   * Probes every job once. `onResults` is called as results come back; the promise resolves when
   * every job has been answered or dropped. Aborting `signal` abandons what is still in flight.
   */
  probeAll(jobs: readonly ProbeJob[], onResults: (results: ProbeResult[]) => void, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
