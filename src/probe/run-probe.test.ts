// runProbe finds the attempt for a URL's scheme without parsing the URL: the scheme is case-insensitive,
// and a scheme without a probe is an answer, not a thrown error. A job past its lease (startBy) is not tried.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeJob } from '../domain/index.js';
import { probeJob } from '../../tests/helpers/probe-job.js';
import type { ProbeTable } from './probe-table.js';
import { runProbe } from './run-probe.js';

const job = (url: string): ProbeJob => probeJob({ url, retries: 1, dueAt: Date.now() });

/** A table whose HTTP attempt records the URLs it was given and answers at once. */
function recordingTable(): { table: ProbeTable; urls: string[] } {
  const urls: string[] = [];
  const attempt = async ({ url }: ProbeJob) => {
    urls.push(url);
    return { kind: 'http_status', status: 204 } as const;
  };
  return { table: { 'http:': attempt }, urls };
}

test('a scheme in capitals finds its probe, which gets the URL as registered', async () => {
  const { table, urls } = recordingTable();
  const result = await runProbe(job('HTTP://127.0.0.1:9/health'), table);
  assert.deepEqual(result.outcome, { kind: 'http_status', status: 204 });
  assert.equal(result.attempts, 1);
  assert.deepEqual(urls, ['HTTP://127.0.0.1:9/health']);
});

test('a scheme without a probe, or no scheme at all, is unreachable without an attempt', async () => {
  const { table, urls } = recordingTable();
  for (const url of ['ftp://127.0.0.1/health', 'no scheme here']) {
    const result = await runProbe(job(url), table);
    assert.deepEqual(result.outcome, { kind: 'unreachable', error: `unsupported protocol in ${url}` });
    assert.equal(result.attempts, 0);
  }
  assert.deepEqual(urls, []);
});

test('a job whose lease ran out before it started makes no attempt; one still leased does', async () => {
  const { table, urls } = recordingTable();
  const lapsed = await runProbe({ ...job('http://127.0.0.1:9/late'), startBy: Date.now() - 1 }, table);
  assert.equal(lapsed.outcome.kind, 'monitor_error');
  assert.equal(lapsed.attempts, 0);
  const leased = await runProbe({ ...job('http://127.0.0.1:9/leased'), startBy: Date.now() + 60_000 }, table);
  assert.deepEqual(leased.outcome, { kind: 'http_status', status: 204 });
  assert.deepEqual(urls, ['http://127.0.0.1:9/leased']);
});
