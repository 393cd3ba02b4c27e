// The POST /register body: validated once here, turned into a typed RegistrationRequest, and described
// in the OpenAPI document from the same schema object.
import { z } from 'zod';
import {
  MAX_DEPENDENCIES,
  MIN_DEREGISTER_AFTER_SEC,
  parseTargetUrl,
  schemeList,
  webhookUrlProblem,
  type ProbeDefaults,
  type RegistrationRequest,
} from '../domain/index.js';
import { PROBE_SCHEME_LIST, PROBE_SCHEMES, TLS_SCHEMES, protocolFor, schemesOf } from '../probe/probe-table.js';
import type { ErrorDetail } from './errors.js';

export const REGISTRATION_LIMITS = {
  maxBodyBytes: 64 * 1024,
  maxAttributes: 64,
  maxAttributeKeyLength: 128,
  maxAttributeValueLength: 1024,
  maxUrlLength: 2048,
  maxHealthPathLength: 256,
  maxPollIntervalSec: 86_400,
  maxTimeoutMs: 600_000,
  maxThreshold: 100,
  maxDeregisterAfterSec: 31_536_000,
} as const;

const L = REGISTRATION_LIMITS;
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_GRPC_SERVICE_LENGTH = 256;
const TLS_SCHEME_LIST = schemeList(TLS_SCHEMES);
const GRPC_SCHEME_LIST = schemeList(schemesOf('grpc'));

/** The checks every probe URL shares, then those of the protocol its scheme names (src/probe/probe-table.ts). */
function urlProblem(value: string): string | null {
  const parsed = parseTargetUrl(value, 'must be an absolute URL such as http://host:9001', PROBE_SCHEMES);
  if ('problem' in parsed) return parsed.problem;
  return protocolFor(parsed.url.protocol)?.checkUrl(parsed.url, value) ?? null;
}

