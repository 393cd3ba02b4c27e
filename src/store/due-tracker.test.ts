import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { INITIAL_STATE, joinEarlyMs, resolveSettings, type ProbeDefaults } from '../domain/index.js';
import { DueTracker } from './due-tracker.js';
import { Registry } from './registry.js';
import { ServiceEntry } from './service-entry.js';

const DEFAULTS: ProbeDefaults = {
  pollIntervalMs: 1000,
  probeTimeoutMs: 500,
  probeRetries: 0,
  errorRateThreshold: 0.5,
  deregisterAfterSec: null,
};
const IDS = ['a', 'b', 'c', 'd', 'e'] as const;

type Op =
  | { kind: 'register'; id: string; intervalSec: number }
  | { kind: 'delete'; id: string }
  | { kind: 'cycle'; advanceMs: number }
  | { kind: 'return'; id: string; lateMs: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('register' as const),
    id: fc.constantFrom(...IDS),
    intervalSec: fc.constantFrom(1, 2, 30),
  }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.constantFrom(...IDS) }),
  fc.record({ kind: fc.constant('cycle' as const), advanceMs: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({
    kind: fc.constant('return' as const),
    id: fc.constantFrom(...IDS),
    lateMs: fc.integer({ min: 0, max: 50 }),
  }),
);

/** What a cycle takes by the definition: every registered service due by its join-early time and not in flight. */
function dueByScan(registry: Registry, inFlight: ReadonlyMap<string, unknown>, now: number): string[] {
  return [...registry.values()]
    .filter((entry) => !inFlight.has(entry.id) && entry.dueAt <= now + joinEarlyMs(entry.settings.intervalMs))
    .map((entry) => entry.id)
    .sort();
}

function earliestByScan(registry: Registry, inFlight: ReadonlyMap<string, unknown>): number | null {
  const times = [...registry.values()].filter((entry) => !inFlight.has(entry.id)).map((entry) => entry.dueAt);
  return times.length === 0 ? null : Math.min(...times);
}

test('a cycle takes exactly the services a full scan finds due, and the next due time is the scan’s earliest', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const registry = new Registry();
      const due = new DueTracker(registry);
      // Ids with a probe out, and the generation the probe was taken for, as the store tracks them.
      const inFlight = new Map<string, number>();
      let now = 1_000_000;
      let generation = 1;
      for (const step of ops) {
        if (step.kind === 'register') {
          const request = {
            id: step.id,
            url: `http://127.0.0.1/${step.id}`,
            attributes: {},
            pollIntervalSec: step.intervalSec,
          };
          const entry = new ServiceEntry(
            request,
            resolveSettings(request, DEFAULTS),
            generation++,
            now,
            INITIAL_STATE,
            null,
            null,
          );
          registry.put(entry);
          due.wait(entry);
        } else if (step.kind === 'delete') {
          registry.delete(step.id);
        } else if (step.kind === 'cycle') {
          now += step.advanceMs;
          const expected = dueByScan(registry, inFlight, now);
          const taken = due.take(now);
          assert.deepEqual(taken.map((entry) => entry.id).sort(), expected);
          for (const entry of taken) inFlight.set(entry.id, entry.generation);
        } else {
          const takenGeneration = inFlight.get(step.id);
          if (takenGeneration === undefined) continue;
          inFlight.delete(step.id);
          const takenAt = due.returned(step.id);
          assert.notEqual(takenAt, undefined);
          const entry = registry.get(step.id);
          if (entry === undefined) continue;
          // The probe started a little after its cycle: the next interval counts from there.
          if (entry.generation === takenGeneration) entry.lastScheduledAt = (takenAt ?? now) + step.lateMs;
          due.wait(entry);
        }
        assert.equal(due.nextDueAt(), earliestByScan(registry, inFlight));
      }
    }),
    { numRuns: 500 },
  );
});

test('a service is never taken twice before its probe is back, however often it waits', () => {
  const registry = new Registry();
  const due = new DueTracker(registry);
  const request = { id: 'a', url: 'http://127.0.0.1/a', attributes: {}, pollIntervalSec: 1 };
  const entry = new ServiceEntry(request, resolveSettings(request, DEFAULTS), 1, 0, INITIAL_STATE, null, null);
  registry.put(entry);
  due.wait(entry);
  due.wait(entry);
  assert.deepEqual(
    due.take(10).map((taken) => taken.id),
    ['a'],
  );
  assert.deepEqual(due.take(5000), []);
  assert.equal(due.nextDueAt(), null);
});
