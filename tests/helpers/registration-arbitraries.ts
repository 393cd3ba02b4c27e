// fast-check arbitraries for POST /register bodies: valid registrations, one-field mutations of them
// and hostile raw JSON. Bodies are built as JSON *text* so that what JSON.stringify cannot write
// (1e400, -0, deep nesting, an own "__proto__" key, lone surrogates) reaches the server as sent.
import fc from 'fast-check';
import { ANY_TARGET } from '../../src/domain/index.js';

/** Every field POST /register knows, in wire spelling. */
export const REGISTRATION_FIELDS = [
  'id',
  'url',
  'attributes',
  'poll_interval_sec',
  'health_path',
  'timeout_ms',
  'failure_threshold',
  'success_threshold',
  'error_rate_threshold',
  'deregister_after_sec',
  'webhook_url',
  'degraded_latency_ms',
  'tls_skip_verify',
  'grpc_service',
  'depends_on',
] as const;
export type RegistrationField = (typeof REGISTRATION_FIELDS)[number];

/** A body as ordered `[key, raw JSON text]` entries. */
export type RawEntries = readonly (readonly [string, string])[];

export function bodyText(entries: RawEntries): string {
  return `{${entries.map(([key, raw]) => `${JSON.stringify(key)}:${raw}`).join(',')}}`;
}

const json = (value: unknown): string => JSON.stringify(value);

// ---- Valid registrations -------------------------------------------------------------------------

// Any port a TCP listener can have, the fetch standard's "bad ports" (6000, 10080, …) included.
const usablePort = fc.integer({ min: 1, max: 65_535 });
const host = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().map((address) => `[${address}]`),
  fc.constantFrom('localhost', '127.0.0.1', '[::1]', 'xn--exmple-cua.example', 'exämple.example'),
);
const pathSegments = fc.array(fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), { maxLength: 3 });

/** What the default policy refuses (link-local, metadata addresses) is not a valid URL without ALLOW_TARGETS. */
const allowedByDefault = (url: string): boolean => ANY_TARGET.check(new URL(url).hostname) === null;

const validUrl = fc
  .record({
    scheme: fc.constantFrom('http', 'https', 'HTTP', 'Https'),
    host,
    port: fc.option(usablePort, { nil: undefined }),
    segments: pathSegments,
  })
  .map(
    ({ scheme, host, port, segments }) =>
      `${scheme}://${host}${port === undefined ? '' : `:${port}`}${segments.map((s) => `/${s}`).join('')}`,
  )
  .filter(allowedByDefault);

/** grpc and grpcs take a host and a port only, and no health_path. */
const validGrpcUrl = fc
  .record({ scheme: fc.constantFrom('grpc', 'grpcs', 'GRPC'), host, port: usablePort })
  .map(({ scheme, host, port }) => `${scheme}://${host}:${port}`)
  // Not a special scheme: the host is kept as written, so a name must already be ASCII (punycode).
  .filter((url) => /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/.test(new URL(url).hostname))
  .filter(allowedByDefault);

const isGrpc = (url: string): boolean => /^grpcs?:/i.test(url);

const validId = fc.oneof(
  // A small pool so that re-registrations (200 rather than 201) happen too.
  fc.constantFrom('svc-a', 'svc-b', 'svc:c', 'svc.d'),
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/).filter((id) => id !== '.' && id !== '..'),
);

/** Attribute keys and values of any code points; lengths kept well inside the limits (counted in UTF-16 units). */
const validAttributes = fc.dictionary(
  fc.string({ unit: 'binary', maxLength: 32 }).filter((key) => key !== '__proto__'),
  fc.string({ unit: 'binary', maxLength: 64 }),
  { maxKeys: 8, noNullPrototype: true },
);

