// A host that never answers SYNs, as a powered-off, firewalled or black-holed host looks: a listener on
// 127.0.0.1 with a backlog of 0 whose queue is filled by connections it never accepts, so every further
// connect hangs. Node accepts every connection it listens for, so python3 holds the socket.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const HOLDER = `
import socket, sys, time
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(0)
port = s.getsockname()[1]
fillers = []
for _ in range(8):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(('127.0.0.1', port))
    except BlockingIOError:
        pass
    fillers.append(c)
time.sleep(0.2)
print(port, flush=True)
sys.stdin.read()
`;

export interface BlackHole {
  readonly url: string;
  close(): Promise<void>;
}

export async function startBlackHole(): Promise<BlackHole> {
  const holder = spawn('python3', ['-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  const port = await new Promise<string>((resolve, reject) => {
    holder.once('error', (error) => reject(new Error(`the black hole needs python3: ${error.message}`)));
    holder.once('exit', (code) => reject(new Error(`the black hole's python3 exited with ${code}`)));
    createInterface({ input: holder.stdout }).once('line', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      holder.stdin.end();
      holder.kill();
      await exited;
    },
  };
}
