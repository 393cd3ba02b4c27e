// Starts bench/target-farm in its own process and resolves its port once it listens.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function startFarm(latencyMs = 0, hangEvery = 0): Promise<{ port: number; stop: () => void }> {
  const script = fileURLToPath(new URL('./target-farm.js', import.meta.url));
  const farm = spawn(process.execPath, [script, '--latency-ms', String(latencyMs), '--hang-every', String(hangEvery)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    farm.once('error', reject);
    farm.stdout.on('data', (chunk: Buffer) => {
      const port = /listening (\d+)/.exec(chunk.toString())?.[1];
      if (port) resolve({ port: Number(port), stop: () => farm.kill('SIGTERM') });
    });
  });
}