/** A registration the API must accept. `timeout_ms` stays at most 1000 so no interval makes it too long. */
export const validRegistration: fc.Arbitrary<RawEntries> = fc
  .record(
    {
      id: validId,
      url: fc.oneof({ weight: 4, arbitrary: validUrl }, { weight: 1, arbitrary: validGrpcUrl }),
      attributes: fc.oneof(validAttributes, fc.constant(null)),
      poll_interval_sec: fc.oneof(fc.integer({ min: 1, max: 86_400 }), fc.constant(null)),
      health_path: fc.oneof(
        pathSegments.map((segments) => `/${segments.join('/')}`),
        fc.constant(null),
      ),
      timeout_ms: fc.integer({ min: 1, max: 1000 }),
      failure_threshold: fc.integer({ min: 1, max: 100 }),
      success_threshold: fc.integer({ min: 1, max: 100 }),
      error_rate_threshold: fc.double({ min: 0, max: 1, noNaN: true }),
      deregister_after_sec: fc.integer({ min: 60, max: 31_536_000 }),
      webhook_url: fc.oneof(
        validUrl,
        validUrl.map((url) => `${url}?token=abc`),
      ),
      // Below the timeout, which is at least 1000 ms when not given (the defaults and a 1 s interval).
      degraded_latency_ms: fc.integer({ min: 1, max: 999 }),
      tls_skip_verify: fc.boolean(),
      grpc_service: fc.stringMatching(/^[A-Za-z0-9_.\/-]{0,40}$/),
      // Ids no generated registration takes, so no loop can form: a loop is refused, not invalid.
      depends_on: fc.uniqueArray(
        fc.integer({ min: 0, max: 99 }).map((n) => `zz-dependency-${n}`),
        { maxLength: 32 },
      ),
    },
    { requiredKeys: ['id', 'url'] },
  )
  .map(({ degraded_latency_ms: latency, ...rest }) =>
    latency === undefined || (rest.timeout_ms !== undefined && latency >= rest.timeout_ms)
      ? rest
      : { ...rest, degraded_latency_ms: latency },
  )
  // Skipping verification applies to https and grpcs only.
  .map(({ tls_skip_verify: skip, ...rest }) =>
    skip === undefined || (skip && !/^(https|grpcs):/i.test(rest.url)) ? rest : { ...rest, tls_skip_verify: skip },
  )
  // grpc_service applies to grpc URLs only, health_path to all others.
  .map(({ grpc_service: service, health_path: path, ...rest }) => ({
    ...rest,
    ...(isGrpc(rest.url)
      ? service === undefined
        ? {}
        : { grpc_service: service }
      : path === undefined
        ? {}
        : { health_path: path }),
  }))
  .map((registration) => Object.entries(registration).map(([key, value]) => [key, json(value)] as const));

// ---- Hostile raw values --------------------------------------------------------------------------

const oddNumbers = fc.constantFrom(
  '0',
  '-0',
  '-1',
  '1',
  '1.5',
  '1e400',
  '-1e400',
  '1e-400',
  '1E2',
  '2e0',
  '0.0000001',
  '123456789012345678901234567890',
  '9007199254740993',
  '59',
  '60',
  '100',
  '101',
  '1000',
  '1001',
  '86400',
  '86401',
  '600000',
  '600001',
  '31536000',
  '31536001',
  '1.0000001',
);
const numbers = fc.oneof(
  oddNumbers,
  fc.integer().map(json),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(json),
);
const nanishStrings = fc
  .constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    '-0',
    '1e3',
    '0x10',
    ' 10 ',
    '10abc',
    '',
    'null',
    'true',
    'undefined',
    '١٠',
  )
  .map(json);
