// The global cap on probes in flight, and giving back the slots of a thread that died.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createInFlightCounter, InFlightLimit, inFlightNow, reclaimSlotsOfExited } from './in-flight-limit.js';

/** Resolves to whether `promise` settled within a few turns of the event loop. */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

test('slots are shared by every holder: the one past the cap waits for a release', async () => {
  const buffer = createInFlightCounter();
  const threadA = new InFlightLimit(buffer, 2, 11);
  const threadB = new InFlightLimit(buffer, 2, 12);
  await threadA.acquire();
  await threadB.acquire();
  const third = threadA.acquire();
  assert.equal(await settlesSoon(third), false);
  threadB.release(false);
  assert.equal(await settlesSoon(third), true);
  assert.equal(inFlightNow(buffer).total, 2);
});

test("a dead thread's slots are given back, and only those", async () => {
  const buffer = createInFlightCounter();
  const dying = new InFlightLimit(buffer, 3, 21);
  const survivor = new InFlightLimit(buffer, 3, 22);
  await dying.acquire();
  await dying.acquire();
  await survivor.acquire();
  const waiting = survivor.acquire();
  assert.equal(await settlesSoon(waiting), false);
  reclaimSlotsOfExited(buffer, [22]);
  assert.equal(await settlesSoon(waiting), true);
  assert.equal(inFlightNow(buffer).total, 2, "the survivor's two slots");
  // The dead thread's entry is free again for its replacement.
  const replacement = new InFlightLimit(buffer, 3, 23);
  await replacement.acquire();
  assert.equal(inFlightNow(buffer).total, 3);
});

test('slow targets hold every slot but one: the last is kept for targets that answer', async () => {
  const buffer = createInFlightCounter();
  const limit = new InFlightLimit(buffer, 3, 31);
  assert.equal(limit.tryAcquire(true), true);
  assert.equal(limit.tryAcquire(true), true);
  assert.equal(limit.tryAcquire(true), false, 'a third slow probe would take the last slot');
  assert.deepEqual(inFlightNow(buffer), { total: 2, slow: 2 }, 'a refused slow probe leaves no count behind');
  assert.equal(limit.tryAcquire(false), true);
  assert.equal(limit.tryAcquire(false), false, 'the cap holds for every kind');
  limit.release(true);
  assert.equal(limit.tryAcquire(false), true, 'a slot freed by a slow probe goes to anyone');
  assert.deepEqual(inFlightNow(buffer), { total: 3, slow: 1 });
});

test('with a cap of one, a slow target may still take it', () => {
  const limit = new InFlightLimit(createInFlightCounter(), 1, 41);
  assert.equal(limit.tryAcquire(true), true);
  assert.equal(limit.tryAcquire(false), false);
});

test("a dead thread's slow slots are given back too", () => {
  const buffer = createInFlightCounter();
  const dying = new InFlightLimit(buffer, 5, 51);
  dying.tryAcquire(true);
  dying.tryAcquire(false);
  reclaimSlotsOfExited(buffer, []);
  assert.deepEqual(inFlightNow(buffer), { total: 0, slow: 0 });
});

test('more live threads than entries is refused with the reason', () => {
  const buffer = createInFlightCounter();
  for (let id = 1; id <= 16; id++) new InFlightLimit(buffer, 5, id);
  assert.throws(() => new InFlightLimit(buffer, 5, 17), /all 16 thread entries are taken/);
});
