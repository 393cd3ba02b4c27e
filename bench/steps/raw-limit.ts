// The raw limit of a target: a plain load generator (autocannon, in its own process) driving one farm
// URL over a fixed number of keep-alive connections. The probe rate is judged against it.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface RawLimit {
  readonly requestsPerSec: number;
  readonly connections: number;
  readonly durationSec: number;
}

interface AutocannonJson {
  readonly requests: { readonly total: number };
  readonly duration: number;
  readonly errors: number;
  readonly non2xx: number;
}

export async function measureRawLimit(url: string, connections: number, durationSec: number): Promise<RawLimit> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [AUTOCANNON, '-c', String(connections), '-d', String(durationSec), '--json', url],
    {
      maxBuffer: 16 * 2 ** 20,
    },
  );
  const report = JSON.parse(stdout) as AutocannonJson;
  if (report.errors > 0 || report.non2xx > 0)
    throw new Error(`autocannon saw ${report.errors} errors and ${report.non2xx} non-2xx answers from ${url}`);
  return { requestsPerSec: report.requests.total / report.duration, connections, durationSec };
}
