import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEALTHY, openStore, probeResult, registration } from '../../tests/helpers/fixtures.js';
import { StoreClosedError } from './store.js';
import type { TransitionEvent } from './events.js';
import { FailingFirstRegistryWrite, PersistenceWrapper } from '../../tests/helpers/persistence-wrapper.js';

test('a new registration is created, due at once, and announced', async () => {
  const store = await openStore();
  const announced: string[] = [];
  store.events.on('registered', (event) => announced.push(`${event.service.request.id}:${event.created}`));
  const { record, created } = await store.register(registration('a'));
  assert.equal(created, true);
  assert.equal(record.state.health, 'unknown');
  assert.deepEqual(announced, ['a:true']);
  const jobs = await store.takeDue(1000);
  assert.deepEqual(
    jobs.map((job) => [job.serviceId, job.url, job.healthPath]),
    [['a', 'http://127.0.0.1:1/a', '/health']],
  );
  assert.deepEqual(await store.takeDue(1000), [], 'a scheduled service is not due again before its interval');
  assert.deepEqual(await store.takeDue(1000 + 10_000), [], 'nor after it, while its probe is in flight');
  await store.applyResults([probeResult('a', record.generation, HEALTHY, 1000)]);
  assert.equal((await store.takeDue(1000 + 10_000)).length, 1);
});

test('a service never has two probes in flight: not after its interval, not after a re-registration', async () => {
  const store = await openStore();
  const { record: first } = await store.register(registration('a', 'http://h:1', { pollIntervalSec: 1 }));
  assert.equal((await store.takeDue(1000)).length, 1);
  assert.equal(store.nextDueAt(), null, 'nothing free to probe');
  const { record: second } = await store.register(registration('a', 'http://h:2', { pollIntervalSec: 1 }));
  assert.deepEqual(await store.takeDue(5000), [], 'the new registration waits for the old probe');
  await store.deregister('a');
  await store.register(registration('a', 'http://h:3', { pollIntervalSec: 1 }));
  assert.deepEqual(await store.takeDue(5000), [], 'so does one made after a deletion');
  await store.applyResults([probeResult('a', first.generation, HEALTHY, 1000)]);
  assert.ok(second.generation > first.generation);
  assert.equal(store.nextDueAt(), -Infinity, 'the old result is dropped, and the new registration is due at once');
  assert.deepEqual(
    (await store.takeDue(5000)).map((job) => job.url + job.healthPath),
    ['http://h:3/health'],
  );
});

test('re-registration keeps history for the same URL and resets it for a new one', async () => {
  const store = await openStore();
  const first = await store.register(registration('a', 'http://h:1'));
  await store.applyResults([probeResult('a', first.record.generation, HEALTHY)]);
  const same = await store.register(registration('a', 'http://h:1', { pollIntervalSec: 3 }));
  assert.equal(same.created, false);
  assert.equal(same.record.state.health, 'healthy');
  assert.equal(same.record.settings.intervalMs, 3000);
  assert.ok(same.record.generation > first.record.generation);
  const moved = await store.register(registration('a', 'http://h:2'));
  assert.equal(moved.record.state.health, 'unknown');
});

test('a result for a re-registered or deleted service is dropped', async () => {
  const store = await openStore();
  const old = await store.register(registration('a'));
  await store.register(registration('a', 'http://127.0.0.1:1/a', { attributes: { v: '2' } }));
  assert.equal(await store.applyResults([probeResult('a', old.record.generation, HEALTHY)]), 0);
  assert.equal(store.get('a')?.state.health, 'unknown');

  const b = await store.register(registration('b'));
  assert.equal(await store.deregister('b'), true);
  assert.equal(await store.applyResults([probeResult('b', b.record.generation, HEALTHY)]), 0);
  assert.equal(store.get('b'), undefined, 'a deleted service is not resurrected');
});

test('transitions are emitted with from, to and reason', async () => {
  const store = await openStore();
  const transitions: TransitionEvent[] = [];
  store.events.on('transition', (event) => transitions.push(event));
  const { record } = await store.register(registration('a'));
  await store.applyResults([probeResult('a', record.generation, { kind: 'http_status', status: 503 })]);
  assert.equal(transitions.length, 1);
  assert.deepEqual(transitions[0]?.from, { health: 'unknown', ready: false });
  assert.deepEqual(transitions[0]?.to, { health: 'unhealthy', ready: false });
  assert.equal(transitions[0]?.reason, 'HTTP 503');
});

