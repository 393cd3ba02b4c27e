// /health attributes are the one part of a target's answer the monitor keeps, stores and serves: a
// target sending 10,000 of them, or megabyte values, gets a bounded few into GET /services/:id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEALTH_ATTRIBUTE_LIMITS } from '../../src/domain/index.js';
import { spawnMonitor } from '../helpers/processes.js';
import { pollUntil } from '../helpers/prometheus.js';
import { json, startTarget } from '../helpers/target.js';

const L = HEALTH_ATTRIBUTE_LIMITS;

interface ServiceView {
  readonly health: string;
  readonly attributes: Record<string, string>;
  readonly health_attributes: Record<string, string>;
}

interface MetricsEntry {
  readonly service: string;
  readonly attributes: Record<string, string>;
}

test('10,000 attributes and megabyte values from /health: what is stored and served stays within the limits', async (t) => {
  const bodies = {
    // 10,000 small attributes: about 150 KB of JSON.
    many: {
      request_count: 1,
      error_count: 0,
      attributes: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`a${i}`, `v${i}`])),
    },
    // One value of a million characters, just under the 1 MiB a body may have.
    huge: { request_count: 1, error_count: 0, attributes: { huge: 'x'.repeat(1_000_000), small: 'ok' } },
    // 60 values of 16,000 characters: each within what a body may carry, together far past the total.
    wide: {
      request_count: 1,
      error_count: 0,
      attributes: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`w${i}`, 'y'.repeat(16_000)])),
    },
  };
  const target = await startTarget((req, res) => json(res, bodies[(req.url ?? '').slice(1) as keyof typeof bodies]));
  const monitor = await spawnMonitor(['--poll-interval-ms', '60000']);
  t.after(async () => {
    await monitor.stop();
    await target.close();
  });
  for (const id of Object.keys(bodies)) {
    const body = { id, url: target.url, health_path: `/${id}`, attributes: { team: 'core' } };
    const response = await fetch(`${monitor.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 201, await response.text());
  }

  const served: Record<string, { view: ServiceView; bytes: number }> = {};
  for (const id of Object.keys(bodies)) {
    served[id] = await pollUntil(
      async () => {
        const text = await (await fetch(`${monitor.url}/services/${id}`)).text();
        const view = JSON.parse(text) as ServiceView;
        return view.health === 'unknown' ? null : { view, bytes: Buffer.byteLength(text) };
      },
      `${id} probed`,
      5000,
    );
  }

  const many = served['many']?.view;
  assert.equal(many?.health, 'healthy');
  assert.deepEqual(
    Object.keys(many?.health_attributes ?? {}),
    Array.from({ length: L.maxEntries }, (_, i) => `a${i}`),
  );

  const huge = served['huge']?.view;
  assert.equal(huge?.health, 'healthy');
  assert.deepEqual(huge?.health_attributes, { huge: 'x'.repeat(L.maxValueLength), small: 'ok' });

  const wide = Object.entries(served['wide']?.view.health_attributes ?? {});
  assert.ok(wide.length > 0 && wide.length < 60);
  assert.ok(wide.reduce((sum, [key, value]) => sum + key.length + value.length, 0) <= L.maxTotalLength);

  // The whole answer of GET /services/:id is bounded too: the limits, plus the registration's own.
  for (const [id, { bytes }] of Object.entries(served))
    assert.ok(bytes < 32 * 1024, `GET /services/${id} answered ${bytes} bytes`);

  // /metrics shows the same bounded attributes, merged with the registration's.
  const metrics = (await (await fetch(`${monitor.url}/metrics`)).json()) as MetricsEntry[];
  const hugeEntry = metrics.find((entry) => entry.service === 'huge');
  assert.deepEqual(hugeEntry?.attributes, { team: 'core', huge: 'x'.repeat(L.maxValueLength), small: 'ok' });
  assert.equal(
    Object.keys(metrics.find((entry) => entry.service === 'many')?.attributes ?? {}).length,
    L.maxEntries + 1,
  );
});