const unicodeStrings = fc.string({ unit: 'binary', maxLength: 40 }).map(json);
/** U+0000–U+00FF, control characters included. */
const controlStrings = fc.string({ unit: 'binary-ascii', maxLength: 20 }).map(json);
/** Escapes JSON allows and JSON.stringify never writes for well-formed strings. */
const escapes = fc.constantFrom('"\\ud800"', '"a\\udfff"', '"\\u0000"', '"\\u202e"', '"\\/"');
/** Up to past the 64 KiB body limit, where the answer is 413. */
const hugeStrings = fc.integer({ min: 1000, max: 70_000 }).map((n) => json('x'.repeat(n)));
const deepNesting = fc
  .record({ depth: fc.integer({ min: 1, max: 10_000 }), object: fc.boolean() })
  .map(({ depth, object }) =>
    object ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`,
  );
const prototypeKeys = fc.constantFrom(
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"__proto__":"x"}',
);

/** Any JSON a field might be given: wrong types, odd numbers, odd strings, nesting. */
export const hostileValue: fc.Arbitrary<string> = fc.oneof(
  numbers,
  nanishStrings,
  unicodeStrings,
  controlStrings,
  escapes,
  hugeStrings,
  deepNesting,
  prototypeKeys,
  fc.json({ maxDepth: 3 }),
  fc.constantFrom('null', 'true', 'false', '[]', '{}', '[null]', '""'),
);

/** URLs people and attackers write: broken brackets, other schemes, out-of-range ports, whitespace. */
const oddUrls = fc.constantFrom(
  'http://[::1',
  'http://[::1]:9001',
  'javascript:alert(1)',
  'javascript://%0aalert(1)',
  'data:text/plain,hi',
  'file:///etc/passwd',
  'ftp://h:9001',
  'ws://h:9001',
  'http://',
  'http:///x',
  'http://:9001',
  'http:h:9001',
  'http:\\\\h:9001',
  '//h:9001',
  'h:9001',
  'http://h:0',
  'http://h:65535',
  'http://h:65536',
  'http://h:99999999999999999999',
  'http://h:-1',
  'http://h:+80',
  'http://h:0x50',
  'http://h:080',
  'http://h:',
  'http://h:6000',
  'https://h:10080',
  'http://u:p@h:9001',
  'http://u@h:9001',
  'http://h:9001?',
  'http://h:9001#',
  'http://h:9001/?a=1',
  'http://h:9001/#f',
  'http://h:9001/ ',
  ' http://h:9001',
  'http://h:9001\t',
  'http://h\n:9001',
  'http://h:9001/\u0000',
  'http://h\u0000:9001',
  'http://h:9001\\x',
  'http://ex ample.com',
  'http://%68:9001',
  'http://0x7f.1:9001',
  'http://127.1',
  'http://256.1.1.1',
  'http://1.2.3.4.5',
  'http://[fe80::1%25eth0]:9001',
  'http://[::ffff:127.0.0.1]:9001',
  'http://h..example',
  'http://.',
  'http://xn--:9001',
  'http://\u0430pple.example',
  'HTTP://H:9001',
  `http://h:9001/${'a'.repeat(2100)}`,
);
const composedUrls = fc
  .record({
    // Mostly well-formed up to the host, so that the odd port or tail is what gets judged.
    scheme: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('http', 'https') },
      {
        weight: 1,
        arbitrary: fc.constantFrom('HTTP', 'tcp', 'TCP', 'grpc', 'grpcs', 'javascript', 'file', 'data', 'ftp', ''),
      },
    ),
    separator: fc.oneof(
      { weight: 3, arbitrary: fc.constant('://') },
      { weight: 1, arbitrary: fc.constantFrom(':', ':///', ':\\\\', '//') },
    ),
    host: fc.oneof(
      host,
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom('[::1', '', 'h h', '%00', '169.254.169.254'),
    ),
    port: fc.constantFrom('', ':0', ':1', ':9001', ':65535', ':65536', ':-1', ':', ':6000', ':99999999999999999999'),
    tail: fc.constantFrom('', '/', '/x', '?', '#', '?a=1', '#f', ' ', '\t', '\n', '/\u0000', '/ü', '/%zz', '\\x'),
  })
  .map(({ scheme, separator, host, port, tail }) => `${scheme}${separator}${host}${port}${tail}`);
const urlText = fc.oneof(
  { weight: 3, arbitrary: oddUrls },
  { weight: 3, arbitrary: composedUrls },
  { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 1, arbitrary: validUrl },
);

const idText = fc.oneof(
  fc.constantFrom(
    '.',
    '..',
    '',
    'a'.repeat(128),
    'a'.repeat(129),
    'svc 1',
    'svc/1',
    '%2e%2e',
    'svc?x',
    'svc#x',
    'über',
    'a\u0000',
    '-',
    ':',
  ),
  fc.stringMatching(/^[A-Za-z0-9._:\-/%?# ]{0,130}$/),
);

const healthPathText = fc.oneof(
  fc.constantFrom(
    '/',
    '',
    'health',
    '/a b',
    '/#',
    '/?q=1',
    '/\u0000',
    '/\t',
    '/\u007f',
    '/\u2028',
    `/${'a'.repeat(255)}`,
    `/${'a'.repeat(256)}`,
    '//evil.example/x',
    '/..',
    '/%zz',
    '/ü',
  ),
  fc.string({ unit: 'binary', maxLength: 30 }).map((path) => `/${path}`),
);

const attributeKey = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '',
    'k'.repeat(128),
    'k'.repeat(129),
    'a.b',
    '\u0000',
  ),
);
const attributeValue = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(json) },
  { weight: 1, arbitrary: fc.constantFrom(json('v'.repeat(1024)), json('v'.repeat(1025))) },
  { weight: 1, arbitrary: hostileValue },
);
/** Attribute objects with odd keys and values, and sometimes more entries than the limit of 64. */
const attributesText = fc
  .oneof(
    fc.array(fc.tuple(attributeKey, attributeValue), { maxLength: 6 }),
    fc
      .integer({ min: 60, max: 70 })
      .map((n) => Array.from({ length: n }, (_, i) => [`k${i}`, '"v"'] as [string, string])),
  )
  .map((entries) => bodyText(entries));

