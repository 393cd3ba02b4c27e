// What crosses the thread boundary comes back as it left, through the structured clone the thread's
// messages go through: errors with their class, message, `locked` and `code`; probe batches through columns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INITIAL_STATE } from '../../domain/index.js';
import { healthyBatch } from '../../../tests/helpers/registry-writes.js';
import { StorageError } from '../persistence.js';
import { DatabaseOpenError } from './open-database.js';
import { fromColumns, fromWire, toColumns, toWire, type ProbeBatchColumns } from './thread-protocol.js';

const across = (error: unknown): Error => fromWire(structuredClone(toWire(error)));

test('a StorageError keeps its class, message, lock flag, code and the engine error it wraps', () => {
  const engine = Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY' });
  const error = across(new StorageError('could not commit', { cause: engine, locked: true, code: 'SQLITE_BUSY' }));
  assert.ok(error instanceof StorageError);
  assert.deepEqual([error.message, error.locked, error.code], ['could not commit', true, 'SQLITE_BUSY']);
  assert.ok(error.cause instanceof Error);
  assert.deepEqual(
    [error.cause.name, error.cause.message, (error.cause as Error & { code: string }).code],
    ['SqliteError', 'database is locked', 'SQLITE_BUSY'],
  );
  const plain = across(new StorageError('not locked'));
  assert.ok(plain instanceof StorageError);
  assert.deepEqual([plain.locked, plain.code, plain.cause], [false, null, undefined]);
});

test('a DatabaseOpenError stays one; anything else keeps its name and message', () => {
  const open = across(new DatabaseOpenError('cannot open DB_PATH x'));
  assert.ok(open instanceof DatabaseOpenError);
  assert.equal(open.message, 'cannot open DB_PATH x');
  const other = across(new TypeError('The database connection is not open'));
  assert.deepEqual([other.name, other.message], ['TypeError', 'The database connection is not open']);
  assert.deepEqual([across('a thrown string').name, across('a thrown string').message], ['Error', 'a thrown string']);
});

test('a probe batch crosses as columns and comes back the same', () => {
  const batch = healthyBatch('a', 7);
  const second = {
    request: { id: 'b' },
    generation: 3,
    state: { ...INITIAL_STATE, health: 'unhealthy' as const, lastError: 'HTTP 500' },
  };
  const whole = {
    ...batch,
    services: [...batch.services, second],
    hours: [{ serviceId: 'a', hourStart: 0, probes: 1, successes: 1, totalResponseMs: 5, histogram: { '10': 1 } }],
  };
  const back = fromColumns(structuredClone(toColumns(whole)));
  assert.deepEqual(back, {
    ...whole,
    services: whole.services.map((s) => ({ request: { id: s.request.id }, generation: s.generation, state: s.state })),
  });
});

test('columns of different lengths are refused, not written half', () => {
  const columns: ProbeBatchColumns = { ...toColumns(healthyBatch('a', 1)), generations: [] };
  assert.throws(() => fromColumns(columns), /^Error: a probe batch's columns differ in length \(1 ids\)$/);
});
