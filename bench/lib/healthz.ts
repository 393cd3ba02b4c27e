// GET /healthz as the bench reads it: the monitor's last probing cycle, measured inside the monitor.

export interface LagSummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface CycleView {
  readonly started_at: string;
  readonly duration_ms: number;
  readonly services: number;
  readonly event_loop_utilization: number;
  readonly schedule_lag_ms: LagSummary | null;
}

export interface Healthz {
  readonly status: string;
  readonly services: number;
  readonly last_cycle: CycleView | null;
}
