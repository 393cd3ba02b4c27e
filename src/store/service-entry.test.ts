import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { INITIAL_STATE, resolveSettings, updateState, type ProbeDefaults } from '../domain/index.js';
import { ServiceEntry } from './service-entry.js';

setFlagsFromString('--allow-natives-syntax');
// V8's own answer to "do these two objects share a hidden class"; the flag must be set before this is compiled.
const haveSameShape = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const DEFAULTS: ProbeDefaults = {
  pollIntervalMs: 1000,
  probeTimeoutMs: 500,
  probeRetries: 0,
  errorRateThreshold: 0.5,
  deregisterAfterSec: null,
};

function probedEntries(count: number): ServiceEntry[] {
  const entries: ServiceEntry[] = [];
  for (let i = 0; i < count; i++) {
    const request = { id: `s${i}`, url: `http://127.0.0.1/${i}`, attributes: {}, pollIntervalSec: 1 };
    const entry = new ServiceEntry(request, resolveSettings(request, DEFAULTS), i + 1, 0, INITIAL_STATE, null, null);
    for (let round = 0; round < 3; round++) {
      const report = {
        uptimeSec: 10 + round,
        requestCount: 100 * round + i,
        errorCount: i % 2,
        attributes: { path: `/s/${i}` },
      };
      updateState(entry.state, entry.settings, {
        serviceId: entry.id,
        generation: entry.generation,
        startedAt: 1000 * round,
        durationMs: 1.5 + i / 7,
        attempts: 1,
        outcome: { kind: 'answered', report },
      });
      entry.changed();
      entry.frozen();
    }
    entries.push(entry);
  }
  return entries;
}

/** How many hidden classes the objects fall into. */
function shapeCount(objects: readonly object[]): number {
  const shapes: object[] = [];
  for (const object of objects) if (!shapes.some((shape) => haveSameShape(shape, object))) shapes.push(object);
  return shapes.length;
}

test('states and their frozen views share a few hidden classes, not one per service', () => {
  const entries = probedEntries(40);
  // A field whose numbers widen (whole to fractional) moves objects to a new class as they are touched: a few, not 40.
  assert.ok(shapeCount(entries.map((entry) => entry.state)) <= 3, 'states');
  assert.ok(shapeCount(entries.map((entry) => entry.frozen().state)) <= 3, 'views of states');
  assert.ok(shapeCount(entries.map((entry) => entry.frozen())) <= 3, 'views');
});

test('a frozen view holds the state as it was when the view was made', () => {
  const [entry] = probedEntries(1);
  assert.ok(entry);
  const view = entry.frozen();
  assert.deepEqual({ ...view.state }, { ...entry.state });
  assert.ok(Object.isFrozen(view.state));
  entry.state.lastResponseMs = 999;
  entry.changed();
  assert.notEqual(view.state.lastResponseMs, 999);
  assert.equal(entry.frozen().state.lastResponseMs, 999);
});