test('messages apply in arrival order even when not awaited', async () => {
  const store = await openStore();
  const registered = store.register(registration('a'));
  const deleted = store.deregister('a');
  const again = store.register(registration('a', 'http://h:9'));
  await Promise.all([registered, deleted, again]);
  assert.equal(store.get('a')?.request.url, 'http://h:9');
});

test('a registration is acknowledged only after persistence commits it', async () => {
  let commit: () => void = () => undefined;
  const committed = new Promise<void>((resolve) => (commit = resolve));
  class GatedPersistence extends PersistenceWrapper {
    override async writeRegistry(...args: Parameters<PersistenceWrapper['writeRegistry']>): Promise<void> {
      await committed;
      return super.writeRegistry(...args);
    }
  }
  const store = await openStore({ persistence: new GatedPersistence() });
  let acknowledged = false;
  const pending = store.register(registration('a')).then(() => (acknowledged = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(acknowledged, false);
  assert.equal(store.get('a'), undefined, 'not visible before it is durable');
  commit();
  await pending;
  assert.equal(acknowledged, true);
});

test('a failed write loses nothing already stored and does not block later messages', async () => {
  const store = await openStore({ persistence: new FailingFirstRegistryWrite('disk full') });
  await assert.rejects(store.register(registration('a')), /disk full/);
  assert.equal(store.get('a'), undefined);
  await store.register(registration('b'));
  assert.ok(store.get('b'));
});

class CountingPersistence extends PersistenceWrapper {
  readonly groups: number[] = [];
  override async writeRegistry(...args: Parameters<PersistenceWrapper['writeRegistry']>): Promise<void> {
    this.groups.push(args[0].length);
    return super.writeRegistry(...args);
  }
}

test('registrations that queue up together are committed in one transaction, each answered', async () => {
  const persistence = new CountingPersistence();
  const store = await openStore({ persistence });
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => store.register(registration(`s${i}`))));
  assert.deepEqual(persistence.groups, [50]);
  assert.ok(answers.every((answer, i) => answer.created && answer.record.request.id === `s${i}`));
  assert.equal(store.size, 50);
  const generations = new Set(answers.map((answer) => answer.record.generation));
  assert.equal(generations.size, 50, 'each registration keeps its own generation');
});

test('a registration never overtakes a message sent before it', async () => {
  const persistence = new CountingPersistence();
  const store = await openStore({ persistence });
  const first = store.register(registration('a'));
  const due = store.takeDue(1000);
  const second = store.register(registration('b'));
  const removed = store.deregister('b');
  assert.deepEqual(
    (await due).map((job) => job.serviceId),
    ['a'],
    'b was sent after the snapshot and is not in it',
  );
  await Promise.all([first, second]);
  assert.equal(await removed, true);
  assert.deepEqual(persistence.groups, [1, 2]);
  assert.equal(store.get('b'), undefined);
});

test('a failed group commit answers every op in it with the error and applies none of them', async () => {
  class FailingFirstGroup extends CountingPersistence {
    override async writeRegistry(...args: Parameters<PersistenceWrapper['writeRegistry']>): Promise<void> {
      if (this.groups.length === 0) {
        this.groups.push(args[0].length);
        throw new Error('disk I/O error');
      }
      return super.writeRegistry(...args);
    }
  }
  const persistence = new FailingFirstGroup();
  const store = await openStore({ persistence });
  const outcomes = await Promise.allSettled([store.register(registration('a')), store.register(registration('b'))]);
  assert.deepEqual(
    outcomes.map((outcome) => outcome.status),
    ['rejected', 'rejected'],
  );
  assert.equal(store.size, 0);
  await store.register(registration('c'));
  assert.deepEqual(
    store.list().map((record) => record.request.id),
    ['c'],
  );
  const reopened = await openStore({ persistence: persistence });
  assert.deepEqual(
    reopened.list().map((record) => record.request.id),
    ['c'],
    'only the committed registration is stored',
  );
});

