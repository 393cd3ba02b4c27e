// The probe and storage threads run behind the API thread, so that on a small machine a read or a
// registration does not wait while they use up their time slice (src/background-priority.ts).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { BACKGROUND_NICE_STEPS } from '../../src/background-priority.js';
import { spawnMonitor } from '../helpers/processes.js';
import { startTarget } from '../helpers/target.js';
import { waitFor } from '../helpers/wait.js';

/** The nice value of each thread of a process, by thread id (field 19 of /proc/PID/task/TID/stat). */
function niceByThread(pid: number): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields count from after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    nice.set(Number(tid), Number(fields[16]));
  }
  return nice;
}

test(
  'the probe threads and the storage thread run at a lower priority than the API thread',
  { skip: process.platform !== 'linux' },
  async () => {
    const target = await startTarget((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
    );
    const monitor = await spawnMonitor(['--probe-threads', '2']);
    try {
      const pid = monitor.child.pid;
      assert.ok(pid !== undefined);
      const registered = await fetch(`${monitor.url}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'a', url: target.url }),
      });
      assert.equal(registered.status, 201);
      await waitFor(() => target.requests.length > 0 || undefined, 'the first probe', 5000);

      const threads = niceByThread(pid);
      const apiThreadNice = threads.get(pid);
      assert.equal(
        apiThreadNice,
        niceByThread(process.pid).get(process.pid),
        'the API thread keeps the priority it was started with',
      );
      const behind = [...threads.values()].filter(
        (nice) => nice === Math.min(19, (apiThreadNice ?? 0) + BACKGROUND_NICE_STEPS),
      );
      // Two probe threads and the storage thread; V8's and libuv's helper threads keep the process's.
      assert.equal(behind.length, 3, `nice values by thread: ${JSON.stringify([...threads])}`);
    } finally {
      await monitor.stop();
      await target.close();
    }
  },
);
