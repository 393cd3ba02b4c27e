// A service's own traffic counters, as its /health endpoint reports them.

export class TrafficCounters {
  private readonly startedAt = Date.now();
  requestCount = 0;
  errorCount = 0;

  record(failed: boolean): void {
    this.requestCount++;
    if (failed) this.errorCount++;
  }

  /** The wire format of the reference's /health body. */
  healthBody(attributes: Record<string, string>): string {
    return JSON.stringify({
      uptime_sec: Math.floor((Date.now() - this.startedAt) / 1000),
      request_count: this.requestCount,
      error_count: this.errorCount,
      attributes,
    });
  }
}
