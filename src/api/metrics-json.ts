// GET /metrics as JSON bytes, fast: each record's UTF-8 serialisation is cached around the three fields
// that change with the clock, and a scrape copies those bytes into one buffer instead of stringifying
// and encoding every entry again (the figures: docs/decisions.md, "GET /metrics bodies").
import type { ServiceRecord } from '../store/service-record.js';
import { ageSec, isStale, metricsEntryHead, metricsEntryTail } from './views.js';

interface Serialised {
  /** `{"service":…,"ready":…,`: the entry up to its age fields. */
  readonly head: Uint8Array;
  /** `,"last_response_ms":…}`: the rest. */
  readonly tail: Uint8Array;
}

// The records readers get are frozen, and a change gives a new one, so a record is its own cache key and
// a replaced record's bytes go with it.
const cache = new WeakMap<ServiceRecord, Serialised>();

function serialised(record: ServiceRecord): Serialised {
  let cached = cache.get(record);
  if (cached === undefined) {
    const head = `${JSON.stringify(metricsEntryHead(record)).slice(0, -1)},`;
    const text = `${head},${JSON.stringify(metricsEntryTail(record)).slice(1)}`;
    // Its own memory, not a slice of Node's shared pool: a long-lived small slice would keep a whole 8 KiB slab alive.
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    bytes.write(text);
    // Views made once: copying whole views is faster than copying ranges by offset.
    const ageAt = Buffer.byteLength(head);
    cached = { head: bytes.subarray(0, ageAt), tail: bytes.subarray(ageAt) };
    cache.set(record, cached);
  }
  return cached;
}

/**
 * The clock's fields' bytes, made once per distinct age and staleness in a scrape: services probed
 * together share one.
 */
function ageFieldsCache(now: number): (record: ServiceRecord) => Buffer {
  const fresh = new Map<number | null, Buffer>();
  const stale = new Map<number | null, Buffer>();
  return (record) => {
    const age = ageSec(record, now);
    const isStaleNow = isStale(record, now);
    const byAge = isStaleNow ? stale : fresh;
    let bytes = byAge.get(age);
    if (bytes === undefined) {
      // A whole number, a boolean and a fixed pattern: plain ASCII, written without JSON escaping.
      const ageText = age === null ? '"last_checked":null,"last_checked_age_sec":null' : `"last_checked":"${age}s ago","last_checked_age_sec":${age}`;
      bytes = Buffer.from(`${ageText},"stale":${isStaleNow}`, 'latin1');
      byAge.set(age, bytes);
    }
    return bytes;
  };
}

const OPEN = 0x5b; // [
const COMMA = 0x2c;
const CLOSE = 0x5d; // ]

/**
 * The same bytes as `JSON.stringify(records.map((r) => metricsEntry(r, now)))` in UTF-8, written into
 * a buffer from `allocate` (BodyBuffers reuses them across scrapes).
 */
export function metricsJson(
  records: readonly ServiceRecord[],
  now: number,
  allocate: (length: number) => Buffer<ArrayBuffer> = Buffer.allocUnsafe,
): Buffer<ArrayBuffer> {
  const ageFields = ageFieldsCache(now);
  const entries: Serialised[] = new Array<Serialised>(records.length);
  const ages: Buffer[] = new Array<Buffer>(records.length);
  let length = 2 + Math.max(0, records.length - 1);
  for (let index = 0; index < records.length; index++) {
    const record = records[index] as ServiceRecord;
    const entry = serialised(record);
    const age = ageFields(record);
    entries[index] = entry;
    ages[index] = age;
    length += entry.head.length + age.length + entry.tail.length;
  }
  const out = allocate(length);
  let offset = 0;
  out[offset++] = OPEN;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index] as Serialised;
    const age = ages[index] as Buffer;
    if (index > 0) out[offset++] = COMMA;
    out.set(entry.head, offset);
    offset += entry.head.length;
    out.set(age, offset);
    offset += age.length;
    out.set(entry.tail, offset);
    offset += entry.tail.length;
  }
  out[offset] = CLOSE;
  return out;
}
