// Spawning the monitor and the example services as a user would, and reading what they print.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

const DIST = fileURLToPath(new URL('../../', import.meta.url));

export interface Spawned {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code (or the signal name) and how long after `since` it came. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export function spawnNode(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  identity: { uid?: number; gid?: number } = {},
): Spawned {
  const child = spawn(process.execPath, [`${DIST}${script}`, ...args], {
    ...identity,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Starts the monitor on a free port and resolves once it listens. */
export async function spawnMonitor(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<Spawned & { url: string }> {
  // In memory unless the test gives a file: tests must not share ./data with each other or with a user.
  const monitor = spawnNode(
    'src/main.js',
    ['--port', '0', '--host', '127.0.0.1', '--db-path', ':memory:', ...args],
    env,
  );
  const port = await waitFor(
    () => {
      if (monitor.child.exitCode !== null) throw new Error(`the monitor exited early:\n${monitor.output()}`);
      return /"port":(\d+),"msg":"listening"/.exec(monitor.output())?.[1];
    },
    'the monitor to listen (its log level must include info)',
    10_000,
  ).catch(async (error: unknown) => {
    // A monitor left running would keep the test process alive after the failure.
    await monitor.stop();
    throw error;
  });
  return { ...monitor, url: `http://127.0.0.1:${port}` };
}
