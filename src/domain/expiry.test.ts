import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expiryReason } from './expiry.js';
import { INITIAL_STATE, type ServiceState } from './service-state.js';

const bad = (since: number | null, health: ServiceState['health'] = 'dead'): ServiceState => ({
  ...INITIAL_STATE,
  health,
  badSince: since,
});

test('expiry: only after the service has been bad for longer than its limit', () => {
  assert.equal(expiryReason(bad(0), 60_000, 59_999), null);
  assert.match(expiryReason(bad(0), 60_000, 60_000) ?? '', /^expired: dead for 60 s/);
  assert.match(expiryReason(bad(0, 'unhealthy'), 60_000, 90_000) ?? '', /unhealthy for 90 s/);
  assert.equal(expiryReason(bad(null, 'healthy'), 60_000, 1e12), null, 'a healthy service never expires');
  assert.equal(expiryReason(bad(0), null, 1e12), null, 'expiry off');
});
