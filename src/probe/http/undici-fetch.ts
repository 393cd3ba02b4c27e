// The HTTP probe's own `fetch` for ky, built on `undici.request`: Node's WHATWG fetch cost a probe about
// twice the CPU (docs/probe-engine-performance.md). It serves one probe attempt, which it finds in
// `init` as a ProbeCall (ky passes options it does not know on to `fetch`). The call's deadline ends
// the request, headers and body alike; the body goes to the call as undici's Node stream, read by the
// probe (read-limited.ts), so the `Response` returned carries the status and headers and a null body.
//
// What it supports, and refuses clearly otherwise: bodiless requests; `redirect: 'manual'` (a 3xx is
// returned, never followed) or 'error'; the request's method and headers; a request signal already
// aborted when it is called (ky aborts its own signal only for its `timeout`, which the probe turns off).
import { request as undiciRequest, type Dispatcher } from 'undici';
import { PROBE_CALL_OPTION, ProbeCall, probeCallOf } from './probe-call.js';

/** Statuses that never have a body. */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface UndiciFetchOptions {
  /**
   * Headers sent unless the request sets them itself (names in lower case), as WHATWG fetch adds its
   * own `accept` and `user-agent`. Given here rather than as ky's `headers`, ky makes four fewer
   * `Headers` objects per request (docs/probe-engine-performance.md, round 2, D).
   */
  readonly defaultHeaders?: Readonly<Record<string, string>>;
}

export function createUndiciFetch(dispatcher: Dispatcher, options: UndiciFetchOptions = {}): FetchFunction {
  const { defaultHeaders } = options;
  return async (input, init) => {
    const call = probeCallOf(init);
    if (call === undefined) {
      throw new TypeError(
        `undici fetch: this fetch serves the HTTP probe only; pass a ProbeCall as the \`${PROBE_CALL_OPTION}\` option`,
      );
    }
    // ky passes a Request, and in `init` only options a Request does not know: no copy is needed then.
    const request = input instanceof Request && !changesRequest(init) ? input : new Request(input, init);
    if (request.body !== null) throw new TypeError('undici fetch: requests with a body are not supported');
    if (request.redirect === 'follow') {
      throw new TypeError("undici fetch: redirects are never followed; pass redirect: 'manual' or 'error'");
    }
    request.signal.throwIfAborted();
    call.throwIfAborted();
    const answer = await withinDeadline(
      undiciRequest(request.url, {
        method: request.method as Dispatcher.HttpMethod,
        headers:
          defaultHeaders === undefined
            ? iterableHeaders(request.headers)
            : withDefaults(request.headers, defaultHeaders),
        signal: call,
        dispatcher,
      }),
      call,
    );
    const { statusCode, body } = answer;
    if (request.redirect === 'error' && statusCode >= 300 && statusCode < 400) {
      // Destroying emits an abort error: heard here, or it would crash the thread.
      body.on('error', () => undefined).destroy();
      throw new TypeError(`undici fetch: redirect (HTTP ${statusCode}) with redirect: 'error'`, { cause: request.url });
    }
    // Nothing to read after these; dumping (not destroying) keeps the connection for the next probe.
    if (NULL_BODY_STATUSES.has(statusCode)) body.dump().catch(() => undefined);
    else call.handOver(body);
    return statusOnlyResponse(statusCode, answer.headers);
  };
}

/**
 * The request, or the call's deadline, whichever comes first. undici acts on an abort only once the
 * request has a connection: during a connect to a host that never answers it waits for its own connect
 * timeout, so the deadline must end the wait itself. The request then ends on its own (aborted when
 * it connects, or at undici's connect timeout), and what it brings is dropped.
 */
function withinDeadline(pending: Promise<Dispatcher.ResponseData>, call: ProbeCall): Promise<Dispatcher.ResponseData> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      reject(call.reason);
      pending.then(
        (late) => late.body.on('error', () => undefined).destroy(),
        () => undefined,
      );
    };
    call.once('abort', onAbort);
    pending.then(
      (answer) => {
        call.off('abort', onAbort);
        resolve(answer);
      },
      (error: unknown) => {
        call.off('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** undici takes any iterable of [name, value] pairs: no copy needed. */
function iterableHeaders(headers: Headers): Dispatcher.RequestOptions['headers'] {
  return headers as Iterable<[string, string]> as Dispatcher.RequestOptions['headers'];
}

/** The request's headers over the defaults (Headers iterates names in lower case, as the defaults are). */
function withDefaults(headers: Headers, defaults: Readonly<Record<string, string>>): Record<string, string> {
  const merged: Record<string, string> = { ...defaults };
  for (const [name, value] of headers) merged[name] = value;
  return merged;
}

/** The RequestInit fields that would make `fetch(request, init)` differ from `fetch(request)`. */
const REQUEST_FIELDS = [
  'method',
  'headers',
  'body',
  'mode',
  'credentials',
  'cache',
  'redirect',
  'referrer',
  'referrerPolicy',
  'integrity',
  'keepalive',
  'signal',
  'window',
  'duplex',
];

function changesRequest(init: RequestInit | undefined): boolean {
  return init !== undefined && REQUEST_FIELDS.some((field) => field in init);
}

/**
 * A `Response` with the answer's status and headers and a null body (the body is the call's). WHATWG
 * fetch reports any status a server sends (600, 999); the Response constructor takes only 200–599, so
 * an odd status is set on the instance after construction.
 */
function statusOnlyResponse(statusCode: number, raw: Dispatcher.ResponseData['headers']): Response {
  const inRange = statusCode >= 200 && statusCode <= 599;
  const response = new Response(null, { status: inRange ? statusCode : 599, headers: responseHeaders(raw) });
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
