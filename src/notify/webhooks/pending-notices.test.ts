import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildNotice, type Notice } from './notice.js';
import { NOTICE_OVERHEAD_BYTES, PendingNotices, type NoticeHolder, type PendingNotice } from './pending-notices.js';

/** A queue as the ledger sees one: a FIFO of what waits in it. */
class Holder implements NoticeHolder {
  readonly waiting: PendingNotice<Holder>[] = [];
  constructor(readonly name: string) {}
  evict(pending: PendingNotice<Holder>): void {
    this.waiting.splice(this.waiting.indexOf(pending), 1);
  }
}

const notice = (service: string, attributeLength = 0): Notice =>
  buildNotice({
    event: 'transition',
    service,
    url: 'http://svc:1',
    attributes: attributeLength > 0 ? { wide: 'w'.repeat(attributeLength) } : {},
    from: { health: 'healthy', ready: true },
    to: { health: 'dead', ready: false },
    reason: 'ECONNREFUSED',
    at: Date.UTC(2026, 0, 1),
    badSince: null,
  });

function setup(
  maxNotices: number,
  maxBytes: number,
): {
  ledger: PendingNotices<Holder>;
  evicted: string[];
  add: (n: Notice, ...holders: Holder[]) => PendingNotice<Holder>;
} {
  const evicted: string[] = [];
  const ledger = new PendingNotices<Holder>({ maxNotices, maxBytes }, (holder, pending) =>
    evicted.push(`${holder.name}:${pending.notice.service}`),
  );
  const add = (n: Notice, ...holders: Holder[]): PendingNotice<Holder> => {
    const pending = ledger.admit(n, holders);
    for (const holder of holders) holder.waiting.push(pending);
    ledger.enforce();
    return pending;
  };
  return { ledger, evicted, add };
}

test('over the count, the oldest notice goes from every queue that holds it, one eviction per queue', () => {
  const { ledger, evicted, add } = setup(2, Number.MAX_SAFE_INTEGER);
  const [a, b] = [new Holder('a'), new Holder('b')];
  add(notice('first'), a, b);
  add(notice('second'), a);
  add(notice('third'), b);
  assert.deepEqual(evicted, ['a:first', 'b:first']);
  assert.deepEqual(
    [a.waiting.map((p) => p.notice.service), b.waiting.map((p) => p.notice.service)],
    [['second'], ['third']],
  );
  assert.equal(ledger.size, 2);
});

test('bytes are the body plus a fixed overhead, charged once however many queues hold the notice', () => {
  // About 5.3 KB each with the overhead: two fit, three do not.
  const { ledger, evicted, add } = setup(100, Math.floor(2.5 * (NOTICE_OVERHEAD_BYTES + 4300)));
  const [a, b] = [new Holder('a'), new Holder('b')];
  const first = add(notice('first', 4000), a, b);
  assert.equal(first.bytes, Buffer.byteLength(first.notice.body) + NOTICE_OVERHEAD_BYTES);
  assert.equal(ledger.bytes, first.bytes, 'one notice for two queues is charged once');
  add(notice('second', 4000), a);
  assert.deepEqual(evicted, []);
  add(notice('third', 4000), b);
  assert.deepEqual(evicted, ['a:first', 'b:first'], 'the third notice does not fit beside the first two');
  assert.equal(ledger.size, 2);
});

test('a notice leaves the bound once no queue holds it', () => {
  const { ledger, add } = setup(10, Number.MAX_SAFE_INTEGER);
  const [a, b] = [new Holder('a'), new Holder('b')];
  const pending = add(notice('shared'), a, b);
  ledger.release(pending, a);
  assert.equal(ledger.size, 1, 'b still holds it');
  ledger.release(pending, b);
  assert.deepEqual([ledger.size, ledger.bytes], [0, 0]);
  ledger.release(pending, b);
  assert.deepEqual([ledger.size, ledger.bytes], [0, 0], 'a second release changes nothing');
});
