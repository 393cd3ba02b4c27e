// The bench's HTTP client for the monitor's API: undici keep-alive connections, so what is timed is
// the monitor's answer, not a TCP handshake per request.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface TimedAnswer {
  readonly status: number;
  readonly ms: number;
  readonly bytes: number;
}

export class ApiClient {
  private readonly pool: Pool;

  constructor(
    readonly baseUrl: string,
    connections: number,
  ) {
    this.pool = new Pool(baseUrl, { connections, keepAliveTimeout: 60_000 });
  }

  async getJson<T>(path: string): Promise<T> {
    const { statusCode, body } = await this.pool.request({ path, method: 'GET' });
    if (statusCode !== 200) throw new Error(`GET ${path} answered ${statusCode}: ${(await body.text()).slice(0, 300)}`);
    return (await body.json()) as T;
  }

  /** Time from sending the request to the last byte of the body. */
  async timedGet(path: string): Promise<TimedAnswer> {
    const started = performance.now();
    const { statusCode, body } = await this.pool.request({ path, method: 'GET' });
    const bytes = (await body.arrayBuffer()).byteLength;
    return { status: statusCode, ms: performance.now() - started, bytes };
  }

  /** Like timedGet, with the body as text. */
  async timedGetText(path: string): Promise<TimedAnswer & { readonly text: string }> {
    const started = performance.now();
    const { statusCode, body } = await this.pool.request({ path, method: 'GET' });
    const text = await body.text();
    return { status: statusCode, ms: performance.now() - started, bytes: Buffer.byteLength(text), text };
  }

  /** Any request, a JSON body if given; resolves with whatever status comes back (throws only when none does). */
  async send(
    method: 'POST' | 'DELETE',
    path: string,
    json?: unknown,
  ): Promise<TimedAnswer & { readonly text: string }> {
    const started = performance.now();
    const { statusCode, body } = await this.pool.request({
      path,
      method,
      ...(json === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
    });
    const text = await body.text();
    return { status: statusCode, ms: performance.now() - started, bytes: Buffer.byteLength(text), text };
  }

  /** POST /register; throws unless the monitor answers 201 (created) or 200 (replaced). */
  async register(registration: Record<string, unknown>): Promise<void> {
    const { statusCode, body } = await this.pool.request({
      path: '/register',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(registration),
    });
    const text = await body.text();
    if (statusCode !== 201 && statusCode !== 200)
      throw new Error(`POST /register of ${String(registration['id'])} answered ${statusCode}: ${text.slice(0, 300)}`);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Runs `count` registrations through `lanes` concurrent callers; resolves with registrations per second. */
export async function registerMany(
  client: ApiClient,
  count: number,
  lanes: number,
  registration: (index: number) => Record<string, unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(lanes, count) }, async () => {
      while (next < count) await client.register(registration(next++));
    }),
  );
  return (count / (performance.now() - started)) * 1000;
}
