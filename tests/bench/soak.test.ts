// The soak, short and small, run as `npm run soak` runs it: a farm of healthy, slow, failing and hostile
// targets, the monitor as its own process, churn and /metrics reads throughout. It must pass, and its
// results file must hold what docs/soak.md promises. Thirty seconds cannot tell a leak from a warm-up,
// so the memory rule's thresholds are loosened here: bench/soak/growth.test.ts tests the rule itself.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SoakResults } from '../../bench/soak/results.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const SOAK_JS = fileURLToPath(new URL('../../bench/soak.js', import.meta.url));
const DURATION_SEC = 30;
const SAMPLE_SEC = 2;

test(
  'a 30-second soak of 200 services and 10 churns a second passes and writes well-formed results',
  { timeout: 120_000 },
  async (t) => {
    const out = join(tempDir(t), 'soak.json');
    const args = [
      SOAK_JS,
      ...[
        '--duration-sec',
        String(DURATION_SEC),
        '--services',
        '200',
        '--churn-per-sec',
        '10',
        '--sample-sec',
        String(SAMPLE_SEC),
      ],
      ...[
        '--poll-interval-sec',
        '5',
        '--cycle-stall-sec',
        '20',
        '--max-growth-mb-per-min',
        '10000',
        '--growth-margin-mb',
        '10000',
      ],
      ...['--out', out],
    ];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { timeout: 100_000 }).catch(
      (error: unknown) => {
        const { stdout: o, stderr: e } = error as { stdout?: string; stderr?: string };
        throw new Error(`the soak failed: ${String(error)}\n${o ?? ''}\n${(e ?? '').slice(-3000)}`);
      },
    );
    const results = JSON.parse(readFileSync(out, 'utf8')) as SoakResults;

    assert.equal(results.passed, true, results.failures.join('\n'));
    assert.deepEqual(results.failures, []);
    assert.equal(results.settings.services, 200);
    assert.equal(
      Object.values(results.mix).reduce((sum, n) => sum + n, 0),
      200,
    );
    for (const kind of ['healthy', 'slow', 'http500', 'bad-json', 'flap', 'hang', 'trickle', 'big', 'reset'] as const) {
      assert.ok(results.mix[kind] > 0, `the mix has ${kind} targets`);
    }

    // A sample every 2 s over 30 s, the first at the start.
    assert.ok(results.samples.length >= DURATION_SEC / SAMPLE_SEC, `${results.samples.length} samples`);
    for (const sample of results.samples) {
      // A Node process with SQLite and a probe thread: tens of MB at least, and nowhere near gigabytes.
      assert.ok(sample.rss_mb > 30 && sample.rss_mb < 2000, `RSS ${sample.rss_mb} MB at ${sample.t_sec} s`);
    }
    const later = results.samples.filter((sample) => sample.t_sec >= 15);
    assert.ok(
      later.every((sample) => sample.last_cycle_ms !== null && sample.last_cycle_ms >= 0),
      'every later sample has a cycle duration',
    );
    assert.ok(
      later.every((sample) => sample.heap_used_mb !== null && sample.heap_used_mb > 0),
      'every later sample has a heap size',
    );
    assert.ok(
      later.every((sample) => sample.services !== null && sample.services >= 200),
      'the services stay registered',
    );
    assert.ok(results.summary.cycles.seen >= 2, `${results.summary.cycles.seen} cycles seen`);
    assert.ok(results.summary.cycles.duration_ms_max !== null && results.summary.cycles.duration_ms_max > 0);

    const { churn, metrics } = results.summary;
    assert.equal(churn.serverErrors, 0, 'no 5xx from the churn');
    assert.equal(churn.registrationsFailed + churn.deletionsFailed, 0, churn.firstFailures.join('; '));
    assert.ok(
      Object.keys(churn.byStatus).every((status) => status === '201' || status === '204'),
      JSON.stringify(churn.byStatus),
    );
    // 10 a second for 30 s, deletions 5 s behind: with room for a slow machine.
    assert.ok(
      churn.registrationsOk >= 200 && churn.deletionsOk >= 150,
      `${churn.registrationsOk} registered, ${churn.deletionsOk} deleted`,
    );
    assert.equal(metrics.server_errors, 0, 'no 5xx from /metrics');
    assert.equal(metrics.failed, 0);
    assert.ok(metrics.json.reads > 0 && metrics.prometheus.reads > 0, 'both formats were read');
    assert.equal(results.summary.monitor_exit, 'exit code 0', 'the monitor shut down cleanly');
    assert.equal(results.growth.judged, true, results.growth.reason);
    assert.equal(typeof results.growth.slopeMbPerMin, 'number');

    assert.match(stdout, /soak PASSED/);
    assert.match(stdout, /t \(s\) +RSS MB +heap MB/);
    assert.match(stderr, /\[bench +\d+\.\ds\] t=\d+(\.\d)?s RSS [\d.]+ MB/, 'progress goes to stderr as the soak goes');
  },
);

test('a bad option is refused with its name and exit code 2', async () => {
  const run = promisify(execFile)(process.execPath, [SOAK_JS, '--duration-sec', 'soon']);
  await assert.rejects(run, (error: { code?: number; stderr?: string }) => {
    assert.equal(error.code, 2);
    assert.match(error.stderr ?? '', /--duration-sec must be a whole number, not "soon"/);
    return true;
  });
});

test(
  'a monitor that dies mid-soak fails the soak at once, with the reason, and the samples so far are written',
  { timeout: 60_000 },
  async (t) => {
    const out = join(tempDir(t), 'soak.json');
    const soak = spawn(
      process.execPath,
      [
        SOAK_JS,
        '--duration-sec',
        '30',
        '--services',
        '40',
        '--churn-per-sec',
        '5',
        '--sample-sec',
        '1',
        '--poll-interval-sec',
        '5',
        '--out',
        out,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    soak.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    soak.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => soak.once('exit', (code) => resolve(code)));
    t.after(() => void soak.kill('SIGKILL'));

    const pid = Number(
      await waitFor(() => /monitor pid (\d+)/.exec(stderr)?.[1], 'the soak to start the monitor', 20_000),
    );
    await waitFor(() => /\] t=1(\.\d)?s RSS/.test(stderr), 'the second sample', 20_000);
    process.kill(pid, 'SIGKILL');

    assert.equal(await exited, 1);
    assert.match(stdout, /soak FAILED:\n {2}- the monitor died \(signal SIGKILL\)/);
    const results = JSON.parse(readFileSync(out, 'utf8')) as SoakResults;
    assert.equal(results.passed, false);
    assert.match(results.failures[0] ?? '', /^the monitor died \(signal SIGKILL\); the end of its log:/);
    assert.ok(
      results.samples.length >= 2 && results.samples.length < 10,
      `${results.samples.length} samples: the soak stopped at once`,
    );
  },
);