test('a listener that throws does not break the store', async () => {
  const store = await openStore();
  store.events.on('registered', () => {
    throw new Error('bad listener');
  });
  await store.register(registration('a'));
  assert.ok(store.get('a'));
});

test('list is sorted by id', async () => {
  const store = await openStore();
  for (const id of ['c', 'a', 'b']) await store.register(registration(id));
  assert.deepEqual(
    store.list().map((record) => record.request.id),
    ['a', 'b', 'c'],
  );
  assert.ok(Object.isFrozen(store.list()[0]));
});

test('a closed store refuses messages', async () => {
  const store = await openStore();
  await store.close();
  await assert.rejects(store.register(registration('a')), StoreClosedError);
});

test('nextDueAt follows every cycle and every registry change', async () => {
  const store = await openStore();
  assert.equal(store.nextDueAt(), null, 'nothing registered');
  await store.register(registration('slow', 'http://h:1', { pollIntervalSec: 30 }));
  await store.register(registration('fast', 'http://h:2', { pollIntervalSec: 5 }));
  assert.equal(store.nextDueAt(), -Infinity, 'never probed: due at once');
  const taken = await store.takeDue(1000);
  assert.equal(store.nextDueAt(), null, 'both in flight: nothing to wake for');
  await store.applyResults(taken.map((job) => probeResult(job.serviceId, job.generation, HEALTHY, 1000)));
  assert.equal(store.nextDueAt(), 6000, 'the 5 s service first');
  await store.deregister('fast');
  assert.equal(store.nextDueAt(), 31_000, 'a removal moves it');
  await store.register(registration('new'));
  assert.equal(store.nextDueAt(), -Infinity, 'a new service is due at once');
  assert.deepEqual(
    (await store.takeDue(2000)).map((job) => job.serviceId),
    ['new'],
  );
  assert.equal(store.nextDueAt(), 31_000, 'the new one is in flight: slow is next');
});

test('the next interval counts from when the probe started, so a burst due at once spreads out', async () => {
  const store = await openStore();
  const { record: a } = await store.register(registration('a', 'http://h:1/a', { pollIntervalSec: 10 }));
  const { record: b } = await store.register(registration('b', 'http://h:1/b', { pollIntervalSec: 10 }));
  assert.equal((await store.takeDue(1000)).length, 2, 'both due at once');
  // Probed one after the other within the cycle that started at 1000.
  await store.applyResults([
    probeResult('a', a.generation, HEALTHY, 1000),
    probeResult('b', b.generation, HEALTHY, 1400),
  ]);
  assert.deepEqual(
    (await store.takeDue(11_000)).map((job) => job.serviceId),
    ['a'],
  );
  // b falls due at 11,400; a cycle starting up to 2% of its interval (at most 25 ms) before takes it too.
  assert.deepEqual(await store.takeDue(11_374), [], 'b falls due one interval after its own probe');
  assert.deepEqual(
    (await store.takeDue(11_375)).map((job) => job.serviceId),
    ['b'],
  );
});

test("a probe start before its cycle or a day after it (a clock that jumped) leaves the cycle's time as the anchor", async () => {
  const store = await openStore();
  const { record } = await store.register(registration('a', 'http://h:1/a', { pollIntervalSec: 10 }));
  await store.takeDue(1000);
  await store.applyResults([probeResult('a', record.generation, HEALTHY, 1000 + 86_400_001)]);
  assert.equal((await store.takeDue(11_000)).length, 1, 'due one interval after the cycle, not after the odd start');
  await store.applyResults([probeResult('a', record.generation, HEALTHY, 500)]);
  assert.equal((await store.takeDue(21_000)).length, 1, 'a start before the cycle is not believed either');
});

test('a probe that waited longer than its interval for a lane (a monitor behind) counts from its real start', async () => {
  const store = await openStore();
  const { record } = await store.register(registration('a', 'http://h:1/a', { pollIntervalSec: 1 }));
  await store.takeDue(1000);
  await store.applyResults([probeResult('a', record.generation, HEALTHY, 4000)]);
  assert.deepEqual(await store.takeDue(4900), [], 'not due again one interval after its cycle');
  assert.equal((await store.takeDue(5000)).length, 1, 'due one interval after it really started');
});

