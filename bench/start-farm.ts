// Starts bench/target-farm in its own process and resolves its port once it listens.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exitStatusOf, track } from './lib/children.js';

export interface Farm {
  readonly port: number;
  readonly url: string;
  /** Health requests the farm has answered so far (its control paths not counted). */
  served(): Promise<number>;
  /** Requests to /held/… waiting for release. */
  held(): Promise<number>;
  /** With `recordArrivals`: each /s/<n>/health request since the previous call, as [path, ms since the epoch]. */
  arrivals(): Promise<[string, number][]>;
  /** Answers every held request. */
  release(): Promise<void>;
  /** `null` while it runs; how it ended once it has (a soak fails when its farm dies under it). */
  exitStatus(): string | null;
  stop(): Promise<void>;
}

export function startFarm(latencyMs = 0, options: { recordArrivals?: boolean } = {}): Promise<Farm> {
  const args = [fileURLToPath(new URL('./target-farm.js', import.meta.url)), '--latency-ms', String(latencyMs)];
  if (options.recordArrivals === true) args.push('--record-arrivals');
  const farm = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  track(farm);
  const exited = new Promise<void>((resolve) => farm.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    farm.once('error', reject);
    const onEarlyExit = (code: number | null): void =>
      reject(new Error(`the target farm exited with ${code} before listening`));
    farm.once('exit', onEarlyExit);
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const port = /listening (\d+)/.exec(output)?.[1];
      if (!port) return;
      farm.stdout.off('data', onData);
      farm.off('exit', onEarlyExit);
      const url = `http://127.0.0.1:${port}`;
      const stats = async (): Promise<{ served: number; held: number }> =>
        (await (await fetch(`${url}/stats`)).json()) as { served: number; held: number };
      resolve({
        port: Number(port),
        url,
        served: async () => (await stats()).served,
        held: async () => (await stats()).held,
        arrivals: async () => (await (await fetch(`${url}/arrivals`)).json()) as [string, number][],
        release: async () => void (await (await fetch(`${url}/release`, { method: 'POST' })).arrayBuffer()),
        exitStatus: () => exitStatusOf(farm),
        stop: async () => {
          if (farm.exitCode === null && farm.signalCode === null) farm.kill('SIGTERM');
          await exited;
        },
      });
    };
    farm.stdout.on('data', onData);
  });
}
