import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildNotice, noticeKindForChange, type NoticePayload } from './notice.js';

test('a change to healthy from degraded, unhealthy or dead resolves; other health changes are transitions', () => {
  assert.equal(noticeKindForChange('dead', 'healthy'), 'resolved');
  assert.equal(noticeKindForChange('unhealthy', 'healthy'), 'resolved');
  assert.equal(noticeKindForChange('degraded', 'healthy'), 'resolved');
  assert.equal(noticeKindForChange('unknown', 'healthy'), 'transition', 'a first verdict resolves nothing');
  assert.equal(noticeKindForChange('dead', 'degraded'), 'transition', 'degraded still wants attention');
  assert.equal(noticeKindForChange('healthy', 'dead'), 'transition');
  assert.equal(noticeKindForChange('dead', 'unhealthy'), 'transition');
});

test('the same health is no notice, whatever readiness did', () => {
  assert.equal(noticeKindForChange('unhealthy', 'unhealthy'), null);
  assert.equal(noticeKindForChange('healthy', 'healthy'), null);
});

test('the body carries ISO times, the verdicts alone, and how long the service has been bad', () => {
  const notice = buildNotice(
    {
      event: 'reminder',
      service: 'svc',
      url: 'http://svc:1',
      attributes: { team: 'a' },
      from: null,
      to: { health: 'dead', ready: false, reason: 'not part of a verdict' } as { health: 'dead'; ready: false },
      reason: 'ECONNREFUSED',
      at: Date.UTC(2026, 0, 1, 0, 1, 30),
      badSince: Date.UTC(2026, 0, 1, 0, 0, 0),
    },
    'notice-1',
  );
  const payload = JSON.parse(notice.body) as NoticePayload;
  assert.deepEqual(payload, {
    id: 'notice-1',
    event: 'reminder',
    service: 'svc',
    url: 'http://svc:1',
    attributes: { team: 'a' },
    from: null,
    to: { health: 'dead', ready: false },
    reason: 'ECONNREFUSED',
    at: '2026-01-01T00:01:30.000Z',
    bad_since: '2026-01-01T00:00:00.000Z',
    bad_for_sec: 90,
  });
  assert.deepEqual([notice.id, notice.event, notice.service], ['notice-1', 'reminder', 'svc']);
});

test('every notice gets its own id', () => {
  const content = {
    event: 'transition',
    service: 's',
    url: 'http://s',
    attributes: {},
    from: null,
    to: null,
    reason: '',
    at: 0,
    badSince: null,
  } as const;
  assert.notEqual(buildNotice(content).id, buildNotice(content).id);
  assert.equal((JSON.parse(buildNotice(content).body) as NoticePayload).bad_for_sec, null);
});

test('the body is rendered while deliveries hold it, shared by them, and the same bytes every time', () => {
  const content = {
    event: 'transition',
    service: 's',
    url: 'http://s',
    attributes: { wide: 'é'.repeat(100) },
    from: null,
    to: null,
    reason: '',
    at: 0,
    badSince: null,
  } as const;
  const notice = buildNotice(content);
  const first = notice.openBody();
  assert.equal(notice.openBody(), first, 'one rendering shared by the deliveries in progress');
  assert.equal(first.length, notice.bytes, 'bytes are UTF-8 bytes, not characters');
  notice.closeBody();
  notice.closeBody();
  const again = notice.openBody();
  assert.notEqual(again, first, 'rendered afresh once nobody held it');
  assert.deepEqual(again, first, 'the same bytes');
  notice.closeBody();
  assert.equal(notice.body, first.toString('utf8'));
});
