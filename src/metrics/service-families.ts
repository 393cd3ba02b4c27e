// The per-service families, rendered here rather than by prom-client: each record's sample lines are
// written once as UTF-8 and cached, and a scrape copies the cached bytes into one buffer.
import { HEALTH_STATES, staleAfter } from '../domain/index.js';
import type { ServiceRecord } from '../store/service-record.js';
import { attributeLabelNames } from './label-names.js';
import { escapeLabelValue, familyHeader, formatSampleValue } from './text-format.js';

export interface ServiceSource {
  list(): readonly ServiceRecord[];
}

export interface ServiceFamilies {
  /**
   * Every per-service family for `records` (sorted by id, as `store.list()` gives them) as UTF-8:
   * its HELP and TYPE once, then its samples in record order; families apart by one empty line,
   * no final line feed; then `tail`. Written into a buffer from `allocate` (BodyBuffers reuses them).
   */
  render(
    records: readonly ServiceRecord[],
    tail?: string,
    allocate?: (length: number) => Buffer<ArrayBuffer>,
  ): Buffer<ArrayBuffer>;
}

/** Between two families, as prom-client writes it: the last line's end and one empty line. */
const FAMILY_SEPARATOR = '\n\n';

interface Family {
  readonly name: string;
  readonly help: string;
  /** The family's sample lines for one service, each led by a line feed; '' when it has none. */
  readonly lines: (record: ServiceRecord, serviceLabel: string, stale: boolean) => string;
  /**
   * Whether `lines` reads `stale`, the one input that moves with the clock: such a family's lines are
   * cached both ways per record, and a scrape picks one.
   */
  readonly readsStale?: true;
}

/** An attribute's value as the JSON view shows it: the latest /health attributes win over the registration's. */
export function serviceAttribute(record: ServiceRecord, key: string): string | undefined {
  // Own properties only: a key such as "constructor" must not read Object.prototype.
  const reported = record.state.healthAttributes;
  if (Object.hasOwn(reported, key)) return reported[key];
  const registered = record.request.attributes;
  return Object.hasOwn(registered, key) ? registered[key] : undefined;
}

export const STALE_FAMILY = 'health_monitor_service_stale';
export const STALE_HELP =
  'Whether the verdict is out of date: 1 when no probe has finished for twice the interval plus the timeout (counted from registration if never probed), else 0.';

/** When the record's verdict goes stale: the clock is compared with this at each scrape. */
export function recordStaleAfter(record: ServiceRecord): number {
  return staleAfter(
    record.state.lastCheckedAt,
    record.registeredAt,
    record.settings.intervalMs,
    record.settings.timeoutMs,
  );
}

/** One sample per service, none where `value` is `null`. */
function perService(name: string, help: string, value: (record: ServiceRecord) => number | null): Family {
  return {
    name,
    help,
    lines: (record, serviceLabel) => {
      const reading = value(record);
      return reading === null ? '' : `\n${name}{${serviceLabel}} ${formatSampleValue(reading)}`;
    },
  };
}

function families(labelByKey: ReadonlyMap<string, string>): readonly Family[] {
  const health = 'health_monitor_service_health';
  const info = 'health_monitor_service_info';
  // Same names, help texts and order as prom-client would write them (prom-client-equivalence.test.ts).
  return [
    perService(
      'health_monitor_service_up',
      'Whether the service is ready: 1 ready, 0 not (not probed yet, unreachable, or answering an HTTP error).',
      (record) => (record.state.ready ? 1 : 0),
    ),
    {
      name: health,
      help: `The service's health as a state set: 1 for the current state, 0 for the others (${HEALTH_STATES.join(', ')}).`,
      lines: (record, serviceLabel) => {
        let lines = '';
        for (const state of HEALTH_STATES)
          lines += `\n${health}{${serviceLabel},state="${state}"} ${record.state.health === state ? 1 : 0}`;
        return lines;
      },
    },
    {
      name: STALE_FAMILY,
      help: STALE_HELP,
      lines: (_record, serviceLabel, stale) => `\n${STALE_FAMILY}{${serviceLabel}} ${stale ? 1 : 0}`,
      readsStale: true,
    },
    // Before the service has reported any counters its error ratio is unknown, not 0: no sample.
    perService(
      'health_monitor_service_error_ratio',
      'Errors over requests since the service started, from its own /health counters.',
      (record) => (record.state.sample === null ? null : record.state.errorRate),
    ),
    perService(
      'health_monitor_service_recent_error_ratio',
      'Errors over requests between the last two /health answers; absent until two answers carried counters.',
      (record) => record.state.recentErrorRate,
    ),
    perService(
      'health_monitor_service_last_check_timestamp_seconds',
      'When the last probe of the service finished, Unix time; absent before the first.',
      (record) => (record.state.lastCheckedAt === null ? null : record.state.lastCheckedAt / 1000),
    ),
    perService(
      'health_monitor_service_last_response_seconds',
      'How long the last probe took, retries included; absent before the first.',
      (record) => (record.state.lastResponseMs === null ? null : record.state.lastResponseMs / 1000),
    ),
    perService(
      'health_monitor_service_tls_cert_expiry_timestamp_seconds',
      "When the leaf certificate of the last https answer expires, Unix time (blackbox_exporter's probe_ssl_earliest_cert_expiry); absent for plain HTTP.",
      (record) => (record.state.tlsExpiresAt === null ? null : record.state.tlsExpiresAt / 1000),
    ),
    {
      name: info,
      help: `Always 1; carries the configured service attributes as labels (${[...labelByKey.values()].join(', ') || 'none configured'}).`,
      lines: (record, serviceLabel) => {
        let labels = serviceLabel;
        // An attribute the service lacks gets no label at all, not an empty one.
        for (const [key, label] of labelByKey) {
          const value = serviceAttribute(record, key);
          if (value !== undefined) labels += `,${label}="${escapeLabelValue(value)}"`;
        }
        return `\n${info}{${labels}} 1`;
      },
    },
  ];
}

