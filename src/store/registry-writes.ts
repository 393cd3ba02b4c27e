// Registrations and removals: joined into groups, planned against the registry as the ops before
// them leave it, committed in one transaction, and only then applied in memory and answered.
import { INITIAL_STATE, resolveSettings, type ProbeDefaults, type RegistrationRequest } from '../domain/index.js';
import type { DueTracker } from './due-tracker.js';
import type { EventLog } from './event-log.js';
import type { DeregistrationCause, MonitorEventMap } from './events.js';
import { GroupCommit } from './group-commit.js';
import { retryWhileLocked } from './lock-wait.js';
import type { Mailbox } from './mailbox.js';
import type { Persistence, RegistryWrite, StoredEvent } from './persistence.js';
import type { Registry } from './registry.js';
import type { ResultWrites } from './result-writes.js';
import type { ServiceRecord } from './service-record.js';
import { ServiceEntry } from './service-entry.js';

export type Emit = <K extends keyof MonitorEventMap>(event: K, ...args: MonitorEventMap[K]) => void;

/** A change to the registry, decided before its commit and applied in memory only after it. */
export type RegistryChange =
  | { readonly kind: 'save'; readonly entry: ServiceEntry; readonly created: boolean; readonly resetHistory: boolean }
  | {
      readonly kind: 'delete';
      readonly serviceId: string;
      readonly cause: DeregistrationCause;
      readonly reason: string;
    };

/** A registration or removal waiting in a commit group. */
type RegistryOp = {
  /** `performance.now()` when it was sent: its wait for a locked database counts from here. */
  readonly arrivedAt: number;
  readonly reject: (error: unknown) => void;
} & (
  | {
      readonly kind: 'register';
      readonly request: RegistrationRequest;
      readonly resolve: (answer: RegisterAnswer) => void;
    }
  | { readonly kind: 'deregister'; readonly serviceId: string; readonly resolve: (found: boolean) => void }
);

export interface RegisterAnswer {
  readonly record: ServiceRecord;
  readonly created: boolean;
}

export interface RegistryWritesOptions {
  readonly registry: Registry;
  readonly due: DueTracker;
  readonly persistence: Persistence;
  readonly eventLog: EventLog;
  readonly results: ResultWrites;
  readonly mailbox: Mailbox;
  readonly defaults: ProbeDefaults;
  readonly now: () => number;
  /** How long an op waits, from its arrival, for a database another connection has locked. */
  readonly lockWaitMs: number;
  /** How long registrations and deletions gather into one commit (GroupCommit); 0: one event-loop turn. */
  readonly gatherMs?: number;
  /** Higher than every stored registration's generation. */
  readonly nextGeneration: number;
  readonly emit: Emit;
}

export class RegistryWrites {
  private readonly groups: GroupCommit<RegistryOp>;
  private nextGeneration: number;

  constructor(private readonly options: RegistryWritesOptions) {
    this.nextGeneration = options.nextGeneration;
    this.groups = new GroupCommit<RegistryOp>(options.mailbox, (ops) => this.commitGroup(ops), options.gatherMs);
  }

  /** Resolves once the registration is durable. */
  register(request: RegistrationRequest): Promise<RegisterAnswer> {
    return new Promise((resolve, reject) => {
      this.groups.add({ kind: 'register', request, arrivedAt: performance.now(), resolve, reject });
    });
  }

