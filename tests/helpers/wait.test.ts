import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep, waitFor } from './wait.js';

test('waitFor awaits an async check instead of taking its promise as the answer', async () => {
  let ready = false;
  setTimeout(() => (ready = true), 100);
  let checks = 0;
  const value = await waitFor(async () => {
    checks++;
    await sleep(1);
    return ready ? 'ready' : undefined;
  }, 'the flag');
  assert.equal(value, 'ready');
  assert.ok(checks > 1, `checked ${checks} times`);
});

test('waitFor gives up with what it was waiting for', async () => {
  await assert.rejects(
    waitFor(async () => false, 'nothing', 50),
    /timed out after 50 ms waiting for nothing/,
  );
});