test('a service falling due within 2% of its interval (at most 25 ms) joins a cycle that starts anyway', async () => {
  const store = await openStore();
  const { record: a } = await store.register(registration('a', 'http://h:1/a', { pollIntervalSec: 1 }));
  const { record: b } = await store.register(registration('b', 'http://h:1/b', { pollIntervalSec: 1 }));
  const { record: c } = await store.register(registration('c', 'http://h:1/c', { pollIntervalSec: 1 }));
  await store.takeDue(1000);
  // Probed side by side, a few milliseconds apart; c waited 50 ms for a lane.
  await store.applyResults([
    probeResult('a', a.generation, HEALTHY, 1000),
    probeResult('b', b.generation, HEALTHY, 1012),
    probeResult('c', c.generation, HEALTHY, 1050),
  ]);
  const next = await store.takeDue(2000);
  assert.deepEqual(
    next.map((job) => job.serviceId),
    ['a', 'b'],
    'b (due 12 ms later) joins a; c (50 ms later) does not',
  );
  assert.equal(next.find((job) => job.serviceId === 'b')?.dueAt, 2012, 'b keeps its own due time');
  assert.deepEqual(
    (await store.takeDue(2030)).map((job) => job.serviceId),
    ['c'],
  );
});

test('a monitor error keeps the cycle as the anchor: the target was never reached', async () => {
  const store = await openStore();
  const { record } = await store.register(registration('a', 'http://h:1/a', { pollIntervalSec: 10 }));
  await store.takeDue(1000);
  await store.applyResults([
    probeResult('a', record.generation, { kind: 'monitor_error', error: 'the probe worker died' }, 1800),
  ]);
  assert.equal((await store.takeDue(11_000)).length, 1, 'due one interval after the cycle, not after the failure');
});

test('what a reader holds never changes: views are frozen copies, and a result makes a new one', async () => {
  const store = await openStore();
  const { record } = await store.register(registration('a'));
  await store.takeDue(1000);
  const before = store.get('a');
  const listed = store.list();
  assert.ok(before && Object.isFrozen(before) && Object.isFrozen(before.state) && Object.isFrozen(listed));
  assert.equal(store.get('a'), before, 'unchanged: the same view is handed out again');
  const snapshot = JSON.stringify(before);
  await store.applyResults([probeResult('a', record.generation, HEALTHY, 1000)]);
  assert.equal(JSON.stringify(before), snapshot, 'the view held before the result is as it was');
  assert.equal(JSON.stringify(listed[0]), snapshot);
  assert.equal(record.state.health, 'unknown', 'so is the record the registration was answered with');
  const after = store.get('a');
  assert.notEqual(after, before);
  assert.equal(after?.state.health, 'healthy');
  assert.ok(after && Object.isFrozen(after.state) && Object.isFrozen(after.state.healthAttributes));
  assert.throws(() => {
    (after.state as { health: string }).health = 'dead';
  }, TypeError);
});

test('hourly aggregates are counted in place within an hour and start afresh at the next', async () => {
  const hour = 3_600_000;
  const saved: { probes: number; hourStart: number }[] = [];
  const persistence = new (class extends PersistenceWrapper {
    override async saveProbeBatch(batch: Parameters<PersistenceWrapper['saveProbeBatch']>[0]): Promise<void> {
      for (const aggregate of batch.hours) saved.push({ probes: aggregate.probes, hourStart: aggregate.hourStart });
      return super.saveProbeBatch(batch);
    }
  })();
  const store = await openStore({ persistence });
  const { record } = await store.register(registration('a', 'http://h:1', { pollIntervalSec: 1 }));
  for (const at of [10 * hour + 1, 10 * hour + 2_000, 11 * hour + 1]) {
    await store.takeDue(at);
    await store.applyResults([probeResult('a', record.generation, HEALTHY, at)]);
  }
  assert.deepEqual(saved, [
    { probes: 1, hourStart: 10 * hour },
    { probes: 2, hourStart: 10 * hour },
    { probes: 1, hourStart: 11 * hour },
  ]);
});
