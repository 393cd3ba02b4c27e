// The store on a real SQLite file: restart, history, uptime, retention and expiry, with an injected clock;
// on SQLite in the calling thread, on SQLite in a thread of its own and on PostgreSQL, which must behave the same.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { HOUR_MS, type ProbeOutcome } from '../../src/domain/index.js';
import type { DeregisteredEvent } from '../../src/store/events.js';
import { HEALTHY, openStore, probeResult, registration } from '../helpers/fixtures.js';
import { FailingFirstRegistryWrite } from '../helpers/persistence-wrapper.js';
import { PERSISTENCE_IMPLEMENTATIONS } from '../helpers/persistence-implementations.js';
import { dropTestDatabases } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const DEAD: ProbeOutcome = { kind: 'unreachable', error: 'connection refused' };

function clock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms), set: (at: number) => (now = at) };
}

after(dropTestDatabases);

for (const { name, open } of PERSISTENCE_IMPLEMENTATIONS) {
  describe(name, () => {
    test('restart: services come back with their state, counters and last-checked time', async (t) => {
      const path = join(tempDir(t), 'monitor.db');
      const time = clock(1_000_000_000_000);
      const first = await openStore({ persistence: await open(path), now: time.now });
      const a = await first.register(
        registration('a', 'http://h:1', { pollIntervalSec: 30, attributes: { env: 'prod' } }),
      );
      const b = await first.register(registration('b', 'http://h:2'));
      await first.applyResults([
        probeResult('a', a.record.generation, HEALTHY, time.now()),
        probeResult('b', b.record.generation, { kind: 'http_status', status: 503 }, time.now()),
      ]);
      const before = first.list().map((record) => ({ ...record, lastScheduledAt: null }));
      await first.close();

      time.advance(5000);
      const second = await openStore({ persistence: await open(path), now: time.now });
      const after = second.list();
      assert.deepEqual(
        after.map((record) => ({ ...record, lastScheduledAt: null })),
        before,
      );
      assert.equal(second.get('a')?.state.health, 'healthy');
      assert.equal(second.get('a')?.state.sample?.requestCount, 10);
      assert.equal(second.get('b')?.state.lastError, 'HTTP 503');
      // Polling resumes within one interval, not all at once and not never.
      for (const record of after) {
        const due = (record.lastScheduledAt ?? 0) + record.settings.intervalMs;
        assert.ok(
          due >= time.now() && due < time.now() + record.settings.intervalMs,
          `${record.request.id} due at +${due - time.now()} ms`,
        );
      }
      // New registrations get generations above every restored one.
      const c = await second.register(registration('c'));
      assert.ok(c.record.generation > Math.max(a.record.generation, b.record.generation));
      await second.close();
    });

    test('history: transitions are kept, newest first, in pages', async (t) => {
      const path = join(tempDir(t), 'monitor.db');
      const time = clock(1_000_000_000_000);
      const store = await openStore({ persistence: await open(path), now: time.now });
      const { record } = await store.register(registration('flappy'));
      for (let i = 0; i < 7; i++) {
        time.advance(1000);
        await store.applyResults([probeResult('flappy', record.generation, i % 2 === 0 ? HEALTHY : DEAD, time.now())]);
      }
      const page1 = await store.history('flappy', { limit: 3, beforeId: null });
      assert.deepEqual(
        page1.map((t) => t.to.health),
        ['healthy', 'dead', 'healthy'],
      );
      const page2 = await store.history('flappy', { limit: 3, beforeId: page1[2]?.id ?? null });
      assert.deepEqual(
        page2.map((t) => t.to.health),
        ['dead', 'healthy', 'dead'],
      );
      const page3 = await store.history('flappy', { limit: 3, beforeId: page2[2]?.id ?? null });
      assert.deepEqual(
        page3.map((t) => `${t.from.health}->${t.to.health}`),
        ['unknown->healthy'],
      );
      const all = [...page1, ...page2, ...page3];
      assert.equal(new Set(all.map((t) => t.id)).size, 7, 'no duplicates across pages');
      assert.ok(all.every((t, i) => i === 0 || t.at <= (all[i - 1]?.at ?? 0)));
      await store.close();
    });

    test('re-registering with another URL starts a new history; the same URL keeps it', async (t) => {
      const store = await openStore({ persistence: await open(join(tempDir(t), 'monitor.db')) });
      const first = await store.register(registration('s', 'http://h:1'));
      await store.applyResults([probeResult('s', first.record.generation, HEALTHY)]);
      const same = await store.register(registration('s', 'http://h:1', { pollIntervalSec: 5 }));
      assert.equal((await store.history('s', { limit: 10, beforeId: null })).length, 1);
      assert.equal((await store.uptime('s'))['24h'].probes, 1);
      await store.applyResults([probeResult('s', same.record.generation, HEALTHY)]);
      await store.register(registration('s', 'http://h:2'));
      assert.equal((await store.history('s', { limit: 10, beforeId: null })).length, 0);
      assert.equal((await store.uptime('s'))['24h'].probes, 0);
      await store.close();
    });

    test('uptime windows come from hourly aggregates, across a restart', async (t) => {
      const path = join(tempDir(t), 'monitor.db');
      const start = 500_000 * HOUR_MS;
      const time = clock(start);
      let store = await openStore({ persistence: await open(path), now: time.now });
      const { record } = await store.register(registration('u', 'http://h:1', { pollIntervalSec: 60 }));
      // Ten days of one probe an hour: up, except day 3 (all down).
      for (let hour = 0; hour < 240; hour++) {
        time.set(start + hour * HOUR_MS + 1000);
        const down = hour >= 48 && hour < 72;
        await store.applyResults([probeResult('u', record.generation, down ? DEAD : HEALTHY, time.now())]);
        if (hour === 120) {
          // A restart in the middle of an hour keeps counting into the same hour's aggregate.
          await store.applyResults([probeResult('u', record.generation, HEALTHY, time.now() + 10)]);
          await store.close();
          store = await openStore({ persistence: await open(path), now: time.now });
          await store.applyResults([probeResult('u', record.generation, HEALTHY, time.now() + 20)]);
        }
      }
      const windows = await store.uptime('u');
      assert.equal(windows['24h'].probes, 24);
      assert.equal(windows['24h'].uptime_percent, 100);
      assert.equal(windows['30d'].probes, 242);
      assert.equal(windows['30d'].successes, 242 - 24);
      assert.equal(windows['1y'].uptime_percent, Math.round(((242 - 24) / 242) * 100_000) / 1000);
      // The last 168 hours, one of which (hour 120) holds the two extra probes around the restart.
      assert.equal(windows['7d'].probes, 170);
      assert.ok(windows['7d'].p95_response_ms !== null);

      // The status page's daily rollup agrees with the hourly windows and with the transitions kept.
      const rollups = await store.dailyUptime(['u', 'never-registered'], 30);
      const daily = rollups.get('u');
      assert.ok(daily);
      for (const name of ['24h', '7d', '30d'] as const) {
        assert.deepEqual(
          daily.windows[name],
          { probes: windows[name].probes, successes: windows[name].successes },
          name,
        );
      }
      assert.equal(daily.days.length, 90);
      assert.equal(
        daily.days.reduce((sum, day) => sum + day.probes, 0),
        242,
      );
      assert.equal(
        daily.days.reduce((sum, day) => sum + day.successes, 0),
        242 - 24,
      );
      const transitions = await store.history('u', { limit: 100, beforeId: null });
      assert.ok(transitions.length >= 2);
      assert.equal(
        daily.days.reduce((sum, day) => sum + (day.transitions ?? 0), 0),
        transitions.length,
      );
      for (const transition of transitions) {
        const day = daily.days.find((d) => d.dayStart <= transition.at && transition.at < d.dayStart + 24 * HOUR_MS);
        assert.ok(day && (day.transitions ?? 0) > 0, `the day of the transition at ${transition.at}`);
      }
      assert.ok(
        daily.days.slice(0, 89 - 30).every((day) => day.transitions === null),
        'pruned days say unknown',
      );
      assert.deepEqual(rollups.get('never-registered')?.windows['30d'], { probes: 0, successes: 0 });
      await store.close();
    });

    test('retention: old transitions and year-old aggregates are pruned in small batches', async (t) => {
      const path = join(tempDir(t), 'monitor.db');
      const start = 400_000 * HOUR_MS;
      const time = clock(start);
      const store = await openStore({ persistence: await open(path), now: time.now });
      const { record } = await store.register(registration('p'));
      // 1,200 transitions, one a minute, 40 days ago; then 10 recent ones.
      for (let i = 0; i < 1210; i++) {
        time.set(i < 1200 ? start + i * 60_000 : start + 40 * 24 * HOUR_MS + i * 60_000);
        await store.applyResults([probeResult('p', record.generation, i % 2 === 0 ? HEALTHY : DEAD, time.now())]);
      }
      const recentAt = time.now();
      time.set(recentAt + HOUR_MS);
      // A registration sent while pruning runs is served between two batches, not after all of them.
      const order: string[] = [];
      const pruning = store.prune(30).then((deleted) => {
        order.push('pruned');
        return deleted;
      });
      await Promise.resolve();
      await store.register(registration('late')).then(() => order.push('registered'));
      assert.equal(
        await pruning,
        1200 + 1201,
        "the 1,200 old transitions and their 1,201 event-log entries (with p's registration); aggregates are kept a year",
      );
      assert.deepEqual(order, ['registered', 'pruned']);
      const left = await store.history('p', { limit: 1000, beforeId: null });
      assert.equal(left.length, 10);
      assert.ok(left.every((t) => t.at > recentAt - HOUR_MS));
      assert.equal((await store.uptime('p'))['1y'].probes, 1210);
      time.set(start + 366 * 24 * HOUR_MS);
      assert.equal(
        await store.prune(30),
        10 + 11 + 20,
        "the 10 recent transitions (now old), their entries with late's registration, and the 20 year-old hours",
      );
      assert.deepEqual(await store.eventsAfter(0, 10), [], 'the event log is pruned with the history');
      assert.equal((await store.uptime('p'))['1y'].probes, 10, 'only the hours within a year are left');
      await store.close();
    });

    test('expiry: a service dead for longer than deregister_after_sec is removed with a reason', async (t) => {
      const time = clock(1_000_000_000_000);
      const path = join(tempDir(t), 'monitor.db');
      const store = await openStore({ persistence: await open(path), now: time.now });
      const removed: DeregisteredEvent[] = [];
      store.events.on('deregistered', (event) => removed.push(event));
      const { record } = await store.register(registration('doomed', 'http://h:1', { deregisterAfterSec: 60 }));
      const keeper = await store.register(registration('keeper', 'http://h:2'));
      await store.applyResults([
        probeResult('doomed', record.generation, DEAD, time.now()),
        probeResult('keeper', keeper.record.generation, DEAD, time.now()),
      ]);
      time.advance(59_000);
      await store.applyResults([probeResult('doomed', record.generation, DEAD, time.now())]);
      assert.ok(store.get('doomed'), 'not yet');
      time.advance(2000);
      await store.applyResults([
        probeResult('doomed', record.generation, DEAD, time.now()),
        probeResult('keeper', keeper.record.generation, DEAD, time.now()),
      ]);
      assert.equal(store.get('doomed'), undefined);
      assert.ok(store.get('keeper'), 'no expiry without deregister_after_sec');
      assert.equal(removed.length, 1);
      assert.equal(removed[0]?.cause, 'expired');
      assert.match(removed[0]?.reason ?? '', /expired: dead for 6\d s/);
      await store.close();
      const reopened = await openStore({ persistence: await open(path), now: time.now });
      assert.equal(reopened.get('doomed'), undefined, 'the expiry was durable');
      assert.ok(reopened.get('keeper'));
      await reopened.close();
    });

    test('expiry: a recovery in between restarts the clock; the global default applies', async (t) => {
      const time = clock(1_000_000_000_000);
      const store = await openStore({
        persistence: await open(':memory:'),
        now: time.now,
        defaults: { deregisterAfterSec: 120 },
      });
      const { record } = await store.register(registration('wobbly'));
      await store.applyResults([probeResult('wobbly', record.generation, DEAD, time.now())]);
      time.advance(100_000);
      await store.applyResults([probeResult('wobbly', record.generation, HEALTHY, time.now())]);
      time.advance(1000);
      await store.applyResults([probeResult('wobbly', record.generation, DEAD, time.now())]);
      time.advance(100_000);
      await store.applyResults([probeResult('wobbly', record.generation, DEAD, time.now())]);
      assert.ok(store.get('wobbly'), 'bad for 100 s since the break: stays');
      time.advance(30_000);
      await store.applyResults([probeResult('wobbly', record.generation, DEAD, time.now())]);
      assert.equal(store.get('wobbly'), undefined);
      await store.close();
    });

    test('event log: entries are committed with their change, numbered without gaps, and numbering survives restarts and pruning', async (t) => {
      const path = join(tempDir(t), 'monitor.db');
      const time = clock(500_000 * HOUR_MS);
      const first = await openStore({ persistence: await open(path), now: time.now });
      const { record } = await first.register(registration('a'));
      await first.applyResults([probeResult('a', record.generation, DEAD, time.now())]);
      await first.deregister('a');
      const entries = await first.eventsAfter(0, 10);
      assert.deepEqual(
        entries.map((entry) => [entry.id, entry.kind, entry.serviceId]),
        [
          [1, 'registered', 'a'],
          [2, 'transition', 'a'],
          [3, 'deregistered', 'a'],
        ],
      );
      assert.deepEqual(JSON.parse(entries[1]?.data ?? '{}'), {
        service: 'a',
        from: { health: 'unknown', ready: false },
        to: { health: 'dead', ready: false },
        reason: 'connection refused',
        impacted_by: [],
        // When the probe finished: the fixture's probes take 5 ms.
        at: new Date(time.now() + 5).toISOString(),
      });
      await first.close();

      time.advance(40 * 24 * HOUR_MS);
      const second = await openStore({ persistence: await open(path), now: time.now });
      assert.equal(second.lastEventId, 3);
      assert.equal(await second.prune(30), 3, 'every entry is older than the retention');
      assert.equal(await second.oldestEventId(), null);
      await second.close();

      const third = await openStore({ persistence: await open(path), now: time.now });
      await third.register(registration('b'));
      assert.deepEqual(
        (await third.eventsAfter(0, 10)).map((entry) => entry.id),
        [4],
        'ids never go back, even after the log was emptied',
      );
      await third.close();
    });
  });
}

test('event log: a commit that fails gives its ids back, so committed ids stay contiguous', async () => {
  const store = await openStore({ persistence: new FailingFirstRegistryWrite('disk I/O error') });
  await assert.rejects(store.register(registration('a')), /disk I\/O error/);
  await store.register(registration('b'));
  assert.deepEqual(
    (await store.eventsAfter(0, 10)).map((entry) => [entry.id, entry.serviceId]),
    [[1, 'b']],
  );
  assert.equal(store.lastEventId, 1);
});
