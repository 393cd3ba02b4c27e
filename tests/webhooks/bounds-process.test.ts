// Issue 13, defect 3, as reported: 200 services with big attributes, each with its own webhook_url that
// never answers, flapping every second. The monitor's memory must stay bounded, and deleting the
// services must stop their notices and give the memory back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnMonitor } from '../helpers/processes.js';
import { sleep, waitFor } from '../helpers/wait.js';
import {
  collectGarbage,
  inspectorUrl,
  rssMb,
  startFlappingTarget,
  startHangingReceiver,
  wideAttributes,
} from '../helpers/webhook-load.js';

const SERVICES = 200;
const FLAP_MS = 60_000;
const MAX_GROWTH_MB = 150;
const MAX_LEFT_AFTER_DELETION_MB = 100;
/** How long RSS may take to fall on its own before a full collection is asked for. */
const NATURAL_FALL_MS = 10_000;

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

test(
  '200 flapping services with hanging receivers and 60 KB of attributes: RSS stays bounded; deletion stops their notices and frees the memory',
  { timeout: 150_000 },
  async (t) => {
    const target = await startFlappingTarget();
    const receiver = await startHangingReceiver();
    // The inspector, to ask for a full collection at the end (see below).
    const monitor = await spawnMonitor([], { NODE_OPTIONS: '--inspect=127.0.0.1:0' });
    t.after(async () => {
      await monitor.stop();
      await Promise.all([target.close(), receiver.close()]);
    });
    const pid = monitor.child.pid;
    assert.ok(pid !== undefined);
    const ids = Array.from({ length: SERVICES }, (_, i) => `flap-${i}`);
    const attributes = wideAttributes(60, 1000);
    await inBatches(ids, 20, async (id) => {
      const body = {
        id,
        url: target.url,
        health_path: `/${id}`,
        attributes,
        poll_interval_sec: 1,
        // One receiver URL per service, all on one server that never answers.
        webhook_url: `${receiver.url}/hooks/${id}?token=${id}`,
      };
      const response = await fetch(`${monitor.url}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 201, await response.text());
    });
    // Every service probed once (healthy): its first notice is in flight, the registry is in memory.
    await waitFor(
      () => new Set(receiver.requests.map((request) => request.path)).size === SERVICES,
      'a first notice for every service',
      15_000,
    );
    const startMb = rssMb(pid);

    target.flap = true;
    const flapStart = Date.now();
    let peakMb = startMb;
    while (Date.now() - flapStart < FLAP_MS) {
      await sleep(500);
      peakMb = Math.max(peakMb, rssMb(pid));
    }
    const flapRequests = receiver.requests.length;
    t.diagnostic(
      `RSS ${startMb.toFixed(0)} MB before flapping, peak ${peakMb.toFixed(0)} MB over ${FLAP_MS / 1000} s; ${flapRequests} deliveries reached the receiver`,
    );
    assert.ok(
      peakMb - startMb <= MAX_GROWTH_MB,
      `RSS grew ${(peakMb - startMb).toFixed(0)} MB while flapping (at most ${MAX_GROWTH_MB})`,
    );

    const metrics = await (await fetch(`${monitor.url}/metrics?format=prometheus`)).text();
    const discarded = Number(
      /^health_monitor_webhook_notices_discarded_total\{reason="global_bound"\} (\d+)$/m.exec(metrics)?.[1] ?? 0,
    );
    t.diagnostic(`${discarded} notices discarded by the global bound`);
    assert.ok(discarded > 0, 'the flapping outran the receivers: the global bound dropped notices');

    await inBatches(ids, 20, async (id) => {
      const response = await fetch(`${monitor.url}/services/${id}`, { method: 'DELETE' });
      assert.equal(response.status, 204, await response.text());
    });
    // A request already on the wire when its service was deleted may still land: a short grace.
    await sleep(1500);
    const afterGrace = receiver.requests.length;
    await sleep(2000);
    assert.equal(receiver.requests.length - afterGrace, 0, 'no notice for a deleted service');
    assert.equal(receiver.held, 0, 'no delivery left hanging for a deleted service');

    // Deleted, the notices are garbage, but an idle process may not collect for a long time: V8 starts a
    // full collection when the old generation reaches its limit or after an earlier one, and the flapping
    // may not have brought either about. If RSS does not fall on its own, a full collection through the
    // inspector tells garbage (released) from memory still held (the defect).
    let endMb = rssMb(pid);
    const deadline = Date.now() + NATURAL_FALL_MS;
    while (endMb > startMb + MAX_LEFT_AFTER_DELETION_MB && Date.now() < deadline) {
      await sleep(500);
      endMb = rssMb(pid);
    }
    const fellOnItsOwn = endMb <= startMb + MAX_LEFT_AFTER_DELETION_MB;
    t.diagnostic(
      `RSS ${endMb.toFixed(0)} MB after deleting every service (${(endMb - startMb).toFixed(0)} MB above the start)${fellOnItsOwn ? '' : ', before a full collection'}`,
    );
    if (!fellOnItsOwn) {
      await collectGarbage(inspectorUrl(monitor.output()));
      await sleep(500);
      endMb = rssMb(pid);
      t.diagnostic(
        `RSS ${endMb.toFixed(0)} MB after a full collection (${(endMb - startMb).toFixed(0)} MB above the start)`,
      );
    }
    assert.ok(
      endMb - startMb <= MAX_LEFT_AFTER_DELETION_MB,
      `RSS stayed ${(endMb - startMb).toFixed(0)} MB above the start after deletion`,
    );
  },
);
