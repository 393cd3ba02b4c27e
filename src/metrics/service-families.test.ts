import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEALTHY, openStore, probeResult, registration } from '../../tests/helpers/fixtures.js';
import type { ServiceRecord } from '../store/service-record.js';
import { createServiceFamilies } from './service-families.js';

/** `record` behind a proxy that counts reads of its fields: a cached record is not read again. */
function counted(record: ServiceRecord): { record: ServiceRecord; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(record, {
    get(target, property, receiver) {
      reads += 1;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { record: proxy, reads: () => reads };
}

test('a record is rendered once: the next scrape of the same record reads none of its fields', async (t) => {
  const store = await openStore();
  t.after(() => store.close());
  await store.register(registration('svc1', undefined, { attributes: { env: 'prod' } }));
  const { record, reads } = counted(store.list()[0] as ServiceRecord);
  const families = createServiceFamilies(['env']);

  const first = families.render([record]).toString();
  const afterFirst = reads();
  assert.ok(afterFirst > 0, 'the first scrape reads the record');
  assert.equal(families.render([record]).toString(), first);
  assert.equal(reads(), afterFirst, 'the second scrape uses the cached lines');
});

test('a changed service is a new record, rendered afresh; the unchanged ones keep their lines', async (t) => {
  const store = await openStore();
  t.after(() => store.close());
  const { record } = await store.register(registration('changes'));
  await store.register(registration('stays', undefined, { attributes: { env: 'prod' } }));
  const families = createServiceFamilies(['env']);
  const before = families.render(store.list()).toString();
  assert.match(before, /health_monitor_service_up\{service="changes"\} 0/);

  await store.applyResults([probeResult('changes', record.generation, HEALTHY)]);
  const after = families.render(store.list()).toString();
  assert.match(after, /health_monitor_service_up\{service="changes"\} 1/);
  assert.match(after, /health_monitor_service_health\{service="changes",state="healthy"\} 1/);
  const stays = (text: string): string[] => text.split('\n').filter((line) => line.includes('service="stays"'));
  assert.deepEqual(stays(after), stays(before));
});

test('each instance renders with its own attribute labels, even for the same record', async (t) => {
  const store = await openStore();
  t.after(() => store.close());
  await store.register(registration('svc1', undefined, { attributes: { env: 'prod', team: 'core' } }));
  const records = store.list();
  assert.match(
    createServiceFamilies(['env']).render(records).toString(),
    /health_monitor_service_info\{service="svc1",attr_env="prod"\} 1/,
  );
  assert.match(
    createServiceFamilies(['team']).render(records).toString(),
    /health_monitor_service_info\{service="svc1",attr_team="core"\} 1/,
  );
});

test('families come in a fixed order, each with HELP and TYPE once, its samples in record order', async (t) => {
  const store = await openStore();
  t.after(() => store.close());
  for (const id of ['b', 'a', 'c']) await store.register(registration(id));
  const text = createServiceFamilies([]).render(store.list()).toString();
  const types = text.split('\n').filter((line) => line.startsWith('# TYPE'));
  assert.deepEqual(types, [
    '# TYPE health_monitor_service_up gauge',
    '# TYPE health_monitor_service_health gauge',
    '# TYPE health_monitor_service_stale gauge',
    '# TYPE health_monitor_service_error_ratio gauge',
    '# TYPE health_monitor_service_recent_error_ratio gauge',
    '# TYPE health_monitor_service_last_check_timestamp_seconds gauge',
    '# TYPE health_monitor_service_last_response_seconds gauge',
    '# TYPE health_monitor_service_tls_cert_expiry_timestamp_seconds gauge',
    '# TYPE health_monitor_service_info gauge',
  ]);
  const up = text.split('\n').filter((line) => line.startsWith('health_monitor_service_up{'));
  assert.deepEqual(up, [
    'health_monitor_service_up{service="a"} 0',
    'health_monitor_service_up{service="b"} 0',
    'health_monitor_service_up{service="c"} 0',
  ]);
  assert.ok(!text.endsWith('\n'), 'the caller joins it to the rest');
  const withTail = createServiceFamilies([]).render(store.list(), '\n\n# the rest, région\n');
  assert.equal(withTail.toString(), `${text}\n\n# the rest, région\n`, 'the tail follows, UTF-8 too');
});

test('the stale sample follows the clock on the cached lines: 0, then 1 past 2 × interval + timeout, without reading the record again', async (t) => {
  let clock = 1_700_000_000_000;
  const store = await openStore({ now: () => clock });
  t.after(() => store.close());
  const registered = await store.register(registration('svc'));
  await store.applyResults([probeResult('svc', registered.record.generation, HEALTHY, clock)]);
  const { record, reads } = counted(store.list()[0] as ServiceRecord);
  const families = createServiceFamilies([], () => clock);
  const stale = (): string | undefined =>
    families
      .render([record])
      .toString()
      .split('\n')
      .find((line) => line.startsWith('health_monitor_service_stale{'));

  // The probe finished 5 ms after it started; TEST_DEFAULTS: a 10 s interval, a 2 s timeout.
  const checkedAt = clock + 5;
  clock = checkedAt + 22_000;
  assert.equal(stale(), 'health_monitor_service_stale{service="svc"} 0');
  const afterFirst = reads();
  clock += 1;
  assert.equal(stale(), 'health_monitor_service_stale{service="svc"} 1');
  assert.equal(reads(), afterFirst, 'the stale lines were cached with the fresh ones');
  assert.match(
    families.render([record]).toString(),
    /health_monitor_service_up\{service="svc"\} 1/,
    'the rest is unchanged',
  );
});
