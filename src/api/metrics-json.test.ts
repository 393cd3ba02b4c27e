import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEALTHY, openStore, probeResult, registration } from '../../tests/helpers/fixtures.js';
import { metricsJson } from './metrics-json.js';
import { contextOf, metricsEntry } from './views.js';

test('the cached JSON text is exactly the JSON of the metrics entries, as the clock and the records change', async () => {
  const store = await openStore();
  const a = await store.register(
    registration('a', 'http://h:1', { attributes: { quote: 'say "hi"\n', unicode: 'żółw \u2028' } }),
  );
  await store.register(registration('b'));
  const startedAt = 1_000_000;
  await store.applyResults([probeResult('a', a.record.generation, HEALTHY, startedAt)]);
  const expected = (now: number): string =>
    JSON.stringify(store.list().map((record) => metricsEntry(record, now, contextOf(store))));

  assert.equal(
    metricsJson(store.list(), startedAt + 1500, contextOf(store)).toString(),
    expected(startedAt + 1500),
    'one probed, one not yet',
  );
  assert.equal(
    metricsJson(store.list(), startedAt + 61_000, contextOf(store)).toString(),
    expected(startedAt + 61_000),
    'the same records later: only the age moves',
  );
  // The probe finished 5 ms after it started: 60.995 s before, past 2 × 10 s + 2 s.
  assert.match(
    metricsJson(store.list(), startedAt + 61_000, contextOf(store)).toString(),
    /"last_checked":"60s ago","last_checked_age_sec":60,"stale":true/,
  );

  await store.applyResults([
    probeResult('a', a.record.generation, { kind: 'http_status', status: 503 }, startedAt + 70_000),
  ]);
  const after = metricsJson(store.list(), startedAt + 71_000, contextOf(store)).toString();
  assert.equal(after, expected(startedAt + 71_000), 'a replaced record is serialised afresh');
  assert.match(after, /"health":"unhealthy"/);
  assert.deepEqual(JSON.parse(metricsJson([], 0, contextOf(store)).toString()), []);
});

test('stale moves with the clock alone: the same record reads false, then true once 2 × interval + timeout have passed', async () => {
  let clock = 5_000_000;
  const store = await openStore({ now: () => clock });
  const { record } = await store.register(registration('svc'));
  const threshold = 2 * 10_000 + 2000;
  const at = (now: number): string => metricsJson(store.list(), now, contextOf(store)).toString();
  assert.match(
    at(clock + threshold),
    /"last_checked_age_sec":null,"stale":false/,
    'never probed: counted from registration',
  );
  assert.match(at(clock + threshold + 1), /"last_checked_age_sec":null,"stale":true/);

  clock += 60_000;
  await store.applyResults([probeResult('svc', record.generation, HEALTHY, clock)]);
  const checkedAt = clock + 5;
  assert.match(at(checkedAt + threshold), /"last_checked_age_sec":22,"stale":false/);
  assert.match(at(checkedAt + threshold + 1), /"last_checked_age_sec":22,"stale":true/);
  assert.equal(
    at(checkedAt + threshold + 1),
    JSON.stringify(store.list().map((r) => metricsEntry(r, checkedAt + threshold + 1, contextOf(store)))),
  );
});
