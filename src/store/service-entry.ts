// One registered service as the store actor holds it: updated in place, never seen outside the actor.
import type {
  MutableServiceState,
  OpenHourAggregate,
  ProbeJob,
  RegistrationRequest,
  ServiceSettings,
  ServiceState,
} from '../domain/index.js';
import { copyState, isSlowTarget, nextDueTime } from '../domain/index.js';
import type { ServiceRecord } from './service-record.js';

export class ServiceEntry {
  readonly state: MutableServiceState;
  /** When its latest probe was taken for a cycle (or its restored equivalent); `null` before the first. */
  lastScheduledAt: number | null;
  /** The aggregate of the hour its latest probe finished in, updated in place. */
  openHour: OpenHourAggregate | null;
  private view: ServiceRecord | null = null;

  constructor(
    readonly request: RegistrationRequest,
    readonly settings: ServiceSettings,
    /** Unique per registration; a probe result carrying another generation is stale. */
    readonly generation: number,
    readonly registeredAt: number,
    state: ServiceState,
    lastScheduledAt: number | null,
    openHour: OpenHourAggregate | null,
  ) {
    this.state = copyState(state);
    this.lastScheduledAt = lastScheduledAt;
    this.openHour = openHour;
  }

  get id(): string {
    return this.request.id;
  }

  /** When it falls due next. */
  get dueAt(): number {
    return nextDueTime(this.settings.intervalMs, this.lastScheduledAt);
  }

  /** Call after every change: the next read makes a new frozen view. */
  changed(): void {
    this.view = null;
  }

  /** A frozen copy, made on the first read after a change and shared until the next one. */
  frozen(): ServiceRecord {
    this.view ??= Object.freeze({
      request: this.request,
      settings: this.settings,
      generation: this.generation,
      registeredAt: this.registeredAt,
      lastScheduledAt: this.lastScheduledAt,
      state: Object.freeze(copyState(this.state)),
    });
    return this.view;
  }

  /** `startBy`: cluster mode, when the lease the job is taken under runs out. */
  probeJob(dueAt: number, startBy?: number): ProbeJob {
    return {
      ...(startBy === undefined ? {} : { startBy }),
      ...(this.settings.tlsSkipVerify ? { tlsSkipVerify: true } : {}),
      ...(this.settings.grpcService === '' ? {} : { grpcService: this.settings.grpcService }),
      serviceId: this.request.id,
      generation: this.generation,
      url: this.request.url,
      healthPath: this.settings.healthPath,
      timeoutMs: this.settings.timeoutMs,
      retries: this.settings.retries,
      dueAt,
      slow: isSlowTarget(this.state.lastResponseMs, this.settings.timeoutMs),
    };
  }
}
