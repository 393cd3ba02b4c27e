// A `fetch` for ky built on `undici.request`: with ky on top, a probe costs about two thirds of the
// CPU it costs on Node 20's WHATWG fetch (docs/probe-engine-performance.md). It covers what the probe asks of fetch — a bodiless request, `signal`, `redirect: 'manual'`, a real
// `Response` whose body streams and, when cancelled, cuts the request — and refuses the rest clearly.
import { request as undiciRequest, type Dispatcher } from 'undici';

/** Statuses whose `Response` must have a null body (the constructor throws otherwise). */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function createUndiciFetch(dispatcher: Dispatcher): FetchFunction {
  return async (input, init) => {
    // ky passes a Request, and in `init` only options a Request does not know: no copy is needed then.
    const request = input instanceof Request && !changesRequest(init) ? input : new Request(input, init);
    if (request.body !== null) throw new TypeError('undici fetch: requests with a body are not supported');
    if (request.redirect === 'follow') {
      throw new TypeError("undici fetch: redirects are never followed; pass redirect: 'manual' or 'error'");
    }
    const answer = await undiciRequest(request.url, {
      method: request.method as Dispatcher.HttpMethod,
      // undici takes any iterable of [name, value] pairs: no copy needed.
      headers: request.headers as Iterable<[string, string]> as Dispatcher.RequestOptions['headers'],
      signal: request.signal,
      dispatcher,
    });
    if (request.redirect === 'error' && answer.statusCode >= 300 && answer.statusCode < 400) {
      // Destroying emits an abort error: heard here, or it would crash the thread.
      answer.body.on('error', () => undefined).destroy();
      throw new TypeError(`undici fetch: redirect (HTTP ${answer.statusCode}) with redirect: 'error'`, { cause: request.url });
    }
    return toResponse(answer, request);
  };
}

/** The RequestInit fields that would make `fetch(request, init)` differ from `fetch(request)`. */
const REQUEST_FIELDS = ['method', 'headers', 'body', 'mode', 'credentials', 'cache', 'redirect', 'referrer', 'referrerPolicy', 'integrity', 'keepalive', 'signal', 'window', 'duplex'];

function changesRequest(init: RequestInit | undefined): boolean {
  return init !== undefined && REQUEST_FIELDS.some((field) => field in init);
}

function toResponse(answer: Dispatcher.ResponseData, request: Request): Response {
  const { statusCode, body } = answer;
  const headers = responseHeaders(answer.headers);
  if (NULL_BODY_STATUSES.has(statusCode)) {
    // Nothing to read; dumping (not destroying) keeps the connection for the next probe.
    body.dump().catch(() => undefined);
    return new Response(null, { status: statusCode, headers });
  }
  // WHATWG fetch reports any status a server sends (600, 999); the Response constructor takes only
  // 200–599, so an odd status is set on the instance after construction.
  const inRange = statusCode >= 200 && statusCode <= 599;
  const response = new Response(webStreamOf(body, request), { status: inRange ? statusCode : 599, headers });
  if (!inRange) {
    Object.defineProperty(response, 'status', { value: statusCode });
    Object.defineProperty(response, 'ok', { value: false });
  }
  return response;
}

function responseHeaders(raw: Dispatcher.ResponseData['headers']): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') headers.append(name, value);
    else if (value !== undefined) for (const item of value) headers.append(name, item);
  }
  return headers;
}

/**
 * A web stream over undici's Node stream, with backpressure. Cancelling destroys the Node stream,
 * which aborts the request and closes its socket (an unfinished body is not drained).
 */
function webStreamOf(body: Dispatcher.ResponseData['body'], request: Request): ReadableStream<Uint8Array> {
  let open = true;
  // `request.signal` follows the caller's signal only while `request` lives (undici links them through
  // a WeakRef), and undici listens on `request.signal`: without this reference a garbage collection
  // mid-body left a trickling body with no timeout at all (workers/probes/trickle-timeout.test.ts).
  let owner: Request | null = request;
  body.once('close', () => (owner = null));
  return new ReadableStream<Uint8Array>({
    start(controller) {
      body.on('data', (chunk: Buffer) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) body.pause();
      });
      body.on('end', () => {
        if (!open) return;
        open = false;
        controller.close();
      });
      // Always listened to: an unheard 'error' would crash the worker. A timeout arrives here as the
      // signal's reason (a TimeoutError), exactly as WHATWG fetch reports it.
      body.on('error', (error: Error) => {
        if (!open) return;
        open = false;
        controller.error(error);
      });
      // 'end' or 'error' always comes first; this only guards against a reader waiting forever.
      body.on('close', () => {
        if (!open) return;
        open = false;
        controller.error(new Error('response body closed before its end'));
      });
    },
    pull() {
      body.resume();
    },
    cancel() {
      open = false;
      body.destroy();
    },
  });
}
