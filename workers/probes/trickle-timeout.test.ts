// A timeout must cut a body that trickles in, even when a garbage collection comes mid-body. Found by the
// soak (docs/soak.md): every few probes of a trickling target the timeout never fired, the probe never
// ended, and neither did the probing cycle, so no service was probed again. The caller's signal reaches
// the body through weak links:
// - the Request built inside the fetch has its own signal, which follows the caller's only while that
//   Request is alive (undici links them through a WeakRef), and undici listens on the Request's signal
//   (fixed in undici-fetch.ts; the first test);
// - ky hands the caller's signal on through AbortSignal.any, whose sources are held weakly, and a timeout
//   signal nobody listens to may itself be collected (readLimited now listens to the probe's signal
//   itself; the third test). The second test is the probe as it runs, which failed before either fix.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent } from 'undici';
import { startTarget, type Target } from '../../tests/helpers/target.js';
import { sleep } from '../../tests/helpers/wait.js';
import { createHttpProbe } from './http.js';
import { readLimited } from './read-limited.js';
import { createUndiciFetch } from './undici-fetch.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const agent = new Agent({ connections: 2, pipelining: 1 });
after(() => agent.close());

/** Sends its headers, then a byte of body every 100 ms, never finishing. */
function tricklingTarget(): Promise<Target> {
  return startTarget((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{');
    const timer = setInterval(() => response.write(' '), 100);
    response.once('close', () => clearInterval(timer));
  });
}

/** Resolves with what `work` came to, or with 'still running' once `deadlineMs` has passed. */
async function within<T>(work: Promise<T>, deadlineMs: number): Promise<T | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), deadlineMs)));
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

test('fetch: the signal cuts a trickling body after a garbage collection', async (t) => {
  const target = await tricklingTarget();
  t.after(() => target.close());
  const signal = AbortSignal.timeout(500);
  const response = await createUndiciFetch(agent)(target.url, { signal, redirect: 'manual' });
  // Nothing but the Response is left of the request now: collect whatever may be collected.
  collectGarbage();
  await sleep(50);
  collectGarbage();
  const ended = readLimited(response.body, 1024 * 1024).then(
    () => 'the body ended',
    (error: unknown) => (error instanceof Error ? error.name : String(error)),
  );
  assert.equal(await within(ended, 3000), 'TimeoutError');
  assert.equal(signal.aborted, true);
});

test('the HTTP probe: a trickling target times out on time with garbage collections mid-body', async (t) => {
  const target = await tricklingTarget();
  t.after(() => target.close());
  const probe = createHttpProbe(createUndiciFetch(agent));
  for (let attempt = 0; attempt < 3; attempt++) {
    const collections = [setTimeout(collectGarbage, 150), setTimeout(collectGarbage, 300)];
    const outcome = await within(probe(`${target.url}/health`, 500), 3000);
    collections.forEach(clearTimeout);
    assert.deepEqual(outcome, { kind: 'failed', error: 'timeout after 500 ms', final: false }, `attempt ${attempt + 1}`);
  }
});

test('readLimited: the signal ends a read that the stream itself never ends', async () => {
  // A body that neither delivers nor fails: only the signal can end the read.
  const silent = new ReadableStream<Uint8Array>({ pull: () => new Promise<void>(() => undefined) });
  const ended = readLimited(silent, 1024, AbortSignal.timeout(100)).then(
    () => 'the body ended',
    (error: unknown) => (error instanceof Error ? error.name : String(error)),
  );
  assert.equal(await within(ended, 3000), 'TimeoutError');
});
