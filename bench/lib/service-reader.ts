// A steady trickle of GET /services/:id for random ids, as dashboards would send while the monitor probes.
// Open loop: a request leaves every `everyMs` whether or not the previous one has answered, so a slow
// answer cannot hide the ones that would have queued behind it.
import type { ApiClient } from './api-client.js';

export interface Read {
  readonly ms: number;
  readonly status: number;
  /** When the request left (ms since the epoch), to match it to a cycle the monitor reports. */
  readonly sentAt: number;
}

export interface ServiceReader {
  /** Stops sending and resolves with every read once the last answer is in. */
  stop(): Promise<Read[]>;
}

export function startServiceReader(client: ApiClient, ids: readonly string[], everyMs: number): ServiceReader {
  const reads: Read[] = [];
  const pending = new Set<Promise<void>>();
  const fire = (): void => {
    const id = ids[Math.floor(Math.random() * ids.length)] ?? '';
    const sentAt = Date.now();
    const read = client
      .timedGet(`/services/${encodeURIComponent(id)}`)
      .then(({ status, ms }) => void reads.push({ ms, status, sentAt }))
      // Status 0: no answer at all; the step reports it as a failed read.
      .catch(() => void reads.push({ ms: NaN, status: 0, sentAt }))
      .finally(() => pending.delete(read));
    pending.add(read);
  };
  fire();
  const timer = setInterval(fire, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return reads;
    },
  };
}
