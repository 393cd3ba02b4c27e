// The POST /register body: validated once here, turned into a typed RegistrationRequest.
import { z } from 'zod';
import { blockedPortProblem, MIN_DEREGISTER_AFTER_SEC, webhookUrlProblem, type ProbeDefaults, type RegistrationRequest } from '../domain/index.js';
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

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

function urlProblem(value: string): string | null {
  const ABSOLUTE = 'must be an absolute URL such as http://host:9001';
  // `localhost:9001` parses as scheme "localhost:"; a missing scheme deserves a plain answer.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return ABSOLUTE;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return ABSOLUTE;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must use http or https, not ${url.protocol.replace(/:$/, '')}`;
  }
  if (url.hostname === '') return 'must name a host';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.search !== '' || url.hash !== '') return 'must not contain a query or fragment (use health_path for a query)';
  return blockedPortProblem(url);
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

export function registrationSchema(defaults: ProbeDefaults) {
  const L = REGISTRATION_LIMITS;
  return z
    .strictObject(
      {
        id: z
          .string({ error: typeError('a string') })
          .regex(ID_PATTERN, 'must be 1-128 characters of letters, digits and . _ : -'),
        url: z
          .string({ error: typeError('a string') })
          .max(L.maxUrlLength, `must be at most ${L.maxUrlLength} characters`)
          .superRefine((value, context) => {
            const problem = urlProblem(value);
            if (problem) context.addIssue({ code: 'custom', message: problem });
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
            .refine((record) => Object.keys(record).length <= L.maxAttributes, `must have at most ${L.maxAttributes} entries`),
        ),
        poll_interval_sec: optional(positiveInteger(L.maxPollIntervalSec)),
        health_path: optional(
          z
            .string({ error: typeError('a string') })
            .max(L.maxHealthPathLength, `must be at most ${L.maxHealthPathLength} characters`)
            .regex(/^\/[^\s#]*$/, 'must start with / and contain no spaces or #'),
        ),
        timeout_ms: optional(positiveInteger(L.maxTimeoutMs)),
        failure_threshold: optional(positiveInteger(L.maxThreshold)),
        success_threshold: optional(positiveInteger(L.maxThreshold)),
        error_rate_threshold: optional(
          z.number({ error: typeError('a number') }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
        ),
        deregister_after_sec: optional(
          positiveInteger(L.maxDeregisterAfterSec).min(MIN_DEREGISTER_AFTER_SEC, `must be at least ${MIN_DEREGISTER_AFTER_SEC}`),
        ),
        webhook_url: optional(
          z.string({ error: typeError('a string') }).superRefine((value, context) => {
            const problem = webhookUrlProblem(value);
            if (problem) context.addIssue({ code: 'custom', message: problem });
          }),
        ),
      },
      { error: (issue) => (issue.code === 'unrecognized_keys' ? 'is not a known field' : 'body must be a JSON object') },
    )
    .superRefine((body, context) => {
      const intervalMs = body.poll_interval_sec !== undefined ? body.poll_interval_sec * 1000 : defaults.pollIntervalMs;
      if (body.timeout_ms !== undefined && body.timeout_ms > intervalMs) {
        context.addIssue({
          code: 'custom',
          path: ['timeout_ms'],
          message: `must not exceed the poll interval (${intervalMs} ms)`,
        });
      }
    })
    .transform(
      (body): RegistrationRequest => ({
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
      }),
    );
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
