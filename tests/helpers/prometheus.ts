// A real Prometheus server and promtool, as Debian's `prometheus` package installs them.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sleep } from './wait.js';

/** What Prometheus 2.x sends when it scrapes. */
export const PROMETHEUS_SCRAPER_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/**
 * Fails (never skips) when a binary is missing: these tests are the only check that real
 * Prometheus tooling accepts the exposition, so a CI without them must go red.
 */
export function requireBinary(name: 'prometheus' | 'promtool'): void {
  const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${name} is not installed or does not run (${probe.error?.message ?? `exit ${String(probe.status)}`}): ` +
        'install Debian\'s "prometheus" package (apt-get install -y --no-install-recommends prometheus), which brings prometheus and promtool',
    );
  }
}

/** A port nothing listens on right now: bound on 0, then released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Awaits `check` every 100 ms until it resolves a value other than false/null/undefined, or the deadline passes. */
export async function pollUntil<T>(
  check: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** `promtool check metrics` on `text`, through stdin. */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

export interface PrometheusServer {
  readonly url: string;
  readonly output: () => string;
  /** The single sample `query` returns now, or `null` when it returns none. */
  query(query: string): Promise<number | null>;
  /** The scrape target's health and last error, as Prometheus reports them. */
  targets(): Promise<string>;
  stop(): Promise<void>;
}

interface QueryAnswer {
  readonly status: string;
  readonly error?: string;
  readonly data?: { readonly result: readonly { readonly value: readonly [number, string] }[] };
}

/** Starts Prometheus scraping `target` (host:port) every second, storing into `dir`; resolves once it is ready. */
export async function startPrometheus(target: string, dir: string): Promise<PrometheusServer> {
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(
    configFile,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: health-monitor',
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  const stop = async (): Promise<void> => {
    if (!running()) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };

  try {
    await pollUntil(
      async () => {
        if (!running()) throw new Error(`prometheus exited early:\n${output}`);
        return fetch(`${url}/-/ready`).then(
          (response) => response.ok,
          () => false,
        );
      },
      'prometheus to be ready',
      20_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    output: () => output,
    async query(query) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
      const answer = (await response.json()) as QueryAnswer;
      if (answer.status !== 'success') throw new Error(`query ${query} failed: ${answer.error ?? response.status}`);
      const [first, ...more] = answer.data?.result ?? [];
      if (more.length > 0) throw new Error(`query ${query} returned ${more.length + 1} series, expected one`);
      return first ? Number(first.value[1]) : null;
    },
    async targets() {
      return JSON.stringify(await (await fetch(`${url}/api/v1/targets`)).json());
    },
    stop,
  };
}