const FIELD_VALUES: Record<RegistrationField, fc.Arbitrary<string>> = {
  id: fc.oneof(idText.map(json), hostileValue),
  url: fc.oneof({ weight: 3, arbitrary: urlText.map(json) }, { weight: 1, arbitrary: hostileValue }),
  attributes: fc.oneof({ weight: 3, arbitrary: attributesText }, { weight: 1, arbitrary: hostileValue }),
  poll_interval_sec: fc.oneof(numbers, hostileValue),
  health_path: fc.oneof(healthPathText.map(json), hostileValue),
  timeout_ms: fc.oneof(numbers, hostileValue),
  failure_threshold: fc.oneof(numbers, hostileValue),
  success_threshold: fc.oneof(numbers, hostileValue),
  error_rate_threshold: fc.oneof(numbers, hostileValue),
  deregister_after_sec: fc.oneof(numbers, hostileValue),
  webhook_url: fc.oneof(urlText.map(json), hostileValue),
  degraded_latency_ms: fc.oneof(numbers, hostileValue),
  tls_skip_verify: fc.oneof(fc.constantFrom('true', 'false'), hostileValue),
  grpc_service: fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }).map(json), hostileValue),
  depends_on: fc.oneof(fc.array(idText, { maxLength: 40 }).map(json), hostileValue),
};

const unknownField = fc
  .oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      '',
      'ID',
      'poll_interval',
      'pollIntervalSec',
      'attributes.env',
    ),
    fc.string({ unit: 'binary', maxLength: 20 }),
  )
  .filter((key) => !(REGISTRATION_FIELDS as readonly string[]).includes(key));

/** What was done to a valid registration; `field` is the one a rejection must name. */
export type Mutation =
  | { readonly kind: 'set'; readonly field: RegistrationField; readonly raw: string }
  | { readonly kind: 'remove'; readonly field: RegistrationField }
  | { readonly kind: 'unknown'; readonly field: string; readonly raw: string };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .constantFrom(...REGISTRATION_FIELDS)
      .chain((field) => FIELD_VALUES[field].map((raw) => ({ kind: 'set' as const, field, raw }))),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...REGISTRATION_FIELDS).map((field) => ({ kind: 'remove' as const, field })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(unknownField, hostileValue).map(([field, raw]) => ({ kind: 'unknown' as const, field, raw })),
  },
);

export function applyMutation(entries: RawEntries, change: Mutation): RawEntries {
  const others = entries.filter(([key]) => key !== change.field);
  return change.kind === 'remove' ? others : [...others, [change.field, change.raw]];
}

// ---- Anything at all -----------------------------------------------------------------------------

/** An object whose keys are mostly the known fields and whose values are any JSON. */
const looseObject = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...REGISTRATION_FIELDS), unknownField),
      fc.oneof(hostileValue, urlText.map(json)),
    ),
    {
      maxLength: 8,
    },
  )
  .map((entries) => bodyText(entries));

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/problem+json',
    'application/json;charset=latin1',
    'application/jsonx',
    'text/json',
    'text/plain',
    'text/html',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    '*/*',
    '',
  ),
  // Any printable ASCII: what a header value may carry.
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
);

/** A request body of any kind, with any content type (`null`: no content-type header). */
export interface AnyBody {
  readonly contentType: string | null;
  readonly body: string | Uint8Array<ArrayBuffer>;
}

export const anyBody: fc.Arbitrary<AnyBody> = fc.record({
  contentType: fc.oneof(
    { weight: 3, arbitrary: fc.constant('application/json') },
    { weight: 2, arbitrary: contentType },
    { weight: 1, arbitrary: fc.constant(null) },
  ),
  body: fc.oneof(
    fc.json(),
    looseObject,
    // Valid bodies, so that acceptances (checked like any other) happen under odd content types too.
    validRegistration.map(bodyText),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.uint8Array({ maxLength: 2048 }),
    deepNesting,
    hugeStrings,
  ),
});
