// The worker's lanes: shared by every batch the thread holds, never more than `lanes` jobs at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LaneRunner } from './lane-runner.js';

/** Jobs that finish only when the test says so, so every interleaving is chosen, not timed. */
function controlledWork(): {
  work: (job: string) => Promise<string>;
  started: string[];
  running: () => number;
  finish: (job: string) => Promise<void>;
  fail: (job: string, error: Error) => Promise<void>;
} {
  const pending = new Map<string, { resolve: (value: string) => void; reject: (error: Error) => void }>();
  const started: string[] = [];
  const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return {
    started,
    running: () => pending.size,
    work: (job) =>
      new Promise<string>((resolve, reject) => {
        started.push(job);
        pending.set(job, { resolve, reject });
      }),
    async finish(job) {
      const entry = pending.get(job);
      assert.ok(entry, `${job} is not running`);
      pending.delete(job);
      entry.resolve(`done ${job}`);
      await settled();
    },
    async fail(job, error) {
      const entry = pending.get(job);
      assert.ok(entry, `${job} is not running`);
      pending.delete(job);
      entry.reject(error);
      await settled();
    },
  };
}

test('never runs more jobs at once than it has lanes, across batches', async () => {
  const jobs = controlledWork();
  const runner = new LaneRunner(2, jobs.work);
  const first = runner.run(['a1', 'a2', 'a3']);
  const second = runner.run(['b1']);
  assert.deepEqual(jobs.started, ['a1', 'a2']);
  await jobs.finish('a1');
  assert.deepEqual(jobs.started, ['a1', 'a2', 'a3']);
  assert.equal(jobs.running(), 2);
  await jobs.finish('a2');
  await jobs.finish('a3');
  assert.deepEqual(await first, ['done a1', 'done a2', 'done a3']);
  await jobs.finish('b1');
  assert.deepEqual(await second, ['done b1']);
});

test('a batch held open by one slow job does not keep idle lanes from the next batch', async () => {
  const jobs = controlledWork();
  const runner = new LaneRunner(3, jobs.work);
  const slowBatch = runner.run(['slow', 'quick']);
  await jobs.finish('quick');
  // One lane is stuck on `slow`; the next batch gets the other two at once.
  const next = runner.run(['n1', 'n2', 'n3']);
  assert.deepEqual(jobs.started, ['slow', 'quick', 'n1', 'n2']);
  await jobs.finish('n1');
  await jobs.finish('n2');
  assert.deepEqual(jobs.started.slice(-1), ['n3']);
  await jobs.finish('n3');
  assert.deepEqual(await next, ['done n1', 'done n2', 'done n3']);
  await jobs.finish('slow');
  assert.deepEqual(await slowBatch, ['done quick', 'done slow']);
});

test('an empty batch resolves at once with no results', async () => {
  const runner = new LaneRunner(1, async (job: string) => job);
  assert.deepEqual(await runner.run([]), []);
});

test('a job that throws fails its own batch, skips its queued jobs, and spares the other batches', async () => {
  const jobs = controlledWork();
  const runner = new LaneRunner(1, jobs.work);
  const broken = runner.run(['x1', 'x2']);
  const other = runner.run(['y1']);
  const failure = assert.rejects(broken, /boom/);
  await jobs.fail('x1', new Error('boom'));
  await failure;
  // x2 was never started: the lane went on to the other batch.
  assert.deepEqual(jobs.started, ['x1', 'y1']);
  await jobs.finish('y1');
  assert.deepEqual(await other, ['done y1']);
});

test('lanes must be a positive integer', () => {
  const work = async (job: string): Promise<string> => job;
  assert.throws(() => new LaneRunner(0, work), /lanes must be a positive integer, got 0/);
  assert.throws(() => new LaneRunner(1.5, work), /lanes must be a positive integer, got 1.5/);
});
