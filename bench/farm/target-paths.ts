// The farm's target behaviours and their URLs, shared by the farm (which parses a path to decide how to
// answer) and by the soak (which builds the URL it registers). A service registered at
// `<farm>/t/<kind>/<param>/<n>` is probed at that path plus `/health`.

/** Every behaviour the farm can put on a target, from well-behaved to hostile. */
export const TARGET_KINDS = [
  // Healthy: 200 with a small JSON report.
  'healthy',
  // Healthy, after `param` ms.
  'slow',
  // Failing: 500 with a JSON error.
  'http500',
  // Failing: 200 whose body is not JSON.
  'bad-json',
  // Failing now and then: healthy for `param` seconds, 500 for the next `param` seconds, by wall clock.
  'flap',
  // Hostile: accepts the connection, reads the request, never answers.
  'hang',
  // Hostile: sends the headers, then one byte of body a second, never finishing.
  'trickle',
  // Hostile: a 200 whose body is `param` bytes (the soak asks for more than the monitor's 1 MiB limit).
  'big',
  // Hostile: sends the headers and part of the body, then resets the connection (TCP RST).
  'reset',
] as const;

export type TargetKind = (typeof TARGET_KINDS)[number];

export interface TargetSpec {
  readonly kind: TargetKind;
  /** The kind's number: latency ms, flap half-period s, body bytes; 0 where the kind has none. */
  readonly param: number;
}

/** The base path of one target; `n` tells targets of the same behaviour apart. */
export function targetPath(spec: TargetSpec, n: number): string {
  return `/t/${spec.kind}/${spec.param}/${n}`;
}

const KIND_SET: ReadonlySet<string> = new Set(TARGET_KINDS);
const PATH = /^\/t\/([a-z0-9-]+)\/(\d+)\/\d+\/health$/;

/** The behaviour a probe's request path asks for; `null` when the path is not a target's /health. */
export function parseTargetPath(path: string): TargetSpec | null {
  const match = PATH.exec(path);
  const kind = match?.[1];
  if (kind === undefined || !KIND_SET.has(kind)) return null;
  return { kind: kind as TargetKind, param: Number(match?.[2]) };
}
