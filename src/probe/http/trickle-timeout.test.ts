// A timeout must cut a body that trickles in, even when a garbage collection comes mid-body. Found by the
// soak (docs/soak.md): every few probes of a trickling target the timeout never fired, the probe never
// ended, and neither did the probing cycle, so no service was probed again. The probe's AbortSignal then
// reached the body through links that a collection could cut (the Request built inside the fetch
// followed it through a WeakRef; ky's AbortSignal.any holds its sources weakly). The deadline is now a
// ProbeCall (probe-call.ts) that undici and the body's reader listen to directly, held by its own timer:
// - the first test is the fetch alone: undici ends the body at the deadline, after collections;
// - the second is the probe as it runs, which failed before the first fix;
// - the third is the reader alone: the deadline ends a read that the stream itself never ends.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent } from 'undici';
import { startTarget, type Target } from '../../../tests/helpers/target.js';
import { sleep } from '../../../tests/helpers/wait.js';
import { probeJob } from '../../../tests/helpers/probe-job.js';
import { createHttpProbe } from './http-probe.js';
import { PROBE_CALL_OPTION, ProbeCall, type ProbeCallOption } from './probe-call.js';
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
  const deadline = new Promise<'still running'>(
    (resolve) => (timer = setTimeout(() => resolve('still running'), deadlineMs)),
  );
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const nameOf = (error: unknown): string => (error instanceof Error ? error.name : String(error));

test("fetch: the call's deadline cuts a trickling body after a garbage collection", async (t) => {
  const target = await tricklingTarget();
  t.after(() => target.close());
  const call = new ProbeCall(500);
  t.after(() => call.end());
  const init: RequestInit & ProbeCallOption = { redirect: 'manual', [PROBE_CALL_OPTION]: call };
  await createUndiciFetch(agent)(target.url, init);
  const body = call.takeBody();
  assert.ok(body);
  // Nothing but the body is left of the request now: collect whatever may be collected.
  collectGarbage();
  await sleep(50);
  collectGarbage();
  // Read without listening to the call: only undici's own link to the deadline can end this.
  const ended = new Promise<string>((resolve) =>
    body
      .on('error', (error) => resolve(nameOf(error)))
      .on('end', () => resolve('the body ended'))
      .resume(),
  );
  assert.equal(await within(ended, 3000), 'TimeoutError');
  assert.equal(call.aborted, true);
});

test('the HTTP probe: a trickling target times out on time with garbage collections mid-body', async (t) => {
  const target = await tricklingTarget();
  t.after(() => target.close());
  const probe = createHttpProbe(createUndiciFetch(agent));
  for (let attempt = 0; attempt < 3; attempt++) {
    const collections = [setTimeout(collectGarbage, 150), setTimeout(collectGarbage, 300)];
    const outcome = await within(probe(probeJob({ url: target.url, timeoutMs: 500 })), 3000);
    collections.forEach(clearTimeout);
    assert.deepEqual(
      outcome,
      { kind: 'failed', error: 'timeout after 500 ms', final: false },
      `attempt ${attempt + 1}`,
    );
  }
});

test("readLimited: the call's deadline ends a read that the stream itself never ends", async (t) => {
  // A body that neither delivers nor fails: only the deadline can end the read.
  const silent = new Readable({ read: () => undefined });
  const call = new ProbeCall(100);
  t.after(() => call.end());
  const ended = readLimited(silent, 1024, call).then(() => 'the body ended', nameOf);
  assert.equal(await within(ended, 3000), 'TimeoutError');
  assert.equal(silent.destroyed, true);
});