  /** Resolves `false` for an unknown id; `true` once the removal is durable. */
  deregister(serviceId: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.groups.add({ kind: 'deregister', serviceId, arrivedAt: performance.now(), resolve, reject });
    });
  }

  /** Cluster mode: another replica used `generation`; later registrations here get higher ones. */
  sawGeneration(generation: number): void {
    this.nextGeneration = Math.max(this.nextGeneration, generation + 1);
  }

  /** Any other message entered the mailbox: later ops must queue behind it. */
  seal(): void {
    this.groups.seal();
  }

  /**
   * Writes the changes in one transaction, then applies them in memory and announces them. While
   * another connection holds the write lock it tries again until `deadline` (a `performance.now()` time).
   */
  async commit(changes: readonly RegistryChange[], deadline: number): Promise<void> {
    if (changes.length === 0) return;
    const { eventLog, persistence, results } = this.options;
    const at = this.options.now();
    const writes = changes.map(toWrite);
    const attempt = async (): Promise<StoredEvent[]> => {
      // Unsaved probe results first: the history and the event log stay in the order things happened,
      // and a removal also removes the history its service had waiting.
      await results.flush();
      results.status.attempted();
      return eventLog.commitNumbered(
        () =>
          changes.map((change) =>
            change.kind === 'save'
              ? eventLog.registered(change.entry, change.created)
              : eventLog.deregistered({ serviceId: change.serviceId, cause: change.cause, reason: change.reason, at }),
          ),
        (entries) => persistence.writeRegistry(writes, entries),
      );
    };
    let entries: StoredEvent[];
    try {
      entries = await retryWhileLocked(attempt, deadline);
    } catch (error) {
      results.failed(error);
      throw error;
    }
    results.status.worked();
    this.apply(changes, entries, at);
  }

  private async commitGroup(ops: readonly RegistryOp[]): Promise<void> {
    const staged = new Map<string, ServiceEntry | null>();
    const current = (id: string): ServiceEntry | undefined =>
      staged.has(id) ? (staged.get(id) ?? undefined) : this.options.registry.get(id);
    const changes: RegistryChange[] = [];
    const answers: (() => void)[] = [];
    for (const op of ops) {
      if (op.kind === 'register') {
        const change = this.planRegistration(op.request, current(op.request.id));
        staged.set(op.request.id, change.entry);
        changes.push(change);
        answers.push(() => op.resolve({ record: change.entry.frozen(), created: change.created }));
      } else if (current(op.serviceId) === undefined) {
        answers.push(() => op.resolve(false));
      } else {
        staged.set(op.serviceId, null);
        changes.push({ kind: 'delete', serviceId: op.serviceId, cause: 'deleted', reason: 'deleted through the API' });
        answers.push(() => op.resolve(true));
      }
    }
    const deadline = Math.min(...ops.map((op) => op.arrivedAt)) + this.options.lockWaitMs;
    try {
      await this.commit(changes, deadline);
    } catch (error) {
      for (const op of ops) op.reject(error);
      return;
    }
    for (const answer of answers) answer();
  }

  /** A registration keeps the state and history of the one it replaces only when its URL is the same. */
  private planRegistration(
    request: RegistrationRequest,
    existing: ServiceEntry | undefined,
  ): RegistryChange & { kind: 'save' } {
    const keepsHistory = existing !== undefined && existing.request.url === request.url;
    const entry = new ServiceEntry(
      request,
      resolveSettings(request, this.options.defaults),
      this.nextGeneration++,
      this.options.now(),
      keepsHistory ? existing.state : INITIAL_STATE,
      // A new or changed registration is due at once.
      null,
      keepsHistory ? existing.openHour : null,
    );
    return {
      kind: 'save',
      entry,
      created: existing === undefined,
      resetHistory: existing !== undefined && !keepsHistory,
    };
  }

  private apply(changes: readonly RegistryChange[], entries: readonly StoredEvent[], at: number): void {
    const { registry, due, emit } = this.options;
    for (const [index, change] of changes.entries()) {
      if (change.kind === 'save') {
        // Due at once, or as soon as a probe of the registration it replaces is back: never two at once.
        registry.put(change.entry);
        due.wait(change.entry);
        emit('registered', { service: change.entry.frozen(), created: change.created });
      } else {
        // A probe in flight keeps its mark until it is back, so a quick re-registration waits for it.
        registry.delete(change.serviceId);
        emit('deregistered', { serviceId: change.serviceId, cause: change.cause, reason: change.reason, at });
      }
      const entry = entries[index];
      if (entry) emit('recorded', entry);
    }
  }
}

function toWrite(change: RegistryChange): RegistryWrite {
  if (change.kind === 'delete') return { kind: 'delete', serviceId: change.serviceId };
  const { request, generation, registeredAt, state } = change.entry;
  return { kind: 'save', service: { request, generation, registeredAt, state }, resetHistory: change.resetHistory };
}
