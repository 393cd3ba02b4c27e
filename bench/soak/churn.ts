// Churn: extra services registered at a steady rate, each deleted again once it has lived a few
// seconds, so registrations and deletions both run at the rate asked for. Open loop: requests leave
// on schedule whether or not earlier ones have answered, so a slow monitor cannot slow the churn down
// and hide its own slowness.
import type { ApiClient } from '../lib/api-client.js';
import type { RegistrationBody } from './mix.js';

export interface ChurnCounts {
  readonly registrationsOk: number;
  readonly registrationsFailed: number;
  readonly deletionsOk: number;
  readonly deletionsFailed: number;
  /** Answers by status; `no answer` when the request failed without one. */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly serverErrors: number;
  /** The first few failures, verbatim, for the report. */
  readonly firstFailures: readonly string[];
}

export interface Churn {
  counts(): ChurnCounts;
  /** Stops sending; resolves once every request sent has answered, or after `graceMs`. */
  stop(graceMs: number): Promise<{ unanswered: number }>;
}

export interface ChurnOptions {
  readonly api: ApiClient;
  readonly perSec: number;
  readonly lifetimeMs: number;
  readonly registration: (n: number) => RegistrationBody;
}

const KEPT_FAILURES = 10;

export function startChurn(options: ChurnOptions): Churn {
  const { api, perSec, lifetimeMs } = options;
  const counts = { registrationsOk: 0, registrationsFailed: 0, deletionsOk: 0, deletionsFailed: 0, serverErrors: 0 };
  const byStatus: Record<string, number> = {};
  const firstFailures: string[] = [];
  /** Acknowledged registrations, oldest first: the deletions take them in that order. */
  const live: { id: string; ackAt: number }[] = [];
  const pending = new Set<Promise<void>>();
  const startedAt = Date.now();
  let sent = 0;

  const track = (
    what: string,
    request: Promise<{ status: number; text: string }>,
    okStatuses: readonly number[],
    onOk: () => void,
    onFail: () => void,
  ): void => {
    const done = request
      .then(({ status, text }) => {
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        if (status >= 500) counts.serverErrors++;
        if (okStatuses.includes(status)) return onOk();
        onFail();
        if (firstFailures.length < KEPT_FAILURES)
          firstFailures.push(`${what} answered ${status}: ${text.slice(0, 200)}`);
      })
      .catch((error: unknown) => {
        byStatus['no answer'] = (byStatus['no answer'] ?? 0) + 1;
        onFail();
        if (firstFailures.length < KEPT_FAILURES)
          firstFailures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => pending.delete(done));
    pending.add(done);
  };

  const register = (n: number): void => {
    const body = options.registration(n);
    track(
      `POST /register ${body.id}`,
      api.send('POST', '/register', body),
      [201, 200],
      () => {
        counts.registrationsOk++;
        live.push({ id: body.id, ackAt: Date.now() });
      },
      () => counts.registrationsFailed++,
    );
  };

  const remove = (id: string): void =>
    track(
      `DELETE /services/${id}`,
      api.send('DELETE', `/services/${encodeURIComponent(id)}`),
      [204],
      () => counts.deletionsOk++,
      () => counts.deletionsFailed++,
    );

  const tick = (): void => {
    const now = Date.now();
    // As many as the rate says by now: a late timer catches up instead of lowering the rate.
    const due = Math.floor(((now - startedAt) / 1000) * perSec);
    while (sent < due) register(sent++);
    while (live.length > 0 && (live[0]?.ackAt ?? Infinity) + lifetimeMs <= now) {
      const oldest = live.shift();
      if (oldest) remove(oldest.id);
    }
  };
  const timer = perSec > 0 ? setInterval(tick, Math.max(5, Math.min(50, 1000 / perSec))) : null;

  return {
    counts: () => ({ ...counts, byStatus: { ...byStatus }, firstFailures: [...firstFailures] }),
    async stop(graceMs) {
      if (timer !== null) clearInterval(timer);
      let timeout: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => (timeout = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.all(pending), gaveUp]);
      clearTimeout(timeout);
      return { unanswered: pending.size };
    },
  };
}
