import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { ANY_TARGET } from '../../domain/index.js';
import { MonitorEvents } from '../../store/events.js';
import { resolveNotifierOptions, WebhookOptionsError, type WebhookNotifierOptions } from './notifier-options.js';

const valid: WebhookNotifierOptions = {
  events: new MonitorEvents(),
  lookup: () => undefined,
  receivers: ['https://hooks.example.com/a'],
  targetPolicy: ANY_TARGET,
  secret: null,
  reminderMs: null,
  timeoutMs: 5000,
  retries: 5,
  logger: pino({ level: 'silent' }),
};

test('defaults fill what is left out', () => {
  const resolved = resolveNotifierOptions(valid);
  assert.equal(resolved.maxQueuedPerReceiver, 1000);
  assert.equal(resolved.maxQueuedNotices, 10_000);
  assert.equal(resolved.maxQueuedBytes, 32 * 1024 * 1024);
  assert.equal(resolved.warnIntervalMs, 10_000);
  assert.equal(resolved.stopGraceMs, 2000);
  assert.deepEqual([resolved.backoff.baseMs, resolved.backoff.capMs], [500, 60_000]);
  assert.deepEqual(resolved.services, []);
});

test('every bad value is named in one error', () => {
  assert.throws(
    () =>
      resolveNotifierOptions({
        ...valid,
        receivers: ['ftp://hooks.example.com', 'https://ok.example.com'],
        secret: 'short',
        reminderMs: 0,
        timeoutMs: 1.5,
        retries: -1,
        backoff: { baseMs: 100, capMs: 10 },
        maxQueuedPerReceiver: 0,
        maxQueuedNotices: -1,
        maxQueuedBytes: 0.5,
        warnIntervalMs: 0,
      }),
    (error: unknown) => {
      assert.ok(error instanceof WebhookOptionsError);
      assert.deepEqual(error.problems, [
        'receiver ftp://hooks.example.com: must use http or https, not ftp',
        'secret must be at least 16 characters',
        'reminderMs must be an integer of at least 1, got 0',
        'timeoutMs must be an integer of at least 1, got 1.5',
        'retries must be an integer of at least 0, got -1',
        'backoff.capMs (10) must not be below backoff.baseMs (100)',
        'maxQueuedPerReceiver must be an integer of at least 1, got 0',
        'maxQueuedNotices must be an integer of at least 1, got -1',
        'maxQueuedBytes must be an integer of at least 1, got 0.5',
        'warnIntervalMs must be an integer of at least 1, got 0',
      ]);
      return true;
    },
  );
});
