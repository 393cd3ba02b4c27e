// The monitor's moving parts wired in-process: real store, real Piscina pool, real scheduler.
import type { ProbeDefaults, RegistrationRequest } from '../../src/domain/index.js';
import { PoolProber } from '../../src/scheduler/pool-prober.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import type { CycleEvent, TransitionEvent } from '../../src/store/events.js';
import type { ServiceRecord } from '../../src/store/service-record.js';
import type { ServiceStore } from '../../src/store/store.js';
import { openStore } from './fixtures.js';
import { waitFor } from './wait.js';

export interface Harness {
  readonly store: ServiceStore;
  readonly cycles: CycleEvent[];
  readonly transitions: TransitionEvent[];
  /** Only needed with `start: false`, to register services before the first cycle. */
  start(): void;
  register(id: string, url: string, extra?: Partial<RegistrationRequest>): Promise<ServiceRecord>;
  /** Waits until the service has been probed and `check` holds for it. */
  waitForService(
    id: string,
    check: (record: ServiceRecord) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<ServiceRecord>;
  stop(): Promise<void>;
}

export async function startHarness(
  options: {
    maxConcurrency?: number;
    threads?: number;
    defaults?: Partial<ProbeDefaults>;
    taskFile?: URL;
    start?: boolean;
  } = {},
): Promise<Harness> {
  const store = await openStore(options.defaults ? { defaults: options.defaults } : {});
  const prober = new PoolProber({
    maxConcurrency: options.maxConcurrency ?? 5,
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.taskFile ? { taskFile: options.taskFile } : {}),
  });
  const scheduler = new Scheduler({ store, prober });
  const cycles: CycleEvent[] = [];
  const transitions: TransitionEvent[] = [];
  store.events.on('cycle', (cycle) => cycles.push(cycle));
  store.events.on('transition', (transition) => transitions.push(transition));
  await prober.warmUp();
  if (options.start !== false) scheduler.start();
  return {
    store,
    start: () => scheduler.start(),
    cycles,
    transitions,
    async register(id, url, extra = {}) {
      return (await store.register({ id, url, attributes: {}, ...extra })).record;
    },
    waitForService(id, check, what, timeoutMs = 5000) {
      return waitFor(
        () => {
          const record = store.get(id);
          return record && record.state.lastCheckedAt !== null && check(record) ? record : undefined;
        },
        `${id}: ${what}`,
        timeoutMs,
      );
    },
    async stop() {
      await scheduler.stop();
      await store.close();
      await prober.close();
    },
  };
}