const typeError = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${expected}`;

/** `null` is taken as absent, as Go's encoder writes a nil map or pointer. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

const positiveInteger = (max: number) =>
  z
    .number({ error: typeError('a number') })
    .int('must be a whole number')
    .positive('must be greater than 0')
    .max(max, `must be at most ${max}`);

/**
 * The body as clients send it (snake_case). Built once: the validator below wraps this very object,
 * and the OpenAPI document describes it, so the two cannot disagree.
 */
export const registrationBody = z
  .strictObject(
    {
      id: z
        .string({ error: typeError('a string') })
        .regex(ID_PATTERN, 'must be 1-128 characters of letters, digits and . _ : -')
        // URL parsers resolve `/services/..` to `/`: such a service could never be read or deleted.
        .refine((id) => id !== '.' && id !== '..', 'must not be . or .., which no URL path can address')
        .meta({ description: 'The service id; registering a known id again replaces its settings' }),
      url: z
        .string({ error: typeError('a string') })
        .max(L.maxUrlLength, `must be at most ${L.maxUrlLength} characters`)
        .superRefine((value, context) => {
          const problem = urlProblem(value);
          if (problem) context.addIssue({ code: 'custom', message: problem });
        })
        .meta({
          format: 'uri',
          description: `Absolute ${PROBE_SCHEME_LIST} URL of the service, without credentials, query or fragment, on a port from 1 to 65535`,
        }),
      attributes: optional(
        z
          .record(
            z.string().max(L.maxAttributeKeyLength, `keys must be at most ${L.maxAttributeKeyLength} characters`),
            z
              .string({ error: 'must be a string' })
              .max(L.maxAttributeValueLength, `must be at most ${L.maxAttributeValueLength} characters`),
            { error: 'must be an object of string values' },
          )
          .refine(
            (record) => Object.keys(record).length <= L.maxAttributes,
            `must have at most ${L.maxAttributes} entries`,
          )
          // JSON Schema can say what the refine and the key schema check; the generator renders neither.
          .meta({ maxProperties: L.maxAttributes, propertyNames: { maxLength: L.maxAttributeKeyLength } }),
      ).meta({ description: 'Labels for the service, e.g. `{"env": "prod"}`' }),
      poll_interval_sec: optional(positiveInteger(L.maxPollIntervalSec)).meta({
        description: "Seconds between probes; default: the monitor's POLL_INTERVAL_MS",
      }),
      health_path: optional(
        z
          .string({ error: typeError('a string') })
          .max(L.maxHealthPathLength, `must be at most ${L.maxHealthPathLength} characters`)
          .regex(/^\/[^\s#\u0000-\u001f\u007f]*$/, 'must start with / and contain no spaces, control characters or #'),
      ).meta({ description: 'Path (and query) probed on the service; default `/health`' }),
      timeout_ms: optional(positiveInteger(L.maxTimeoutMs)).meta({
        description: "Timeout of one probe attempt; at most the poll interval; default: the monitor's PROBE_TIMEOUT_MS",
      }),
      failure_threshold: optional(positiveInteger(L.maxThreshold)).meta({
        description: 'Consecutive failed probes before a healthy service is reported failed; default 1',
      }),
      success_threshold: optional(positiveInteger(L.maxThreshold)).meta({
        description: 'Consecutive good probes before a failed service is reported healthy; default 1',
      }),
      error_rate_threshold: optional(
        z
          .number({ error: typeError('a number') })
          .min(0, 'must be between 0 and 1')
          .max(1, 'must be between 0 and 1'),
      ).meta({
        description: "Error rate above which a service is degraded; default: the monitor's ERROR_RATE_THRESHOLD",
      }),
      deregister_after_sec: optional(
        positiveInteger(L.maxDeregisterAfterSec).min(
          MIN_DEREGISTER_AFTER_SEC,
          `must be at least ${MIN_DEREGISTER_AFTER_SEC}`,
        ),
      ).meta({
        description:
          "Remove the service once it has been dead or unhealthy this long without a break; default: the monitor's DEREGISTER_AFTER_SEC",
      }),
      degraded_latency_ms: optional(positiveInteger(L.maxTimeoutMs - 1)).meta({
        description:
          'A 200 answer slower than this (retries included) makes the service `degraded`, after `failure_threshold` slow answers in a row; below the timeout. Default: none',
      }),
      depends_on: optional(
        z
          .array(
            z
              .string({ error: typeError('a service id') })
              .regex(ID_PATTERN, 'must be service ids: 1-128 characters of letters, digits and . _ : -'),
            { error: typeError('an array of service ids') },
          )
          .max(MAX_DEPENDENCIES, `must list at most ${MAX_DEPENDENCIES} services`)
          .refine((ids) => new Set(ids).size === ids.length, 'must not list a service twice'),
      ).meta({
        description: `Up to ${MAX_DEPENDENCIES} ids of services this one depends on; one not registered yet counts once it is. While one is unhealthy or dead, this service's notices are held back and it reads \`impacted_by\`. A list that would close a loop is refused`,
      }),
      tls_skip_verify: optional(z.boolean({ error: typeError('true or false') })).meta({
        description:
          'https and grpcs only: probe without verifying the certificate, for a self-signed target. Never the default; the service view shows it',
      }),
      grpc_service: optional(
        z
          .string({ error: typeError('a string') })
          .max(MAX_GRPC_SERVICE_LENGTH, `must be at most ${MAX_GRPC_SERVICE_LENGTH} characters`)
          .regex(/^[A-Za-z0-9_.\-\/]*$/, 'must be a gRPC service name: letters, digits and . _ - /'),
      ).meta({
        description:
          'grpc and grpcs only: the service name asked about in `grpc.health.v1.Health/Check`; default `""`, the server as a whole',
      }),
      webhook_url: optional(
        z.string({ error: typeError('a string') }).superRefine((value, context) => {
          const problem = webhookUrlProblem(value);
          if (problem) context.addIssue({ code: 'custom', message: problem });
        }),
      ).meta({ format: 'uri', description: "Where this service's transitions are also posted" }),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? 'is not a known field' : 'body must be a JSON object') },
  )
  .meta({
    id: 'Registration',
    description: 'A registration as clients send it. Unknown fields are rejected; `null` counts as absent.',
  });

type RegistrationBody = z.output<typeof registrationBody>;

