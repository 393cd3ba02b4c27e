// A service's own webhook_url under ALLOW_TARGETS and the metadata refusal at delivery time, with real
// receivers on 127.0.0.1; WEBHOOK_URLS receivers are the operator's and are not checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANY_TARGET, targetPolicy } from '../../src/domain/index.js';
import { openStore, registration } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { noticesOf, startReceiver, type Receiver } from '../helpers/webhook-receiver.js';
import { DEAD, drive, startTestNotifier } from '../helpers/webhook-notifier.js';

/** localhost is a name entry, so a webhook_url on it registers; it resolves to loopback, outside 10/8. */
const LOCALHOST_AND_10_8 = targetPolicy(['localhost', '10.0.0.0/8']);

function closeAfter(t: { after: (fn: () => Promise<void>) => void }, ...receivers: Receiver[]): void {
  t.after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
  });
}

/** The receiver's address spelled with `localhost`, which goes through name resolution. */
const viaLocalhost = (receiver: Receiver): string => `http://localhost:${new URL(receiver.url).port}/hooks`;

test('an own receiver the policy now refuses gets no connection, fails at once with the reason; a configured 127.0.0.1 receiver still gets the notice', async (t) => {
  const own = await startReceiver();
  const configured = await startReceiver();
  closeAfter(t, own, configured);
  const store = await openStore();
  const ownUrl = viaLocalhost(own);
  const { notifier, outcomes, warnings } = startTestNotifier(t, store, {
    receivers: [configured.url],
    targetPolicy: LOCALHOST_AND_10_8,
    retries: 3,
  });
  // Registered as the API would let it (its host, localhost, is listed): the refusal comes from where the name points.
  assert.equal(LOCALHOST_AND_10_8.check('localhost'), null);
  await store.register(registration('svc', 'http://10.1.2.3/svc', { webhookUrl: ownUrl }));
  await drive(store, 'svc', DEAD);

  await waitFor(
    () => outcomes.count('failed', ownUrl) === 1 && outcomes.count('delivered', configured.url) === 1,
    'both receivers to finish',
  );
  await notifier.stop();
  assert.equal(own.connections, 0, 'the refused receiver never saw a connection');
  assert.equal(own.deliveries.length, 0);
  assert.equal(outcomes.count('retried', ownUrl), 0, 'a refusal is not retried');
  assert.deepEqual(
    noticesOf(configured).map((notice) => [notice.service, notice.to?.health]),
    [['svc', 'dead']],
  );
  assert.equal(warnings.length, 1);
  const [warning] = warnings;
  assert.equal(warning?.msg, 'webhook delivery failed');
  assert.equal(warning['receiver'], new URL(ownUrl).origin);
  assert.equal(warning['attempts'], 1);
  // Which loopback address comes first is the resolver's choice; neither is in 10/8.
  assert.match(String(warning['error']), /^localhost resolved to (127\.0\.0\.1|::1), which is not in ALLOW_TARGETS$/);
});

test('an own receiver the policy allows is delivered through the guarded connection', async (t) => {
  const own = await startReceiver();
  closeAfter(t, own);
  const store = await openStore();
  const ownUrl = viaLocalhost(own);
  const { notifier, outcomes, warnings } = startTestNotifier(t, store, {
    targetPolicy: targetPolicy(['localhost', '127.0.0.0/8']),
  });
  await store.register(registration('svc', 'http://127.0.0.1:1/svc', { webhookUrl: ownUrl }));
  await drive(store, 'svc', DEAD);

  await waitFor(() => outcomes.count('delivered', ownUrl) === 1, 'the delivery');
  await notifier.stop();
  assert.deepEqual(
    noticesOf(own).map((notice) => notice.to?.health),
    ['dead'],
  );
  assert.deepEqual(warnings, []);
});

test('an own receiver on the metadata address fails with the reason even without ALLOW_TARGETS, after one attempt', async (t) => {
  const store = await openStore();
  const metadataUrl = 'http://169.254.169.254/latest/hooks';
  const { notifier, outcomes, warnings } = startTestNotifier(t, store, { targetPolicy: ANY_TARGET, retries: 3 });
  // As a record stored before this check existed would be: the store itself does not apply the policy.
  await store.register(registration('svc', 'http://127.0.0.1:1/svc', { webhookUrl: metadataUrl }));
  await drive(store, 'svc', DEAD);

  await waitFor(() => outcomes.count('failed', metadataUrl) === 1, 'the refusal');
  await notifier.stop();
  assert.equal(outcomes.count('retried', metadataUrl), 0);
  assert.deepEqual(
    warnings.map((warning) => [warning['attempts'], warning['error']]),
    [
      [
        1,
        'host 169.254.169.254 is the cloud metadata address, refused unless an ALLOW_TARGETS address or range covers it',
      ],
    ],
  );
});

test('a webhook_url that is also in WEBHOOK_URLS counts as configured: delivered once, unchecked', async (t) => {
  const configured = await startReceiver();
  closeAfter(t, configured);
  const store = await openStore();
  const { notifier, outcomes, warnings } = startTestNotifier(t, store, {
    receivers: [configured.url],
    targetPolicy: LOCALHOST_AND_10_8,
  });
  assert.notEqual(LOCALHOST_AND_10_8.check('127.0.0.1'), null, 'the policy alone would refuse this receiver');
  await store.register(registration('svc', 'http://10.1.2.3/svc', { webhookUrl: configured.url }));
  await drive(store, 'svc', DEAD);

  await waitFor(() => outcomes.count('delivered', configured.url) === 1, 'the delivery');
  await notifier.stop();
  assert.equal(configured.deliveries.length, 1);
  assert.equal(outcomes.count('failed'), 0);
  assert.deepEqual(warnings, []);
});