/** One record's sample lines as UTF-8: a view per family. */
interface RecordLines {
  /** In family order; empty where the family has no sample for this service. */
  readonly byFamily: readonly Uint8Array[];
  readonly length: number;
}

/** A record's lines while its verdict is current and once it is stale, all on one piece of memory. */
interface RecordBytes {
  readonly fresh: RecordLines;
  /** The very same views as `fresh` where staleness changes nothing. */
  readonly stale: RecordLines;
  /** Stale once the clock is past this. */
  readonly staleAfter: number;
}

const NO_LINES = new Uint8Array(0);

/** Throws when two attribute keys would become the same label name. `now` is read once per render. */
export function createServiceFamilies(attributeKeys: readonly string[], now: () => number = Date.now): ServiceFamilies {
  const all = families(attributeLabelNames(attributeKeys));
  const headers = all.map((family) => Buffer.from(familyHeader(family.name, family.help, 'gauge')));
  const headersLength =
    headers.reduce((sum, header) => sum + header.length, 0) + FAMILY_SEPARATOR.length * (headers.length - 1);
  // The records readers get are frozen, and a change gives a new one, so a record is its own cache
  // key and a replaced record's bytes go with it.
  const cache = new WeakMap<ServiceRecord, RecordBytes>();

  const bytesOf = (record: ServiceRecord): RecordBytes => {
    let cached = cache.get(record);
    if (cached === undefined) {
      const serviceLabel = `service="${escapeLabelValue(record.request.id)}"`;
      const freshLines = all.map((family) => family.lines(record, serviceLabel, false));
      // `null`: the same as fresh, whose bytes are shared.
      const staleLines = all.map((family) => (family.readsStale ? family.lines(record, serviceLabel, true) : null));
      let length = 0;
      for (const text of freshLines) length += Buffer.byteLength(text);
      for (const text of staleLines) if (text !== null) length += Buffer.byteLength(text);
      // Its own memory, not a slice of Node's shared pool: a long-lived small slice would keep a whole 8 KiB slab alive.
      const bytes = Buffer.allocUnsafeSlow(length);
      let end = 0;
      // A view per family, made once: copying from a ready view is faster than Buffer.copy with
      // offsets, which makes a view on every call.
      const write = (text: string): Uint8Array => {
        if (text === '') return NO_LINES;
        const start = end;
        end += bytes.write(text, start);
        return bytes.subarray(start, end);
      };
      const fresh = freshLines.map(write);
      const stale = staleLines.map((text, index) => (text === null ? (fresh[index] ?? NO_LINES) : write(text)));
      const linesOf = (byFamily: readonly Uint8Array[]): RecordLines => ({
        byFamily,
        length: byFamily.reduce((sum, view) => sum + view.length, 0),
      });
      cached = { fresh: linesOf(fresh), stale: linesOf(stale), staleAfter: recordStaleAfter(record) };
      cache.set(record, cached);
    }
    return cached;
  };

  return {
    render: (records, tail = '', allocate = Buffer.allocUnsafe) => {
      const time = now();
      const chosen = records.map((record) => {
        const entry = bytesOf(record);
        return time > entry.staleAfter ? entry.stale : entry.fresh;
      });
      let length = headersLength + Buffer.byteLength(tail);
      for (const entry of chosen) length += entry.length;
      // One buffer of the exact size, each record's bytes copied in: no string of the whole text is
      // built, and it goes out as it is, with no encoding of several megabytes at the end.
      const out = allocate(length);
      let at = 0;
      for (const [family, header] of headers.entries()) {
        if (family > 0) at += out.write(FAMILY_SEPARATOR, at, 'latin1');
        at += header.copy(out, at);
        for (const { byFamily } of chosen) {
          const lines = byFamily[family] ?? NO_LINES;
          out.set(lines, at);
          at += lines.length;
        }
      }
      at += out.write(tail, at);
      // Every byte was measured before it was written; a gap would send uninitialised memory.
      if (at !== length) throw new Error(`service families: wrote ${at} bytes of the ${length} measured`);
      return out;
    },
  };
}
