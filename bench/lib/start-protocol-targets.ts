// Starts bench/farm/protocol-targets in its own process (as start-farm.ts starts the HTTP farm) and
// resolves the URLs of its ports once it listens.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TargetStats } from '../farm/protocol-targets.js';
import { exitStatusOf, track } from './children.js';

export type TargetProtocol = 'tcp' | 'grpc';

export interface ProtocolTargets {
  /** One `tcp://127.0.0.1:PORT` or `grpc://127.0.0.1:PORT` per port. */
  readonly urls: readonly string[];
  stats(): Promise<TargetStats>;
  exitStatus(): string | null;
  stop(): Promise<void>;
}

export function startProtocolTargets(protocol: TargetProtocol, ports: number): Promise<ProtocolTargets> {
  const script = fileURLToPath(new URL('../farm/protocol-targets.js', import.meta.url));
  const child = spawn(process.execPath, [script, '--protocol', protocol, '--ports', String(ports)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  track(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    const onEarlyExit = (code: number | null): void =>
      reject(new Error(`the ${protocol} targets exited with ${code} before listening`));
    child.once('exit', onEarlyExit);
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const listed = /listening ([\d,]+)\n/.exec(output)?.[1];
      if (listed === undefined) return;
      child.stdout?.off('data', onData);
      child.off('exit', onEarlyExit);
      resolve({
        urls: listed.split(',').map((port) => `${protocol}://127.0.0.1:${port}`),
        // One question at a time: the step asks at the ends of its window, never concurrently.
        stats: () =>
          new Promise<TargetStats>((answer, fail) => {
            if (exitStatusOf(child) !== null) return fail(new Error(`the ${protocol} targets have ended`));
            child.once('message', (message) => answer(message as TargetStats));
            child.send('stats');
          }),
        exitStatus: () => exitStatusOf(child),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout?.on('data', onData);
  });
}
