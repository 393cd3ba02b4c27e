// A webhook notifier on a real store for tests: fast backoff, outcomes and warnings recorded, stopped after the test.
import { pino } from 'pino';
import { ANY_TARGET, type ProbeOutcome } from '../../src/domain/index.js';
import {
  startWebhookNotifier,
  type DeliveryOutcome,
  type WebhookNotifier,
  type WebhookNotifierOptions,
} from '../../src/notify/webhooks/notifier.js';
import type { ServiceStore } from '../../src/store/store.js';
import { probeResult } from './fixtures.js';

export const DEAD: ProbeOutcome = { kind: 'unreachable', error: 'ECONNREFUSED' };
export const HTTP_503: ProbeOutcome = { kind: 'http_status', status: 503 };
/** Unhealthy like HTTP_503, but ready: the difference is readiness only. */
export const BAD_BODY: ProbeOutcome = { kind: 'invalid_body', error: 'body is not JSON' };

export interface Outcomes {
  readonly all: { outcome: DeliveryOutcome; receiver: string }[];
  /** How many of `outcome`, for one receiver (by URL) or all. */
  count(outcome: DeliveryOutcome, receiverUrl?: string): number;
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export interface TestNotifier {
  readonly notifier: WebhookNotifier;
  readonly outcomes: Outcomes;
  /** Warn and above. */
  readonly warnings: LogLine[];
}

export function startTestNotifier(
  t: { after: (fn: () => Promise<void>) => void },
  store: ServiceStore,
  options: Partial<Omit<WebhookNotifierOptions, 'events' | 'lookup' | 'logger' | 'onDelivery'>> = {},
): TestNotifier {
  const all: { outcome: DeliveryOutcome; receiver: string }[] = [];
  const warnings: LogLine[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line) as LogLine) });
  const notifier = startWebhookNotifier({
    events: store.events,
    lookup: (id) => store.get(id),
    maintenanceOf: (id) => store.maintenanceFor(id),
    receivers: [],
    // Every receiver but the metadata address, as with ALLOW_TARGETS unset.
    targetPolicy: ANY_TARGET,
    secret: null,
    reminderMs: null,
    timeoutMs: 2000,
    retries: 2,
    backoff: { baseMs: 1, capMs: 5 },
    stopGraceMs: 500,
    ...options,
    logger,
    onDelivery: (outcome, receiver) => all.push({ outcome, receiver }),
  });
  t.after(() => notifier.stop());
  return {
    notifier,
    warnings,
    outcomes: {
      all,
      count: (outcome, receiverUrl) =>
        all.filter(
          (entry) =>
            entry.outcome === outcome && (receiverUrl === undefined || entry.receiver === new URL(receiverUrl).origin),
        ).length,
    },
  };
}

/** Applies one probe result to the service's current registration, as a cycle would. */
export async function drive(
  store: ServiceStore,
  serviceId: string,
  outcome: ProbeOutcome,
  startedAt = Date.now(),
): Promise<void> {
  const record = store.get(serviceId);
  if (record === undefined) throw new Error(`no service ${serviceId} in the store`);
  await store.applyResults([probeResult(serviceId, record.generation, outcome, startedAt)]);
}
