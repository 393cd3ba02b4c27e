// GET /metrics as JSON bytes, fast: each record's serialisation is cached around the three fields that
// change with the clock, and a scrape writes those pieces into one buffer instead of stringifying every
// entry again (the figures: docs/decisions.md, "GET /metrics bodies").
import type { ServiceRecord } from '../store/service-record.js';
import { DAY_MS, daysLeft, impactedBy } from '../domain/index.js';
import { ageSec, isStale, maintenanceView, type ViewContext } from './views.js';

interface Serialised {
  /** `{"service":…,"ready":…,`: the entry up to its age fields. */
  readonly head: string;
  /** `,"last_response_ms":…}`: the rest. */
  readonly tail: string;
  /** Plain ASCII, so its bytes are its characters (the common case, and the fastest write). */
  readonly ascii: boolean;
  /** UTF-8 bytes of head and tail together. */
  readonly bytes: number;
  /** When `tls.days_left` goes down by one, and the text must be made again; `null`: no certificate. */
  readonly redoAt: number | null;
}

// The records readers get are frozen, and a change gives a new one, so a record is its own cache key and
// a replaced record's text goes with it. Strings, not buffers: they live on the V8 heap, where a replaced
// one is collected with the record, instead of as a small external allocation per record.
const cache = new WeakMap<ServiceRecord, Serialised>();

const json = JSON.stringify;

/**
 * The merged attributes' JSON, kept per /health attributes object: a service answering the same
 * attributes keeps one object (`updateState`), so this is made once, not at every probe.
 */
const attributesCache = new WeakMap<object, { readonly registered: object; readonly text: string }>();

function attributesJson(
  registered: Readonly<Record<string, string>>,
  reported: Readonly<Record<string, string>>,
): string {
  const cached = attributesCache.get(reported);
  if (cached?.registered === registered) return cached.text;
  // The latest /health attributes win over the registration's.
  const text = json({ ...registered, ...reported });
  attributesCache.set(reported, { registered, text });
  return text;
}

/**
 * `metricsEntry` (views.ts) written out field by field, in its order and with its values, without
 * building the object first; metrics-json.test.ts checks the two give the same bytes.
 */
function serialise(record: ServiceRecord, now: number): Serialised {
  const { request, state, settings } = record;
  const head =
    `{"service":${json(request.id)},"status":${state.ready ? '"UP"' : '"DOWN"'},` +
    `"health":${json(state.health)},"ready":${state.ready},`;
  const expiresAt = state.tlsExpiresAt;
  const left = expiresAt === null ? null : daysLeft(expiresAt, now);
  const tls =
    expiresAt === null || left === null ? null : { expires_at: new Date(expiresAt).toISOString(), days_left: left };
  const tail =
    `,"tls":${json(tls)},"last_response_ms":${json(state.lastResponseMs)},"uptime_sec":${json(state.uptimeSec ?? 0)},` +
    `"request_count":${json(state.sample?.requestCount ?? 0)},"error_count":${json(state.sample?.errorCount ?? 0)},` +
    `"error_rate":${json(state.errorRate)},"recent_error_rate":${json(state.recentErrorRate)},` +
    `"last_error":${json(state.lastError)},"attributes":${attributesJson(request.attributes, state.healthAttributes)},` +
    `"poll_interval_sec":${json(settings.intervalMs / 1000)}}`;
  const bytes = Buffer.byteLength(head) + Buffer.byteLength(tail);
  const redoAt = expiresAt === null || left === null ? null : expiresAt - left * DAY_MS;
  return { head, tail, ascii: bytes === head.length + tail.length, bytes, redoAt };
}

function serialised(record: ServiceRecord, now: number): Serialised {
  let cached = cache.get(record);
  if (cached === undefined || (cached.redoAt !== null && now >= cached.redoAt)) {
    cached = serialise(record, now);
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
      const ageText =
        age === null
          ? '"last_checked":null,"last_checked_age_sec":null'
          : `"last_checked":"${age}s ago","last_checked_age_sec":${age}`;
      bytes = Buffer.from(`${ageText},"stale":${isStaleNow}`, 'latin1');
      byAge.set(age, bytes);
    }
    return bytes;
  };
}

const NOT_IMPACTED = Buffer.from(',"impacted_by":[],"maintenance":null', 'latin1');

/** Read at each scrape: a dependency going down or a window opening does not change this record. */
function contextFields(record: ServiceRecord, context: ViewContext): Buffer {
  const dependsOn = record.request.dependsOn;
  const window = context.maintenanceOf(record.request.id);
  if ((dependsOn === undefined || dependsOn.length === 0) && window === null) return NOT_IMPACTED;
  const impacted = json(impactedBy(dependsOn, context.healthOf));
  return Buffer.from(`,"impacted_by":${impacted},"maintenance":${json(maintenanceView(window))}`);
}
const OPEN = 0x5b; // [
const COMMA = 0x2c;
const CLOSE = 0x5d; // ]

/**
 * The same bytes as `JSON.stringify(records.map((r) => metricsEntry(r, now, context)))` in UTF-8, written into
 * a buffer from `allocate` (BodyBuffers reuses them across scrapes).
 */
export function metricsJson(
  records: readonly ServiceRecord[],
  now: number,
  context: ViewContext,
  allocate: (length: number) => Buffer<ArrayBuffer> = Buffer.allocUnsafe,
): Buffer<ArrayBuffer> {
  const ageFields = ageFieldsCache(now);
  const entries: Serialised[] = new Array<Serialised>(records.length);
  const ages: Buffer[] = new Array<Buffer>(records.length);
  const impacts: Buffer[] = new Array<Buffer>(records.length);
  let length = 2 + Math.max(0, records.length - 1);
  for (let index = 0; index < records.length; index++) {
    const record = records[index] as ServiceRecord;
    const entry = serialised(record, now);
    const age = ageFields(record);
    const impact = contextFields(record, context);
    entries[index] = entry;
    ages[index] = age;
    impacts[index] = impact;
    length += entry.bytes + age.length + impact.length;
  }
  const out = allocate(length);
  let offset = 0;
  out[offset++] = OPEN;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index] as Serialised;
    const age = ages[index] as Buffer;
    if (index > 0) out[offset++] = COMMA;
    offset += out.write(entry.head, offset, entry.ascii ? 'latin1' : 'utf8');
    out.set(age, offset);
    offset += age.length;
    const impact = impacts[index] as Buffer;
    out.set(impact, offset);
    offset += impact.length;
    offset += out.write(entry.tail, offset, entry.ascii ? 'latin1' : 'utf8');
  }
  out[offset] = CLOSE;
  return out;
}