/** The check that depends on the monitor's defaults: JSON Schema cannot say it, the description does. */
function timeoutProblem(body: RegistrationBody, defaults: ProbeDefaults): string | null {
  const intervalMs = body.poll_interval_sec !== undefined ? body.poll_interval_sec * 1000 : defaults.pollIntervalMs;
  return body.timeout_ms !== undefined && body.timeout_ms > intervalMs
    ? `must not exceed the poll interval (${intervalMs} ms)`
    : null;
}

/** A latency limit at or over the timeout could never be seen: the probe gives up first. */
function latencyProblem(body: RegistrationBody, defaults: ProbeDefaults): string | null {
  if (body.degraded_latency_ms === undefined) return null;
  const intervalMs = body.poll_interval_sec !== undefined ? body.poll_interval_sec * 1000 : defaults.pollIntervalMs;
  const timeoutMs = Math.min(body.timeout_ms ?? defaults.probeTimeoutMs, intervalMs);
  return body.degraded_latency_ms >= timeoutMs ? `must be below the probe timeout (${timeoutMs} ms)` : null;
}

/**
 * The validator of POST /register: `registrationBody` itself (not a copy), then the cross-field check
 * and the mapping to camelCase. A transform after the object runs only when every field is valid.
 */
export function registrationSchema(defaults: ProbeDefaults) {
  return registrationBody.transform((body, context): RegistrationRequest => {
    const problem = timeoutProblem(body, defaults);
    if (problem) {
      context.addIssue({ code: 'custom', path: ['timeout_ms'], message: problem });
      return z.NEVER;
    }
    const scheme = new URL(body.url).protocol;
    const protocol = protocolFor(scheme);
    if (body.health_path !== undefined && protocol?.healthPath === false) {
      context.addIssue({ code: 'custom', path: ['health_path'], message: `does not apply to ${scheme}// URLs` });
      return z.NEVER;
    }
    if (body.tls_skip_verify === true && protocol?.tlsSchemes.includes(scheme) !== true) {
      context.addIssue({
        code: 'custom',
        path: ['tls_skip_verify'],
        message: `applies to ${TLS_SCHEME_LIST} URLs only`,
      });
      return z.NEVER;
    }
    if (body.grpc_service !== undefined && protocol?.name !== 'grpc') {
      context.addIssue({ code: 'custom', path: ['grpc_service'], message: `applies to ${GRPC_SCHEME_LIST} URLs only` });
      return z.NEVER;
    }
    const latency = latencyProblem(body, defaults);
    if (latency) {
      context.addIssue({ code: 'custom', path: ['degraded_latency_ms'], message: latency });
      return z.NEVER;
    }
    return {
      id: body.id,
      url: body.url,
      attributes: body.attributes ?? {},
      pollIntervalSec: body.poll_interval_sec,
      healthPath: body.health_path,
      timeoutMs: body.timeout_ms,
      failureThreshold: body.failure_threshold,
      successThreshold: body.success_threshold,
      errorRateThreshold: body.error_rate_threshold,
      deregisterAfterSec: body.deregister_after_sec,
      webhookUrl: body.webhook_url,
      degradedLatencyMs: body.degraded_latency_ms,
      tlsSkipVerify: body.tls_skip_verify,
      grpcService: body.grpc_service,
      dependsOn: body.depends_on,
    };
  });
}

/** Zod issues as `{field, message}`, one per problem, with the path written as `attributes.env`. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'is not a known field' }));
    }
    return [{ field: issue.path.length > 0 ? issue.path.join('.') : '(body)', message: issue.message }];
  });
}

/**
 * zod's record skips a `__proto__` key without a word (assigning it would replace the prototype), so
 * a registration would be accepted without an attribute it sent. It is refused here by name.
 */
export function reservedKeyDetails(body: unknown): ErrorDetail[] {
  const attributes =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['attributes'] : undefined;
  return typeof attributes === 'object' && attributes !== null && Object.hasOwn(attributes, '__proto__')
    ? [{ field: 'attributes.__proto__', message: 'is a reserved name and cannot be an attribute' }]
    : [];
}
