// The monitor's log read after a soak: every line at level error (50) or fatal (60). Hostile targets,
// churn and readers must not make the monitor fail inside, even where every answer looked right.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const KEPT = 5;

export async function errorLines(logPath: string): Promise<{ count: number; first: string[] }> {
  let count = 0;
  const first: string[] = [];
  const lines = createInterface({ input: createReadStream(logPath, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    const level = /^\{"level":(\d+)/.exec(line)?.[1];
    // Not JSON at all (a crash trace on stderr) counts too.
    const failed = level === undefined ? line.trim() !== '' : Number(level) >= 50;
    if (!failed) continue;
    count++;
    if (first.length < KEPT) first.push(line.slice(0, 500));
  }
  return { count, first };
}
