// fast-check arbitraries for what a target answers on /health: status, content type and raw body bytes.
// Bodies are built as text (or bytes) so that what JSON.stringify never writes reaches the parser:
// 1e400, -0, duplicate keys, deep nesting, invalid UTF-8.
import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../../src/domain/index.js';

export interface ServedBody {
  readonly status: number;
  /** `null`: no content-type header at all. */
  readonly contentType: string | null;
  readonly body: Uint8Array;
}

const json = (value: unknown): string => JSON.stringify(value);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export const COUNTER_FIELDS = ['uptime_sec', 'request_count', 'error_count'] as const;

/** Mostly valid counters, and every kind of invalid one: negative, fractional, huge, strings, -0. */
const counter = fc.oneof(
  { weight: 12, arbitrary: fc.nat({ max: 1_000_000_000 }).map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '-1',
      '-0',
      '0',
      '1.5',
      '1e400',
      '-1e400',
      '1e-400',
      '9007199254740991',
      '9007199254740992',
      '123456789012345678901234567890',
      '1e2',
      '1.0',
      '"5"',
      '""',
      'true',
      'null',
      '[]',
      '{}',
      '"NaN"',
      '1E-7',
      '[1]',
      '{"value":1}',
    ),
  },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(json) },
  { weight: 1, arbitrary: fc.integer().map(String) },
);

const deepNesting = fc
  .record({ depth: fc.integer({ min: 1, max: 50_000 }), object: fc.boolean() })
  .map(({ depth, object }) =>
    object ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`,
  );

const attributeKey = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      '',
      'k'.repeat(128),
      'k'.repeat(129),
      'k'.repeat(5000),
    ),
  },
);
/** JSON may escape half a surrogate pair, which no UTF-8 text can hold. */
const loneSurrogates = fc.constantFrom('"\\ud800"', '"a\\udfff"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"');
/** Attribute values of every JSON type, some past the length bound. */
const attributeValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(json) },
  { weight: 1, arbitrary: fc.constantFrom(1023, 1024, 1025, 5000).map((n) => json('v'.repeat(n))) },
  // A surrogate pair straddling the length bound: cut in the middle, it would be half a character.
  { weight: 1, arbitrary: fc.constant(json(`${'v'.repeat(1023)}😀`)) },
  { weight: 1, arbitrary: loneSurrogates },
  { weight: 2, arbitrary: counter },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '[]', '{}', '["a"]', '{"nested":{"x":1}}') },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepNesting.filter((text) => text.length < 20_000) },
);

/** `[key, value]` pairs, both raw JSON text: keys can hold escapes JSON.stringify never writes. */
const entriesText = (entries: readonly (readonly [string, string])[]): string =>
  `{${entries.map(([key, value]) => `${key}:${value}`).join(',')}}`;

const attributesObject = fc
  .oneof(
    fc.array(
      fc.tuple(
        fc.oneof({ weight: 9, arbitrary: attributeKey.map(json) }, { weight: 1, arbitrary: loneSurrogates }),
        attributeValue,
      ),
      { maxLength: 10 },
    ),
    // Past the bound on the number of entries.
    fc
      .integer({ min: 60, max: 200 })
      .map((n) => Array.from({ length: n }, (_, i) => [json(`k${i}`), json(`v${i}`)] as const)),
  )
  .map(entriesText);

/** `attributes` of every type, not only objects. */
const attributes = fc.oneof({ weight: 4, arbitrary: attributesObject }, { weight: 1, arbitrary: attributeValue });

/** A /health object: each counter present or not, attributes, unknown fields and repeated keys (the last one counts). */
const healthObject = fc
  .record({
    counters: fc.array(fc.tuple(fc.constantFrom(...COUNTER_FIELDS).map(json), counter), { maxLength: 5 }),
    attributes: fc.option(attributes, { nil: undefined }),
    extra: fc.array(fc.tuple(fc.string({ maxLength: 10 }).map(json), fc.json({ maxDepth: 2 })), { maxLength: 3 }),
    leading: fc.constantFrom('', ' ', '\n', '\t\r\n ', '\ufeff'),
  })
  .chain(({ counters, attributes, extra, leading }) =>
    fc
      .shuffledSubarray(
        [...counters, ...extra, ...(attributes === undefined ? [] : [[json('attributes'), attributes] as const])],
        {
          minLength: counters.length + extra.length + (attributes === undefined ? 0 : 1),
        },
      )
      .map((entries) => leading + entriesText(entries)),
  );

/** Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates encoded, truncated sequences. */
const invalidUtf8 = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc
    .tuple(
      fc.constantFrom(
        [0xff],
        [0xfe, 0xff],
        [0xc0, 0x80],
        [0xed, 0xa0, 0x80],
        [0xe2, 0x82],
        [0x80],
        [0xf4, 0x90, 0x80, 0x80],
      ),
      fc.constantFrom('attributes', 'request_count'),
    )
    .map(([bad, field]) => {
      const [head, tail] =
        field === 'attributes' ? ['{"attributes":{"k":"', '"},"request_count":1}'] : ['{"request_count":', '}'];
      return Uint8Array.from([...utf8(head), ...bad, ...utf8(tail)]);
    }),
);

/** Text a /health body may be, of any shape. */
export const healthText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: healthObject },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: deepNesting },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'OK',
      'ok\n',
      '{',
      '[',
      '{"request_count":',
      'null',
      '"fine"',
      '[1,2]',
      '{}',
      '{"attributes":null}',
    ),
  },
);

export const contentType: fc.Arbitrary<string | null> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/problem+json',
      'APPLICATION/JSON',
      'text/plain',
      'text/plain; charset=utf-8',
      'text/html',
      'application/octet-stream',
      'application/jsonx',
      'application/json-seq',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
  // Any printable ASCII: what a header value may carry.
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
);

/** A body past the 1 MiB the probe reads: rare, since each one costs a megabyte on the wire. */
const oversized = fc.constantFrom(MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES).map((size) => {
  const body = new Uint8Array(size).fill(0x20);
  body.set(utf8('{"request_count":1,"pad":"'), 0);
  return body;
});

export const servedBody: fc.Arbitrary<ServedBody> = fc.record({
  status: fc.oneof(
    { weight: 9, arbitrary: fc.constant(200) },
    { weight: 1, arbitrary: fc.integer({ min: 201, max: 599 }) },
  ),
  contentType,
  body: fc.oneof(
    { weight: 20, arbitrary: healthText.map(utf8) },
    { weight: 3, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: oversized },
  ),
});
