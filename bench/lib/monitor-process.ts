// The monitor as its own process, started as a user starts it (`node dist/src/main.js` with flags),
// and what the bench reads from outside it: its log, its URL, its memory from /proc.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { exitStatusOf, track } from './children.js';
import { sleep } from './time.js';

const MAIN_JS = fileURLToPath(new URL('../../src/main.js', import.meta.url));

export interface MonitorProcess {
  readonly url: string;
  readonly pid: number;
  /** The monitor's own "registry loaded" figure: ms to read its database at start. */
  readonly registryLoadMs: number;
  /** From spawn to the "listening" line, as the bench saw it. */
  readonly startToListeningMs: number;
  /** Peak resident set size of the whole process (main thread and worker threads), from VmHWM. */
  peakRssBytes(): number;
  rssBytes(): number;
  /** `null` while it runs; how it ended once it has. */
  exitStatus(): string | null;
  /** Its log file: stdout and stderr. */
  readonly logPath: string;
  stop(): Promise<void>;
}

export interface MonitorOptions {
  readonly dbPath: string;
  /** Where its log goes: a file, so tens of thousands of log lines cost the bench nothing to drain. */
  readonly logDir: string;
  readonly extraArgs?: readonly string[];
  readonly startTimeoutMs?: number;
}

/** A `kB` line of /proc/<pid>/status, in bytes. Linux only: the bench says so if it is missing. */
function procStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  if (kb === undefined) throw new Error(`/proc/${pid}/status has no ${field} line`);
  return Number(kb) * 1024;
}

/** CPU time (ms) a process's main thread (the monitor's API thread) has used, from /proc. */
export function mainThreadCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

let started = 0;

/** Node flags for the monitor only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (docs/benchmarks.md, "Profiles"). */
const monitorNodeFlags = (process.env.BENCH_MONITOR_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');

export async function startMonitor(options: MonitorOptions): Promise<MonitorProcess> {
  const logPath = join(options.logDir, `monitor-${++started}.log`);
  const logFd = openSync(logPath, 'w');
  const spawnedAt = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...monitorNodeFlags,
      MAIN_JS,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--db-path',
      options.dbPath,
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  track(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = (): string => readFileSync(logPath, 'utf8');
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    const output = log();
    const port = /"port":(\d+),"msg":"listening"/.exec(output)?.[1];
    if (port !== undefined) {
      const loadMs = /"ms":(\d+),"msg":"registry loaded"/.exec(output)?.[1];
      const pid = child.pid;
      if (pid === undefined) throw new Error('the monitor has no pid');
      return {
        url: `http://127.0.0.1:${port}`,
        pid,
        registryLoadMs: Number(loadMs ?? NaN),
        startToListeningMs: performance.now() - spawnedAt,
        peakRssBytes: () => procStatusBytes(pid, 'VmHWM'),
        rssBytes: () => procStatusBytes(pid, 'VmRSS'),
        exitStatus: () => exitStatusOf(child),
        logPath,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the monitor exited (${child.exitCode ?? child.signalCode}) before listening; its log (${logPath}):\n${output.slice(-2000)}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `the monitor did not print its "listening" line in time; its log (${logPath}):\n${output.slice(-2000)}`,
      );
    }
    await sleep(20);
  }
}
