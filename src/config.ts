// One typed, validated Config from flags and environment (flags win), every bad value reported at once.
import { availableParallelism, hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  databaseUrlProblem,
  MIN_DEREGISTER_AFTER_SEC,
  targetEntryProblem,
  webhookSecretProblem,
  webhookUrlProblem,
} from './domain/index.js';
import { attributeLabelNames } from './metrics/label-names.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** PROBE_THREADS when unset: one per core the API thread leaves spare, from 1 to 5 (the pool's most). */
export function defaultProbeThreads(cores: number): number {
  return Math.min(5, Math.max(1, cores - 1));
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly pollIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly probeRetries: number;
  readonly maxConcurrency: number;
  /** Probe worker threads; never more than 5 nor more than maxConcurrency. */
  readonly probeThreads: number;
  readonly errorRateThreshold: number;
  readonly dbPath: string;
  /** PostgreSQL instead of the SQLite file at dbPath; `null`: SQLite. */
  readonly databaseUrl: string | null;
  /** Cluster mode: how long a shard lease lasts without renewal, on the database's clock. */
  readonly leaseTtlMs: number;
  /** Cluster mode: this replica's name in leases, logs and `GET /cluster`. */
  readonly replicaId: string;
  readonly registerToken: string | null;
  readonly allowTargets: readonly string[] | null;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly historyRetentionDays: number;
  /** `null`: off. */
  readonly deregisterAfterSec: number | null;
  readonly tlsExpiryWarnDays: number;
  /** Attribute keys exported as labels of `health_monitor_service_info`. */
  readonly promAttributeLabels: readonly string[];
  /** Receivers of every service's state changes. */
  readonly webhookUrls: readonly string[];
  /** Signs deliveries when set. */
  readonly webhookSecret: string | null;
  /** Repeat a bad state's notice this often while it lasts; `null`: never. */
  readonly webhookReminderSec: number | null;
  readonly webhookTimeoutMs: number;
  /** Extra attempts after a failed delivery. */
  readonly webhookRetries: number;
  /** The status page at `/` and `/ui/…`; off: those routes answer 404. */
  readonly statusPage: boolean;
  /** Attribute keys that group the status page, the first one a service has wins. */
  readonly statusGroupBy: readonly string[];
  /** Target URLs on the status page: off by default, since they can reveal internal hosts. */
  readonly statusShowUrls: boolean;
  /** Protects the status page (basic auth password or bearer token); `null`: open. */
  readonly statusToken: string | null;
}

interface Setting {
  readonly env: string;
  readonly flag: string;
  readonly fallback: string | null;
  readonly schema: z.ZodType;
  /** Never echoed in an error message. */
  readonly secret?: boolean;
}

const integer = (min: number, max: number): z.ZodType<number> =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** A comma-separated list, blanks dropped; empty means none. */
const commaList = (max: number) =>
  z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    )
    .refine((entries) => entries.length <= max, `must list at most ${max} entries`);

/** A two-valued switch, spelled exactly one of two ways: `yes` reads as true. */
const onOff = (yes: string, no: string): z.ZodType<boolean> =>
  z
    .string()
    .trim()
    .refine((text) => text === yes || text === no, `must be ${yes} or ${no}`)
    .transform((text) => text === yes);

const SETTINGS = {
  port: { env: 'PORT', flag: 'port', fallback: '8080', schema: integer(0, 65535) },
  host: { env: 'HOST', flag: 'host', fallback: '0.0.0.0', schema: z.string().trim().min(1, 'must not be empty') },
  pollIntervalMs: {
    env: 'POLL_INTERVAL_MS',
    flag: 'poll-interval-ms',
    fallback: '10000',
    schema: integer(100, 86_400_000),
  },
  probeTimeoutMs: { env: 'PROBE_TIMEOUT_MS', flag: 'probe-timeout-ms', fallback: '2000', schema: integer(1, 600_000) },
  probeRetries: { env: 'PROBE_RETRIES', flag: 'probe-retries', fallback: '2', schema: integer(0, 10) },
  maxConcurrency: { env: 'MAX_CONCURRENCY', flag: 'max-concurrency', fallback: '5', schema: integer(1, 1000) },
  probeThreads: {
    env: 'PROBE_THREADS',
    flag: 'probe-threads',
    fallback: String(defaultProbeThreads(availableParallelism())),
    schema: integer(1, 5),
  },
  errorRateThreshold: {
    env: 'ERROR_RATE_THRESHOLD',
    flag: 'error-rate-threshold',
    fallback: '0.2',
    schema: z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?$/, 'must be a number between 0 and 1')
      .transform(Number)
      .pipe(z.number().max(1, 'must be a number between 0 and 1')),
  },
  dbPath: {
    env: 'DB_PATH',
    flag: 'db-path',
    fallback: './data/health-monitor.db',
    schema: z.string().min(1, 'must not be empty'),
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    flag: 'database-url',
    fallback: null,
    secret: true,
    schema: z
      .string()
      .trim()
      .nullable()
      .superRefine((text, context) => {
        const problem = text === null ? null : databaseUrlProblem(text);
        if (problem !== null) context.addIssue({ code: 'custom', message: problem });
      }),
  },
  leaseTtlMs: { env: 'LEASE_TTL_MS', flag: 'lease-ttl-ms', fallback: '10000', schema: integer(1000, 600_000) },
  replicaId: {
    env: 'REPLICA_ID',
    flag: 'replica-id',
    fallback: `${hostname()}:${process.pid}`,
    schema: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(128, 'must be at most 128 characters')
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  },
  registerToken: {
    env: 'REGISTER_TOKEN',
    flag: 'register-token',
    fallback: null,
    secret: true,
    schema: z.string().min(16, 'must be at least 16 characters').nullable(),
  },
  allowTargets: {
    env: 'ALLOW_TARGETS',
    flag: 'allow-targets',
    fallback: null,
    schema: z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry !== ''),
      )
      .superRefine((entries, context) => {
        if (entries.length === 0) context.addIssue({ code: 'custom', message: 'must list at least one host or range' });
        for (const entry of entries) {
          const problem = targetEntryProblem(entry);
          if (problem) context.addIssue({ code: 'custom', message: problem });
        }
      })
      .nullable(),
  },
  logLevel: {
    env: 'LOG_LEVEL',
    flag: 'log-level',
    fallback: 'info',
    schema: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`),
  },
  historyRetentionDays: {
    env: 'HISTORY_RETENTION_DAYS',
    flag: 'history-retention-days',
    fallback: '30',
    schema: integer(1, 3650),
  },
  tlsExpiryWarnDays: {
    env: 'TLS_EXPIRY_WARN_DAYS',
    flag: 'tls-expiry-warn-days',
    fallback: '14',
    schema: integer(0, 3650),
  },
  deregisterAfterSec: {
    env: 'DEREGISTER_AFTER_SEC',
    flag: 'deregister-after-sec',
    fallback: null,
    schema: integer(MIN_DEREGISTER_AFTER_SEC, 31_536_000).nullable(),
  },
  promAttributeLabels: {
    env: 'PROM_ATTRIBUTE_LABELS',
    flag: 'prom-attribute-labels',
    fallback: 'service,env,team,version',
    schema: commaList(20).superRefine((keys, context) => {
      for (const key of keys) {
        if (key.length > 128)
          context.addIssue({
            code: 'custom',
            message: `attribute key "${key.slice(0, 20)}…" is longer than 128 characters`,
          });
      }
      try {
        attributeLabelNames(keys);
      } catch (error) {
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
    }),
  },
  webhookUrls: {
    env: 'WEBHOOK_URLS',
    flag: 'webhook-urls',
    fallback: '',
    schema: commaList(20).superRefine((urls, context) => {
      for (const url of urls) {
        const problem = webhookUrlProblem(url);
        if (problem) context.addIssue({ code: 'custom', message: `${url}: ${problem}` });
      }
    }),
  },
  webhookSecret: {
    env: 'WEBHOOK_SECRET',
    flag: 'webhook-secret',
    fallback: null,
    secret: true,
    schema: z
      .string()
      .superRefine((secret, context) => {
        const problem = webhookSecretProblem(secret);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })
      .nullable(),
  },
  webhookReminderSec: {
    env: 'WEBHOOK_REMINDER_SEC',
    flag: 'webhook-reminder-sec',
    fallback: null,
    schema: integer(60, 31_536_000).nullable(),
  },
  webhookTimeoutMs: {
    env: 'WEBHOOK_TIMEOUT_MS',
    flag: 'webhook-timeout-ms',
    fallback: '5000',
    schema: integer(100, 60_000),
  },
  webhookRetries: { env: 'WEBHOOK_RETRIES', flag: 'webhook-retries', fallback: '5', schema: integer(0, 20) },
  statusPage: { env: 'STATUS_PAGE', flag: 'status-page', fallback: 'on', schema: onOff('on', 'off') },
  statusGroupBy: {
    env: 'STATUS_GROUP_BY',
    flag: 'status-group-by',
    fallback: 'group,team',
    schema: commaList(10).refine((keys) => keys.length > 0, 'must name at least one attribute key'),
  },
  statusShowUrls: {
    env: 'STATUS_SHOW_URLS',
    flag: 'status-show-urls',
    fallback: 'false',
    schema: onOff('true', 'false'),
  },
  statusToken: {
    env: 'STATUS_TOKEN',
    flag: 'status-token',
    fallback: null,
    secret: true,
    schema: z.string().min(16, 'must be at least 16 characters').nullable(),
  },
} as const satisfies Record<keyof Config, Setting>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const HELP = `Usage: health-monitor [options]

Every option can also be set by the environment variable shown; a flag wins over the environment.
${Object.values(SETTINGS)
  .map((setting) => `  --${setting.flag.padEnd(22)} ${setting.env.padEnd(22)} default: ${setting.fallback ?? 'unset'}`)
  .join('\n')}
  --help                   print this help`;

/** Throws a ConfigError listing every problem; returns `null` when help was asked for. */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Config | null {
  const options = Object.fromEntries(
    Object.values(SETTINGS).map((setting) => [setting.flag, { type: 'string' as const }]),
  );
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { ...options, help: { type: 'boolean' } },
    strict: false,
    allowPositionals: true,
  });
  if (values['help'] === true) return null;

  const problems: string[] = [];
  for (const name of Object.keys(values)) {
    if (name !== 'help' && !(name in options)) problems.push(`unknown flag --${name}`);
  }
  for (const positional of positionals) problems.push(`unexpected argument "${positional}"`);

  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [keyof Config, Setting][]) {
    const flagValue = values[setting.flag];
    if (flagValue === true) {
      problems.push(`--${setting.flag} needs a value`);
      continue;
    }
    const envValue = env[setting.env] === '' ? undefined : env[setting.env];
    const raw = flagValue ?? envValue ?? setting.fallback;
    const source = flagValue !== undefined ? `--${setting.flag}` : envValue !== undefined ? setting.env : 'default';
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) config[key] = parsed.data;
    else {
      const shown = setting.secret === true ? '(value hidden)' : JSON.stringify(raw);
      for (const issue of parsed.error.issues) problems.push(`${source} ${shown}: ${issue.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as unknown as Config;
}
